"""A tracker's deltas give the diff and the moves of the whole lists (they only skip
shared track objects)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gitarchive.history import align_keys, diff_tracks
from gitarchive.history.delta import MovedTrack, Tracker, diff_of, moved_of
from gitarchive.history.moves import moves
from gitarchive.timeline import MIN_MOVE
from tests.support.models import model_track as track
from tests.support.models import plain_track as plain

if TYPE_CHECKING:
    from gitarchive.model import Track

# the same track as several objects: renamed (an update), read from a plain file
# (matched across the plain/JSON boundary), or an equal copy
POOL = [track(n) for n in range(12)]
POOL += [track(n, name=f"Renamed {n}") for n in range(4)]
POOL += [plain(track(n)) for n in range(2, 8)]
POOL += [track(n, added="2026-01-01") for n in range(3)]

versions = st.lists(st.sampled_from(range(len(POOL))), max_size=30)
unique_versions = st.lists(st.sampled_from(range(len(POOL))), max_size=30, unique=True)
# each key once (POOL's first tracks): the tracker's short path, moves among shared objects
distinct_versions = st.lists(st.sampled_from(range(12)), min_size=6, max_size=12, unique=True)


def moved_by_keys(before: tuple[Track, ...], after: tuple[Track, ...]) -> tuple[MovedTrack, ...]:
    """The moves as docs/history.md defines them: the whole lists' keys, matched in order."""
    before_keys = [t.key for t in before]
    first: dict[str, Track] = {}
    for key, t in zip(before_keys, before, strict=True):
        first.setdefault(key, t)
    after_keys = align_keys(first, after)
    return tuple(
        (after[index], old, new, distance)
        for index, old, new, distance in moves(before_keys, after_keys)
        if distance >= MIN_MOVE
    )


@settings(max_examples=400, deadline=None)
@given(
    steps=st.lists(
        st.none() | versions | unique_versions | distinct_versions, min_size=1, max_size=6
    ),
    share=st.booleans(),
    forget=st.booleans(),
)
def test_deltas_give_the_diff_and_moves_of_the_whole_lists(
    steps: list[list[int] | None], share: bool, forget: bool
) -> None:
    """None: the previous version's very tuple again (the reader's unchanged list);
    ``forget``: a new tracker at each step (a fold that did not see the previous list)."""
    tracker = Tracker()
    before: tuple[Track, ...] | None = None
    for step in steps:
        if step is None:
            after = before or ()
        else:  # consecutive versions share objects; or not (equal copies, another reader's)
            after = tuple(POOL[n] if share else dataclasses.replace(POOL[n]) for n in step)
        delta = (Tracker() if forget else tracker).step(before, after)
        diff = diff_of(delta)
        assert diff == diff_tracks(before, after)
        if before is not None:
            assert moved_of(delta, diff) == moved_by_keys(before, after)
        before = after


def test_many_shared_tracks_cost_only_what_changed() -> None:
    old = tuple(track(n) for n in range(100))
    moved = [*old[5:], track(500), track(501)]
    moved[10] = track(15, name="Renamed")
    moved.insert(3, moved.pop(60))  # a move among the shared objects
    new = tuple(moved)
    tracker = Tracker()
    tracker.step(None, old)
    delta = tracker.step(old, new)
    assert (delta.unique, len(delta.new), len(delta.gone)) == (True, 3, 6)
    diff = diff_of(delta)
    assert diff == diff_tracks(old, new)
    assert moved_of(delta, diff) == moved_by_keys(old, new) != ()


def test_a_repeated_key_is_diffed_from_the_whole_lists() -> None:
    old = (track(1), track(2), track(3))
    new = (track(1), track(2), track(2, added="2026-01-01"), track(4))
    tracker = Tracker()
    tracker.step(None, old)
    delta = tracker.step(old, new)
    assert not delta.unique
    assert diff_of(delta) == diff_tracks(old, new)
    assert tracker.step(new, old).unique is False  # the tracker knew `new` had a repeated key


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \t\r\x07\x08\x0b\x0c\x1b\n→é🎵|")))
def test_text_lines_are_what_the_console_prints_to_a_pipe(line: str) -> None:
    import io

    from rich.text import Text

    from gitarchive.cli.console import SafeConsole
    from gitarchive.cli.terminal import clean

    buffer = io.StringIO()
    SafeConsole(file=buffer, highlight=False, soft_wrap=True).print(Text(line, style="green"))
    assert clean(line) + "\n" == buffer.getvalue()


def test_json_writers_match_json_dumps() -> None:
    import json

    from gitarchive.history.documents import track_json

    doc: dict[str, Any] = {"id": None, "name": 'a "q" \\ \n é 🎵', "artists": [], "album": "",
                           "url": None, "duration_ms": 0}  # fmt: skip
    assert track_json(doc, "") == json.dumps(doc, ensure_ascii=False, indent=2)
    doc["artists"] = ["x", "y\u2028"]
    assert track_json(doc, "") == json.dumps(doc, ensure_ascii=False, indent=2)
