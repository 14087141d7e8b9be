"""Reading Spotify's answers: Retry-After, quota refusals, error bodies (pure functions)."""

from __future__ import annotations

import email.utils
import time
from typing import Any

import httpx

from gitarchive.errors import redact

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
            return redact(" ".join(message.split())[:200])
    return ""
