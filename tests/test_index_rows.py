"""A version's stored track changes: written from the track objects, they are the text
the documents give (the warm reads decode that text)."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from gitarchive.history import Version
from gitarchive.history.delta import Tracker
from gitarchive.history.entries import entry_of_diff, moved_documents, track_changes
from gitarchive.index.rows import TrackIds, _stored, document_text
from gitarchive.index.stored import compact
from gitarchive.model import Album, Artist, Track
from gitarchive.timeline import track_document
from tests.support.models import model_playlist, model_track, plain_track
from tests.support.strategies import PROPERTY
from tests.support.strategies import tracks as any_track

ints = st.lists(st.integers(min_value=-(2**63), max_value=2**63 - 1), max_size=5)


@settings(max_examples=200, deadline=None)
@given(
    ints,
    ints,
    st.lists(st.tuples(st.integers(), st.integers()), max_size=3),
    st.lists(st.tuples(st.integers(), st.integers(), st.integers(), st.integers()), max_size=3),
)
def test_stored_changes_are_the_compact_json(
    added: list[int],
    removed: list[int],
    updated: list[tuple[int, int]],
    moved: list[tuple[int, int, int, int]],
) -> None:
    pairs = [list(pair) for pair in updated]
    moves = [list(move) for move in moved]
    assert _stored(added, removed, pairs, moves) == compact([added, removed, pairs, moves])


def tracks_table() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE tracks (id INTEGER PRIMARY KEY, hash INTEGER, doc TEXT)")
    return connection


def test_changes_from_track_objects_equal_those_from_the_entry() -> None:
    first = [model_track(n) for n in range(20)]
    second = [*first[2:], model_track(40), plain_track(model_track(41))]
    second[5] = model_track(7, name="Renamed")
    second.insert(1, second.pop(15))  # a move
    third = [*second[:3], plain_track(model_track(7)), *second[4:]]
    by_objects, by_documents = TrackIds(tracks_table()), TrackIds(tracks_table())
    tracker = Tracker()
    previous = None
    shown: set[str] = set()
    # last: equal copies of the tracks, as another reader gives (new objects, known documents)
    copies = [dataclasses.replace(t) for t in reversed(third)]
    for day, tracks in enumerate((first, second, third, third, copies), start=1):
        playlist = model_playlist(*tracks)
        version = Version(f"{day:040x}", datetime(2026, 1, day, tzinfo=UTC), playlist)
        _, diff, moved = track_changes(version, previous, tracker, "json")
        entry = entry_of_diff(version, previous, diff, moved_documents(moved))
        assert by_objects.track_changes(diff, moved) == by_documents.changes(entry)
        kinds = ("added", "removed", "updated", "moved")
        shown.update(kind for kind in kinds if getattr(entry, kind))
        previous = playlist
    assert shown == {"added", "removed", "updated", "moved"}
    assert by_objects.next == by_documents.next  # the same documents, the same ids


@PROPERTY
@given(any_track)
def test_a_track_documents_text_is_its_compact_json(track: Track) -> None:
    assert document_text(track) == compact(track_document(track))


def test_a_track_documents_text_writes_odd_values_as_compact_does() -> None:
    odd = [
        Track('"quoted" \\ back\nslash\t\x00\x1f', (), Album("", None)),
        Track("\u2028 🎵 שלום", (Artist(""), Artist("x\x7f", "u")), Album("\ud7ff")),
        Track("local", (Artist("A"),), Album("B"), "spotify:local:a:b:c:1", None),
        Track("episode", (), Album("B"), "https://open.spotify.com/episode/abc", 0),
        Track("not a Spotify url", (), Album("B"), "https://example.com/track/x", 10**12),
        Track("a bool", (), Album("B"), None, True),
        Track("a float", (), Album("B"), None, 1.5),  # type: ignore[arg-type]
    ]
    for track in odd:
        assert document_text(track) == compact(track_document(track))
