"""A host that cannot be reached: how long to keep trying, and the one message that says so.

A connection that cannot even be opened (the name does not resolve, the port
refuses, the connection is never answered) is not a slow server: retrying it
with a playlist's whole budget made an outage cost two minutes and one line per
playlist. So connection failures share one budget per host, counted from the
first failure since the host last answered; once it is spent the session stops
with one :class:`~gitarchive.errors.Unreachable` naming the host and the fix.
"""

from __future__ import annotations

import errno
import socket
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx

from gitarchive.errors import Unreachable, redact, redacted_excerpt

if TYPE_CHECKING:
    from collections.abc import Iterator

#: Seconds a host may stay unreachable before the run stops. With the 10 s connect
#: timeout of one last attempt, an unreachable host ends a run within about 25 s.
CONNECT_BUDGET = 15.0

_DNS_WORDS = (
    "name or service not known",
    "temporary failure in name resolution",
    "nodename nor servname",
    "no address associated",
    "getaddrinfo",
    "name resolution",
)


def host_of(url: str) -> str:
    """``host`` or ``host:port`` of ``url``, as a user would type it."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{host}:{parts.port}" if parts.port else host


def describe(exc: httpx.TransportError) -> str:
    """Why the connection failed, in words (the exception's own text only as a last resort)."""
    if isinstance(exc, httpx.ConnectTimeout):
        return "the connection was never answered (timed out)"
    causes = list(_chain(exc))
    if any(isinstance(cause, socket.gaierror) for cause in causes) or any(
        words in str(cause).lower() for cause in causes for words in _DNS_WORDS
    ):
        return "the host name does not resolve (DNS)"
    errnos = {cause.errno for cause in causes if isinstance(cause, OSError)}
    if errno.ECONNREFUSED in errnos or any("refused" in str(c).lower() for c in causes):
        return "the connection was refused"
    if errnos & {errno.ENETUNREACH, errno.EHOSTUNREACH}:
        return "the network is unreachable"
    shown = redacted_excerpt(str(exc), 120)
    return f"the connection failed ({type(exc).__name__}: {shown})" if shown else type(exc).__name__


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what caused it (httpx wraps the socket's error twice)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def unreachable(host: str, reason: str, budget: float) -> Unreachable:
    return Unreachable(
        f"cannot reach Spotify at {host}: {redact(reason)}, for {budget:g} s. The run stops "
        "here and archived files are untouched. Check this machine's network, DNS and proxy "
        "(HTTPS_PROXY); if GITARCHIVE_API_URL or GITARCHIVE_ACCOUNTS_URL is set, check it "
        "names the right host. The next run tries again",
        host=host,
    )


class ConnectWatch:
    """Per host: since when every connection failed, and why."""

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self._since: dict[str, float] = {}
        self._reason: dict[str, str] = {}

    def failed(self, url: str, exc: httpx.TransportError, sent_at: float) -> None:
        """A connection to ``url``'s host tried at ``sent_at`` failed: the budget runs from the
        first such attempt's start, so one slow last attempt is all it can overrun."""
        host = host_of(url)
        self._since.setdefault(host, sent_at)
        self._reason[host] = describe(exc)

    def answered(self, url: str) -> None:
        if self._since:  # the common case, every answer of a healthy run: no parsing
            self._since.pop(host_of(url), None)

    def outage(self, url: str) -> Unreachable | None:
        """The run-ending error if ``url``'s host has failed every connection since it last
        answered; None while it answers."""
        host = host_of(url)
        if host not in self._since:
            return None
        return unreachable(host, self._reason[host], self.budget)

    def remaining(self, url: str, now: float) -> float:
        """Seconds left to keep trying ``url``'s host."""
        since = self._since.get(host_of(url))
        return float("inf") if since is None else since + self.budget - now
