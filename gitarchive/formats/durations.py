"""Lengths, totals and like counts as the pages show them, and back."""

from __future__ import annotations

import re
from collections.abc import Iterable

_SECOND = 1000
_MINUTE = 60 * _SECOND
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR

_DURATION_RE = re.compile(r"^(?:(\d+):([0-5]\d)|(\d+)):([0-5]\d)$")
# spotify-playlist-archive's early writer stripped every leading "0" and ":" of
# "0:00:49", so a track under a minute shows as bare seconds ("49", "5").
_BARE_SECONDS_RE = re.compile(r"^[1-5]?\d$")
_LIKES_RE = re.compile(r"^(?:(\?\?\?) likes|(\d{1,3}(?:,\d{3})*) likes?)$")
_SONGS_RE = re.compile(r"^(\d{1,3}(?:,\d{3})*) songs?$")


def format_duration(ms: int) -> str:
    """A track's length: ``m:ss`` (``h:mm:ss`` from one hour on), seconds floored."""
    seconds = max(ms, 0) // _SECOND
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"


def parse_duration(text: str) -> int | None:
    """Milliseconds (whole seconds) of an ``m:ss`` / ``h:mm:ss`` length; None if malformed.

    Bare seconds under a minute (``49``), as early pages wrote them, read as ``0:49``.
    """
    match = _DURATION_RE.match(text)
    if match is None:
        return int(text) * _SECOND if _BARE_SECONDS_RE.fullmatch(text) else None
    hours_text, minutes_h, minutes_only, seconds_text = match.groups()
    if hours_text is not None:
        total = int(hours_text) * 3600 + int(minutes_h) * 60
    else:
        total = int(minutes_only) * 60
    return (total + int(seconds_text)) * _SECOND


def shown_total_ms(durations: Iterable[int | None]) -> int:
    """The total a page shows: the sum of the lengths it shows (whole seconds each).

    Summing the floored lengths (not the exact milliseconds) keeps a page
    self-consistent, and makes a page rendered from what was read back from a
    page identical to it: the cumulative view that sync folds from its
    committed file and the one rebuilt from JSON snapshots agree.
    """
    return sum(ms // _SECOND * _SECOND for ms in durations if ms is not None and ms > 0)


def format_duration_english(ms: int) -> str:
    """A total: "12 sec", "4 min 5 sec", "3 hr 13 min", "1 day 2 hr 3 min" (floored)."""
    ms = max(ms, 0)
    days, ms = divmod(ms, _DAY)
    hours, ms = divmod(ms, _HOUR)
    minutes, ms = divmod(ms, _MINUTE)
    seconds = ms // _SECOND
    if not (days or hours or minutes):
        return f"{seconds} sec"
    if not (days or hours):
        return f"{minutes} min {seconds} sec"
    if not days:
        return f"{hours} hr {minutes} min"
    return f"{days:,} {'day' if days == 1 else 'days'} {hours} hr {minutes} min"


_TOTAL_PART_RE = re.compile(r"(\d{1,3}(?:,\d{3})*|\d+) (day|hr|min|sec)s?")
_UNIT_MS = {"day": _DAY, "hr": _HOUR, "min": _MINUTE, "sec": _SECOND}


def parse_duration_english(text: str) -> tuple[int, int] | None:
    """The range of milliseconds a total such as "3 hr 13 min" may stand for; None if malformed.

    A total is floored to its smallest unit, and older pages rounded it: the
    range allows one unit either way.
    """
    parts = _TOTAL_PART_RE.findall(text)
    if not parts or _TOTAL_PART_RE.sub("", text).strip():
        return None
    total = sum(int(number.replace(",", "")) * _UNIT_MS[unit] for number, unit in parts)
    granularity = min(_UNIT_MS[unit] for _, unit in parts)
    return total - granularity, total + granularity


def format_likes(count: int | None) -> str:
    """ "321,893 likes", "1 like", "??? likes" when unknown."""
    if count is None:
        return "??? likes"
    return f"{count:,} like" if count == 1 else f"{count:,} likes"


def parse_likes(text: str) -> tuple[bool, int | None]:
    """``(ok, count)`` for a likes phrase; count is None for "??? likes"."""
    match = _LIKES_RE.match(text)
    if match is None:
        return False, None
    if match.group(1):
        return True, None
    return True, int(match.group(2).replace(",", ""))


def format_songs(count: int) -> str:
    return f"{count:,} song" if count == 1 else f"{count:,} songs"


def parse_songs(text: str) -> int | None:
    match = _SONGS_RE.match(text)
    return int(match.group(1).replace(",", "")) if match else None
