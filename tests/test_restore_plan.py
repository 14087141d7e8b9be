"""The restore's write plan and difference, as pure functions (any current state, any version)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from gitarchive.model import Album, Artist, Track
from gitarchive.restore import diff_items, wanted_items, write_plan
from gitarchive.restore.plan import Write, matches

URIS = st.sampled_from([f"spotify:track:{c * 22}" for c in "abcdefg"])


def apply(current: list[str | None], plan: list[Write]) -> list[str | None]:
    """What Spotify does with the writes: a replace sets, an add inserts at its position."""
    result = list(current)
    for write in plan:
        assert len(write.uris) <= 100
        if write.kind == "replace":
            result = list(write.uris)
        else:
            result[write.position : write.position] = write.uris
    return result


@given(st.lists(URIS | st.none(), max_size=250), st.lists(URIS, max_size=450))
def test_the_plan_makes_any_playlist_hold_the_version_within_ceil_n_over_100(
    current: list[str | None], wanted: list[str]
) -> None:
    plan = write_plan(current, wanted)
    assert matches(apply(current, plan), wanted)
    assert len(plan) <= max(1, math.ceil(len(wanted) / 100))


@given(st.lists(URIS, max_size=450), st.integers(min_value=0, max_value=5))
def test_a_run_cut_short_is_finished_by_appending_only_what_is_missing(
    wanted: list[str], chunks_done: int
) -> None:
    done = wanted[: chunks_done * 100]
    plan = write_plan(done, wanted)
    assert all(write.kind == "add" for write in plan)
    assert sum(len(write.uris) for write in plan) == len(wanted) - len(done)


def test_a_playlist_that_holds_the_version_needs_no_write() -> None:
    uris = ["spotify:track:" + "a" * 22, "spotify:track:" + "a" * 22]
    assert write_plan(uris, uris) == []
    assert write_plan([uris[0], None], uris) == []  # an unavailable entry in its place


def test_a_prefix_with_an_unavailable_entry_is_replaced_not_appended_to() -> None:
    a, b = ("spotify:track:" + x * 22 for x in "ab")
    assert write_plan([None], [a, b]) == [Write("replace", (a, b), 0)]
    assert write_plan([a], [a, b]) == [Write("add", (b,), 1)]


def test_the_difference_counts_duplicates_and_moves() -> None:
    a, b, c, d = ("spotify:track:" + x * 22 for x in "abcd")
    current = [(c, "C"), (d, "D"), (a, "A")]
    wanted = [(a, "A"), (b, "B"), (c, "C"), (b, "B")]
    diff = diff_items(current, wanted)
    assert sorted(diff.added) == ["B", "B"] and diff.removed == ("D",)
    assert sorted(diff.moved) == ["A", "C"]


def test_local_files_and_tracks_without_an_id_are_set_apart_with_a_reason() -> None:
    album = Album("Album")
    tracks = [
        Track("Linked", (Artist("X"),), album, url="https://open.spotify.com/track/" + "a" * 22),
        Track("Demo", (Artist("X"),), album, url=None, duration_ms=1000),
        Track("From a plain file", (Artist("X"),), album),
        Track("Talk", (Artist("Y"),), album, url="https://open.spotify.com/episode/" + "b" * 22),
    ]
    wanted = wanted_items(tracks)
    assert wanted.uris == ("spotify:track:" + "a" * 22, "spotify:episode:" + "b" * 22)
    assert [(s.position, s.name) for s in wanted.skipped] == [
        (2, "Demo – X"),
        (3, "From a plain file – X"),
    ]
    assert "local file" in wanted.skipped[0].reason
    assert "no Spotify id" in wanted.skipped[1].reason
