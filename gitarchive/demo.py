"""The offline demo: a real archive built from snapshots shipped inside the package.

``gitarchive/demo_data/`` holds a few playlists, each as a base track list plus
dated changes (tracks added, removed, re-added, albums renamed, likes moving, a
stretch of days on which the playlist answers 404). :class:`DemoTransport`
serves them in the shape of the Spotify Web API (2026) as they stood on a given
day, so the real :class:`gitarchive.spotify.SpotifyClient` fetches them, and
:func:`build_demo` runs the real sync once per day. The archive it makes is
therefore exactly what scheduled syncs would have made.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from gitarchive.model import SPOTIFY_WEB, Album, Artist, Owner, Playlist, Track

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

DEMO_AUTHOR_NAME = "gitarchive demo"
DEMO_AUTHOR_EMAIL = "demo@gitarchive.invalid"
# Hosts under .invalid can never resolve: nothing the demo does can reach Spotify.
DEMO_API_URL = "https://api.demo.gitarchive.invalid/v1"
DEMO_ACCOUNTS_URL = "https://accounts.demo.gitarchive.invalid"
DEMO_CLIENT_ID = "gitarchive-demo"
DEMO_CLIENT_SECRET = "gitarchive-demo-secret"  # the demo API's, not a secret
DEFAULT_DEMO_FOLDER = "gitarchive-demo"
MAX_LIMIT = 50
EMBEDDED_PAGE = 50


# ------------------------------------------------------------------ shipped data


@dataclass(frozen=True, slots=True)
class DemoTrack:
    id: str
    name: str
    artists: tuple[tuple[str, str], ...]  # (name, artist id)
    album: tuple[str, str]  # (name, album id)
    duration_ms: int
    added_at: str  # Spotify's ISO form, "2026-10-04T05:12:00Z"


@dataclass(frozen=True, slots=True)
class DemoState:
    """A playlist as Spotify would answer for it on one day."""

    id: str
    name: str
    description: str  # HTML-escaped, as the API sends it
    owner_id: str
    owner_name: str
    followers: int
    tracks: tuple[DemoTrack, ...]
    snapshot_id: str


@dataclass(frozen=True, slots=True)
class DemoPlaylist:
    id: str
    name: str
    states: tuple[DemoState | None, ...]  # one per demo day; None: 404 that day


@dataclass(frozen=True, slots=True)
class DemoData:
    days: tuple[datetime, ...]  # the moments of the demo's syncs, UTC
    playlists: dict[str, DemoPlaylist] = field(default_factory=dict)

    def state(self, playlist_id: str, when: datetime) -> DemoState | None:
        """What the API holds for ``playlist_id`` at ``when``; None when it answers 404."""
        playlist = self.playlists.get(playlist_id)
        if playlist is None:
            return None
        index = self.day_index(when)
        return None if index is None else playlist.states[index]

    def day_index(self, when: datetime) -> int | None:
        """The last demo day at or before ``when`` (None before the first)."""
        found = None
        for index, moment in enumerate(self.days):
            if moment <= when:
                found = index
        return found


def _package_file(name: str) -> str:
    return (resources.files("gitarchive") / "demo_data" / name).read_text(encoding="utf-8")


def load_demo_data() -> DemoData:
    """Read the shipped snapshots and expand them into one state per playlist and day."""
    manifest = json.loads(_package_file("demo.json"))
    first = date.fromisoformat(manifest["first_day"])
    hour, minute = (int(part) for part in manifest["sync_time"].split(":"))
    days = tuple(
        datetime(first.year, first.month, first.day, hour, minute, tzinfo=UTC) + timedelta(days=n)
        for n in range(manifest["days"])
    )
    playlists = {}
    for playlist_id in manifest["playlists"]:
        raw = json.loads(_package_file(f"{playlist_id}.json"))
        playlists[playlist_id] = DemoPlaylist(
            id=playlist_id, name=raw["name"], states=_expand(raw, days)
        )
    return DemoData(days=days, playlists=playlists)


def _expand(raw: dict[str, Any], days: Sequence[datetime]) -> tuple[DemoState | None, ...]:
    catalog = {
        track_id: DemoTrack(
            id=track_id,
            name=entry["name"],
            artists=tuple((name, artist_id) for name, artist_id in entry["artists"]),
            album=(entry["album"][0], entry["album"][1]),
            duration_ms=entry["duration_ms"],
            added_at=entry["added_at"],
        )
        for track_id, entry in raw["tracks"].items()
    }
    changes: dict[date, dict[str, Any]] = {
        date.fromisoformat(change["date"]): change for change in raw["changes"]
    }
    name, description = raw["name"], raw["description"]
    followers: int = raw["followers"]
    tracks = [catalog[track_id] for track_id in raw["base"]]
    available = True
    content_changed = days[0]
    states: list[DemoState | None] = []
    for moment in days:
        change = changes.get(moment.date())
        if change is not None:
            before = (name, description, tuple(tracks))
            name = change.get("name", name)
            description = change.get("description", description)
            followers = change.get("followers", followers)
            available = not change.get("unavailable", not available)
            removed = set(change.get("remove", ()))
            tracks = [track for track in tracks if track.id not in removed]
            # Editors add tracks shortly before the sync runs; Spotify stamps that time.
            stamp = (moment - timedelta(minutes=47)).strftime("%Y-%m-%dT%H:%M:%SZ")
            tracks += [
                replace(catalog[track_id], added_at=stamp) for track_id in change.get("add", ())
            ]
            for track_id, album in change.get("album", {}).items():
                catalog[track_id] = replace(
                    catalog[track_id], album=(album, catalog[track_id].album[1])
                )
                tracks = [
                    replace(t, album=catalog[track_id].album) if t.id == track_id else t
                    for t in tracks
                ]
            if "order" in change:
                rank = {track_id: n for n, track_id in enumerate(change["order"])}
                tracks.sort(key=lambda t: rank.get(t.id, len(rank)))
            if (name, description, tuple(tracks)) != before:
                content_changed = moment
        states.append(
            DemoState(
                id=raw["id"],
                name=name,
                description=description,
                owner_id=raw["owner"]["id"],
                owner_name=raw["owner"]["display_name"],
                followers=followers,
                tracks=tuple(tracks),
                snapshot_id=_snapshot_id(content_changed, name, description, tracks),
            )
            if available
            else None
        )
    return tuple(states)


def _snapshot_id(when: datetime, name: str, description: str, tracks: Sequence[DemoTrack]) -> str:
    """Spotify's snapshot ids look like base64("<unix time>,<hash>"); so do these."""
    content = json.dumps([name, description, [(t.id, t.album[0], t.added_at) for t in tracks]])
    digest = hashlib.sha256(content.encode()).hexdigest()[:32]
    return base64.b64encode(f"{int(when.timestamp())},{digest}".encode()).decode()


