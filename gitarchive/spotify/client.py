"""The async Spotify Web API client: one connection pool, bounded concurrency, one 429 gate.

Every request goes through :meth:`SpotifyClient._request`, which owns the whole
retry policy:

* 429 closes ONE shared gate for ``Retry-After`` seconds (+ a little jitter):
  every request of the client waits at the gate, not just the one refused;
* 5xx, connection errors, timeouts, empty or invalid JSON: exponential backoff
  with jitter;
* 401 from the API: the access token is refreshed once (by one request, the
  others wait for it) and the request retried;
* 404 / 400 → PlaylistUnavailable, 403 → Forbidden, never retried;
* every wait counts against the playlist's budget and the run's budget; a wait
  that would outlast either raises RetriesExhausted.

Retries are logged at debug level on the ``gitarchive.spotify`` logger with
their reason; tokens and secrets never reach a log line or an error message.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import random
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import httpx

from gitarchive import settings
from gitarchive.errors import (
    AuthError,
    Forbidden,
    InvalidResponse,
    PlaylistUnavailable,
    RetriesExhausted,
    SpotifyError,
)
from gitarchive.spotify.auth import TOKEN_PATH, token_error
from gitarchive.spotify.parse import parse_playlist_with_stats

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Sequence
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

PAGE_LIMIT = 50  # the most /items accepts since 2026
_ENTRY_ITEM_FIELDS = (
    "type,id,name,duration_ms,is_local,episode,external_urls,"
    "album(id,name,external_urls),artists(id,name,external_urls),"
    "show(id,name,publisher,external_urls)"
)
# Entries carry `item` on /items and `track` on the older /tracks.
ENTRY_FIELDS = {
    endpoint: f"items(added_at,is_local,{key}({_ENTRY_ITEM_FIELDS})),total,next"
    for endpoint, key in (("items", "item"), ("tracks", "track"))
}
PLAYLIST_FIELDS = (
    "id,name,description,snapshot_id,followers(total),owner(id,display_name,external_urls),"
    "external_urls"
)
UNAVAILABLE_HINT = (
    "the playlist is gone, private, or hidden from this app (Spotify-curated and algorithmic "
    "playlists answer 404 to apps without extended quota mode since late 2024; this may be why)"
)


@dataclass
class ClientStats:
    """Counters for a run (for the sync summary and benchmarks)."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    token_refreshes: int = 0
    unavailable_items: dict[str, int] = field(default_factory=dict)  # playlist id -> null items


