"""The async Spotify Web API client: one connection pool, bounded concurrency, one 429 gate.

Every request goes through :meth:`SpotifyClient._request`, which owns the whole
retry policy:

* 429 closes ONE shared gate for ``Retry-After`` seconds (+ jitter, + backoff so
  that a ``Retry-After: 0`` cannot start a storm): every request waits at it;
* 429 with ``"reason": "QUOTA_EXCEEDED"`` is a quota, not a rate limit: the
  whole run stops at once (:class:`QuotaExceeded`), nothing is retried;
* 5xx, connection errors, timeouts, empty or invalid JSON: exponential backoff;
* 401 from the API: the access token is refreshed once and the request retried;
* 400 → BadRequest (gitarchive's own bug, the request shown), 403 → Forbidden,
  404 → PlaylistUnavailable, each with a cause from :mod:`.access`; never retried;
* every wait counts against the playlist's budget and the run's budget.

Pages are hostile input (:mod:`.pages`): loops, gaps and counts that do not add
up fail the playlist instead of recording a false version. Error messages are
redacted (:func:`gitarchive.errors.redact`); retries are logged at debug level.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import random
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from gitarchive import settings
from gitarchive.errors import (
    AuthError,
    BadRequest,
    Forbidden,
    PlaylistUnavailable,
    QuotaExceeded,
    RetriesExhausted,
    Skipped,
    SpotifyError,
    redact,
    remember_secret,
)
from gitarchive.model import LIKED_SONGS_ID
from gitarchive.spotify import access
from gitarchive.spotify.answers import (
    MAX_RETRY_AFTER,
    api_message,
    json_or_none,
    quota_exceeded,
    retry_after_seconds,
)
from gitarchive.spotify.auth import TOKEN_PATH, token_error
from gitarchive.spotify.pages import PAGE_LIMIT, PlaylistReader
from gitarchive.spotify.transport import ShardedPool
from gitarchive.words import plural

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from types import TracebackType

    from gitarchive.model import Playlist
    from gitarchive.spotify.auth import Auth

log = logging.getLogger("gitarchive.spotify")

# httpcore asks which async library runs by trying `import sniffio`, several times per
# request. Newer anyio no longer installs sniffio, and a failed import is not cached: each
# one searches sys.path again (measured: ~60% of the client's CPU time at 32 requests in
# flight). A None entry in sys.modules is Python's documented way to make that import fail
# at once; httpcore then assumes asyncio, which is what runs here.
if importlib.util.find_spec("sniffio") is None:
    sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]

__all__ = ["MAX_RETRY_AFTER", "PAGE_LIMIT", "ClientStats", "SpotifyClient", "retry_after_seconds"]

QUOTA_MESSAGE = (
    "Spotify says this app's quota is used up (HTTP 429 QUOTA_EXCEEDED): the run stops "
    "here and nothing was retried; archived files are untouched. Try again after the quota "
    "resets, or ask Spotify for more in the developer dashboard"
)


@dataclass
class ClientStats:
    """Counters for a run (for the sync summary and benchmarks)."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    token_refreshes: int = 0
    unavailable_items: dict[str, int] = field(default_factory=dict)  # playlist id -> null items
    unknown_durations: dict[str, int] = field(default_factory=dict)  # playlist id -> count
    blank_names: list[str] = field(default_factory=list)  # playlists named by their fallback


