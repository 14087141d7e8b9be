"""Pure history logic over model objects: diffs, timelines, the cumulative fold."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from gitarchive.history import (
    CumulativeFold,
    Version,
    align_keys,
    diff_tracks,
    fold_cumulative,
    update_cumulative,
)
from gitarchive.history import moves as moves_module
from gitarchive.history.delta import Tracker
from gitarchive.history.documents import history_json
from gitarchive.history.entries import entries
from gitarchive.history.moves import moves
from gitarchive.model import Playlist, Track
from gitarchive.timeline import select, track_document
from tests.support.models import PID, model_playlist, model_track, plain_track
from tests.support.timeline_oracle import history_document, timeline


def version(day: int, p: Playlist, hour: int = 6) -> Version:
    return Version(commit=f"{day:040x}", date=datetime(2026, 1, day, hour, tzinfo=UTC), playlist=p)


def test_first_version_lists_every_track_as_added() -> None:
    diff = diff_tracks(None, (model_track(1), model_track(2), model_track(1)))
    assert diff.added == (model_track(1), model_track(2), model_track(1))
    assert not diff.removed and not diff.updated


def test_removals_additions_and_updates() -> None:
    before = (model_track(1), model_track(2), model_track(3))
    renamed = model_track(3, name="Song 3 (Remastered)", album="Deluxe")
    after = (model_track(1), renamed, model_track(4))
    diff = diff_tracks(before, after)
    assert diff.added == (model_track(4),)
    assert diff.removed == (model_track(2),)
    assert [(u.before, u.after) for u in diff.updated] == [(model_track(3), renamed)]


def test_duplicates_count_as_a_multiset() -> None:
    diff = diff_tracks((model_track(1),), (model_track(1), model_track(2), model_track(1)))
    assert diff.added == (model_track(2), model_track(1))
    assert diff.removed == ()
    back = diff_tracks((model_track(1), model_track(1)), (model_track(1),))
    assert back.removed == (model_track(1),) and back.added == ()


def test_added_at_change_alone_is_not_an_update() -> None:
    diff = diff_tracks((model_track(1, added="2025-01-01"),), (model_track(1, added="2025-02-01"),))
    assert not diff


def test_plain_to_json_transition_matches_tracks_by_line() -> None:
    json_tracks = (model_track(1), model_track(2), model_track(3))
    plain_tracks = tuple(plain_track(t) for t in (model_track(1), model_track(2), model_track(9)))
    diff = diff_tracks(plain_tracks, json_tracks)
    assert diff.added == (model_track(3),)
    assert diff.removed == (plain_track(model_track(9)),)
    assert diff.updated == ()
    # and the other way round (JSON, then a version read from a plain file)
    back = diff_tracks(json_tracks, plain_tracks)
    assert back.added == (plain_track(model_track(9)),) and back.removed == (model_track(3),)


def test_align_keys_claims_each_old_entry_once() -> None:
    old = {plain_track(model_track(1)).key: plain_track(model_track(1))}
    same_line = Track(name="Song 1", artists=model_track(1).artists, album=model_track(1).album,
                      url="https://open.spotify.com/track/" + "Z" * 22)  # fmt: skip
    keys = align_keys(old, [model_track(1), same_line])
    assert keys == [plain_track(model_track(1)).key, same_line.key]


def test_two_different_ids_with_the_same_line_are_not_matched() -> None:
    other = Track(name="Song 1", artists=model_track(1).artists, album=model_track(1).album,
                  url="https://open.spotify.com/track/" + "Z" * 22)  # fmt: skip
    diff = diff_tracks((model_track(1),), (other,))
    assert diff.added == (other,) and diff.removed == (model_track(1),)


def test_timeline_skips_unchanged_and_likes_only_versions_unless_asked() -> None:
    versions = [
        version(1, model_playlist(model_track(1), model_track(2), likes=10)),
        version(2, model_playlist(model_track(1), model_track(2), likes=11)),  # likes only
        version(3, model_playlist(model_track(1), model_track(3), likes=11)),  # swap
        version(4, model_playlist(model_track(1), model_track(3), likes=11)),  # nothing
        version(5, model_playlist(model_track(1), model_track(3), name="New", likes=11)),  # renamed
        version(
            6, model_playlist(model_track(1), model_track(3), name="New", description="d", likes=11)
        ),
    ]
    found = entries(versions)
    assert [e.date.day for e in select(found)] == [1, 3, 5, 6]
    assert [e.date.day for e in select(found, likes=True)] == [1, 2, 3, 5, 6]
    listed = select(found)
    assert listed[2].name_changed and not listed[2].description_changed
    assert listed[3].description_changed
    assert [c.version.date.day for c in timeline(versions)] == [e.date.day for e in listed]


def test_select_dates_limit_reverse() -> None:
    versions = [
        version(day, model_playlist(*(model_track(n) for n in range(day)))) for day in range(1, 6)
    ]
    found = entries(versions)
    since = datetime(2026, 1, 2, tzinfo=UTC)
    until = datetime(2026, 1, 4, 23, 59, tzinfo=UTC)
    assert [e.date.day for e in select(found, since=since, until=until)] == [2, 3, 4]
    assert [e.date.day for e in select(found, limit=2)] == [4, 5]
    assert [e.date.day for e in select(found, limit=2, reverse=True)] == [5, 4]


def test_history_json_shape() -> None:
    versions = [
        version(1, model_playlist(model_track(1))),
        version(2, model_playlist(model_track(2), likes=None)),
    ]
    document = json.loads("".join(history_json(PID, "Mix", select(entries(versions)))))
    assert document["versions"][0]["added"][0] == {
        "id": f"{1:022d}", "name": "Song 1", "artists": ["Artist 1"], "album": "Album",
        "url": f"https://open.spotify.com/track/{1:022d}", "duration_ms": 180_001,
    }  # fmt: skip
    second = document["versions"][1]
    assert second["date"] == "2026-01-02T06:00:00Z" and second["likes"] is None
    assert [t["name"] for t in second["removed"]] == ["Song 1"]


HISTORY_SCHEMA = Path(__file__).parent.parent / "gitarchive" / "schemas" / "history.json"
ONE_OF_EACH = [
    version(1, model_playlist(model_track(1), model_track(2), likes=3)),
    version(2, model_playlist(model_track(1), model_track(2), likes=4)),  # likes only
    version(3, model_playlist(model_track(1, name="Song 1 (Live)"), model_track(3), likes=None)),
    version(4, model_playlist(model_track(3), name='Renamed "quoted"', description="d\u00e9")),
]


def test_history_json_is_the_shipped_schema_and_the_documented_document() -> None:
    for likes in (False, True):
        listed = select(entries(ONE_OF_EACH), likes=likes)
        text = "".join(history_json(PID, "Mix", listed))
        document = json.loads(text)
        schema = json.loads(HISTORY_SCHEMA.read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator(schema).validate(document)
        oracle = history_document(PID, "Mix", timeline(ONE_OF_EACH, likes=likes))
        assert text == json.dumps(oracle, ensure_ascii=False, indent=2) + "\n"
    empty = json.loads("".join(history_json(PID, "Mix", [])))
    jsonschema.Draft202012Validator(schema).validate(empty)


def test_cumulative_fold_dates_and_updates() -> None:
    versions = [
        version(1, model_playlist(model_track(1), model_track(2, added="2025-06-01"))),
        version(3, model_playlist(model_track(2), model_track(3, added="2026-01-02"))),
        version(
            5, model_playlist(model_track(1), model_track(2, name="Song 2 (Live)"), model_track(3))
        ),
    ]
    view = fold_cumulative(versions)
    assert view is not None
    rows = {e.track.key: e for e in view.tracks}
    assert len(view.tracks) == 3  # the renamed track is one row, with its new name
    assert rows[model_track(2).key].track.name == "Song 2 (Live)"
    assert (
        rows[model_track(2).key].added == date(2025, 6, 1)
        and not rows[model_track(2).key].added_asterisk
    )
    assert (
        rows[model_track(1).key].added == date(2026, 1, 1)
        and rows[model_track(1).key].added_asterisk
    )
    assert rows[model_track(1).key].removed is None  # re-added after its removal on day 3
    assert rows[model_track(3).key].added == date(2026, 1, 2)
    assert view.first_scraped == date(2026, 1, 1)


def test_cumulative_keeps_last_removal_date() -> None:
    view = fold_cumulative([
        version(1, model_playlist(model_track(1), model_track(2))),
        version(2, model_playlist(model_track(2))),
        version(3, model_playlist(model_track(2))),
    ])  # fmt: skip
    assert view is not None
    assert {e.track.name: e.removed for e in view.tracks} == {
        "Song 1": date(2026, 1, 2), "Song 2": None
    }  # fmt: skip


def test_cumulative_plain_then_json_is_one_row_per_track() -> None:
    view = fold_cumulative([
        version(1, model_playlist(*(plain_track(model_track(n)) for n in (1, 2)))),
        version(2, model_playlist(model_track(1), model_track(2), model_track(3))),
    ])  # fmt: skip
    assert view is not None
    assert len(view.tracks) == 3
    assert all(e.removed is None for e in view.tracks)
    first = next(e for e in view.tracks if e.track.name == "Song 1")
    assert first.added == date(2026, 1, 1) and first.added_asterisk
    assert first.track.url is not None  # latest metadata, from JSON


tracks_strategy = st.lists(st.integers(min_value=1, max_value=8).map(model_track), max_size=6)


@settings(max_examples=150, deadline=None)
@given(st.lists(tracks_strategy, min_size=1, max_size=6))
def test_diffs_replay_to_the_next_version(versions: list[list[Track]]) -> None:
    previous: list[Track] | None = None
    for tracks in versions:
        diff = diff_tracks(previous, tracks)
        rebuilt = Counter(t.key for t in previous or ())
        rebuilt.update(t.key for t in diff.added)
        rebuilt.subtract(t.key for t in diff.removed)
        assert +rebuilt == Counter(t.key for t in tracks)
        previous = tracks


@settings(max_examples=100, deadline=None)
@given(st.lists(tracks_strategy, min_size=1, max_size=6))
def test_fold_rows_are_every_track_ever_seen(versions: list[list[Track]]) -> None:
    view = None
    for day, tracks in enumerate(versions, start=1):
        view = update_cumulative(view, model_playlist(*tracks), date(2026, 1, day))
    assert view is not None
    seen = {t.key for tracks in versions for t in tracks}
    assert {e.track.key for e in view.tracks} == seen
    assert {e.track.key for e in view.tracks if e.removed is None} == {t.key for t in versions[-1]}


def any_track() -> st.SearchStrategy[Track]:
    base = st.integers(min_value=1, max_value=6)
    return st.one_of(
        base.map(model_track),
        base.map(lambda n: plain_track(model_track(n))),
        base.map(lambda n: model_track(n, name=f"Song {n} (Remix)")),
        base.map(
            lambda n: dataclasses.replace(model_track(n), url=f"{model_track(n).url}"[:-1] + "X")
        ),
        st.tuples(base, st.sampled_from(["2025-12-30", "2026-01-03", "2026-02-01"])).map(
            lambda pair: model_track(pair[0], added=pair[1])
        ),
    )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(any_track(), max_size=6), st.integers(min_value=1, max_value=9)),
        min_size=1,
        max_size=8,
    )
)
def test_incremental_fold_equals_the_plain_fold(steps: list[tuple[list[Track], int]]) -> None:
    plain_view = None
    fold = CumulativeFold()
    for tracks, day in steps:  # days may go backwards (clock skew) on purpose
        p = model_playlist(*tracks)
        plain_view = update_cumulative(plain_view, p, date(2026, 1, day))
        fold.add(p, date(2026, 1, day))
        assert fold.view() == plain_view


# the same objects across versions, as the readers' caches give them (the fold's fast path)
SHARED = [model_track(n) for n in range(1, 7)] + [plain_track(model_track(n)) for n in range(1, 4)]
SHARED += [
    model_track(1, name="Song 1 (Remix)"),
    dataclasses.replace(model_track(2)),
    model_track(3, added="2026-01-04"),
]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.integers(min_value=0, max_value=len(SHARED) - 1), max_size=7),
            st.integers(min_value=1, max_value=9),
        ),
        min_size=1,
        max_size=10,
    )
)
def test_incremental_fold_with_shared_track_objects(steps: list[tuple[list[int], int]]) -> None:
    plain_view = None
    fold = CumulativeFold()
    for indices, day in steps:
        p = model_playlist(*(SHARED[i] for i in indices))
        plain_view = update_cumulative(plain_view, p, date(2026, 1, day))
        fold.add(p, date(2026, 1, day))
        view, keys = fold.keyed_view()
        assert view == plain_view
        assert keys == [entry.track.key for entry in plain_view.tracks]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.lists(st.integers(min_value=0, max_value=len(SHARED) - 1), max_size=7),
            st.lists(st.integers(min_value=0, max_value=len(SHARED) - 1), max_size=7, unique=True),
        ),
        min_size=1,
        max_size=10,
    )
)
def test_incremental_fold_given_the_tracks_delta(steps: list[list[int] | None]) -> None:
    """The fold handed the tracker's delta of each step (what the index's fold does), days
    moving forward; None: the previous version's very tuple again."""
    plain_view = None
    fold = CumulativeFold()
    tracker = Tracker()
    tracks: tuple[Track, ...] | None = None
    for day, indices in enumerate(steps, start=1):
        before = tracks
        if indices is not None or tracks is None:
            tracks = tuple(SHARED[i] for i in indices or ())
        p = model_playlist(*tracks)
        p = dataclasses.replace(p, tracks=tracks)  # the very tuple, not a copy
        plain_view = update_cumulative(plain_view, p, date(2026, 1, day))
        fold.add(p, date(2026, 1, day), tracker.step(before, tracks))
        assert fold.view() == plain_view


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.integers(min_value=0, max_value=len(SHARED) - 1), max_size=7, unique=True)
            | st.lists(st.integers(min_value=0, max_value=len(SHARED) - 1), max_size=7),
            st.booleans(),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_incremental_fold_with_and_without_the_tracks_delta(
    steps: list[tuple[list[int], bool]],
) -> None:
    """Steps handed the tracker's delta (the fold then keeps no keys of its own) mixed with
    steps that are not (the fold finds the change itself, from the keys of its last list)."""
    plain_view = None
    fold = CumulativeFold()
    tracker = Tracker()
    tracks: tuple[Track, ...] | None = None
    for day, (indices, handed) in enumerate(steps, start=1):
        before, tracks = tracks, tuple(SHARED[i] for i in indices)
        p = dataclasses.replace(model_playlist(*tracks), tracks=tracks)
        plain_view = update_cumulative(plain_view, p, date(2026, 1, day))
        delta = tracker.step(before, tracks)
        fold.add(p, date(2026, 1, day), delta if handed else None)
        assert fold.view() == plain_view


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sets(st.integers(min_value=0, max_value=len(SHARED) - 1)), min_size=1, max_size=12)
)
def test_incremental_fold_monotonic_days_unique_tracks(steps: list[set[int]]) -> None:
    # unique objects and days moving forward: the path an all-playlists pass takes
    plain_view = None
    fold = CumulativeFold()
    for day, indices in enumerate(steps, start=1):
        p = model_playlist(*(SHARED[i] for i in sorted(indices)))
        plain_view = update_cumulative(plain_view, p, date(2026, 1, day))
        fold.add(p, date(2026, 1, day))
        assert fold.view() == plain_view


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(
                st.none(), st.lists(st.integers(min_value=0, max_value=len(SHARED) - 1), max_size=5)
            ),
            st.integers(min_value=1, max_value=9),
        ),
        min_size=1,
        max_size=10,
    )
)
def test_incremental_fold_with_the_very_same_track_list(
    steps: list[tuple[list[int] | None, int]],
) -> None:
    """None: the previous version's very tuple again, as the JSON reader hands out when only
    the likes moved (the fold's shortcut); [] gives (), one object shared by all empty lists."""
    plain_view = None
    fold = CumulativeFold()
    tracks: tuple[Track, ...] = ()
    for number, (indices, day) in enumerate(steps):
        if indices is not None:
            tracks = tuple(SHARED[i] for i in indices)
        p = dataclasses.replace(
            model_playlist(name=f"Mix {number % 3}", likes=number), tracks=tracks
        )
        plain_view = update_cumulative(plain_view, p, date(2026, 1, day))
        fold.add(p, date(2026, 1, day))
        assert fold.view() == plain_view