class _Retry(Exception):
    """Internal: this attempt failed in a way worth retrying."""

    def __init__(self, reason: str, *, backoff: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.backoff = backoff


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
        playlist_budget: float = 300.0,
        run_budget: float = 3600.0,
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
        self.stats = ClientStats()
        self._http: httpx.AsyncClient | None = None
        self._semaphore: asyncio.Semaphore | None = None
        self._token_lock: asyncio.Lock | None = None
        self._access_token: str | None = None
        self._token_expires = 0.0
        self._gate_until = 0.0
        self._run_deadline = float("inf")

    # ------------------------------------------------------------------ lifecycle
    async def __aenter__(self) -> SpotifyClient:
        # +1 connection: a token refresh never waits for the pool.
        transport = self._transport or _ShardedPool(self.concurrency + 1, keepalive_expiry=20.0)
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

    # ------------------------------------------------------------------ public API
    async def get_playlist(self, playlist_id: str) -> Playlist:
        """One playlist, complete; raises a SpotifyError subclass naming the playlist."""
        deadline = min(self._now() + self.playlist_budget, self._run_deadline)
        try:
            return await self._get_playlist(playlist_id, deadline)
        except SpotifyError as exc:
            if exc.playlist is None and not isinstance(exc, AuthError):
                exc.playlist = playlist_id
            raise

    async def get_playlists(
        self,
        ids: Sequence[str],
        *,
        on_result: Callable[[str, Playlist | SpotifyError], None] | None = None,
    ) -> dict[str, Playlist | SpotifyError]:
        """Many playlists at once. A playlist's error is its result; AuthError ends the run."""
        results: dict[str, Playlist | SpotifyError] = {}
        queue = list(dict.fromkeys(ids))
        queue.reverse()

        async def worker() -> None:
            while queue:
                playlist_id = queue.pop()
                result: Playlist | SpotifyError
                try:
                    result = await self.get_playlist(playlist_id)
                except AuthError:
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
            first = _first_error(group_error)
            raise first from None
        return {playlist_id: results[playlist_id] for playlist_id in dict.fromkeys(ids)}

    # ------------------------------------------------------------------ playlists
    async def _get_playlist(self, playlist_id: str, deadline: float) -> Playlist:
        meta_url = f"{self.api_url}/playlists/{playlist_id}"
        meta_params = {"fields": PLAYLIST_FIELDS, **self._market()}
        # Metadata and the first page travel together: one round trip for small playlists.
        meta_task = asyncio.ensure_future(
            self._request("GET", meta_url, params=meta_params, deadline=deadline)
        )
        first_task = asyncio.ensure_future(self._page(playlist_id, "items", 0, deadline))
        try:
            meta = await meta_task
        except BaseException:
            first_task.cancel()
            await asyncio.gather(first_task, return_exceptions=True)
            raise
        endpoint = "items"
        try:
            first = await first_task
        except PlaylistUnavailable as exc:
            if exc.status != 404:
                raise
            # The metadata exists, so this is an older API generation: entries live at /tracks.
            log.debug("playlist %s: /items answered 404, trying /tracks", playlist_id)
            endpoint = "tracks"
            first = await self._page(playlist_id, endpoint, 0, deadline)
        if not isinstance(meta, dict):
            raise InvalidResponse(
                "Spotify sent invalid data: playlist should be an object", playlist=playlist_id
            )
        total, entries, following = first
        # A server may serve fewer than `limit` per page: step by what the first page held.
        step = min(PAGE_LIMIT, len(entries))
        offsets = range(step, total, step) if step else range(0)
        # One failed page fails the playlist: a TaskGroup stops its sibling requests too.
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [
                    group.create_task(self._page(playlist_id, endpoint, offset, deadline))
                    for offset in offsets
                ]
        except BaseExceptionGroup as group_error:
            raise _first_error(group_error) from None
        for task in tasks:
            _page_total, page_entries, page_next = task.result()
            entries.extend(page_entries)
            following = page_next
        # The playlist may have grown while we read it: follow `next` to the end.
        while following is not None and len(entries) < 100_000:
            _total, page_entries, following = await self._page(
                playlist_id, endpoint, following, deadline
            )
            if not page_entries:
                break
            entries.extend(page_entries)
        if len(entries) != total:
            log.debug(
                "playlist %s: total said %d entries, pages held %d (edited while read?)",
                playlist_id,
                total,
                len(entries),
            )
        playlist, parse_stats = parse_playlist_with_stats(meta, entries, playlist_id=playlist_id)
        if parse_stats.unavailable:
            self.stats.unavailable_items[playlist_id] = parse_stats.unavailable
            log.debug(
                "playlist %s: skipped %d unavailable entries", playlist_id, parse_stats.unavailable
            )
        return playlist

    async def _page(
        self, playlist_id: str, endpoint: str, offset: int, deadline: float
    ) -> tuple[int, list[Any], int | None]:
        """One page of entries → (total, entries, offset of the next page or None)."""
        url = f"{self.api_url}/playlists/{playlist_id}/{endpoint}"
        params = {
            "offset": str(offset),
            "limit": str(PAGE_LIMIT),
            "fields": ENTRY_FIELDS[endpoint],
            "additional_types": "track,episode",
            **self._market(),
        }
        data = await self._request("GET", url, params=params, deadline=deadline)
        where = f"{endpoint} page at offset {offset}"
        if not isinstance(data, dict):
            raise InvalidResponse(f"Spotify sent invalid data: {where} should be an object")
        total = data.get("total")
        items = data.get("items")
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise InvalidResponse(f"Spotify sent invalid data: {where}: total should be a count")
        if not isinstance(items, list):
            raise InvalidResponse(f"Spotify sent invalid data: {where}: items should be a list")
        return total, items, _next_offset(data.get("next"), where)

    def _market(self) -> dict[str, str]:
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
        # Renew a minute early so that no request leaves with a token about to expire.
        self._token_expires = self._now() + max(lifetime - 60.0, lifetime / 2)
        self._access_token = data["access_token"]
        self.stats.token_refreshes += 1
        rotated = data.get("refresh_token")
        if (
            isinstance(rotated, str)
            and rotated
            and self._auth.refresh_token
            and rotated != self._auth.refresh_token
        ):
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
                    f"rate limited by Spotify for {wait:.0f} s more, "
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
        http, semaphore = self._http, self._semaphore
        if http is None or semaphore is None:
            raise RuntimeError("use SpotifyClient as an async context manager")
        what = f"{method} {urlsplit(url).path}" + (
            f" offset {params['offset']}" if params and "offset" in params else ""
        )
        started = self._now()
        attempt = 0
        refreshed = False
        while True:
            attempt += 1
            request_headers = dict(headers or {})
            token = None
            if not token_request:
                token = await self._token(deadline)
                request_headers["Authorization"] = f"Bearer {token}"
            try:
                await self._wait_gate(deadline, what)
                async with semaphore:
                    await self._wait_gate(deadline, what)
                    self.stats.requests += 1
                    try:
                        response = await http.request(
                            method, url, params=params, data=form, headers=request_headers
                        )
                    except httpx.TimeoutException as exc:
                        raise _Retry(f"timed out ({type(exc).__name__})") from None
                    except httpx.TransportError as exc:
                        raise _Retry(f"connection error: {type(exc).__name__}: {exc}") from None
                return self._interpret(response, token_request=token_request, what=what)
            except _Retry as retry:
                reason = retry.reason
                backoff = retry.backoff
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
            self.stats.retries += 1
            delay = self._backoff(attempt) if backoff else 0.0
            now = self._now()
            if now + delay > deadline or self._gate_until > deadline:
                raise RetriesExhausted(
                    f"gave up after {attempt} attempts in {now - started:.1f} s ({what}): {reason}"
                )
            log.debug(
                "%s: retry %d in %.2f s: %s",
                what,
                attempt,
                delay + max(0.0, self._gate_until - now),
                reason,
            )
            if delay:
                await asyncio.sleep(delay)

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)

    def _interpret(self, response: httpx.Response, *, token_request: bool, what: str) -> Any:
        status = response.status_code
        if status == 429:
            self.stats.rate_limited += 1
            after = _retry_after(response.headers.get("Retry-After"))
            until = self._now() + after + random.uniform(0, self.rate_limit_jitter)
            self._gate_until = max(self._gate_until, until)
            raise _Retry(f"HTTP 429 rate limited, Retry-After {after:g} s", backoff=False)
        if status >= 500:
            raise _Retry(f"HTTP {status}")
        if 400 <= status < 500:
            body = _json_or_none(response)
            if token_request:
                if status in (400, 401):
                    raise token_error(status, body, _grant_of(response))
                raise AuthError(f"Spotify's token endpoint answered HTTP {status}")
            message = _api_message(body)
            if status == 401:
                raise _Unauthorized()
            if status == 403:
                raise Forbidden(f"Spotify refuses access (HTTP 403{message}); not retried")
            if status in (400, 404):
                hint = UNAVAILABLE_HINT if status == 404 else "the playlist is unavailable today"
                raise PlaylistUnavailable(
                    f"Spotify answers HTTP {status}{message}: {hint}", status=status
                )
            raise SpotifyError(f"Spotify answered HTTP {status}{message} ({what})")
        if status != 200:
            raise _Retry(f"unexpected HTTP {status}")
        if not response.content:
            raise _Retry("empty body")
        try:
            return response.json()
        except ValueError:
            kind = response.headers.get("Content-Type", "?").split(";")[0]
            raise _Retry(f"invalid JSON ({len(response.content)} bytes of {kind})") from None


