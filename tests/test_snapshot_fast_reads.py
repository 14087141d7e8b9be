"""The snapshot reader's shortcuts read what the full reader reads, or leave it the read.

A track object whose every field has its usual type is read without the full reader's
error bookkeeping, and a track list read against the previous version is cut at its
separators with one pattern: both must give exactly ``read_json``'s result on any input,
and never accept what it rejects.
"""

from __future__ import annotations

import gc
import json
import random
import weakref
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitarchive import formats
from gitarchive.errors import FormatError
from gitarchive.formats.snapshot import _Reader, read_json_track_data
from gitarchive.snapshot_delta import SnapshotDelta
from tests.support.models import PID

PATH = f"playlists/pretty/{PID}.json"
LINK = "https://open.spotify.com/track/0000000000000000000001"

# every value a field may hold in a hostile file: the usual ones and each wrong type
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.sampled_from(["", "x", LINK, "http://example.com/a", "2024-01-02 03:04:05"]),
    st.sampled_from(["1970-01-01T00:00:00Z", "2024-01-02T03:04:05+02:00", "not a date"]),
    st.sampled_from(["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"]),
    st.just([]),
    st.just({}),
)


def _named() -> st.SearchStrategy[Any]:
    fields = st.fixed_dictionaries({}, optional={"name": _VALUES, "url": _VALUES})
    return st.one_of(fields, _VALUES)


def _usual(number: int) -> dict[str, Any]:
    tid = f"{number:022d}"
    return {
        "added_at": None if number % 2 else "2024-01-02 03:04:05",
        "album": {"name": f"Album {number}", "url": f"https://open.spotify.com/album/{tid}"},
        "artists": [{"name": "A", "url": ""}],
        "duration_ms": 1000 + number,
        "name": f"Track {number}",
        "url": f"https://open.spotify.com/track/{tid}",
    }


_KEYS = ["name", "url", "album", "artists", "duration_ms", "added_at"]


@st.composite
def _tracks(draw: st.DrawFn) -> object:
    """Mostly a usual track with a few fields (or its album's, an artist's) changed to any
    value or left out; sometimes anything at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(
            st.one_of(_VALUES, st.fixed_dictionaries({}, optional=dict.fromkeys(_KEYS, _VALUES)))
        )
    track = _usual(draw(st.integers(0, 3)))
    for key in draw(st.lists(st.sampled_from(_KEYS), max_size=2)):
        track[key] = draw(_VALUES)
    for key in draw(st.lists(st.sampled_from(_KEYS), max_size=1)):
        del track[key]
    if isinstance(track.get("album"), dict) and draw(st.booleans()):
        track["album"] = draw(_named())
    if isinstance(track.get("artists"), list) and draw(st.booleans()):
        track["artists"] = draw(st.lists(_named(), max_size=3))
    return track


def _full_read(raw: object) -> object:
    """The full reader's track, or its error's message."""
    try:
        return _Reader(PATH).track(raw, "tracks[]")
    except (FormatError, OverflowError) as exc:
        return (type(exc), str(exc))


@settings(max_examples=1500, deadline=None)
@given(_tracks())
def test_a_track_object_reads_as_the_full_reader_reads_it(raw: object) -> None:
    try:
        read: object = read_json_track_data(raw, path=PATH)
    except (FormatError, OverflowError) as exc:
        read = (type(exc), str(exc))
    assert read == _full_read(raw)


_GAPS = ["", " ", "\n    ", "\r\n\t", " \n "]
_SEPARATORS = [",", ",", ",", ", ,", ",,", "", ";", ", ]", "]", " , "]


def _list_text(elements: list[str], pick: random.Random, odd: float) -> str:
    """A track list's text with random whitespace; with probability ``odd`` per place, a
    separator the grammar rejects (a doubled, missing or trailing comma, an early end)."""
    parts = ["[", pick.choice(_GAPS)]
    for index, element in enumerate(elements):
        if index:
            separator = pick.choice(_SEPARATORS) if pick.random() < odd else ","
            parts += [pick.choice(_GAPS), separator, pick.choice(_GAPS)]
        parts.append(element)
    if elements and pick.random() < odd:
        parts.append(pick.choice([",", ", ", ",,"]))
    parts += [pick.choice(_GAPS), "]"]
    return "".join(parts)


def test_a_list_cut_at_its_separators_reads_as_read_json_or_is_left_to_it() -> None:
    """Sequences of lists sharing most elements (so runs of the previous version's
    elements and new ones alternate), with every kind of separator, valid or not."""
    pick = random.Random(20261207)
    texts = [json.dumps(_usual(number), indent=pick.choice([None, 2])) for number in range(12)]
    for _ in range(60):
        delta = SnapshotDelta()
        chosen = pick.sample(range(12), 6)
        for _ in range(12):
            step = pick.random()
            if step < 0.3 and chosen:
                del chosen[pick.randrange(len(chosen))]
            elif step < 0.7:
                chosen.insert(pick.randrange(len(chosen) + 1), pick.randrange(12))
            odd = 0.0 if pick.random() < 0.5 else 0.3
            tracks = _list_text([texts[number] for number in chosen], pick, odd)
            text = f'{{"original_name": "n", "description": "", "tracks": {tracks}}}'
            read = delta.read(text.encode(), PID, PATH)
            try:
                expected = formats.read_json(text, PID, path=PATH)
            except FormatError:
                assert read is None
            else:
                assert read == expected
                assert odd or read is not None, "the fast path took this list"


def test_an_added_at_out_of_the_calendar_in_utc_is_a_format_error() -> None:
    """Year 1 at a positive offset is before year 1 in UTC: a bad date, not a crash."""
    text = (
        '{"original_name": "n", "description": "", "tracks": [{"name": "t", "artists": [],'
        ' "album": {"name": "a"}, "added_at": "0001-01-01T00:00:00+01:00"}]}'
    )
    with pytest.raises(FormatError, match="not a date and time"):
        formats.read_json(text, PID, path=PATH)
    assert SnapshotDelta().read(text.encode(), PID, PATH) is None


def test_a_snapshot_reader_let_go_is_freed_at_once_with_its_track_lists() -> None:
    """A fold replaces its reader every few playlists; a reader in a reference cycle would
    hold its track lists (up to ``KEPT_BYTES``) until a full collection."""
    reader = SnapshotDelta()
    data = json.dumps(
        {"id": PID, "name": "N", "description": "", "url": "", "tracks": []}, indent=2
    ).encode()
    reader.read(data, PID, PATH)
    gone = weakref.ref(reader)
    enabled = gc.isenabled()
    gc.disable()
    try:
        del reader
        assert gone() is None
    finally:
        if enabled:
            gc.enable()
