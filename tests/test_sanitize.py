"""The one rule set for names, descriptions, durations and counts (gitarchive.formats.sanitize).

The property: whatever API JSON the client's parser accepts, however hostile
its texts and numbers, renders through every writer, reads back with every
reader, and passes the validator.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitarchive.errors import InvalidResponse
from gitarchive.formats import sanitize
from gitarchive.spotify.parse import parse_playlist_with_stats
from tests.support.api import api_playlist, fake_id
from tests.support.archive_roundtrip import check_round_trip

PID = fake_id("sanitize")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("two\nlines", "two lines"),
        ("crlf\r\nend", "crlf  end"),
        ("tab\there", "tab here"),
        ("nul\x00esc\x1bdel\x7fnel\x85", "nul esc del nel "),
        ("line\u2028para\u2029", "line para "),
        ("emoji 🎵 and RTL שלום", "emoji 🎵 and RTL שלום"),
    ],
)
def test_clean_name(text: str, expected: str) -> None:
    assert sanitize.clean_name(text) == expected
    assert sanitize.name_problem(sanitize.clean_name(text)) is None
    assert (sanitize.name_problem(text) is None) == (text == expected)


def test_playlist_name_falls_back_when_blank() -> None:
    assert sanitize.clean_playlist_name("", "Previous") == "Previous"
    assert sanitize.clean_playlist_name(" \n\t", PID) == PID
    assert sanitize.clean_playlist_name("Fine", PID) == "Fine"
    assert sanitize.playlist_name_problem(" ") == "is blank"
    with pytest.raises(ValueError):
        sanitize.clean_playlist_name("", " ")


def test_description_keeps_line_breaks_only() -> None:
    assert sanitize.clean_description("a\r\nb\rc\nd\te\x00") == "a\nb\nc\nd e "
    assert sanitize.description_problem("a\nb") is None
    assert sanitize.description_problem("a\tb") is not None


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 0), (-5000, 0), (0, 0), (215_000, 215_000), (10**15, sanitize.MAX_DURATION_MS)],
)
def test_clean_duration(value: int | None, expected: int) -> None:
    assert sanitize.clean_duration(value) == expected
    assert sanitize.duration_problem(expected) is None


@pytest.mark.parametrize("value", [None, -1, 10**15, 3.5, "3:20", True])
def test_duration_problem(value: object) -> None:
    assert sanitize.duration_problem(value) is not None


@pytest.mark.parametrize(("value", "expected"), [(-1, None), (None, None), (0, 0), (12, 12)])
def test_clean_count(value: int | None, expected: int | None) -> None:
    assert sanitize.clean_count(value) == expected


def test_previous_name_hook() -> None:
    data = api_playlist(PID, 2, name="\n")
    meta = {k: v for k, v in data.items() if k != "items"}
    playlist, stats = parse_playlist_with_stats(
        meta, data["items"]["items"], playlist_id=PID, name_fallback="Last week's name"
    )
    assert playlist.original_name == "Last week's name" and stats.blank_name
    playlist, _ = parse_playlist_with_stats(meta, data["items"]["items"], playlist_id=PID)
    assert playlist.original_name == PID


def test_empty_metadata_is_refused() -> None:
    with pytest.raises(InvalidResponse, match=r"playlist\.id"):
        parse_playlist_with_stats({}, [], playlist_id=PID)


# ------------------------------------------------------------------ the property

HOSTILE_CHARS = st.characters(codec="utf-8", categories=None, exclude_characters="\ud800")
hostile_text = st.one_of(
    st.text(HOSTILE_CHARS, max_size=40),
    st.sampled_from(
        ["", " ", "\n", "a | b", "[x](y)", "\\", "-- x --", "# h", "1. x", "<br/>", "Feat. X"]
    ),
    st.text(st.sampled_from("\n\r\t\x00\x1b\x7f\x85\u2028 |[]()\\-*_`~#.!<>"), max_size=12),
)
hostile_duration = st.one_of(
    st.none(), st.integers(min_value=-(10**18), max_value=10**18), st.integers(0, 600_000)
)


@st.composite
def api_playlists(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    count = draw(st.integers(0, 6))
    data = api_playlist(PID, count, name=draw(hostile_text), description=draw(hostile_text))
    data["owner"]["display_name"] = draw(hostile_text)
    data["followers"]["total"] = draw(st.one_of(st.integers(-5, 10**9), st.none()))
    entries = data.pop("items")["items"]
    for entry in entries:
        item = entry["item"]
        item["name"] = draw(hostile_text)
        item["duration_ms"] = draw(hostile_duration)
        item["album"]["name"] = draw(hostile_text)
        item["artists"] = [
            {"name": draw(hostile_text), "id": fake_id("a", i)}
            for i in range(draw(st.integers(0, 3)))
        ]
    if entries and draw(st.booleans()):
        entries.append(entries[0])  # a duplicate, as playlists may hold
    return data, entries


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(api_playlists())
def test_whatever_the_client_accepts_renders_reads_back_and_validates(
    answer: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    meta, entries = answer
    playlist, _stats = parse_playlist_with_stats(meta, entries, playlist_id=PID)
    check_round_trip(playlist)
