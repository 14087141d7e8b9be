"""A fake Spotify Web API and accounts service on 127.0.0.1, for tests and benchmarks.

The real client talks to it over real sockets. One stdlib ``ThreadingHTTPServer``
(HTTP/1.1 keep-alive, one thread per connection) serves both base URLs:

    fake.api_url       = http://127.0.0.1:PORT/v1     (GITARCHIVE_API_URL)
    fake.accounts_url  = http://127.0.0.1:PORT        (GITARCHIVE_ACCOUNTS_URL)

Fixture (function scope)::

    def test_x(fake_spotify, monkeypatch):
        fake_spotify.add_playlist(api_playlist("A" * 22, 120))
        for name, value in fake_spotify.env().items():    # or fake_spotify.setenv(monkeypatch)
            monkeypatch.setenv(name, value)

Playlists
    ``support.api.api_playlist(id, n_tracks, *, name=..., ...)`` builds an API-shaped playlist dict
    (metadata plus ``"items": {"total": n, "items": [entries]}``, entries in 2026 shape
    ``{"added_at", "is_local", "item": {...}}``). ``fake.add_playlist(data, legacy=False)``
    serves it; ``legacy=True`` makes ``/items`` answer 404 and ``/tracks`` serve entries
    under the old ``"track"`` key. ``fake.add_seed()`` serves the seed playlist from
    ``tests/data/api/<SEED_ID>.json``; ``fake.add_generated(count, n_tracks)`` serves
    ``generated_id(0..count-1)``; ``fake.remove_playlist(id)``. Unknown ids answer 404 (as
    deleted playlists, and curated ones for restricted apps, do). ``support.api.fake_id(*parts)``
    makes deterministic 22-character ids. ``fake.max_page_items = N`` serves at most N entries per
    page whatever the limit (pagination of small playlists such as the 50-track seed).

Access model (Spotify 2026, see DESIGN.md "Spotify API facts")
    ``FakeSpotify(extended_quota=False)`` is a development-mode app: an access token belongs
    to a user (refresh-token and authorization-code grants) or to no user (client
    credentials). ``/items`` answers 403 unless the token's user owns the playlist
    (``owner.id``) or collaborates on it (``add_playlist(..., collaborators=[...])``);
    Spotify-owned playlists (owner ``spotify`` or ids ``37i9dQZF1…``) answer 404 everywhere;
    ``/tracks`` answers 403; the metadata of others' playlists carries no entries.
    ``fake.extended_quota = True`` lifts every restriction (the pre-2026 behaviour).
    ``fake.premium_lapsed = True``: every API call answers 403 "Active premium subscription
    required for the owner of the app". Refresh tokens are issued to ``user`` (default
    ``fake.default_user``) and expire ``refresh_token_lifetime`` (six months) after issue:
    ``fake.advance_clock(days=183)`` makes them answer ``invalid_grant``.
    The ``fake_spotify`` fixture turns extended quota ON (what the tests written before the
    2026 model rely on); ``fake_spotify_dev`` is the development-mode default.

Entry shapes
    ``add_playlist(data, entry_shape=...)``: "item" (2026, default), "track" (deprecated key
    only), "both", "neither" (the key is missing: an unknown shape).

Endpoints
    GET  /v1/playlists/{id}            metadata (``fields`` honoured as Spotify does; ``market``
                                       accepted)
    GET  /v1/playlists/{id}/items      paging: offset, limit (default 20, above 50 → 400
                                       "Invalid limit"), next/previous/total
    GET  /v1/playlists/{id}/tracks     the same, for ``legacy`` playlists only (403 in dev mode)
    GET  /v1/me                        the token's user (401 without one)
    GET  /v1/me/playlists              the user's owned, collaborative and followed playlists,
                                       paged (limit ≤ 50); ``fake.follow(user, id)``
    GET  /v1/me/tracks                 the user's Liked Songs, paged (limit ≤ 50), entries
                                       under ``track``; ``fake.save_tracks(user, entries)``
    POST /api/token                    client_credentials (Basic), refresh_token (Basic, or
                                       client_id in the body), authorization_code (PKCE S256)
    GET  /authorize                    302 to redirect_uri?code=...&state=... (plays consent)

Auth
    ``fake.env(refresh_token=False, secret=True)`` → the env dict (GITARCHIVE_API_URL,
    GITARCHIVE_ACCOUNTS_URL, SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET, and with
    ``refresh_token=True`` a fresh SPOTIFY_REFRESH_TOKEN); ``fake.setenv(monkeypatch, ...)``
    sets it. ``fake.client_id`` / ``fake.client_secret``; API calls need a Bearer token the fake
    issued. ``fake.expire_tokens()`` makes every issued access token answer 401.
    ``fake.issue_refresh_token()`` returns a valid refresh token; ``fake.rotate_refresh_tokens
    = True`` rotates it on every refresh; ``fake.revoke_refresh_tokens()`` → invalid_grant;
    ``fake.valid_refresh_tokens()``. ``fake.secrets_seen()``: every secret, token and code the
    fake ever issued, to assert that none leaks into logs, output or errors.

Faults (per test)
    ``fake.inject(kind, match="", times=1, status=500, retry_after=None, delay=0.0)``
    kinds: "status" (JSON error with ``status``), "rate_limit" (429 + Retry-After, fractional
    seconds allowed), "expire" (401 token expired), "slow" (sleep ``delay`` then answer
    normally), "truncated" (JSON cut in half, consistent Content-Length), "short" (headers
    promise the full body, half is sent, connection closed), "non_json" (200 text/html),
    "empty" (200, empty body), "quota" (429 with ``"reason": "QUOTA_EXCEEDED"``), "html"
    (an HTML error page with ``status``), "raw" (``body`` bytes with ``status`` and
    ``headers``, e.g. any Retry-After text). ``match`` is a substring of the request
    path+query (e.g. a playlist id, "/items", "offset=50", "/api/token"); ``times=None``
    means forever.
    ``fake.latency`` adds seconds to every request (sleep in the handler thread).
    ``fake.gate = (wanted, threading.Barrier(n, timeout=...))`` holds each request whose
    path+query ``wanted(target)`` accepts until n of them are being handled at once (or
    the barrier times out and breaks): concurrency shown by a condition, not by timing.

Request log
    ``fake.requests``: list of ``LoggedRequest`` (method, path, query, started, finished,
    status, in_flight) with ``time.monotonic()`` stamps; ``fake.max_in_flight``;
    ``fake.api_requests()`` (only /v1 calls); ``fake.reset_log()``.

Run standalone (benchmarks): ``python tests/fakespotify.py --playlists N --tracks M
--latency 0.05`` prints ``READY <accounts_url> <api_url> <client_id> <client_secret>`` and
serves generated playlists ``generated_id(0..N-1)`` until killed.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import secrets
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.support import DATA, SEED_ID
from tests.support.api import api_playlist, generated_id
from tests.support.fake_writes import READ_SCOPE, WRITE_METHODS, FakeWrites
from tests.support.spotify_fields import apply_fields, parse_fields

if TYPE_CHECKING:
    from collections.abc import Iterator

    import pytest

MAX_LIMIT = 50
DEFAULT_LIMIT = 20
SPOTIFY_USER = "spotify"
SPOTIFY_OWNED_PREFIX = "37i9dQZF1"
SIX_MONTHS = 183 * 86400.0
PREMIUM_MESSAGE = "Active premium subscription required for the owner of the app."
ENTRY_SHAPES = ("item", "track", "both", "neither")


def load_seed() -> dict[str, Any]:
    """The seed playlist's API JSON (tests/data/api/<SEED_ID>.json), as add_playlist takes it."""
    raw = json.loads((DATA / "api" / f"{SEED_ID}.json").read_text(encoding="utf-8"))
    return normalize_fixture(raw)


