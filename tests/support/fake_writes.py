"""The write side of the fake Spotify Web API, as Spotify models it in 2026 (mounted by
``FakeSpotify`` as ``fake.writes``).

Endpoints
    POST   /v1/me/playlists            a playlist of the token's user (201, private unless
                                       ``public`` is true)
    PUT    /v1/playlists/{id}/items    replace every item with ``uris`` (at most 100, else 400),
                                       or reorder (``range_start``, ``insert_before``,
                                       ``range_length``)
    POST   /v1/playlists/{id}/items    insert ``uris`` (at most 100) at ``position`` (201)
    DELETE /v1/playlists/{id}/items    remove every occurrence of ``items[].uri`` (at most 100)

Rules
    A write needs a user's token (401 otherwise), the scope the playlist needs
    (``playlist-modify-public`` for a public one, ``playlist-modify-private`` otherwise: 403
    "Insufficient client scope" names the missing one), and a user who owns the playlist or
    collaborates on it (403 otherwise). Every write gives the playlist a new ``snapshot_id``.

Scopes
    A refresh token carries the scope it was issued with: ``fake.issue_refresh_token(user,
    scope=...)``, ``fake.env(refresh_token=True, scope=...)``, or the ``scope`` the
    authorization asked for (``login``). The default is read-only (``READ_SCOPE``);
    ``WRITE_SCOPE`` adds both modify scopes. The token endpoint says the scope it granted
    unless ``fake.writes.send_scope = False``.

Catalog
    Items added by URI are served with the track data of any playlist the fake serves (or
    a made-up track); ids in ``fake.writes.unavailable`` come back as ``item: null``, as
    tracks Spotify no longer serves do. ``fake.writes.local_entry(name)`` is a local file.

Lost answers
    ``fake.writes.lose_answers = n``: the next n item writes are applied, then answered 503
    (a retried write that had reached Spotify: duplicates, unless the writer checks).

Log
    ``fake.writes.requests()``: the write requests received (method, path, status).
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tests.support.api import fake_id

if TYPE_CHECKING:
    from tests.support.fakespotify import FakeSpotify, LoggedRequest

READ_SCOPE = "playlist-read-private playlist-read-collaborative"
WRITE_SCOPE = f"{READ_SCOPE} playlist-modify-private playlist-modify-public"
MAX_ITEMS = 100
WRITE_METHODS = ("POST", "PUT", "DELETE")


def _error(status: int, message: str) -> bytes:
    return json.dumps({"error": {"status": status, "message": message}}).encode()


class FakeWrites:
    """See the module docstring."""

    def __init__(self, fake: FakeSpotify) -> None:
        self.fake = fake
        self.unavailable: set[str] = set()
        self.send_scope = True
        #: Writes applied but answered 503 as if the answer were lost (the client retries).
        self.lose_answers = 0
        self._scopes: dict[str, str] = {}  # refresh or access token -> granted scope
        self._catalog: dict[str, dict[str, Any]] = {}  # item id -> its data, as last served
        self._created = 0
        self._snapshots = 0
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ scopes
    def grant(self, token: str, scope: str) -> None:
        with self._lock:
            self._scopes[token] = scope

    def scope_of(self, token: str) -> str:
        with self._lock:
            return self._scopes.get(token, READ_SCOPE)

    def requests(self) -> list[LoggedRequest]:
        return [r for r in self.fake.api_requests() if r.method in WRITE_METHODS]

    # ------------------------------------------------------------------ catalog
    def remember(self, entries: list[Any]) -> None:
        """Items of a playlist the fake serves stay in the catalog after it changes (hostile
        entries of any shape are served as they are and left out of it)."""
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            node = entry.get("item") or entry.get("track")
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                self._catalog[node["id"]] = node

    def item_for(self, uri: str) -> dict[str, Any] | None:
        kind, _, item_id = uri.removeprefix("spotify:").partition(":")
        if item_id in self.unavailable:
            return None
        known = self._catalog.get(item_id)
        if known is not None:
            return dict(known)
        return {
            "type": kind,
            "id": item_id,
            "name": f"Unknown {item_id}",
            "duration_ms": 200_000,
            "external_urls": {"spotify": f"https://open.spotify.com/{kind}/{item_id}"},
            "album": {"id": None, "name": "", "external_urls": {}},
            "artists": [],
        }

    @staticmethod
    def local_entry(name: str) -> dict[str, Any]:
        """A local file as Spotify lists it: no id, ``is_local`` true."""
        return {
            "added_at": "2026-01-02T03:04:05Z",
            "is_local": True,
            "item": {
                "type": "track",
                "id": None,
                "uri": f"spotify:local:::{name}:180",
                "name": name,
                "is_local": True,
                "duration_ms": 180_000,
                "external_urls": {},
                "album": {"id": None, "name": "", "external_urls": {}},
                "artists": [{"id": None, "name": "Someone", "external_urls": {}}],
            },
        }

    def _entries(self, uris: list[str], user: str) -> list[dict[str, Any]]:
        now = datetime.fromtimestamp(self.fake.now(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return [
            {"added_at": now, "added_by": {"id": user}, "is_local": False, "item": self.item_for(u)}
            for u in uris
        ]

    def _new_snapshot(self, stored: Any) -> str:
        with self._lock:
            self._snapshots += 1
            snapshot = fake_id("written", self._snapshots)
        stored.meta["snapshot_id"] = snapshot
        stored.cache.clear()
        return snapshot

    # ------------------------------------------------------------------ routes
    def route(self, handler: Any, method: str, path: str, body: bytes, header: str | None) -> int:
        send = handler._send
        fake = self.fake
        if not fake._token_is_valid(header):
            return int(send(401, _error(401, "Invalid access token")))
        user = fake._user_of(header)
        if user is None:
            return int(send(401, _error(401, "This endpoint needs a user's token")))
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return int(send(400, _error(400, "Error parsing JSON.")))
        if not isinstance(request, dict):
            return int(send(400, _error(400, "Error parsing JSON.")))
        scope = self.scope_of((header or "")[len("Bearer ") :]).split()
        if method == "POST" and path == "/v1/me/playlists":
            return self._create(handler, request, user, scope)
        pieces = path.split("/")  # ["", "v1", "playlists", id, "items"]
        if len(pieces) != 5 or pieces[2] != "playlists" or pieces[4] != "items":
            return int(send(404, _error(404, "Service not found")))
        stored = fake._playlists.get(pieces[3])
        if stored is None:
            return int(send(404, _error(404, "Resource not found")))
        needed = "playlist-modify-public" if self._is_public(stored) else "playlist-modify-private"
        if needed not in scope:
            return int(send(403, _error(403, f"Insufficient client scope: {needed}")))
        if user != stored.owner_id and user not in stored.collaborators:
            return int(send(403, _error(403, "You cannot change a playlist you do not own.")))
        return self._items(handler, method, stored, request, user)

    @staticmethod
    def _is_public(stored: Any) -> bool:
        meta = stored.meta
        return meta.get("public") is not False and not meta.get("collaborative")

    def _create(self, handler: Any, request: dict[str, Any], user: str, scope: list[str]) -> int:
        send = handler._send
        name = request.get("name")
        if not isinstance(name, str) or not name:
            return int(send(400, _error(400, "Missing required field: name")))
        public = request.get("public") is not False
        needed = "playlist-modify-public" if public else "playlist-modify-private"
        if needed not in scope:
            return int(send(403, _error(403, f"Insufficient client scope: {needed}")))
        with self._lock:
            self._created += 1
            playlist_id = fake_id("created", user, self._created)
        data = {
            "id": playlist_id,
            "type": "playlist",
            "name": name,
            "description": str(request.get("description") or ""),
            "public": public,
            "collaborative": False,
            "snapshot_id": fake_id("created-snapshot", playlist_id),
            "external_urls": {"spotify": f"https://open.spotify.com/playlist/{playlist_id}"},
            "owner": {"id": user, "type": "user", "display_name": user.title()},
            "items": {"total": 0, "items": []},
        }
        self.fake.add_playlist(data)
        answer = {k: v for k, v in data.items() if k != "items"}
        answer["items"] = {"href": f"{self.fake.api_url}/playlists/{playlist_id}/items", "total": 0}
        return int(send(201, json.dumps(answer).encode()))

    def _items(
        self, handler: Any, method: str, stored: Any, request: dict[str, Any], user: str
    ) -> int:
        send = handler._send
        uris = request.get("uris")
        if method == "DELETE":
            listed = request.get("items") or request.get("tracks") or []
            uris = [node.get("uri") for node in listed if isinstance(node, dict)]
        if method == "PUT" and uris is None and "range_start" in request:
            return self._reorder(handler, stored, request)
        if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
            return int(send(400, _error(400, "Invalid request: uris")))
        if len(uris) > MAX_ITEMS:
            return int(send(400, _error(400, "You can add a maximum of 100 tracks per request.")))
        if any(not u.startswith(("spotify:track:", "spotify:episode:")) for u in uris):
            return int(send(400, _error(400, "Invalid track uri")))
        if method == "PUT":
            stored.entries[:] = self._entries(uris, user)
        elif method == "POST":
            position = request.get("position", len(stored.entries))
            if not isinstance(position, int) or not 0 <= position <= len(stored.entries):
                return int(send(400, _error(400, "Index out of bounds")))
            stored.entries[position:position] = self._entries(uris, user)
        else:
            gone = set(uris)
            stored.entries[:] = [e for e in stored.entries if _uri(e) not in gone]
        snapshot = self._new_snapshot(stored)
        if self.lose_answers > 0:
            self.lose_answers -= 1
            return int(send(503, _error(503, "Service unavailable")))
        status = 201 if method == "POST" else 200
        return int(send(status, json.dumps({"snapshot_id": snapshot}).encode()))

    def _reorder(self, handler: Any, stored: Any, request: dict[str, Any]) -> int:
        given = [request.get("range_start"), request.get("insert_before")]
        given.append(request.get("range_length", 1))
        values = [v for v in given if isinstance(v, int) and v >= 0]
        entries = stored.entries
        if len(values) != len(given):
            return int(handler._send(400, _error(400, "Index out of bounds")))
        start, before, length = values
        if start + length > len(entries) or before > len(entries):
            return int(handler._send(400, _error(400, "Index out of bounds")))
        moving = entries[start : start + length]
        rest = entries[:start] + entries[start + length :]
        at = before if before <= start else before - length
        entries[:] = rest[:at] + moving + rest[at:]
        snapshot = self._new_snapshot(stored)
        return int(handler._send(200, json.dumps({"snapshot_id": snapshot}).encode()))


def _uri(entry: Any) -> str | None:
    if not isinstance(entry, dict):
        return None
    node = entry.get("item") or entry.get("track")
    if not isinstance(node, dict) or not node.get("id"):
        return None
    return f"spotify:{node.get('type', 'track')}:{node['id']}"
