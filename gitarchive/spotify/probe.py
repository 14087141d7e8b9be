"""Questions about access rather than content: for ``doctor`` and ``add --mine``.

* :func:`probe_playlist`: can this access read a playlist's entries, only its
  metadata, or nothing, and why (a cause from :mod:`.access`)?
* :func:`my_playlists`: the user's own and collaborative playlists
  (``GET /me/playlists``, every page, with the same distrust of pagination
  as playlist entries).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gitarchive.errors import (
    AuthError,
    Forbidden,
    IncompleteResponse,
    InvalidResponse,
    PlaylistUnavailable,
    SpotifyError,
)
from gitarchive.formats.sanitize import clean_name
from gitarchive.model import LIKED_SONGS_ID, LIKED_SONGS_NAME, is_playlist_id
from gitarchive.spotify import access
from gitarchive.spotify.library import LIBRARY_PATH
from gitarchive.spotify.pages import MAX_PLAYLIST_ITEMS, PAGE_LIMIT, next_offset
from gitarchive.spotify.session import RUN_ENDING, run_workers
from gitarchive.spotify.user import current_user

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitarchive.spotify.session import Session

_PROBE_FIELDS = "id,name,collaborative,owner(id,display_name)"
#: A user has at most this many playlists listed; more pages than this is a loop.
MAX_MY_PLAYLISTS = 10_000


def _refusal(exc: SpotifyError) -> str:
    if isinstance(exc, Forbidden | PlaylistUnavailable):
        return exc.cause
    return access.ERROR


async def probe_playlist(session: Session, playlist_id: str) -> access.AccessReport:
    """Metadata first, then one entry: the deepest level that answers, and why not deeper."""
    if playlist_id == LIKED_SONGS_ID:
        return await _probe_liked_songs(session)
    deadline = session.budget_deadline()
    path = f"/playlists/{playlist_id}"
    try:
        meta = await session.get_json(
            path, {"fields": _PROBE_FIELDS, **session.market_params()}, deadline=deadline
        )
    except RUN_ENDING:
        raise
    except SpotifyError as exc:
        exc.playlist = None
        return access.AccessReport(playlist_id, access.NOTHING, _refusal(exc), str(exc))
    if not isinstance(meta, dict) or meta.get("id") != playlist_id:
        detail = "Spotify's answer to the metadata request is not this playlist's metadata"
        return access.AccessReport(playlist_id, access.NOTHING, access.ERROR, detail)
    owner_id = _text(_obj(meta.get("owner")).get("id")) or None
    name = clean_name(meta["name"]) if isinstance(meta.get("name"), str) else None
    flag = meta.get("collaborative")
    collaborative = flag if isinstance(flag, bool) else None
    params = {"offset": "0", "limit": "1", "fields": "total", **session.market_params()}
    try:
        await session.get_json(f"{path}/items", params, deadline=deadline)
    except RUN_ENDING:
        raise
    except SpotifyError as exc:
        cause = _refusal(exc)
        if isinstance(exc, PlaylistUnavailable):
            cause = access.classify_404(playlist_id, owner_id)
            detail = access.cause_message(cause)
        else:
            exc.playlist = None
            detail = str(exc)
        return access.AccessReport(
            playlist_id, access.METADATA, cause, detail, name, owner_id, collaborative
        )
    return access.AccessReport(
        playlist_id, access.ENTRIES, None, "reads every entry", name, owner_id, collaborative
    )


async def _probe_liked_songs(session: Session) -> access.AccessReport:
    """The user's library: one saved track, with a user's token; nothing without a user."""
    if not session.has_user:
        detail = access.cause_message(access.NO_USER)
        return access.AccessReport(LIKED_SONGS_ID, access.NOTHING, access.NO_USER, detail)
    params = {"offset": "0", "limit": "1", **session.market_params()}
    try:
        await session.get_json(LIBRARY_PATH, params, deadline=session.budget_deadline())
    except RUN_ENDING:
        raise
    except SpotifyError as exc:
        exc.playlist = None
        return access.AccessReport(LIKED_SONGS_ID, access.NOTHING, _refusal(exc), str(exc))
    return access.AccessReport(LIKED_SONGS_ID, access.ENTRIES, name=LIKED_SONGS_NAME)


async def probe_playlists(session: Session, ids: Sequence[str]) -> dict[str, access.AccessReport]:
    reports: dict[str, access.AccessReport] = {}
    queue = list(dict.fromkeys(ids))
    queue.reverse()

    async def worker() -> None:
        while queue:
            playlist_id = queue.pop()
            reports[playlist_id] = await probe_playlist(session, playlist_id)

    await run_workers(worker, min(len(queue), session.concurrency))
    return {playlist_id: reports[playlist_id] for playlist_id in dict.fromkeys(ids)}


async def my_playlists(
    session: Session, *, include_followed: bool = False
) -> list[access.PlaylistSummary]:
    if not session.has_user:
        raise AuthError(
            "listing your playlists needs a user's token, not client credentials: "
            + access.LOGIN_FIX
        )
    user = await current_user(session)
    assert user is not None
    deadline = session.budget_deadline()
    summaries: list[access.PlaylistSummary] = []
    offset = 0
    total: int | None = None
    while True:
        params = {"offset": str(offset), "limit": str(PAGE_LIMIT)}
        data = await session.get_json("/me/playlists", params, deadline=deadline)
        where = f"/me/playlists page at offset {offset}"
        page_total, items, following = _me_page(data, where)
        if total is None:
            total = page_total
            if total > MAX_MY_PLAYLISTS:
                raise IncompleteResponse(f"{where}: total {total} is not plausible")
        elif page_total != total:
            raise IncompleteResponse(f"{where}: total changed from {total} to {page_total}")
        if offset < total and not items:
            raise IncompleteResponse(f"{where} is empty, though {total} are announced")
        for index, raw in enumerate(items):
            summary = _summary(raw, user.id, f"{where}: items[{index}]")
            if summary is not None:
                summaries.append(summary)
        offset += len(items)
        if following is None or offset >= total:
            break
        if following != offset:
            raise IncompleteResponse(f"{where}: `next` points to offset {following}, not {offset}")
    if offset != total:
        raise IncompleteResponse(f"/me/playlists served {offset} playlists, announced {total}")
    return [s for s in summaries if include_followed or s.readable]


def _me_page(data: Any, where: str) -> tuple[int, list[Any], int | None]:
    if not isinstance(data, dict):
        raise InvalidResponse(f"Spotify sent invalid data: {where} should be an object")
    total, items = data.get("total"), data.get("items")
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise InvalidResponse(f"Spotify sent invalid data: {where}: total should be a count")
    if not isinstance(items, list):
        raise InvalidResponse(f"Spotify sent invalid data: {where}: items should be a list")
    return total, items, next_offset(data.get("next"), where)


def _summary(raw: Any, user_id: str, where: str) -> access.PlaylistSummary | None:
    if raw is None:
        return None  # Spotify lists deleted playlists as null
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise InvalidResponse(f"Spotify sent invalid data: {where} is not a playlist")
    if not is_playlist_id(raw["id"]):
        raise InvalidResponse(f"Spotify sent invalid data: {where}.id is not a playlist id")
    owner = _obj(raw.get("owner"))
    owner_id = _text(owner.get("id"))
    owner_name = _text(owner.get("display_name"))
    count = _obj(raw.get("items") or raw.get("tracks")).get("total")
    name = _text(raw.get("name"))
    return access.PlaylistSummary(
        id=raw["id"],
        name=clean_name(name),
        owner_id=owner_id,
        owner_name=clean_name(owner_name or owner_id),
        collaborative=raw.get("collaborative") is True,
        owned=bool(owner_id) and owner_id == user_id,
        total=count if isinstance(count, int) and not isinstance(count, bool) else None,
    )


def _obj(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


__all__ = ["MAX_PLAYLIST_ITEMS", "my_playlists", "probe_playlist", "probe_playlists"]
