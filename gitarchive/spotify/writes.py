"""Writing a playlist's items back to Spotify (``gitarchive restore``), as the 2026 API allows.

Every request goes through :meth:`Session.get_json` or :meth:`Session.request`,
so 429 with ``Retry-After``, ``QUOTA_EXCEEDED``, 5xx and token refreshes are handled as in
a sync. The endpoints (docs/restore.md quotes where Spotify states them):

    GET  /me                         the token's user
    GET  /playlists/{id}             owner, collaborative, public, snapshot_id
    GET  /playlists/{id}/items       the target's current items, 50 a page
    GET  /me/playlists               the user's playlists (a restore --new that was cut short)
    POST /me/playlists               a new playlist of the token's user (201)
    PUT  /playlists/{id}/items       replace every item with at most 100 URIs
    POST /playlists/{id}/items       insert at most 100 URIs at a position (201)

Each write answers the playlist's new ``snapshot_id``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gitarchive.errors import (
    AuthError,
    Forbidden,
    InvalidResponse,
    NotYourPlaylist,
    WriteAccessMissing,
)
from gitarchive.spotify import probe, user
from gitarchive.spotify.pages import PAGE_LIMIT, next_offset, windows

if TYPE_CHECKING:
    from gitarchive.spotify.session import Session

#: The most URIs one PUT or POST of items may carry.
MAX_WRITE_ITEMS = 100
LOCAL_PREFIX = "spotify:local:"  # a local file's items, by name (the Web API adds none)
PRIVATE_SCOPE = "playlist-modify-private"
PUBLIC_SCOPE = "playlist-modify-public"
LOGIN_HINT = "gitarchive login --allow-restore"
_TARGET_FIELDS = "id,name,snapshot_id,public,collaborative,owner(id),external_urls"
_ITEM_FIELDS = "items(is_local,item(type,id,name,is_local),track(type,id,name,is_local)),total,next"


@dataclass(frozen=True, slots=True)
class Target:
    """What a restore needs to know of the playlist it writes."""

    id: str
    name: str
    owner_id: str
    collaborative: bool
    public: bool
    snapshot_id: str
    description: str = ""

    @property
    def url(self) -> str:
        return f"https://open.spotify.com/playlist/{self.id}"


@dataclass(frozen=True, slots=True)
class Item:
    """One entry of the target as it is now; ``uri`` None: unavailable or a local file."""

    uri: str | None
    name: str


def missing_scope_error(scope: str) -> WriteAccessMissing:
    return WriteAccessMissing(
        f"this token may not change playlists (it lacks the {scope} scope): "
        f"run `{LOGIN_HINT}` and use the refresh token it prints"
    )


def _text(node: dict[str, Any], key: str) -> str:
    value = node.get(key)
    return value if isinstance(value, str) else ""


def _target(data: Any, where: str) -> Target:
    if not isinstance(data, dict) or not _text(data, "id"):
        raise InvalidResponse(f"Spotify sent invalid data: {where} should be a playlist")
    owner = data.get("owner")
    return Target(
        id=_text(data, "id"),
        name=_text(data, "name"),
        owner_id=_text(owner, "id") if isinstance(owner, dict) else "",
        collaborative=data.get("collaborative") is True,
        public=data.get("public") is not False,
        snapshot_id=_text(data, "snapshot_id"),
        description=_text(data, "description"),
    )


def _item(entry: Any) -> Item:
    if not isinstance(entry, dict):
        return Item(None, "")
    node = entry.get("item") if isinstance(entry.get("item"), dict) else entry.get("track")
    if not isinstance(node, dict):
        return Item(None, "(unavailable)")
    name = _text(node, "name")
    kind, item_id = _text(node, "type") or "track", _text(node, "id")
    if entry.get("is_local") or node.get("is_local"):
        # a local file is no track of any version (restore writes none): a URI no version
        # holds, never None, which a restore takes for a track Spotify serves empty
        return Item(f"{LOCAL_PREFIX}{name}", name)
    if not item_id:
        return Item(None, name)
    return Item(f"spotify:{kind}:{item_id}", name)


class PlaylistWriter:
    """The read-before-write and write requests of a restore, on one client."""

    def __init__(self, client: Session) -> None:
        self.client = client
        #: Write requests sent (PUT and POST), for the report and the request budget.
        self.writes = 0

    async def user_id(self) -> str:
        """The token's user; a token without one may write nothing."""
        found = await user.current_user(self.client)
        if found is None:
            raise AuthError(f"restoring needs a user's token: run `{LOGIN_HINT}`")
        return found.id

    def require_scope(self, *, public: bool) -> None:
        """Refuse before any write when the token endpoint said it granted no write scope."""
        granted = self.client.granted_scope
        needed = PUBLIC_SCOPE if public else PRIVATE_SCOPE
        if granted is not None and needed not in granted.split():
            raise missing_scope_error(needed)

    async def target(self, playlist_id: str) -> Target:
        data = await self.client.get_json(
            f"/playlists/{playlist_id}",
            {"fields": _TARGET_FIELDS},
            deadline=self.client.budget_deadline(),
        )
        return _target(data, f"playlist {playlist_id}")

    async def collaborates(self, playlist_id: str) -> bool:
        """Whether the user's own list shows ``playlist_id`` as theirs or collaborative."""
        mine = await probe.my_playlists(self.client)
        return any(p.id == playlist_id and (p.owned or p.collaborative) for p in mine)

    async def items(self, playlist_id: str) -> list[Item]:
        """Every entry of the playlist now, in order (after the first page, a window at once)."""
        total, entries = await self._page(playlist_id, 0)
        offsets = range(len(entries), total, PAGE_LIMIT) if entries else range(0)
        # Window by window, stopping at the first short one: a total that does not add up
        # costs one window of requests, not a task for each page it announces.
        for window in windows(offsets, self.client.concurrency):
            pages = await asyncio.gather(*(self._page(playlist_id, at) for at in window))
            for _, more in pages:
                entries.extend(more)
            if len(entries) < min(window[-1] + PAGE_LIMIT, total):
                break
        if len(entries) != total:
            raise InvalidResponse(
                f"Spotify sent {len(entries)} entries of playlist {playlist_id}, announced {total}"
            )
        return [_item(entry) for entry in entries]

    async def _page(self, playlist_id: str, offset: int) -> tuple[int, list[Any]]:
        params = {"offset": str(offset), "limit": str(PAGE_LIMIT), "fields": _ITEM_FIELDS}
        params["additional_types"] = "track,episode"
        where = f"items of playlist {playlist_id} at offset {offset}"
        data = await self.client.get_json(
            f"/playlists/{playlist_id}/items", params, deadline=self.client.budget_deadline()
        )
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            raise InvalidResponse(f"Spotify sent invalid data: {where} should be a page")
        total = data.get("total")
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise InvalidResponse(f"Spotify sent invalid data: {where}: total should be a count")
        next_offset(data.get("next"), where)
        return total, list(data["items"])

    async def find_own(self, user: str, marker: str) -> Target | None:
        """The user's playlist whose description holds ``marker`` (a --new cut short), if any."""
        offset: int | None = 0
        while offset is not None:
            params = {"offset": str(offset), "limit": str(PAGE_LIMIT)}
            where = f"your playlists at offset {offset}"
            deadline = self.client.budget_deadline()
            data = await self.client.get_json("/me/playlists", params, deadline=deadline)
            if not isinstance(data, dict) or not isinstance(data.get("items"), list):
                raise InvalidResponse(f"Spotify sent invalid data: {where} should be a page")
            for node in data["items"]:
                if isinstance(node, dict) and marker in _text(node, "description"):
                    found = _target(node, where)
                    if found.owner_id == user:
                        return found
            offset = next_offset(data.get("next"), where)
        return None

    async def create(self, name: str, description: str) -> Target:
        """A new private playlist in the user's own account."""
        body = {"name": name, "public": False, "description": description}
        data = await self._write("POST", "/me/playlists", body, "a new playlist")
        return _target(data, "the new playlist")

    async def replace(self, playlist_id: str, uris: list[str]) -> str:
        """The playlist holds exactly ``uris`` (at most 100); its new snapshot_id."""
        path = f"/playlists/{playlist_id}/items"
        return _snapshot(await self._write("PUT", path, {"uris": uris}, playlist_id))

    async def add(self, playlist_id: str, uris: list[str], position: int) -> str:
        """``uris`` (at most 100) inserted at ``position``; the new snapshot_id."""
        body = {"uris": uris, "position": position}
        path = f"/playlists/{playlist_id}/items"
        return _snapshot(await self._write("POST", path, body, playlist_id))

    async def _write(self, method: str, path: str, body: dict[str, Any], what: str) -> Any:
        if len(body.get("uris", ())) > MAX_WRITE_ITEMS:
            raise ValueError(f"at most {MAX_WRITE_ITEMS} items per write request")
        self.writes += 1
        try:
            return await self.client.request(
                method, path, json=body, deadline=self.client.budget_deadline()
            )
        except Forbidden as exc:
            if "scope" in str(exc).lower():
                raise missing_scope_error(f"{PRIVATE_SCOPE} or {PUBLIC_SCOPE}") from None
            raise NotYourPlaylist(
                f"Spotify refused to change {what} (HTTP 403): {exc}", playlist=None
            ) from None


def _snapshot(data: Any) -> str:
    if isinstance(data, dict) and isinstance(data.get("snapshot_id"), str):
        return str(data["snapshot_id"])
    raise InvalidResponse("Spotify sent invalid data: a write answered without a snapshot_id")
