"""Dates as git takes them (``--since``, ``--until``, ``--at``): absolute and relative."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from gitarchive.errors import UsageError


def parse_moment(text: str, *, end_of_day: bool, now: datetime | None = None) -> datetime | None:
    """A date as git's ``--since`` takes it; None if it is none of these forms.

    ``YYYY-MM-DD``, an ISO 8601 time (UTC unless it says otherwise; a space may
    stand for the ``T``), ``now``, ``today``, ``yesterday``, and ``N <unit>[s] ago``
    (seconds to years; git's ``2.weeks.ago`` too). A bare date (and today,
    yesterday) means its first second (``end_of_day=False``) or its last one.
    """
    value = text.strip()
    relative = _relative_moment(value.lower(), now or datetime.now(UTC), end_of_day=end_of_day)
    if relative is not None:
        return relative
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        if len(value) == 10:
            day = _day(value)
            return datetime.combine(day, time.max if end_of_day else time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise UsageError(f"{text!r} is outside the years 1 to 9999 in UTC") from None


# what datetime.strptime(value, "%Y-%m-%d") accepts, its own expressions for the three
# fields: that function imports _strptime, calendar and locale (~2 ms of a read's start)
_DAY = re.compile(
    r"(?P<Y>\d\d\d\d)-(?P<m>1[0-2]|0[1-9]|[1-9])-(?P<d>3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])",
    re.IGNORECASE,
)


def _day(value: str) -> date:
    """``datetime.strptime(value, "%Y-%m-%d").date()``: ValueError for what it refuses."""
    found = _DAY.match(value)
    if found is None or found.end() != len(value):
        raise ValueError(f"{value!r} is not a date")
    return date(int(found["Y"]), int(found["m"]), int(found["d"]))


def _month_days(year: int, month: int) -> int:
    """``calendar.monthrange(year, month)[1]``, without importing calendar."""
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


_AGO = re.compile(r"(\d+)[ .]+(second|minute|hour|day|week|month|year)s?[ .]+ago")
_UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}


def _relative_moment(value: str, now: datetime, *, end_of_day: bool) -> datetime | None:
    now = now.astimezone(UTC)
    if value == "now":
        return now
    if value in ("today", "yesterday"):
        day = now.date() - timedelta(days=1 if value == "yesterday" else 0)
        return datetime.combine(day, time.max if end_of_day else time.min, tzinfo=UTC)
    match = _AGO.fullmatch(value)
    if match is None:
        return None
    try:
        count, unit = int(match.group(1)), match.group(2)
        if unit in _UNIT_SECONDS:
            return now - timedelta(seconds=count * _UNIT_SECONDS[unit])
        months = count * (12 if unit == "year" else 1)
        year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
        last_day = _month_days(year, month + 1)
        return now.replace(year=year, month=month + 1, day=min(now.day, last_day))
    except (OverflowError, ValueError):
        raise UsageError(f"{value!r} is before the year 1, where dates begin") from None