def test_a_resumed_fold_then_an_empty_version_removes_every_track() -> None:
    # a resumed fold does not know its last track list; the empty list is one shared
    # object, so "the same list as last time" must not be taken for "nothing changed"
    playlist = model_playlist(model_track(1), model_track(2))
    view = update_cumulative(None, playlist, date(2026, 1, 1))
    fold = CumulativeFold.resume(view, playlist, date(2026, 1, 1))
    empty = model_playlist()
    fold.add(empty, date(2026, 1, 2))
    after = fold.view()
    assert after == update_cumulative(view, empty, date(2026, 1, 2))
    assert after is not None and {entry.removed for entry in after.tracks} == {date(2026, 1, 2)}


def test_a_move_is_a_change_of_rank_among_the_tracks_in_both_versions() -> None:
    before = [f"k{n}" for n in range(1, 51)]
    jumped = [*before[:2], "k48", *(key for key in before[2:] if key != "k48")]
    found = moves(before, jumped)
    assert [move for move in found if move[3] >= 5] == [(2, 48, 3, 45)]
    assert {move[3] for move in found} == {1, 45}  # the 45 tracks it passed each move by one
    assert moves(before, ["new", *before[1:]]) == []  # added or removed above: no move
    # a key listed twice: occurrences matched in order
    assert moves(["a", "b", "a"], ["a", "a", "b"]) == [(1, 3, 2, 1), (2, 2, 3, 1)]


