"""Reading Spotify's answers: Retry-After, quota refusals, error bodies, the error they mean.

Pure functions, under the session (:mod:`.session`) that sends the requests.
"""

from __future__ import annotations

import email.utils
import time
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx

from gitarchive.errors import (
    AuthError,
    BadRequest,
    Forbidden,
    PlaylistUnavailable,
    SpotifyError,
    redact,
    redacted_excerpt,
)
from gitarchive.spotify import access
from gitarchive.spotify.auth import token_error


class Retry(Exception):
    """This attempt failed in a way worth retrying (the session decides whether it may)."""

    def __init__(self, reason: str, *, sent: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.sent = sent  # False: the request certainly never reached Spotify


class Unauthorized(Exception):
    """The API answered 401: the access token needs renewing."""


#: Retry-After values beyond this are not waited for at all (the budget decides anyway).
MAX_RETRY_AFTER = 24 * 3600.0


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float:
    """``Retry-After`` as seconds: a number, or an HTTP date; garbage or absent → 1 s.

    Negative values mean 0; values past a day are capped (the budget refuses them).
    """
    if value is None:
        return 1.0
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return 1.0
        if when is None:
            return 1.0
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return 1.0
    return min(max(0.0, seconds), MAX_RETRY_AFTER)


def quota_exceeded(body: Any) -> bool:
    if not isinstance(body, dict):
        return False
    error = body.get("error")
    reasons = [body.get("reason")]
    if isinstance(error, dict):
        reasons.append(error.get("reason"))
    return "QUOTA_EXCEEDED" in reasons


def json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def api_message(body: Any) -> str:
    """Spotify's error message, short, one line, redacted (servers echo tokens)."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        message = body["error"].get("message")
        if isinstance(message, str) and message:
            return redacted_excerpt(message, 200)
    return ""


def client_error(
    status: int, body: Any, what: str, params: dict[str, str] | None, *, has_user: bool
) -> SpotifyError:
    """The error a 4xx answer (not 401, not 429) to ``what`` means; none is worth retrying."""
    text = api_message(body)
    said = f" {text!r}" if text else ""
    if status == 400:
        return _bad_request(said, what, params)
    if status == 403:
        cause = access.classify_403(text, has_user=has_user)
        return Forbidden(access.cause_message(cause, repr(text) if text else ""), cause=cause)
    if status == 404:
        playlist_id = _playlist_of(what)
        cause = access.classify_404(playlist_id) if playlist_id else access.NOT_FOUND
        message = access.cause_message(cause, repr(text) if text else "")
        return PlaylistUnavailable(message, status=404, cause=cause)
    return SpotifyError(f"Spotify answered HTTP {status}{said} ({what})")


def _bad_request(said: str, what: str, params: dict[str, str] | None) -> BadRequest:
    method, _, rest = what.partition(" ")
    path = rest.split(" offset ")[0]
    request = f"{method} {path}" + (f"?{urlencode(params)}" if params else "")
    shown = {k: _short(redact(v), 40) for k, v in (params or {}).items()}
    return BadRequest(
        f"Spotify rejected gitarchive's request as malformed (HTTP 400{said}): "
        f"{method} {path}" + (f"?{urlencode(shown)}" if shown else "") + ". This is "
        "a bug in gitarchive, not a problem with the playlist: please report it",
        request=request,
    )


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _playlist_of(what: str) -> str | None:
    parts = what.split(" ")[1].split("/") if " " in what else []
    if "playlists" in parts:
        index = parts.index("playlists") + 1
        if index < len(parts):
            return parts[index]
    return None


def read_answer(
    response: httpx.Response,
    *,
    method: str,
    what: str,
    params: dict[str, str] | None,
    token_request: bool,
    has_user: bool,
) -> Any:
    """The decoded body of an answer; :class:`Retry`, :class:`Unauthorized` or the domain error.

    429 is the session's (it closes the shared gate) and never reaches here.
    """
    status = response.status_code
    if status >= 500:
        raise Retry(f"HTTP {status}")
    if 400 <= status < 500:
        body = json_or_none(response)
        if token_request:
            if status in (400, 401):
                raise token_error(status, body, _grant_of(response))
            raise AuthError(f"Spotify's token endpoint answered HTTP {status}")
        if status == 401:
            raise Unauthorized()
        raise client_error(status, body, what, params, has_user=has_user)
    if status != 200 and (method == "GET" or not 200 <= status < 300):
        raise Retry(f"unexpected HTTP {status}")
    if not response.content:
        if method == "GET" or token_request:
            raise Retry("empty body")
        return None
    try:
        return response.json()
    except ValueError:
        kind = redacted_excerpt(response.headers.get("Content-Type", "?").split(";")[0], 40)
        raise Retry(f"invalid JSON ({len(response.content)} bytes of {kind})") from None


def _grant_of(response: httpx.Response) -> str:
    try:
        body = response.request.content.decode()
    except (RuntimeError, UnicodeDecodeError):
        return ""
    values = parse_qs(body).get("grant_type", [""])
    return values[-1]