def normalize_fixture(raw: dict[str, Any]) -> dict[str, Any]:
    """Accept a playlist dict with entries under items/tracks (paging or list) or beside it."""
    data = dict(raw)
    if "playlist" in data and isinstance(data["playlist"], dict):  # {"playlist":…, "items":[…]}
        entries = data.get("items") or data.get("entries") or []
        data = dict(data["playlist"])
        data["items"] = {"total": len(entries), "items": list(entries)}
        return data
    for key in ("items", "tracks"):
        paging = data.get(key)
        if isinstance(paging, list):
            data.pop(key)
            data["items"] = {"total": len(paging), "items": paging}
            return data
        if isinstance(paging, dict) and "items" in paging:
            data.pop(key)
            data["items"] = {"total": len(paging["items"]), "items": paging["items"]}
            return data
    data["items"] = {"total": 0, "items": []}
    return data


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: dict[str, str]
    started: float
    finished: float = 0.0
    status: int = 0
    in_flight: int = 0  # requests being handled when this one started, itself included


@dataclass
class Fault:
    kind: str
    match: str = ""
    times: int | None = 1
    status: int = 500
    retry_after: float | None = None
    delay: float = 0.0
    hits: int = 0
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Raw:
    """An answer exactly as given (hostile cases): status, body bytes, headers."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"
    declared_length: int | None = None


#: A hostile case's hook: (what, offset, answer) -> the answer to send instead.
#: ``what`` is "meta" or "page"; ``answer`` is the filtered JSON Spotify would send.
Rewrite = Callable[[str, int, dict[str, Any]], "dict[str, Any] | Raw"]


@dataclass
class _Stored:
    meta: dict[str, Any]
    entries: list[dict[str, Any]]
    legacy: bool
    collaborators: frozenset[str] = frozenset()
    rewrite: Rewrite | None = None
    cache: dict[tuple[int, int, str], bytes] = field(default_factory=dict)

    @property
    def owner_id(self) -> str:
        owner = self.meta.get("owner")
        value = owner.get("id") if isinstance(owner, dict) else None
        return value if isinstance(value, str) else ""

    @property
    def spotify_owned(self) -> bool:
        return self.owner_id == SPOTIFY_USER or str(self.meta.get("id", "")).startswith(
            SPOTIFY_OWNED_PREFIX
        )

    def readable_by(self, user: str | None) -> bool:
        return user is not None and (user == self.owner_id or user in self.collaborators)


class FakeSpotify:
    """See the module docstring."""

    def __init__(
        self, *, latency: float = 0.0, token_lifetime: int = 3600, extended_quota: bool = False
    ) -> None:
        self.latency = latency
        self.extended_quota = extended_quota
        self.premium_lapsed = False
        self.default_user = "fake-user"
        self.refresh_token_lifetime = SIX_MONTHS
        self.clock_offset = 0.0  # seconds added to the fake's clock (advance_clock)
        self._follows: dict[str, list[str]] = {}
        self._saved: dict[str, list[dict[str, Any]]] = {}  # user -> /me/tracks entries
        self.token_lifetime = token_lifetime
        self.client_id = "fake-client-id-0123456789"
        self.client_secret = "fake-client-secret-" + secrets.token_hex(8)
        self.rotate_refresh_tokens = False
        #: Serve at most this many entries per page whatever the limit (pagination of small
        #: playlists such as the seed, as APIs may do); ``next`` then points at the rest.
        self.max_page_items: int | None = None
        self.requests: list[LoggedRequest] = []
        self.max_in_flight = 0
        self.gate: tuple[Callable[[str], bool], threading.Barrier] | None = None
        self.faults: list[Fault] = []
        self._playlists: dict[str, _Stored] = {}
        self._access_tokens: dict[str, str | None] = {}  # token -> its user, None for the app
        self._refresh_tokens: dict[str, tuple[str, str, float]] = {}  # token -> client, user, t
        self._codes: dict[str, dict[str, str]] = {}
        self._every_secret: set[str] = {self.client_secret}
        self._in_flight = 0
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{port}"
        self.accounts_url = self.base_url
        self.api_url = f"{self.base_url}/v1"
        #: The write side (restore): tests/support/fake_writes.py.
        self.writes = FakeWrites(self)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FakeSpotify:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeSpotify:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ data
    def add_playlist(
        self,
        data: dict[str, Any],
        *,
        legacy: bool = False,
        collaborators: Iterator[str] | list[str] | tuple[str, ...] = (),
        entry_shape: str = "item",
        rewrite: Rewrite | None = None,
    ) -> str:
        """Serve an API-shaped playlist (see ``support.api.api_playlist``); returns its id.

        ``collaborators``: users who may read its entries in development mode besides the
        owner; ``entry_shape``: see the module docstring; ``rewrite``: a hostile case's hook.
        """
        if entry_shape not in ENTRY_SHAPES:
            raise ValueError(f"entry_shape must be one of {ENTRY_SHAPES}")
        data = normalize_fixture(data)
        entries = list(data["items"]["items"])
        meta = {k: v for k, v in data.items() if k != "items"}
        if legacy or entry_shape != "item":
            entries = [_reshape_entry(e, "track" if legacy else entry_shape) for e in entries]
        stored = _Stored(meta, entries, legacy, frozenset(collaborators), rewrite)
        self.writes.remember(entries)
        self._playlists[meta["id"]] = stored
        return str(meta["id"])

    def save_tracks(self, user: str, entries: list[dict[str, Any]]) -> None:
        """The user's Liked Songs (``/me/tracks``): playlist entries, served under ``track``."""
        self._saved[user] = [_reshape_entry(entry, "track") for entry in entries]

    def follow(self, user: str, playlist_id: str) -> None:
        """``user`` follows the playlist: /me/playlists lists it (it need not be readable)."""
        self._follows.setdefault(user, []).append(playlist_id)

    def add_generated(self, count: int, n_tracks: int) -> list[str]:
        ids = [generated_id(i) for i in range(count)]
        for playlist_id in ids:
            self.add_playlist(api_playlist(playlist_id, n_tracks))
        return ids

    def add_seed(self) -> str:
        return self.add_playlist(load_seed())

    def remove_playlist(self, playlist_id: str) -> None:
        self._playlists.pop(playlist_id, None)

    # ------------------------------------------------------------------ auth
    def env(
        self,
        *,
        refresh_token: bool = False,
        secret: bool = True,
        user: str | None = None,
        scope: str | None = None,
    ) -> dict[str, str]:
        """Environment pointing gitarchive at this fake (for monkeypatch.setenv)."""
        env = {
            "GITARCHIVE_API_URL": self.api_url,
            "GITARCHIVE_ACCOUNTS_URL": self.accounts_url,
            "SPOTIFY_CLIENT_ID": self.client_id,
        }
        if secret:
            env["SPOTIFY_CLIENT_SECRET"] = self.client_secret
        if refresh_token:
            env["SPOTIFY_REFRESH_TOKEN"] = self.issue_refresh_token(user, scope=scope)
        return env

    def setenv(self, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> dict[str, str]:
        env = self.env(**kwargs)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return env

    def issue_refresh_token(self, user: str | None = None, *, scope: str | None = None) -> str:
        """A valid refresh token of ``user`` (default ``default_user``), issued now, granting
        ``scope`` (default read-only: see fake_writes)."""
        token = "fake-refresh-" + secrets.token_urlsafe(16)
        with self._lock:
            self._refresh_tokens[token] = (self.client_id, user or self.default_user, self.now())
            self._every_secret.add(token)
        self.writes.grant(token, scope or READ_SCOPE)
        return token

    def now(self) -> float:
        return time.time() + self.clock_offset

    def advance_clock(self, *, days: float) -> None:
        """Time passes: refresh tokens older than six months answer invalid_grant."""
        self.clock_offset += days * 86400.0

    def valid_refresh_tokens(self) -> set[str]:
        with self._lock:
            return set(self._refresh_tokens)

    def expire_tokens(self) -> None:
        with self._lock:
            self._access_tokens.clear()

    def revoke_refresh_tokens(self) -> None:
        with self._lock:
            self._refresh_tokens.clear()

    def secrets_seen(self) -> set[str]:
        """Every secret this fake ever issued: assert none of them leaks into logs or errors."""
        with self._lock:
            return set(self._every_secret)

    # ------------------------------------------------------------------ faults and log
    def inject(
        self,
        kind: str,
        *,
        match: str = "",
        times: int | None = 1,
        status: int = 500,
        retry_after: float | None = None,
        delay: float = 0.0,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> Fault:
        kinds = {
            "status",
            "rate_limit",
            "expire",
            "slow",
            "truncated",
            "short",
            "non_json",
            "empty",
            "quota",
            "html",
            "raw",
        }
        if kind not in kinds:
            raise ValueError(f"unknown fault kind {kind!r}")
        fault = Fault(kind, match, times, status, retry_after, delay, 0, body, dict(headers or {}))
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def api_requests(self) -> list[LoggedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.startswith("/v1/")]

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()
            self.max_in_flight = 0

    # ------------------------------------------------------------------ internals
    def _take_fault(self, target: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times is not None and fault.hits >= fault.times:
                    continue
                if fault.match in target:
                    fault.hits += 1
                    return fault
        return None

    def _begin(self, method: str, path: str, query: dict[str, str]) -> LoggedRequest:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            entry = LoggedRequest(method, path, query, time.monotonic(), in_flight=self._in_flight)
            self.requests.append(entry)
        return entry

    def _answered(self, entry: LoggedRequest, status: int) -> None:
        with self._lock:
            entry.status = status

    def _end(self, entry: LoggedRequest, status: int) -> None:
        with self._lock:
            self._in_flight -= 1
            entry.finished = time.monotonic()
            entry.status = status

    def _issue_access_token(self, user: str | None) -> str:
        token = "fake-access-" + secrets.token_urlsafe(16)
        with self._lock:
            self._access_tokens[token] = user
            self._every_secret.add(token)
        return token

    def _token_is_valid(self, header: str | None) -> bool:
        if not header or not header.startswith("Bearer "):
            return False
        with self._lock:
            return header[len("Bearer ") :] in self._access_tokens

    def _user_of(self, header: str | None) -> str | None:
        with self._lock:
            return self._access_tokens.get((header or "")[len("Bearer ") :])

    def _page(
        self, stored: _Stored, path: str, offset: int, limit: int, fields: str
    ) -> bytes | Raw:
        cached = stored.cache.get((offset, limit, fields))
        if cached is not None and stored.rewrite is None:
            return cached
        total = len(stored.entries)
        url = f"{self.base_url}{path}"
        served = min(limit, self.max_page_items or limit)
        following = offset + served
        body = {
            "href": f"{url}?offset={offset}&limit={limit}",
            "limit": limit,
            "offset": offset,
            "total": total,
            "next": f"{url}?offset={following}&limit={limit}" if following < total else None,
            "previous": (
                f"{url}?offset={max(0, offset - limit)}&limit={limit}" if offset > 0 else None
            ),
            "items": stored.entries[offset:following],
        }
        if fields:
            body = apply_fields(body, parse_fields(fields))
        if stored.rewrite is not None:
            answer = stored.rewrite("page", offset, body)
            if isinstance(answer, Raw):
                return answer
            return json.dumps(answer).encode()
        data = json.dumps(body).encode()
        stored.cache[(offset, limit, fields)] = data
        return data


class _Server(ThreadingHTTPServer):
    request_queue_size = 512  # benchmarks open many connections at once
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out and hung up is part of the tests, not an error of the fake.
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


def _reshape_entry(entry: dict[str, Any], shape: str) -> dict[str, Any]:
    entry = dict(entry)
    item = entry.pop("item", entry.pop("track", None))
    if shape in ("item", "both"):
        entry["item"] = item
    if shape in ("track", "both"):
        entry["track"] = item
    return entry


def _summary(stored: _Stored) -> dict[str, Any]:
    """A playlist as /me/playlists lists it."""
    meta = stored.meta
    return {
        "id": meta["id"],
        "name": meta.get("name"),
        "collaborative": bool(stored.collaborators) or bool(meta.get("collaborative")),
        "owner": meta.get("owner"),
        "public": meta.get("public", True),
        "description": meta.get("description") or "",
        "snapshot_id": meta.get("snapshot_id"),
        "items": {"href": None, "total": len(stored.entries)},
    }


def _error(status: int, message: str) -> bytes:
    return json.dumps({"error": {"status": status, "message": message}}).encode()


def _make_handler(fake: FakeSpotify) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 30  # idle keep-alive connections close eventually
        # Headers and body leave in two writes; with Nagle on, the body would wait for the
        # client's delayed ACK (~40 ms per request), the fake's own latency, not ours.
        disable_nagle_algorithm = True
        entry: LoggedRequest  # this request's line in the log (set by _handle)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_PUT(self) -> None:
            self._handle("PUT")

        def do_DELETE(self) -> None:
            self._handle("DELETE")

        # -------------------------------------------------------------- plumbing
        def _handle(self, method: str) -> None:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            entry = self.entry = fake._begin(method, parts.path, query)
            status = 500
            try:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if fake.latency:
                    time.sleep(fake.latency)
                if fake.gate is not None and fake.gate[0](self.path):
                    with contextlib.suppress(threading.BrokenBarrierError):
                        fake.gate[1].wait()
                status = self._route(method, parts.path, query, body, self.path)
            finally:
                fake._end(entry, status)

        def _send(
            self,
            status: int,
            body: bytes,
            *,
            content_type: str = "application/json; charset=utf-8",
            headers: dict[str, str] | None = None,
            declared_length: int | None = None,
        ) -> int:
            # the status is on the log before the client can have the answer: a test that
            # reads the log once its request returned finds it there, whatever the load
            fake._answered(self.entry, status)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header(
                "Content-Length", str(len(body) if declared_length is None else declared_length)
            )
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
            return status

        def _answer(self, status: int, body: bytes, fault: Fault | None, **kw: Any) -> int:
            """Send a normal answer, spoiled by a body-level fault if one applies."""
            if fault is not None and status == 200:
                if fault.kind == "truncated":
                    return self._send(200, body[: len(body) // 2])
                if fault.kind == "short":
                    self._send(200, body[: len(body) // 2], declared_length=len(body))
                    self.close_connection = True
                    return 200
                if fault.kind == "non_json":
                    html = b"<html><body>upstream hiccup</body></html>"
                    return self._send(200, html, content_type="text/html")
                if fault.kind == "empty":
                    return self._send(200, b"")
            return self._send(status, body, **kw)

        def _route(
            self, method: str, path: str, query: dict[str, str], body: bytes, raw: str
        ) -> int:
            fault = fake._take_fault(raw)
            if fault is not None:
                if fault.kind == "slow":
                    time.sleep(fault.delay)
                    fault = None
                elif fault.kind == "status":
                    return self._send(fault.status, _error(fault.status, "Injected failure"))
                elif fault.kind == "rate_limit":
                    after = fault.retry_after if fault.retry_after is not None else 1
                    text = str(int(after)) if float(after).is_integer() else str(after)
                    return self._send(
                        429, _error(429, "API rate limit exceeded"), headers={"Retry-After": text}
                    )
                elif fault.kind == "expire":
                    fake.expire_tokens()
                    return self._send(401, _error(401, "The access token expired"))
                elif fault.kind == "quota":
                    body = json.dumps(
                        {
                            "error": {
                                "status": 429,
                                "message": "Quota exceeded",
                                "reason": "QUOTA_EXCEEDED",
                            }
                        }
                    ).encode()
                    return self._send(429, body, headers={"Retry-After": "86400"})
                elif fault.kind == "html":
                    page = b"<html><head><title>Error</title></head><body>Bad gateway</body></html>"
                    return self._send(fault.status, page, content_type="text/html")
                elif fault.kind == "raw":
                    return self._send(fault.status, fault.body, headers=fault.headers)
            if method == "POST" and path == "/api/token":
                return self._token(body, fault)
            if method == "GET" and path == "/authorize":
                return self._authorize(query)
            if method in WRITE_METHODS and path.startswith("/v1/"):
                if fake.premium_lapsed:
                    return self._send(403, _error(403, PREMIUM_MESSAGE))
                auth = self.headers.get("Authorization")
                return fake.writes.route(self, method, path, body, auth)
            if method == "GET" and path.startswith("/v1/"):
                header = self.headers.get("Authorization")
                if not fake._token_is_valid(header):
                    if header:
                        return self._send(401, _error(401, "Invalid access token"))
                    return self._send(401, _error(401, "No token provided"))
                if fake.premium_lapsed:
                    return self._send(403, _error(403, PREMIUM_MESSAGE))
                user = fake._user_of(header)
                if path.startswith("/v1/playlists/"):
                    return self._playlist(path, query, fault, user)
                if path == "/v1/me":
                    return self._me(user)
                if path == "/v1/me/playlists":
                    return self._my_playlists(user, query)
                if path == "/v1/me/tracks":
                    return self._saved_tracks(user, query)
            return self._send(404, _error(404, "Service not found"))

        # -------------------------------------------------------------- API
        def _playlist(
            self, path: str, query: dict[str, str], fault: Fault | None, user: str | None
        ) -> int:
            pieces = path.split("/")  # ["", "v1", "playlists", id, (items|tracks)?]
            playlist_id = pieces[3] if len(pieces) > 3 else ""
            stored = fake._playlists.get(playlist_id)
            restricted = not fake.extended_quota
            if stored is None or len(pieces) > 5 or (restricted and stored.spotify_owned):
                return self._send(404, _error(404, "Resource not found"))
            if len(pieces) == 4:
                return self._meta(stored, query, fault, user)
            endpoint = pieces[4]
            if restricted and endpoint == "tracks":
                return self._send(403, _error(403, "Forbidden"))
            if restricted and endpoint == "items" and not stored.readable_by(user):
                return self._send(403, _error(403, "Forbidden"))
            if endpoint not in ("items", "tracks") or (endpoint == "items") == stored.legacy:
                return self._send(404, _error(404, "Resource not found"))
            try:
                limit = int(query.get("limit", DEFAULT_LIMIT))
                offset = int(query.get("offset", 0))
            except ValueError:
                return self._send(400, _error(400, "Invalid limit"))
            if not 1 <= limit <= MAX_LIMIT:
                return self._send(400, _error(400, "Invalid limit"))
            if offset < 0:
                return self._send(400, _error(400, "Invalid offset"))
            page = fake._page(stored, path, offset, limit, query.get("fields", ""))
            if isinstance(page, Raw):
                return self._raw(page)
            return self._answer(200, page, fault)

        def _meta(
            self, stored: _Stored, query: dict[str, str], fault: Fault | None, user: str | None
        ) -> int:
            meta: dict[str, Any] = dict(stored.meta)
            playlist_id = meta["id"]
            meta["items"] = {
                "href": f"{fake.api_url}/playlists/{playlist_id}/items",
                "total": len(stored.entries),
            }
            if fake.extended_quota or stored.readable_by(user):
                # Only those who may read the entries get them with the metadata.
                meta["items"].update(
                    {"items": stored.entries[:100], "limit": 100, "offset": 0, "next": None}
                )
            if "fields" in query:
                meta = apply_fields(meta, parse_fields(query["fields"]))
            if stored.rewrite is not None:
                answer = stored.rewrite("meta", 0, meta)
                if isinstance(answer, Raw):
                    return self._raw(answer)
                meta = answer
            return self._answer(200, json.dumps(meta).encode(), fault)

        def _raw(self, raw: Raw) -> int:
            self._send(
                raw.status,
                raw.body,
                content_type=raw.content_type,
                headers=raw.headers,
                declared_length=raw.declared_length,
            )
            if raw.declared_length is not None:
                self.close_connection = True
            return raw.status

        def _me(self, user: str | None) -> int:
            if user is None:
                return self._send(401, _error(401, "This endpoint needs a user's token"))
            body = {"id": user, "display_name": user.title(), "type": "user"}
            return self._send(200, json.dumps(body).encode())

        def _my_playlists(self, user: str | None, query: dict[str, str]) -> int:
            if user is None:
                return self._send(401, _error(401, "This endpoint needs a user's token"))
            followed = set(fake._follows.get(user, []))
            mine = [
                _summary(stored)
                for playlist_id, stored in sorted(fake._playlists.items())
                if stored.readable_by(user) or playlist_id in followed
            ]
            return self._user_page(f"{fake.api_url}/me/playlists", mine, query)

        def _saved_tracks(self, user: str | None, query: dict[str, str]) -> int:
            if user is None:
                return self._send(401, _error(401, "This endpoint needs a user's token"))
            saved = fake._saved.get(user, [])
            return self._user_page(f"{fake.api_url}/me/tracks", saved, query)

        def _user_page(self, url: str, items: list[Any], query: dict[str, str]) -> int:
            """One page of a /me listing, offset/limit paged as Spotify pages them."""
            try:
                limit = int(query.get("limit", DEFAULT_LIMIT))
                offset = int(query.get("offset", 0))
            except ValueError:
                return self._send(400, _error(400, "Invalid limit"))
            if not 1 <= limit <= MAX_LIMIT or offset < 0:
                return self._send(400, _error(400, "Invalid limit"))
            following = offset + limit
            body = {
                "href": f"{url}?offset={offset}&limit={limit}",
                "limit": limit,
                "offset": offset,
                "total": len(items),
                "next": f"{url}?offset={following}&limit={limit}"
                if following < len(items)
                else None,
                "previous": None,
                "items": items[offset:following],
            }
            return self._send(200, json.dumps(body).encode())

        # -------------------------------------------------------------- accounts
        def _token(self, body: bytes, fault: Fault | None) -> int:
            form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
            basic_id, basic_secret = None, None
            header = self.headers.get("Authorization") or ""
            if header.startswith("Basic "):
                try:
                    decoded = base64.b64decode(header[6:]).decode()
                    basic_id, _, basic_secret = decoded.partition(":")
                except ValueError:
                    return self._oauth_error(400, "invalid_client", "Invalid client")
                if basic_id != fake.client_id or basic_secret != fake.client_secret:
                    return self._oauth_error(400, "invalid_client", "Invalid client secret")
            grant = form.get("grant_type")
            answer: dict[str, Any] = {"token_type": "Bearer", "expires_in": fake.token_lifetime}
            user: str | None = None
            if grant == "client_credentials":
                if basic_id is None:
                    return self._oauth_error(400, "invalid_client", "Invalid client")
            elif grant == "refresh_token":
                client_id = basic_id or form.get("client_id")
                token = form.get("refresh_token", "")
                with fake._lock:
                    issued = fake._refresh_tokens.get(token)
                if client_id != fake.client_id:
                    return self._oauth_error(400, "invalid_client", "Invalid client")
                if issued is None:
                    return self._oauth_error(400, "invalid_grant", "Refresh token revoked")
                _client, user, issued_at = issued
                if fake.now() - issued_at > fake.refresh_token_lifetime:
                    return self._oauth_error(400, "invalid_grant", "Refresh token expired")
                if fake.rotate_refresh_tokens:
                    # A rotated token keeps the original authorization's time: refreshing
                    # never extends the six months.
                    with fake._lock:
                        fake._refresh_tokens.pop(token, None)
                    answer["refresh_token"] = fake.issue_refresh_token(
                        user, scope=fake.writes.scope_of(token)
                    )
                    with fake._lock:
                        fake._refresh_tokens[answer["refresh_token"]] = (
                            fake.client_id,
                            user,
                            issued_at,
                        )
                answer["scope"] = fake.writes.scope_of(token)
            elif grant == "authorization_code":
                code = form.get("code", "")
                with fake._lock:
                    fake._every_secret.add(form.get("code_verifier", ""))  # a secret too
                    pending = fake._codes.pop(code, None)
                if pending is None:
                    return self._oauth_error(400, "invalid_grant", "Invalid authorization code")
                if (basic_id or form.get("client_id")) != pending["client_id"]:
                    return self._oauth_error(400, "invalid_client", "Invalid client")
                if form.get("redirect_uri") != pending["redirect_uri"]:
                    return self._oauth_error(400, "invalid_grant", "Invalid redirect URI")
                verifier = form.get("code_verifier", "")
                challenge = (
                    base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                    .rstrip(b"=")
                    .decode()
                )
                if challenge != pending["code_challenge"]:
                    return self._oauth_error(400, "invalid_grant", "code_verifier was incorrect")
                user = fake.default_user
                answer["scope"] = pending.get("scope", "")
                answer["refresh_token"] = fake.issue_refresh_token(user, scope=answer["scope"])
            else:
                return self._oauth_error(400, "unsupported_grant_type", "grant_type invalid")
            answer["access_token"] = fake._issue_access_token(user)
            fake.writes.grant(answer["access_token"], answer.get("scope", ""))
            if not fake.writes.send_scope:
                answer.pop("scope", None)
            return self._answer(200, json.dumps(answer).encode(), fault)

        def _oauth_error(self, status: int, error: str, description: str) -> int:
            body = json.dumps({"error": error, "error_description": description}).encode()
            return self._send(status, body)

        def _authorize(self, query: dict[str, str]) -> int:
            redirect_uri = query.get("redirect_uri", "")
            if query.get("client_id") != fake.client_id:
                return self._send(400, b"INVALID_CLIENT: Invalid client", content_type="text/plain")
            if not redirect_uri.startswith("http://127.0.0.1:"):
                return self._send(
                    400, b"INVALID_CLIENT: Invalid redirect URI", content_type="text/plain"
                )
            if query.get("response_type") != "code" or query.get("code_challenge_method") != "S256":
                return self._send(400, b"unsupported request", content_type="text/plain")
            code = "fake-code-" + secrets.token_urlsafe(12)
            with fake._lock:
                fake._every_secret.add(code)
                fake._codes[code] = {
                    "client_id": query["client_id"],
                    "redirect_uri": redirect_uri,
                    "code_challenge": query.get("code_challenge", ""),
                    "scope": query.get("scope", ""),
                }
            params = {"code": code}
            if "state" in query:
                params["state"] = query["state"]
            location = f"{redirect_uri}?{urlencode(params)}"
            return self._send(302, b"", headers={"Location": location})

    return Handler


try:
    import pytest as _pytest
except ImportError:  # standalone use by benchmarks without pytest
    _pytest = None  # type: ignore[assignment]

if _pytest is not None:

    @_pytest.fixture
    def fake_spotify() -> Iterator[FakeSpotify]:
        """A started FakeSpotify with extended quota (no 2026 restrictions), stopped after."""
        with FakeSpotify(extended_quota=True) as fake:
            yield fake

    @_pytest.fixture
    def fake_spotify_dev() -> Iterator[FakeSpotify]:
        """A started FakeSpotify as a development-mode app (Spotify's 2026 default)."""
        with FakeSpotify() as fake:
            yield fake


def _main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Serve a fake Spotify Web API.")
    parser.add_argument("--playlists", type=int, default=0)
    parser.add_argument("--tracks", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument(
        "--development-mode",
        action="store_true",
        help="the 2026 restrictions (default: extended quota, as the benchmarks need)",
    )
    args = parser.parse_args(argv)
    fake = FakeSpotify(latency=args.latency, extended_quota=not args.development_mode)
    fake.add_generated(args.playlists, args.tracks)
    fake.start()
    print("READY", fake.accounts_url, fake.api_url, fake.client_id, fake.client_secret, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    _main(sys.argv[1:])