def test_a_reorder_only_version_is_listed_with_moves_at_the_threshold() -> None:
    tracks = [model_track(n) for n in range(1, 11)]
    reordered = [tracks[7], *tracks[:7], *tracks[8:]]  # the 8th to the top: 7 places
    found = entries([version(1, model_playlist(*tracks)), version(2, model_playlist(*reordered))])
    assert [e.date.day for e in select(found)] == [1]  # without moves: nothing changed
    listed = select(found, moves=5)
    assert [e.date.day for e in listed] == [1, 2]
    assert [(doc["name"], old, new) for doc, old, new, _ in listed[1].moved] == [("Song 8", 8, 1)]
    assert [e.date.day for e in select(found, moves=8)] == [1]
    assert len(select(found, moves=2)[1].moved) == 1  # the 7 it passed moved by 1: not kept
    schema = json.loads(HISTORY_SCHEMA.read_text(encoding="utf-8"))
    document = json.loads("".join(history_json(PID, "Mix", listed)))
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["versions"][1]["moved"] == [{**track_document(tracks[7]), "from": 8, "to": 1}]


@given(
    st.lists(st.sampled_from("abcdefgh"), max_size=8),
    st.lists(st.sampled_from("abcdefgh"), max_size=8),
)
def test_moves_short_cut_for_unmoved_lists_agrees_with_the_matching(
    before: list[str], after: list[str]
) -> None:
    """Lists whose shared keys keep their order move nothing, repeated keys or not."""
    found = moves(before, after)
    original = moves_module._same_order
    try:
        moves_module._same_order = lambda _before, _after: False  # type: ignore[assignment]
        assert moves(before, after) == found
    finally:
        moves_module._same_order = original
