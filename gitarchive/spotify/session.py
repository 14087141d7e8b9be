"""The session under every Spotify reader: tokens, requests, retries, the 429 gate, budgets.

Every request goes through :meth:`Session.request`, which owns the whole retry policy:

* 429 closes ONE shared gate for ``Retry-After`` seconds (+ jitter, + backoff so
  that a ``Retry-After: 0`` cannot start a storm): every request waits at it;
* 429 with ``"reason": "QUOTA_EXCEEDED"`` is a quota, not a rate limit: the
  whole run stops at once (:class:`QuotaExceeded`), nothing is retried;
* 5xx, timeouts, empty or invalid JSON: exponential backoff within the budgets;
* a host that cannot be reached (no DNS answer, connection refused, no answer to
  the connection) is retried for :data:`CONNECT_BUDGET` seconds at most, shared by
  every request: then the whole run stops at once (:class:`Unreachable`), naming
  the host and the fix, instead of each request spending its own budget;
* 401 from the API: the access token is refreshed once and the request retried;
* 400 → BadRequest, 403 → Forbidden, 404 → PlaylistUnavailable
  (:func:`.answers.client_error`); never retried;
* every wait counts against the unit of work's budget and the run's budget.

A refresh token that Spotify rotates is stored at once where the credentials say
(:mod:`.tokenfile`), so no command can use one up without keeping it. Error
messages are redacted; retries are logged at debug level.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import random
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

import httpx

from gitarchive import settings
from gitarchive.errors import (
    AuthError,
    GitArchiveError,
    QuotaExceeded,
    RetriesExhausted,
    SpotifyError,
    Unreachable,
    WriteOutcomeUnknown,
    redact,
    remember_secret,
)
from gitarchive.spotify.answers import (
    Retry,
    Unauthorized,
    json_or_none,
    quota_exceeded,
    read_answer,
    retry_after_seconds,
)
from gitarchive.spotify.auth import TOKEN_PATH
from gitarchive.spotify.outage import CONNECT_BUDGET, ConnectWatch
from gitarchive.spotify.tokenfile import TokenRotation, keep_rotated_token
from gitarchive.spotify.transport import ShardedPool

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine
    from types import TracebackType

    from gitarchive.spotify.auth import Auth

log = logging.getLogger("gitarchive.spotify")

# httpcore asks which async library runs by trying `import sniffio`, several times per
# request. Newer anyio no longer installs sniffio, and a failed import is not cached: each
# one searches sys.path again (measured: ~60% of the client's CPU time at 32 requests in
# flight). A None entry in sys.modules is Python's documented way to make that import fail
# at once; httpcore then assumes asyncio, which is what runs here.
if importlib.util.find_spec("sniffio") is None:
    sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]

QUOTA_MESSAGE = (
    "Spotify says this app's quota is used up (HTTP 429 QUOTA_EXCEEDED): the run stops "
    "here and nothing was retried; archived files are untouched. Try again after the quota "
    "resets, or ask Spotify for more in the developer dashboard"
)
#: Errors that end the whole run (raised), where any other error ends one unit of work.
RUN_ENDING = (AuthError, QuotaExceeded, Unreachable)
#: Methods that may be sent again after an answer was lost: the same request, the same state.
IDEMPOTENT = frozenset({"GET", "PUT", "DELETE", "HEAD"})


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


@dataclass(frozen=True, slots=True)
class _Call:
    """One request as the retry loop sends it again and again."""

    method: str
    url: str
    what: str  # "GET /v1/playlists/x offset 50": for messages and logs
    params: dict[str, str] | None = None
    form: dict[str, str] | None = None
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    token_request: bool = False


class Session:
    """Talk to the Spotify Web API. Use as ``async with Session(auth) as s`` (or a subclass)."""

    #: The scopes the token endpoint said it granted (None: it did not say).
    granted_scope: str | None = None

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
        connect_budget: float | None = None,
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
        self.connect_budget = CONNECT_BUDGET if connect_budget is None else connect_budget
        self.on_refresh_token_rotated = on_refresh_token_rotated
        #: The new refresh token if Spotify rotated it during this session.
        self.rotated_refresh_token: str | None = None
        #: Where the rotated token was stored, or why it could not be (see TokenRotation).
        self.token_rotation: TokenRotation | None = None
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
        self._connect = ConnectWatch(self.connect_budget)
        self._stopped: SpotifyError | None = None  # run-ending: every request ends with it

    @property
    def has_user(self) -> bool:
        """Whether the token belongs to a user (a refresh token), not to the app alone."""
        return self._auth.grant == "refresh_token"

    # ------------------------------------------------------------------ lifecycle
    async def __aenter__(self) -> Self:
        # +1 connection: a token refresh never waits for the pool.
        transport = self._transport or ShardedPool(self.concurrency + 1, keepalive_expiry=20.0)
        timeout = httpx.Timeout(self._timeout, connect=min(10.0, self._timeout), pool=None)
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._semaphore = asyncio.Semaphore(self.concurrency)
        self._token_lock = asyncio.Lock()
        self._run_deadline = self.now() + self.run_budget
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
        if isinstance(exc, GitArchiveError) and self.token_rotation is not None:
            # The command ends with this error and no report: the one line it prints must
            # still say where the rotated token went, or the next run finds it used up.
            exc.message = f"{exc.message}. Meanwhile: {self.token_rotation.notice()}"

    @staticmethod
    def now() -> float:
        """The event loop's clock, which every deadline of the session is on."""
        return asyncio.get_running_loop().time()

    @property
    def run_budget_spent(self) -> bool:
        return self.now() >= self._run_deadline

    def budget_deadline(self) -> float:
        """A deadline for one unit of work (a playlist, a probe)."""
        return min(self.now() + self.playlist_budget, self._run_deadline)

    def market_params(self) -> dict[str, str]:
        return {"market": self.market} if self.market else {}

    # ------------------------------------------------------------------ requests
    async def get_json(self, path: str, params: dict[str, str], *, deadline: float) -> Any:
        """``GET {api_url}{path}`` with the retry policy; the decoded JSON body."""
        return await self.request("GET", path, params=params, deadline=deadline)

    async def request(
        self,
        method: str,
        path: str,
        *,
        deadline: float | None = None,
        params: dict[str, str] | None = None,
        json: Any = None,
    ) -> Any:
        """``{method} {api_url}{path}`` with the user's token and the retry policy.

        Returns the decoded JSON body (None for an empty 2xx answer to anything
        but GET). A POST is sent again only when it certainly never reached
        Spotify (no connection, 429); ``deadline`` defaults to one unit's budget.
        """
        what = f"{method} {urlsplit(self.api_url + path).path}" + (
            f" offset {params['offset']}" if params and "offset" in params else ""
        )
        call = _Call(method, f"{self.api_url}{path}", what, params=params, json=json)
        return await self._send(call, self.budget_deadline() if deadline is None else deadline)

    async def check_token(self) -> None:
        """Get an access token now: AuthError if the credentials are refused."""
        await self._token(self.budget_deadline())

    # ------------------------------------------------------------------ tokens
    async def _token(self, deadline: float) -> str:
        if self._access_token is not None and self.now() < self._token_expires:
            return self._access_token
        assert self._token_lock is not None, "use the session as an async context manager"
        async with self._token_lock:
            if self._access_token is None or self.now() >= self._token_expires:
                await self._fetch_token(deadline)
            assert self._access_token is not None
            return self._access_token

    async def _fetch_token(self, deadline: float) -> None:
        form, headers = self._auth.token_request()
        url = f"{self.accounts_url}{TOKEN_PATH}"
        call = _Call(
            "POST", url, f"POST {TOKEN_PATH}", form=form, headers=headers, token_request=True
        )
        data = await self._send(call, deadline)
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
        self._token_expires = self.now() + max(lifetime - 60.0, lifetime / 2)
        self._access_token = data["access_token"]
        scope = data.get("scope")
        self.granted_scope = scope if isinstance(scope, str) else None
        remember_secret(self._access_token)
        self.stats.token_refreshes += 1
        self._keep_rotated(data.get("refresh_token"))
        log.debug("got an access token (grant %s)", self._auth.grant)

    def _keep_rotated(self, rotated: Any) -> None:
        """Store a refresh token Spotify rotated: the old one may stop working."""
        if not (
            isinstance(rotated, str)
            and rotated
            and self._auth.refresh_token
            and rotated != self._auth.refresh_token
        ):
            return
        remember_secret(rotated)
        self._auth = self._auth.with_refresh_token(rotated)
        self.rotated_refresh_token = rotated
        self.token_rotation = keep_rotated_token(rotated, self._auth.token_file)
        log.debug("Spotify rotated the refresh token")
        if self.on_refresh_token_rotated is not None:
            self.on_refresh_token_rotated(rotated)

    def _drop_token(self, used: str) -> None:
        if self._access_token == used:
            self._access_token = None

    # ------------------------------------------------------------------ the retry loop
    async def _send(self, call: _Call, deadline: float) -> Any:
        """Send ``call`` with the retry policy; return the decoded JSON body."""
        if self._http is None or self._semaphore is None:
            raise RuntimeError("use the session as an async context manager")
        started = self.now()
        attempt = 0
        refreshed = False
        while True:
            if self._stopped is not None:
                raise self._stopped
            attempt += 1
            headers = dict(call.headers)
            token = None
            if not call.token_request:
                token = await self._token(deadline)
                headers["Authorization"] = f"Bearer {token}"
            try:
                response = await self._send_once(call, headers, deadline)
                return self._interpret(call, response)
            except Retry as retry:
                if retry.sent and call.method not in IDEMPOTENT and not call.token_request:
                    message = f"{redact(retry.reason)} ({call.what}); not sent again"
                    raise WriteOutcomeUnknown(message) from None
                reason = redact(retry.reason)
            except Unauthorized:
                if call.token_request or refreshed:
                    raise AuthError(
                        "Spotify rejected a freshly issued access token (HTTP 401): "
                        "check the app's credentials"
                    ) from None
                refreshed = True
                assert token is not None
                self._drop_token(token)
                log.debug("%s: HTTP 401, refreshing the access token and retrying", call.what)
                continue
            await asyncio.sleep(self._retry_delay(attempt, started, deadline, call, reason))

    async def _send_once(
        self, call: _Call, headers: dict[str, str], deadline: float
    ) -> httpx.Response:
        """One request, through the rate-limit gate and the concurrency bound."""
        http, semaphore = self._http, self._semaphore
        assert http is not None and semaphore is not None
        await self._wait_gate(deadline, call.what)
        async with semaphore:
            await self._wait_gate(deadline, call.what)
            if self._stopped is not None:
                raise self._stopped
            self.stats.requests += 1
            sent_at = self.now()
            try:
                response = await http.request(
                    call.method,
                    call.url,
                    params=call.params,
                    data=call.form,
                    json=call.json,
                    headers=headers,
                )
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                self._connect.failed(call.url, exc, sent_at)
                raise Retry(f"connection error: {type(exc).__name__}: {exc}", sent=False) from None
            except httpx.TimeoutException as exc:
                raise Retry(f"timed out ({type(exc).__name__})") from None
            except httpx.TransportError as exc:
                raise Retry(f"connection error: {type(exc).__name__}: {exc}") from None
            self._connect.answered(call.url)
            return response

    async def _wait_gate(self, deadline: float, what: str) -> None:
        while True:
            wait = self._gate_until - self.now()
            if wait <= 0:
                return
            if self.now() + wait > deadline:
                log.debug("%s: the 429 gate stays closed past the budget", what)
                raise RetriesExhausted(
                    "rate limited by Spotify (HTTP 429) beyond the time budget; "
                    "files kept, the next sync tries again"
                )
            await asyncio.sleep(wait)

    def _retry_delay(
        self, attempt: int, started: float, deadline: float, call: _Call, reason: str
    ) -> float:
        """The pause before the next attempt; RetriesExhausted when it would pass ``deadline``.

        The message names what failed, never how often or for how long: a failure that
        repeats must read the same (playlists/status.json keeps it).
        """
        self.stats.retries += 1
        now = self.now()
        delay = self._backoff(attempt)
        outage = self._connect.outage(call.url)
        if outage is not None:
            remaining = self._connect.remaining(call.url, now)
            if remaining <= 0:
                self._stopped = outage
                raise outage
            delay = min(delay, remaining)
        if self._gate_until > deadline:
            raise RetriesExhausted(
                "rate limited by Spotify (HTTP 429) for longer than the time budget; "
                "files kept, the next sync tries again"
            )
        if now + delay > deadline:
            log.debug("%s: gave up after %d attempts in %.1f s", call.what, attempt, now - started)
            raise RetriesExhausted(
                f"Spotify gave no usable answer within the time budget ({reason}); "
                "files kept, the next sync tries again"
            )
        wait = delay + max(0.0, self._gate_until - now)
        log.debug("%s: retry %d in %.2f s: %s", call.what, attempt, wait, reason)
        return delay

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)

    # ------------------------------------------------------------------ answers
    def _interpret(self, call: _Call, response: httpx.Response) -> Any:
        if response.status_code == 429:
            self._rate_limited(response)
        return read_answer(
            response,
            method=call.method,
            what=call.what,
            params=call.params,
            token_request=call.token_request,
            has_user=self.has_user,
        )

    def _rate_limited(self, response: httpx.Response) -> None:
        body = json_or_none(response)
        if quota_exceeded(body):
            self._stopped = QuotaExceeded(QUOTA_MESSAGE)
            raise self._stopped
        self.stats.rate_limited += 1
        after = retry_after_seconds(response.headers.get("Retry-After"))
        until = self.now() + after + random.uniform(0, self.rate_limit_jitter)
        self._gate_until = max(self._gate_until, until)
        log.debug(
            "HTTP 429: every request waits %.1f s (Retry-After %g s)", until - self.now(), after
        )
        raise Retry("HTTP 429 rate limited", sent=False)


async def run_workers(worker: Callable[[], Coroutine[Any, Any, None]], count: int) -> None:
    """``count`` copies of ``worker`` at once: a bounded pool over a shared queue.

    The first error any of them raises is raised as itself, not as a group.
    """
    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(count):
                group.create_task(worker())
    except BaseExceptionGroup as group_error:
        raise first_error(group_error) from None


def first_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The first leaf of an exception group (the error a caller should see)."""
    for error in group.exceptions:
        if isinstance(error, BaseExceptionGroup):
            return first_error(error)
        return error
    return group


__all__ = ["IDEMPOTENT", "RUN_ENDING", "ClientStats", "Session", "first_error"]
