"""The offline demo: a real archive built from snapshots shipped inside the package.

``gitarchive/demo_data/`` holds a few playlists, each as a base track list plus
dated changes (tracks added, removed, re-added, albums renamed, likes moving, a
stretch of days on which the playlist answers 404). :class:`DemoTransport`
serves them in the shape of the Spotify Web API (2026) as they stood on a given
day, so the real :class:`gitarchive.spotify.SpotifyClient` fetches them, and
:func:`build_demo` runs the real sync once per day. The archive it makes is
therefore exactly what scheduled syncs would have made.

The shipped files (edit them by hand; tests/test_demo.py derives every
expectation from them):

``demo.json``
    ``first_day``, ``days`` (one sync a day), ``sync_time`` ("HH:MM" UTC) and
    ``playlists`` (ids, in registry order).
``<id>.json``
    ``name``, ``description`` (HTML-escaped, as the API sends it), ``owner``
    ``{id, display_name}``, ``followers`` on the first day, ``tracks`` (a
    catalog: track id → ``{name, artists: [[name, id]], album: [name, id],
    duration_ms, added_at}``), ``base`` (track ids on the first day, in order)
    and ``changes``: one object per date with any of ``add`` (ids appended,
    stamped added 47 minutes before that day's sync), ``remove`` (ids),
    ``album`` ({track id: new album name}), ``order`` (ids: the new order),
    ``name``, ``description``, ``followers``, and ``unavailable`` (true: 404
    from that day on; false: back again).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from gitarchive.errors import UsageError
from gitarchive.model import SPOTIFY_WEB, Album, Artist, Owner, Playlist, Track
from gitarchive.settings import SETTINGS_FILE, parse_settings

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from gitarchive.gitstore import Store
    from gitarchive.settings import Settings
    from gitarchive.sync import SyncResult

DEMO_AUTHOR_NAME = "gitarchive demo"
DEMO_AUTHOR_EMAIL = "demo@gitarchive.invalid"
# Hosts under .invalid can never resolve: nothing the demo does can reach Spotify.
DEMO_API_URL = "https://api.demo.gitarchive.invalid/v1"
DEMO_ACCOUNTS_URL = "https://accounts.demo.gitarchive.invalid"
DEMO_CLIENT_ID = "gitarchive-demo"
DEMO_CLIENT_SECRET = "gitarchive-demo-secret"  # the demo API's, not a secret
DEFAULT_DEMO_FOLDER = "gitarchive-demo"
MAX_LIMIT = 50


# ------------------------------------------------------------------ shipped data


@dataclass(frozen=True, slots=True)
class DemoTrack:
    id: str
    name: str
    artists: tuple[tuple[str, str], ...]  # (name, artist id)
    album: tuple[str, str]  # (name, album id)
    duration_ms: int
    added_at: str | None  # Spotify's form, "2026-10-04T05:12:00Z"; null on old playlists


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
            if "unavailable" in change:
                available = not change["unavailable"]
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


def _parse_added_at(text: str | None) -> datetime | None:
    """Spotify's added_at; null and the 1970 epoch both mean unknown."""
    if text is None or text.startswith("1970-01-01"):
        return None
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


# ------------------------------------------------------------------ the archive


@dataclass(slots=True)
class DemoResult:
    path: Path
    playlists: list[tuple[str, str]]  # (id, name) in registry order
    syncs: int = 0
    commits: int = 0
    unavailable: dict[str, int] = field(default_factory=dict)  # playlist id -> days of 404
    seconds: float = 0.0
    requests: dict[str, int] = field(default_factory=dict)
    first_day: datetime | None = None
    last_day: datetime | None = None


