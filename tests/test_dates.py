"""Dates as ``--since``, ``--until`` and ``--at`` take them, read without datetime.strptime
or calendar (whose imports a read's start would pay): the same answers as theirs."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time

from hypothesis import given
from hypothesis import strategies as st

from gitarchive.dates import parse_moment

# what a ten-character date may be made of, Unicode digits (which strptime reads) among them
DATE_CHARACTERS = "0123456789- \u0663\u0661\u00b2xZ"


def _strptime_day(text: str, *, end_of_day: bool) -> datetime | None:
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        return None
    return datetime.combine(day, time.max if end_of_day else time.min, tzinfo=UTC)


@given(
    st.one_of(
        st.text(alphabet=DATE_CHARACTERS, min_size=10, max_size=10),
        st.dates().map(lambda day: day.isoformat()),
        st.dates().map(lambda day: f"{day.year:04}-{day.month:02}-{day.day:2}"),
    ),
    st.booleans(),
)
def test_a_ten_character_date_is_read_as_strptime_reads_it(text: str, end_of_day: bool) -> None:
    if len(text.strip()) != 10 or text.strip().endswith(("Z", "z")):
        return  # not the bare-date form: fromisoformat reads it
    assert parse_moment(text, end_of_day=end_of_day) == _strptime_day(text, end_of_day=end_of_day)


@given(st.integers(0, 12 * 30), st.dates(), st.sampled_from(["month", "year"]))
def test_months_ago_end_on_the_last_day_a_shorter_month_has(
    count: int, day: date, unit: str
) -> None:
    now = datetime.combine(day, time(12, 0), tzinfo=UTC)
    months = count * (12 if unit == "year" else 1)
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    if year < 1:
        return  # before the year 1: a usage error (tests/test_environment_errors.py)
    last_day = calendar.monthrange(year, month + 1)[1]
    expected = now.replace(year=year, month=month + 1, day=min(now.day, last_day))
    assert parse_moment(f"{count} {unit}s ago", end_of_day=False, now=now) == expected


def test_the_bare_date_forms_strptime_takes() -> None:
    assert parse_moment("2020-09-13", end_of_day=False) == datetime(2020, 9, 13, tzinfo=UTC)
    assert parse_moment("2020-09- 3", end_of_day=False) == datetime(2020, 9, 3, tzinfo=UTC)
    last = datetime.combine(datetime(2020, 2, 29), time.max, tzinfo=UTC)
    assert parse_moment("2020-02-29", end_of_day=True) == last
    assert parse_moment("2021-02-29", end_of_day=True) is None
    assert parse_moment("2020-13-01", end_of_day=True) is None
    assert parse_moment("2020-02-30", end_of_day=True) is None