class _Retry(Exception):
    """Internal: this attempt failed in a way worth retrying."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Unauthorized(Exception):
    """Internal: the API answered 401."""


class SpotifyClient:
    """Fetch playlists from the Spotify Web API. Use as ``async with SpotifyClient(auth) as c``."""

    def __init__(
        self,
        auth: Auth,
        *,
        api_url: str | None = None,
        accounts_url: str | None = None,
        concurrency: int = settings.DEFAULT_CONCURRENCY,
        market: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        rate_limit_jitter: float = 0.5,
        playlist_budget: float = 120.0,
        run_budget: float = 900.0,
        on_refresh_token_rotated: Callable[[str], None] | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._auth = auth
        self.api_url = (api_url or settings.api_url()).rstrip("/")
        self.accounts_url = (accounts_url or settings.accounts_url()).rstrip("/")
        self.concurrency = concurrency
        self.market = market
        self._transport = transport
        self._timeout = timeout
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.rate_limit_jitter = rate_limit_jitter
        self.playlist_budget = playlist_budget
        self.run_budget = run_budget
        self.on_refresh_token_rotated = on_refresh_token_rotated
        #: The new refresh token if Spotify rotated it during this run (store it!).
        self.rotated_refresh_token: str | None = None
        #: Playlists never tried because the run's time budget was spent (see Skipped).
        self.skipped: list[str] = []
        self.stats = ClientStats()
        self._http: httpx.AsyncClient | None = None
        self._semaphore: asyncio.Semaphore | None = None
        self._token_lock: asyncio.Lock | None = None
        self._access_token: str | None = None
        self._token_expires = 0.0
        self._gate_until = 0.0
        self._run_deadline = float("inf")
        self._stopped: SpotifyError | None = None  # QuotaExceeded: every request ends with it

    @property
    def has_user(self) -> bool:
        """Whether the token belongs to a user (a refresh token), not to the app alone."""
        return self._auth.grant == "refresh_token"

    # ------------------------------------------------------------------ lifecycle
    async def __aenter__(self) -> SpotifyClient:
        # +1 connection: a token refresh never waits for the pool.
        transport = self._transport or ShardedPool(self.concurrency + 1, keepalive_expiry=20.0)
        timeout = httpx.Timeout(self._timeout, connect=min(10.0, self._timeout), pool=None)
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._semaphore = asyncio.Semaphore(self.concurrency)
        self._token_lock = asyncio.Lock()
        self._run_deadline = self._now() + self.run_budget
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    @staticmethod
    def _now() -> float:
        return asyncio.get_running_loop().time()

    # ------------------------------------------------------------------ playlists
    async def get_playlist(self, playlist_id: str, *, previous_name: str | None = None) -> Playlist:
        """One playlist, complete; raises a SpotifyError subclass naming the playlist.

        ``previous_name`` stands in for a blank name from Spotify (else the id).
        """
        deadline = min(self._now() + self.playlist_budget, self._run_deadline)
        try:
            if playlist_id == LIKED_SONGS_ID:
                from gitarchive.spotify.library import LikedSongsReader

                reader: PlaylistReader = LikedSongsReader(self, playlist_id, deadline)
            else:
                reader = PlaylistReader(self, playlist_id, deadline)
            playlist, stats = await reader.read(name_fallback=previous_name)
        except SpotifyError as exc:
            if exc.playlist is None and not isinstance(exc, AuthError | QuotaExceeded):
                exc.playlist = playlist_id
            raise
        if stats.unavailable:
            self.stats.unavailable_items[playlist_id] = stats.unavailable
        if stats.unknown_durations:
            self.stats.unknown_durations[playlist_id] = stats.unknown_durations
        if stats.blank_name:
            self.stats.blank_names.append(playlist_id)
        return playlist

    async def get_playlists(
        self,
        ids: Sequence[str],
        *,
        on_result: Callable[[str, Playlist | SpotifyError], None] | None = None,
        previous_names: Mapping[str, str] | None = None,
    ) -> dict[str, Playlist | SpotifyError]:
        """Many playlists at once; a playlist's error is its result.

        AuthError and QuotaExceeded end the whole run (raised). Playlists whose turn
        comes after the run's budget is spent get :class:`Skipped` (also listed in
        :attr:`skipped`) without a request.
        """
        names = previous_names or {}
        results: dict[str, Playlist | SpotifyError] = {}
        queue = list(dict.fromkeys(ids))
        queue.reverse()

        async def worker() -> None:
            while queue:
                playlist_id = queue.pop()
                result: Playlist | SpotifyError
                try:
                    if self._now() >= self._run_deadline:
                        raise self._skip(playlist_id)
                    result = await self.get_playlist(
                        playlist_id, previous_name=names.get(playlist_id)
                    )
                except (AuthError, QuotaExceeded):
                    raise
                except SpotifyError as exc:
                    result = exc
                results[playlist_id] = result
                if on_result is not None:
                    on_result(playlist_id, result)

        # Playlists in progress are bounded too, so that a playlist's time budget starts
        # when its first request can start, not when it was queued behind thousands.
        workers = min(len(queue), self.concurrency)
        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(workers):
                    group.create_task(worker())
        except BaseExceptionGroup as group_error:
            raise first_error(group_error) from None
        return {playlist_id: results[playlist_id] for playlist_id in dict.fromkeys(ids)}

    def _skip(self, playlist_id: str) -> Skipped:
        self.skipped.append(playlist_id)
        return Skipped(
            f"not fetched: the run's time budget ({self.run_budget:g} s) was spent on "
            "persistent failures; its files are kept and the next sync tries again",
            playlist=playlist_id,
        )

    # ------------------------------------------------------------------ access (doctor, add --mine)
    async def probe(self, playlist_id: str) -> access.AccessReport:
        """What this access can read of one playlist: entries, metadata only, or nothing."""
        from gitarchive.spotify.probe import probe_playlist

        return await probe_playlist(self, playlist_id)

    async def probe_many(self, ids: Sequence[str]) -> dict[str, access.AccessReport]:
        """:meth:`probe` for each id, ``concurrency`` at a time, in the order of ``ids``."""
        from gitarchive.spotify.probe import probe_playlists

        return await probe_playlists(self, ids)

    async def current_user(self) -> access.SpotifyUser | None:
        """The token's user (``GET /me``); None for a client-credentials token."""
        from gitarchive.spotify.probe import current_user

        return await current_user(self)

    async def my_playlists(self, *, include_followed: bool = False) -> list[access.PlaylistSummary]:
        """The user's playlists (``GET /me/playlists``, every page): owned and collaborative.

        ``include_followed`` also returns the others the user follows (``readable`` False).
        """
        from gitarchive.spotify.probe import my_playlists

        return await my_playlists(self, include_followed=include_followed)

    async def check_token(self) -> None:
        """Get an access token now: AuthError if the credentials are refused."""
        await self._token(self.budget_deadline())

    # ------------------------------------------------------------------ JSON requests
    def budget_deadline(self) -> float:
        """A deadline for one unit of work (a playlist, a probe)."""
        return min(self._now() + self.playlist_budget, self._run_deadline)

    async def get_json(self, path: str, params: dict[str, str], *, deadline: float) -> Any:
        """``GET {api_url}{path}`` with the retry policy; the decoded JSON body."""
        return await self._request("GET", f"{self.api_url}{path}", params=params, deadline=deadline)

    def market_params(self) -> dict[str, str]:
        return {"market": self.market} if self.market else {}

    # ------------------------------------------------------------------ tokens
    async def _token(self, deadline: float) -> str:
        if self._access_token is not None and self._now() < self._token_expires:
            return self._access_token
        assert self._token_lock is not None, "use SpotifyClient as an async context manager"
        async with self._token_lock:
            if self._access_token is None or self._now() >= self._token_expires:
                await self._fetch_token(deadline)
            assert self._access_token is not None
            return self._access_token

    async def _fetch_token(self, deadline: float) -> None:
        form, headers = self._auth.token_request()
        data = await self._request(
            "POST",
            f"{self.accounts_url}{TOKEN_PATH}",
            form=form,
            headers=headers,
            deadline=deadline,
            token_request=True,
        )
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            raise AuthError("Spotify's token endpoint answered without an access token")
        expires_in = data.get("expires_in")
        lifetime = (
            float(expires_in)
            if isinstance(expires_in, int | float) and not isinstance(expires_in, bool)
            else 3600.0
        )
        lifetime = min(max(lifetime, 1.0), 86400.0)
        # Renew a minute early so that no request leaves with a token about to expire.
        self._token_expires = self._now() + max(lifetime - 60.0, lifetime / 2)
        self._access_token = data["access_token"]
        remember_secret(self._access_token)
        self.stats.token_refreshes += 1
        rotated = data.get("refresh_token")
        if (
            isinstance(rotated, str)
            and rotated
            and self._auth.refresh_token
            and rotated != self._auth.refresh_token
        ):
            remember_secret(rotated)
            self._auth = self._auth.with_refresh_token(rotated)
            self.rotated_refresh_token = rotated
            log.debug("Spotify rotated the refresh token; the new one must be stored")
            if self.on_refresh_token_rotated is not None:
                self.on_refresh_token_rotated(rotated)
        log.debug("got an access token (grant %s)", self._auth.grant)

    def _drop_token(self, used: str) -> None:
        if self._access_token == used:
            self._access_token = None

    # ------------------------------------------------------------------ requests
    async def _wait_gate(self, deadline: float, what: str) -> None:
        while True:
            wait = self._gate_until - self._now()
            if wait <= 0:
                return
            if self._now() + wait > deadline:
                raise RetriesExhausted(
                    f"rate limited by Spotify (HTTP 429) for {wait:.1f} s more, "
                    f"beyond the time budget ({what})"
                )
            await asyncio.sleep(wait)

    async def _request(
        self,
        method: str,
        url: str,
        *,
        deadline: float,
        params: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        token_request: bool = False,
    ) -> Any:
        """Send with the retry policy; return the decoded JSON body."""
        if self._http is None or self._semaphore is None:
            raise RuntimeError("use SpotifyClient as an async context manager")
        what = f"{method} {urlsplit(url).path}" + (
            f" offset {params['offset']}" if params and "offset" in params else ""
        )
        started = self._now()
        attempt = 0
        refreshed = False
        while True:
            if self._stopped is not None:
                raise self._stopped
            attempt += 1
            request_headers = dict(headers or {})
            token = None
            if not token_request:
                token = await self._token(deadline)
                request_headers["Authorization"] = f"Bearer {token}"
            try:
                response = await self._send_once(
                    method, url, params, form, request_headers, deadline=deadline, what=what
                )
                return self._interpret(
                    response, token_request=token_request, what=what, params=params
                )
            except _Retry as retry:
                reason = redact(retry.reason)
            except _Unauthorized:
                if token_request or refreshed:
                    raise AuthError(
                        "Spotify rejected a freshly issued access token (HTTP 401): "
                        "check the app's credentials"
                    ) from None
                refreshed = True
                assert token is not None
                self._drop_token(token)
                log.debug("%s: HTTP 401, refreshing the access token and retrying", what)
                continue
            await asyncio.sleep(self._retry_delay(attempt, started, deadline, what, reason))

    async def _send_once(
        self,
        method: str,
        url: str,
        params: dict[str, str] | None,
        form: dict[str, str] | None,
        headers: dict[str, str],
        *,
        deadline: float,
        what: str,
    ) -> httpx.Response:
        """One request, through the rate-limit gate and the concurrency bound."""
        http, semaphore = self._http, self._semaphore
        assert http is not None and semaphore is not None
        await self._wait_gate(deadline, what)
        async with semaphore:
            await self._wait_gate(deadline, what)
            if self._stopped is not None:
                raise self._stopped
            self.stats.requests += 1
            try:
                return await http.request(method, url, params=params, data=form, headers=headers)
            except httpx.TimeoutException as exc:
                raise _Retry(f"timed out ({type(exc).__name__})") from None
            except httpx.TransportError as exc:
                raise _Retry(f"connection error: {type(exc).__name__}: {exc}") from None

    def _retry_delay(
        self, attempt: int, started: float, deadline: float, what: str, reason: str
    ) -> float:
        """The pause before the next attempt; RetriesExhausted when it would pass ``deadline``."""
        self.stats.retries += 1
        delay = self._backoff(attempt)
        now = self._now()
        if now + delay > deadline or self._gate_until > deadline:
            raise RetriesExhausted(
                f"gave up after {plural(attempt, 'attempt')} in {now - started:.1f} s "
                f"({what}): {reason}"
            )
        wait = delay + max(0.0, self._gate_until - now)
        log.debug("%s: retry %d in %.2f s: %s", what, attempt, wait, reason)
        return delay

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)

    def _interpret(
        self,
        response: httpx.Response,
        *,
        token_request: bool,
        what: str,
        params: dict[str, str] | None,
    ) -> Any:
        status = response.status_code
        if status == 429:
            self._rate_limited(response)
        if status >= 500:
            raise _Retry(f"HTTP {status}")
        if 400 <= status < 500:
            body = json_or_none(response)
            if token_request:
                if status in (400, 401):
                    raise token_error(status, body, _grant_of(response))
                raise AuthError(f"Spotify's token endpoint answered HTTP {status}")
            if status == 401:
                raise _Unauthorized()
            raise self._client_error(status, body, what, params)
        if status != 200:
            raise _Retry(f"unexpected HTTP {status}")
        if not response.content:
            raise _Retry("empty body")
        try:
            return response.json()
        except ValueError:
            kind = response.headers.get("Content-Type", "?").split(";")[0][:40]
            raise _Retry(f"invalid JSON ({len(response.content)} bytes of {kind})") from None

    def _rate_limited(self, response: httpx.Response) -> None:
        body = json_or_none(response)
        if quota_exceeded(body):
            self._stopped = QuotaExceeded(QUOTA_MESSAGE)
            raise self._stopped
        self.stats.rate_limited += 1
        after = retry_after_seconds(response.headers.get("Retry-After"))
        until = self._now() + after + random.uniform(0, self.rate_limit_jitter)
        self._gate_until = max(self._gate_until, until)
        raise _Retry(f"HTTP 429 rate limited, Retry-After {after:g} s")

    def _client_error(
        self, status: int, body: Any, what: str, params: dict[str, str] | None
    ) -> SpotifyError:
        text = api_message(body)
        said = f" {text!r}" if text else ""
        if status == 400:
            method, _, rest = what.partition(" ")
            path = rest.split(" offset ")[0]
            request = f"{method} {path}" + (f"?{urlencode(params)}" if params else "")
            shown = {k: v if len(v) <= 40 else v[:37] + "..." for k, v in (params or {}).items()}
            return BadRequest(
                f"Spotify rejected gitarchive's request as malformed (HTTP 400{said}): "
                f"{method} {path}" + (f"?{urlencode(shown)}" if shown else "") + ". This is "
                "a bug in gitarchive, not a problem with the playlist: please report it",
                request=request,
            )
        if status == 403:
            cause = access.classify_403(text, has_user=self.has_user)
            return Forbidden(access.cause_message(cause, repr(text) if text else ""), cause=cause)
        if status == 404:
            playlist_id = _playlist_of(what)
            cause = access.classify_404(playlist_id) if playlist_id else access.NOT_FOUND
            message = access.cause_message(cause, repr(text) if text else "")
            return PlaylistUnavailable(message, status=404, cause=cause)
        return SpotifyError(f"Spotify answered HTTP {status}{said} ({what})")


def first_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The first leaf of an exception group (the error a caller should see)."""
    for error in group.exceptions:
        if isinstance(error, BaseExceptionGroup):
            return first_error(error)
        return error
    return group


def _playlist_of(what: str) -> str | None:
    parts = what.split(" ")[1].split("/") if " " in what else []
    if "playlists" in parts:
        index = parts.index("playlists") + 1
        if index < len(parts):
            return parts[index]
    return None


def _grant_of(response: httpx.Response) -> str:
    try:
        body = response.request.content.decode()
    except (RuntimeError, UnicodeDecodeError):
        return ""
    values = parse_qs(body).get("grant_type", [""])
    return values[-1]
