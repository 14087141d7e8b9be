"""Reading a playlist's metadata and every page of its entries, trusting nothing.

Pages are hostile input: a ``next`` pointing back to an
offset already read once made a 1.6-million-line version, and a ``total``
smaller than the entries served, or empty pages before it, made false
removals. So a read fails (:class:`IncompleteResponse`, the playlist's files
are kept) when:

* ``total`` is not a count, or exceeds Spotify's playlist limit (10,000);
* a page is empty, or holds other than its share, before ``total`` is reached;
* a page's ``total`` differs from the first page's (edited while read);
* the playlist's ``snapshot_id``, read again after the last of two or more pages, differs
  from the first answer's (edited while read, whatever the edit did to ``total``);
* a ``next`` points anywhere but right after its page (loops, gaps), or is null before
  ``total`` is reached;
* the answer announces entries but none of them is a track (``item`` and
  ``track`` both asked for and accepted), or some carry neither key.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from gitarchive.errors import (
    Forbidden,
    IncompleteResponse,
    InvalidResponse,
    PlaylistUnavailable,
)
from gitarchive.spotify import access
from gitarchive.spotify.parse import ParseStats, parse_playlist_with_stats
from gitarchive.spotify.session import first_error

if TYPE_CHECKING:
    from collections.abc import Iterator

    from gitarchive.model import Playlist
    from gitarchive.spotify.session import Session

PAGE_LIMIT = 50  # the most /items accepts since 2026
#: Spotify's limit on a playlist's length; a larger total is not a playlist.
MAX_PLAYLIST_ITEMS = 10_000
_ENTRY_ITEM_FIELDS = (
    "type,id,name,duration_ms,is_local,episode,external_urls,"
    "album(id,name,external_urls),artists(id,name,external_urls),"
    "show(id,name,publisher,external_urls)"
)
#: Both keys are asked for: during the 2026 rollout answers carried `item`, `track` or
#: both, and a filter naming only one silently dropped the other (an emptied playlist).
ENTRY_FIELDS = (
    f"items(added_at,is_local,item({_ENTRY_ITEM_FIELDS}),track({_ENTRY_ITEM_FIELDS})),total,next"
)
PLAYLIST_FIELDS = (
    "id,name,description,snapshot_id,followers(total),owner(id,display_name,external_urls),"
    "external_urls"
)

Page = tuple[int, list[Any], int | None]  # (total, entries, offset of `next` or None)


class PlaylistReader:
    """One playlist's read: metadata and first page together, then the other pages in windows."""

    #: Spotify's limit on a playlist's entries; None: no limit (the user's library).
    max_items: int | None = MAX_PLAYLIST_ITEMS

    def __init__(self, session: Session, playlist_id: str, deadline: float) -> None:
        self.session = session
        self.playlist_id = playlist_id
        self.deadline = deadline
        self.endpoint = "items"

    def _fail(self, reason: str) -> IncompleteResponse:
        return IncompleteResponse(
            f"Spotify's answer does not add up: {reason}; files kept, not recorded",
            playlist=self.playlist_id,
        )

    async def read(self, *, name_fallback: str | None = None) -> tuple[Playlist, ParseStats]:
        meta, (total, entries) = await self._meta_and_entries()
        if not isinstance(meta, dict):
            raise InvalidResponse(
                "Spotify sent invalid data: playlist should be an object", playlist=self.playlist_id
            )
        playlist, stats = parse_playlist_with_stats(
            meta, entries, playlist_id=self.playlist_id, name_fallback=name_fallback
        )
        if stats.shapeless:
            raise self._fail(
                f"{stats.shapeless} of {total} entries carry neither `item` nor `track` "
                "(has the API changed?)"
            )
        if total and not stats.tracks:
            raise self._fail(
                f"it announces {total} entries but none is a track "
                f"({stats.unavailable} unavailable)"
            )
        return playlist, stats

    async def _meta_and_entries(self) -> tuple[Any, tuple[int, list[Any]]]:
        session = self.session
        params = {"fields": PLAYLIST_FIELDS, **session.market_params()}
        path = f"/playlists/{self.playlist_id}"
        meta_task = asyncio.ensure_future(session.get_json(path, params, deadline=self.deadline))
        first_task = asyncio.ensure_future(self._page(0))
        try:
            meta = await meta_task
        except BaseException:
            first_task.cancel()
            await asyncio.gather(first_task, return_exceptions=True)
            raise
        try:
            first = await first_task
        except PlaylistUnavailable as exc:
            if exc.status != 404:
                raise
            # The metadata exists, so this may be an older API generation: entries at /tracks.
            # Where that path is closed too (403 in development mode), the 404 is the answer.
            self.endpoint = "tracks"
            try:
                first = await self._page(0)
            except (PlaylistUnavailable, Forbidden):
                cause = access.classify_404(self.playlist_id, _owner_id(meta))
                raise PlaylistUnavailable(
                    access.cause_message(cause), status=404, cause=cause
                ) from None
        one_page = len(first[1]) >= first[0]  # before _rest extends the first page's list
        rest = await self._rest(first)
        if not one_page:
            await self._check_unedited(meta)
        return meta, rest

    async def _check_unedited(self, meta: Any) -> None:
        """Fail the read when the playlist's snapshot_id moved while its pages were read.

        Pages carry no snapshot_id, and an edit that keeps ``total`` (a move, a swap) passes
        every page check, leaving a track list the playlist never held. A playlist of one page
        has its entries from one answer, a list it did hold, and needs no second look.
        """
        if not isinstance(meta, dict):
            return  # read() refuses it, in its own words
        params = {"fields": "snapshot_id", **self.session.market_params()}
        path = f"/playlists/{self.playlist_id}"
        now = await self.session.get_json(path, params, deadline=self.deadline)
        if not isinstance(now, dict):
            raise InvalidResponse(
                "Spotify sent invalid data: playlist should be an object", playlist=self.playlist_id
            )
        if now.get("snapshot_id") != meta.get("snapshot_id"):
            # Failed rather than read again: a second read can be edited too and would need
            # this very failure, while the next sync reads the playlist anyway. The ids are
            # not quoted: Spotify's are token-shaped, and every message redacts those.
            raise IncompleteResponse(
                "it was edited while it was read (its snapshot_id changed between the first and "
                "the last page); files kept, not recorded, the next sync reads it again",
                playlist=self.playlist_id,
            )

    async def _rest(self, first: Page) -> tuple[int, list[Any]]:
        total, entries, following = first
        if self.max_items is not None and total > self.max_items:
            raise self._fail(
                f"it announces {total} entries, more than Spotify's limit of "
                f"{MAX_PLAYLIST_ITEMS:,} per playlist"
            )
        self._check_page(0, entries, following, total, total, share=None)
        step = len(entries)
        offsets = range(step, total, step) if step else range(0)
        # A window of pages at a time, each checked before the next is asked for: a total
        # that does not add up (a library's has no cap) fails at its first short page rather
        # than first making one task for every page it announces.
        for window in windows(offsets, self.session.concurrency):
            for offset, page in zip(window, await self._pages(window), strict=True):
                page_total, page_entries, page_next = page
                share = min(step, total - offset)
                self._check_page(offset, page_entries, page_next, page_total, total, share=share)
                entries.extend(page_entries)
        return total, entries

    async def _pages(self, offsets: range) -> list[Page]:
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(self._page(offset)) for offset in offsets]
        except BaseExceptionGroup as group_error:
            raise first_error(group_error) from None
        return [task.result() for task in tasks]

    def _check_page(
        self,
        offset: int,
        entries: list[Any],
        following: int | None,
        page_total: int,
        total: int,
        *,
        share: int | None,
    ) -> None:
        where = f"the page at offset {offset}"
        if page_total != total:
            raise self._fail(
                f"{where} says {page_total} entries, the first page said {total} "
                "(edited while read? the next sync tries again)"
            )
        if len(entries) > total - offset:
            raise self._fail(
                f"{where} holds {len(entries)} entries, more than the {total} announced"
            )
        if offset < total and not entries:
            raise self._fail(f"{where} is empty, though {total} entries are announced")
        if share is not None and len(entries) != share:
            raise self._fail(f"{where} holds {len(entries)} entries, expected {share}")
        end = offset + len(entries)
        if following is None:
            if end < total:  # a server serving the same page at every offset says this
                raise self._fail(f"`next` of {where} is null, though {total} entries are announced")
            return
        if following <= offset or (following < end):
            raise self._fail(f"`next` of {where} points back to offset {following}, a loop")
        if following != end:
            raise self._fail(f"`next` of {where} points to offset {following}, expected {end}")
        if following >= total:
            raise self._fail(f"`next` of {where} points past the {total} entries announced")

    def _page_request(self, offset: int) -> tuple[str, dict[str, str]]:
        params = {
            "offset": str(offset),
            "limit": str(PAGE_LIMIT),
            "fields": ENTRY_FIELDS,
            "additional_types": "track,episode",
            **self.session.market_params(),
        }
        return f"/playlists/{self.playlist_id}/{self.endpoint}", params

    async def _page(self, offset: int) -> Page:
        """One page of entries → (total, entries, offset of the next page or None)."""
        path, params = self._page_request(offset)
        data = await self.session.get_json(path, params, deadline=self.deadline)
        where = f"{self.endpoint} page at offset {offset}"
        if not isinstance(data, dict):
            raise InvalidResponse(f"Spotify sent invalid data: {where} should be an object")
        total = data.get("total")
        items = data.get("items")
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise InvalidResponse(f"Spotify sent invalid data: {where}: total should be a count")
        if not isinstance(items, list):
            raise InvalidResponse(f"Spotify sent invalid data: {where}: items should be a list")
        return total, items, next_offset(data.get("next"), where)


def _owner_id(meta: Any) -> str | None:
    owner = meta.get("owner") if isinstance(meta, dict) else None
    value = owner.get("id") if isinstance(owner, dict) else None
    return value if isinstance(value, str) else None


def windows(offsets: range, size: int) -> Iterator[range]:
    """``offsets`` in consecutive slices of at most ``size``, made one at a time."""
    for start in range(0, len(offsets), size):
        yield offsets[start : start + size]


def next_offset(value: Any, where: str) -> int | None:
    """The offset of a ``next`` URL; pages are fetched from our own base URL, not Spotify's."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidResponse(f"Spotify sent invalid data: {where}: next should be a URL")
    offsets = parse_qs(urlsplit(value).query).get("offset")
    try:
        return int(offsets[-1]) if offsets else None
    except ValueError:
        raise InvalidResponse(
            f"Spotify sent invalid data: {where}: next has no numeric offset"
        ) from None