class _ShardedPool(httpx.AsyncBaseTransport):
    """Small connection pools behind the one client, used as one pool.

    httpcore's pool re-examines every connection on each request event (and polls
    the socket of each idle one): O(connections) work per event, O(connections²)
    in places. Measured at 32 connections that is ~10 ms of CPU per request, more
    than the network's latency. Shards of at most 8 connections keep that flat.
    Each request goes to the shard with the most free connections, so keep-alive
    connections are reused and no shard queues while another has room.
    """

    SHARD_SIZE = 8

    def __init__(self, connections: int, *, keepalive_expiry: float) -> None:
        count = max(1, -(-connections // self.SHARD_SIZE))
        sizes = [connections // count + (i < connections % count) for i in range(count)]
        tls = httpx.create_ssl_context()  # loading CA certificates costs ~40 ms: do it once
        self._shards = [
            httpx.AsyncHTTPTransport(
                verify=tls,
                limits=httpx.Limits(
                    max_connections=size,
                    max_keepalive_connections=size,
                    keepalive_expiry=keepalive_expiry,
                ),
            )
            for size in sizes
        ]
        self._free = list(sizes)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        index = max(range(len(self._shards)), key=self._free.__getitem__)
        self._free[index] -= 1
        try:
            response = await self._shards[index].handle_async_request(request)
        except BaseException:
            self._free[index] += 1
            raise
        response.stream = _ReleasingStream(response.stream, self._free, index)
        return response

    async def aclose(self) -> None:
        for shard in self._shards:
            await shard.aclose()


class _ReleasingStream(httpx.AsyncByteStream):
    """A response body that gives its shard's connection back when closed."""

    def __init__(self, stream: Any, free: list[int], index: int) -> None:
        self._stream = stream
        self._free = free
        self._index = index
        self._released = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if not self._released:
                self._released = True
                self._free[self._index] += 1


class _Unauthorized(Exception):
    """Internal: the API answered 401."""


def _first_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    for error in group.exceptions:
        if isinstance(error, BaseExceptionGroup):
            return _first_error(error)
        return error
    return group


def _retry_after(value: str | None) -> float:
    try:
        seconds = float(value) if value is not None else 1.0
    except ValueError:
        seconds = 1.0
    return max(0.0, seconds)


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _api_message(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        message = body["error"].get("message")
        if isinstance(message, str) and message:
            return f" {message[:200]!r}"
    return ""


def _grant_of(response: httpx.Response) -> str:
    try:
        body = response.request.content.decode()
    except (RuntimeError, UnicodeDecodeError):
        return ""
    values = parse_qs(body).get("grant_type", [""])
    return values[-1]


def _next_offset(value: Any, where: str) -> int | None:
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
