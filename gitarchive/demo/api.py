"""The Spotify Web API, in process: :class:`DemoTransport` serves the demo days."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from gitarchive.demo.data import DemoData, DemoState, DemoTrack
from gitarchive.model import SPOTIFY_WEB

if TYPE_CHECKING:
    from collections.abc import Mapping


# Hosts under .invalid can never resolve: nothing the demo does can reach Spotify.
DEMO_API_URL = "https://api.demo.gitarchive.invalid/v1"
DEMO_ACCOUNTS_URL = "https://accounts.demo.gitarchive.invalid"
DEMO_CLIENT_ID = "gitarchive-demo"
DEMO_CLIENT_SECRET = "gitarchive-demo-secret"  # the demo API's, not a secret
MAX_LIMIT = 50


def _error(status: int, message: str) -> httpx.Response:
    return httpx.Response(status, json={"error": {"status": status, "message": message}})


class DemoTransport(httpx.AsyncBaseTransport):
    """Answers like the Spotify Web API would have on ``now``, from the shipped data.

    Implements what a sync uses: ``POST /api/token`` (client credentials, Basic
    auth), ``GET /playlists/{id}`` and ``GET /playlists/{id}/items`` (``limit``
    at most 50, ``offset``, ``next`` links); 404 for a playlist that is
    unavailable that day. ``requests`` counts what was asked, by kind.
    """

    def __init__(
        self,
        data: DemoData,
        *,
        api_url: str = DEMO_API_URL,
        accounts_url: str = DEMO_ACCOUNTS_URL,
    ) -> None:
        self.data = data
        self.now = data.days[0]
        self.api_url = api_url.rstrip("/")
        self.accounts_url = accounts_url.rstrip("/")
        self._api_path = urlsplit(self.api_url).path
        self._tokens: set[str] = set()
        self.requests: dict[str, int] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        url = str(request.url)
        if url.startswith(self.accounts_url + "/api/token") and request.method == "POST":
            self._count("token")
            return self._token(request, body)
        if not url.startswith(self.api_url + "/"):
            return _error(404, "Service not found")
        if request.headers.get("authorization", "") not in {f"Bearer {t}" for t in self._tokens}:
            self._count("unauthorized")
            return _error(401, "Invalid access token")
        if request.method != "GET":
            return _error(405, "Method not allowed")
        parts = request.url.path[len(self._api_path) :].strip("/").split("/")
        query = parse_qs(request.url.query.decode())
        if len(parts) == 2 and parts[0] == "playlists":
            self._count("playlist")
            return self._playlist(parts[1])
        if len(parts) == 3 and parts[0] == "playlists" and parts[2] in ("items", "tracks"):
            self._count(parts[2])
            return self._items(parts[1], query, key="item" if parts[2] == "items" else "track")
        return _error(404, "Service not found")

    def _count(self, kind: str) -> None:
        self.requests[kind] = self.requests.get(kind, 0) + 1

    def _token(self, request: httpx.Request, body: bytes) -> httpx.Response:
        form = parse_qs(body.decode())
        expected = base64.b64encode(f"{DEMO_CLIENT_ID}:{DEMO_CLIENT_SECRET}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return httpx.Response(
                400, json={"error": "invalid_client", "error_description": "Invalid client"}
            )
        if form.get("grant_type") != ["client_credentials"]:
            return httpx.Response(
                400,
                json={"error": "unsupported_grant_type", "error_description": "grant_type"},
            )
        token = f"demo-token-{len(self._tokens) + 1}"
        self._tokens.add(token)
        return httpx.Response(
            200, json={"access_token": token, "token_type": "Bearer", "expires_in": 3600}
        )

    def _state(self, playlist_id: str) -> DemoState | None:
        return self.data.state(playlist_id, self.now)

    def _playlist(self, playlist_id: str) -> httpx.Response:
        state = self._state(playlist_id)
        if state is None:
            return _error(404, "Resource not found")
        return httpx.Response(
            200,
            json={
                "collaborative": False,
                "description": state.description,
                "external_urls": {"spotify": f"{SPOTIFY_WEB}/playlist/{state.id}"},
                "followers": {"href": None, "total": state.followers},
                "href": f"{self.api_url}/playlists/{state.id}",
                "id": state.id,
                "images": [],
                "name": state.name,
                "owner": {
                    "display_name": state.owner_name,
                    "external_urls": {"spotify": f"{SPOTIFY_WEB}/user/{state.owner_id}"},
                    "href": f"{self.api_url}/users/{state.owner_id}",
                    "id": state.owner_id,
                    "type": "user",
                    "uri": f"spotify:user:{state.owner_id}",
                },
                "primary_color": None,
                "public": True,
                "snapshot_id": state.snapshot_id,
                # As answered to the client's ``fields`` filter: entries come from /items.
                "items": {
                    "href": f"{self.api_url}/playlists/{state.id}/items",
                    "total": len(state.tracks),
                },
                "type": "playlist",
                "uri": f"spotify:playlist:{state.id}",
            },
        )

    def _items(
        self, playlist_id: str, query: Mapping[str, list[str]], *, key: str
    ) -> httpx.Response:
        state = self._state(playlist_id)
        if state is None:
            return _error(404, "Resource not found")
        try:
            offset = int(query.get("offset", ["0"])[0])
            limit = int(query.get("limit", ["20"])[0])
        except ValueError:
            return _error(400, "Invalid limit or offset")
        if not 1 <= limit <= MAX_LIMIT:
            return _error(400, "Invalid limit")
        if offset < 0:
            return _error(400, "Invalid offset")
        market = query.get("market", [""])[0]
        return httpx.Response(200, json=self._page(state, offset, limit, key, market))

    def _page(
        self, state: DemoState, offset: int, limit: int, key: str, market: str
    ) -> dict[str, Any]:
        total = len(state.tracks)
        base = f"{self.api_url}/playlists/{state.id}/{'items' if key == 'item' else 'tracks'}"

        def link(at: int) -> str:
            params = {"offset": at, "limit": limit, **({"market": market} if market else {})}
            return f"{base}?{urlencode(params)}"

        return {
            "href": link(offset),
            "items": [_entry(track, key) for track in state.tracks[offset : offset + limit]],
            "limit": limit,
            "next": link(offset + limit) if offset + limit < total else None,
            "offset": offset,
            "previous": link(max(0, offset - limit)) if offset > 0 else None,
            "total": total,
        }


def _entry(track: DemoTrack, key: str) -> dict[str, Any]:
    item = {
        "album": {
            "album_type": "album",
            "external_urls": {"spotify": f"{SPOTIFY_WEB}/album/{track.album[1]}"},
            "id": track.album[1],
            "name": track.album[0],
            "type": "album",
            "uri": f"spotify:album:{track.album[1]}",
        },
        "artists": [
            {
                "external_urls": {"spotify": f"{SPOTIFY_WEB}/artist/{artist_id}"},
                "id": artist_id,
                "name": name,
                "type": "artist",
                "uri": f"spotify:artist:{artist_id}",
            }
            for name, artist_id in track.artists
        ],
        "duration_ms": track.duration_ms,
        "explicit": False,
        "external_urls": {"spotify": f"{SPOTIFY_WEB}/track/{track.id}"},
        "id": track.id,
        "is_local": False,
        "name": track.name,
        "type": "track",
        "uri": f"spotify:track:{track.id}",
    }
    return {
        "added_at": track.added_at,
        "added_by": {"id": "", "type": "user"},
        "is_local": False,
        key: item,
    }
