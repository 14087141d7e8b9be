"""Dates as git takes them (``--since``, ``--until``, ``--at``): absolute and relative."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, time, timedelta

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
            day = datetime.strptime(value, "%Y-%m-%d").date()
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
        last_day = calendar.monthrange(year, month + 1)[1]
        return now.replace(year=year, month=month + 1, day=min(now.day, last_day))
    except (OverflowError, ValueError):
        raise UsageError(f"{value!r} is before the year 1, where dates begin") from None