def _parse_added_at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def expected_playlist(state: DemoState) -> Playlist:
    """The model Playlist a correct client makes of ``state`` (independently of the client)."""
    return Playlist(
        id=state.id,
        original_name=state.name,
        unique_name=state.name,
        description=html.unescape(state.description),
        tracks=tuple(
            Track(
                name=track.name,
                artists=tuple(
                    Artist(name=name, url=f"{SPOTIFY_WEB}/artist/{artist_id}")
                    for name, artist_id in track.artists
                ),
                album=Album(name=track.album[0], url=f"{SPOTIFY_WEB}/album/{track.album[1]}"),
                url=f"{SPOTIFY_WEB}/track/{track.id}",
                duration_ms=track.duration_ms,
                added_at=_parse_added_at(track.added_at),
            )
            for track in state.tracks
        ),
        snapshot_id=state.snapshot_id,
        num_followers=state.followers,
        owner=Owner(name=state.owner_name, url=f"{SPOTIFY_WEB}/user/{state.owner_id}"),
    )


# ------------------------------------------------------------ the API, in process


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
            return self._playlist(parts[1], query)
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

    def _playlist(self, playlist_id: str, query: Mapping[str, list[str]]) -> httpx.Response:
        state = self._state(playlist_id)
        if state is None:
            return _error(404, "Resource not found")
        market = query.get("market", [""])[0]
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
                "items": self._page(state, 0, EMBEDDED_PAGE, "item", market),
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