def check_demo_target(path: Path) -> None:
    """The demo only ever writes into a new or empty folder."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"{path}: exists and is not a folder; give the demo a new folder")
    if path.is_dir() and any(path.iterdir()):
        raise UsageError(
            f"{path}: folder exists and is not empty; the demo only writes into a new folder "
            "(gitarchive demo PATH)"
        )


def _client_factory(transport: DemoTransport) -> Callable[[Settings], Any]:
    from gitarchive.spotify import Auth, SpotifyClient

    def factory(settings: Settings) -> Any:
        return SpotifyClient(
            Auth(client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET),
            api_url=transport.api_url,
            accounts_url=transport.accounts_url,
            concurrency=settings.concurrency,
            transport=transport,
        )

    return factory


def build_demo(
    path: Path,
    *,
    on_sync: Callable[[datetime, SyncResult], None] | None = None,
) -> DemoResult:
    """Make a new archive at ``path`` by running the real sync once per demo day.

    The archive is built in a scratch folder outside any repository, then moved
    into place: ``path`` may lie inside another git repository (a clone of
    gitarchive, say), and the demo must never commit into that one.
    """
    started = time.perf_counter()
    check_demo_target(path)
    data = load_demo_data()
    result = DemoResult(
        path=path,
        playlists=[(p.id, p.name) for p in data.playlists.values()],
        first_day=data.days[0],
        last_day=data.days[-1],
    )
    with tempfile.TemporaryDirectory(prefix="gitarchive-demo-") as scratch:
        work = Path(scratch) / "archive"
        _refuse_enclosing_repository(Path(scratch))
        _sync_every_day(work, data, result, on_sync)
        check_demo_target(path)  # nothing appeared there meanwhile
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.is_dir():
                path.rmdir()
            shutil.move(str(work), str(path))
        except OSError as exc:
            raise UsageError(f"{path}: cannot create the demo archive: {exc.strerror}") from None
    result.seconds = time.perf_counter() - started
    return result


def _refuse_enclosing_repository(folder: Path) -> None:
    from gitarchive import gitstore
    from gitarchive.errors import NotAnArchive

    try:
        enclosing = gitstore.Store.discover(folder)
    except NotAnArchive:
        return
    raise UsageError(
        f"the temporary folder {folder} is inside the git repository {enclosing.git_dir}; "
        "set TMPDIR to a folder outside any repository"
    )


def _sync_every_day(
    work: Path,
    data: DemoData,
    result: DemoResult,
    on_sync: Callable[[datetime, SyncResult], None] | None,
) -> None:
    from gitarchive.sync import SyncOptions, run_sync

    store = _new_archive(work, list(data.playlists), data.days[0] - timedelta(hours=1))
    transport = DemoTransport(data)
    factory = _client_factory(transport)
    for moment in data.days:
        transport.now = moment
        # env={}: the demo's commits never depend on the user's git identity or tokens.
        synced = run_sync(store, SyncOptions(now=moment), client_factory=factory, env={})
        result.syncs += 1
        result.commits += synced.commit is not None
        for missing in synced.unavailable:
            result.unavailable[missing.id] = result.unavailable.get(missing.id, 0) + 1
        if on_sync is not None:
            on_sync(moment, synced)
    result.commits += 1  # the set-up commit
    result.requests = dict(transport.requests)


DEMO_IDENTITY_SETTINGS = f"""
# The demo signs its commits with a fixed identity, so it runs without any git config.
author_name = "{DEMO_AUTHOR_NAME}"
author_email = "{DEMO_AUTHOR_EMAIL}"
"""


def _new_archive(path: Path, playlist_ids: Sequence[str], when: datetime) -> Store:
    """``gitarchive init`` + ``add`` at ``path``, committed as the archive's first commit."""
    from gitarchive import __version__, gitstore
    from gitarchive.registry import add_entries, init_archive

    store, actions = init_archive(path, version=__version__)
    files: dict[str, bytes | None] = {}
    for action in actions:
        files[action.path] = gitstore.read_worktree_file(store, action.path)
    settings = (files.get(SETTINGS_FILE) or b"").decode("utf-8") + DEMO_IDENTITY_SETTINGS
    parse_settings(settings)  # the demo's own addition must keep the file valid
    files[SETTINGS_FILE] = settings.encode("utf-8")
    _, registered = add_entries(store, playlist_ids)
    files.update(registered)
    gitstore.commit_changes(
        store,
        files,
        message=f"Set up the gitarchive demo: {len(playlist_ids)} playlists registered",
        identity=gitstore.Identity(DEMO_AUTHOR_NAME, DEMO_AUTHOR_EMAIL),
        when=when,
    )
    return store


def summary_lines(result: DemoResult, shown: Path) -> list[str]:
    """What ``gitarchive demo`` prints once the archive is built: facts, then what to try."""
    names = dict(result.playlists)
    first = result.first_day.date().isoformat() if result.first_day else "?"
    last = result.last_day.date().isoformat() if result.last_day else "?"
    quiet = result.syncs - (result.commits - 1)
    lines = [
        f"Done in {result.seconds:.1f} s: {result.syncs} daily syncs from {first} to {last} "
        f"made {result.commits} commits (1 set-up commit; {quiet} syncs found nothing new).",
    ]
    for playlist_id, days in result.unavailable.items():
        lines.append(
            f"{names.get(playlist_id, playlist_id)} answered 404 on {days} days; "
            "its files were kept as they were."
        )
    lines.append("")
    lines.append("Playlists:")
    lines.extend(f"  {playlist_id}  {name}" for playlist_id, name in result.playlists)
    seed_id, seed_name = result.playlists[0]
    middle = (
        (result.first_day + (result.last_day - result.first_day) / 3).date().isoformat()
        if (result.first_day and result.last_day)
        else first
    )
    cd = str(shown)
    lines += [
        "",
        "Try next:",
        f"  cd {_shell_quote(cd)}",
        "  gitarchive list",
        f"  gitarchive history {seed_id}",
        f"  gitarchive history {_shell_quote(seed_name)} --likes",
        f"  gitarchive cumulative {seed_id}",
        f"  gitarchive show {seed_id} --at {middle}",
        "  gitarchive validate --all",
        "  gitarchive site site/",
        "  git log --oneline",
    ]
    return lines


def display_path(target: Path, cwd: Path) -> Path:
    """``target`` as the user can ``cd`` to it from ``cwd``: relative when below it."""
    try:
        return target.resolve().relative_to(cwd.resolve())
    except ValueError:
        return target.resolve()


def _shell_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)
