"""`gitarchive track`: every playlist that held a track, each stay, best and latest position."""

from __future__ import annotations

import itertools
import json
import shutil
from datetime import UTC, date, datetime
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitarchive.history import CumulativeFold
from gitarchive.index.db import DISABLE_ENV, INDEX_FILE, INDEX_FOLDER
from gitarchive.model import Playlist, Track
from gitarchive.track_query import track_matcher
from gitarchive.tracks import PlaylistStaysFold, Stay
from tests.support.cli import run_cli, run_cli_captured
from tests.support.models import PID, model_playlist, model_track, plain_track
from tests.support.moving import EVENING, MORNING, MOVER, build_moving_archive, playlist, song

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.demo import DemoArchive


def schema() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        files("gitarchive").joinpath("schemas", "track.json").read_text("utf-8")
    )
    return document


@pytest.fixture
def moving_archive(tmp_path: Path) -> Path:
    return build_moving_archive(tmp_path / "archive")


def track_json(capsys: pytest.CaptureFixture[str], root: Path, query: str) -> dict[str, Any]:
    code, out, err = run_cli_captured(capsys, "-C", str(root), "track", query, "--format", "json")
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    jsonschema.Draft202012Validator(schema()).validate(document)
    return document


def test_a_track_that_moves_between_playlists_has_a_stay_in_each(
    moving_archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = track_json(capsys, moving_archive, MOVER)
    [found] = document["tracks"]
    assert found["id"] == MOVER and found["name"] == "The Mover"
    evening, morning = found["playlists"]
    assert (morning["id"], morning["first"], morning["last"]) == (
        MORNING,
        "2026-11-01",
        "2026-11-02",
    )
    assert morning["stays"] == [
        {
            "added": "2026-11-01",
            "added_before_archive": True,
            "removed": "2026-11-03",
            "best_position": 1,
            "latest_position": 1,
        }
    ]
    assert (evening["id"], evening["first"], evening["last"]) == (
        EVENING,
        "2026-11-03",
        "2026-11-06",
    )
    assert [
        (s["added"], s["removed"], s["best_position"], s["latest_position"])
        for s in evening["stays"]
    ] == [
        ("2026-11-03", "2026-11-05", 2, 2),
        ("2026-11-06", None, 1, 1),
    ]
    assert (evening["best_position"], evening["latest_position"]) == (1, 1)


def test_the_stays_match_each_playlists_cumulative_dates(
    moving_archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for query in (MOVER, "The Mover — Wanderer"):
        [found] = track_json(capsys, moving_archive, query)["tracks"]
        named = {life["id"] for life in found["playlists"]}
        assert named == {MORNING, EVENING}  # never Other
        for life in found["playlists"]:
            code, out, _ = run_cli_captured(
                capsys, "-C", str(moving_archive), "cumulative", life["id"], "--format", "json"
            )
            assert code == 0
            [row] = [row for row in json.loads(out)["tracks"] if row["id"] == MOVER]
            assert row["added"] == life["stays"][0]["added"] == life["first"]
            assert row["removed"] == life["stays"][-1]["removed"]


def test_on_the_demo_archive_a_shared_track_names_every_playlist_that_held_it(
    demo_archive: DemoArchive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Which playlists held each track, read off their cumulative views: ``track`` names
    exactly those, with the first stay's added and the last stay's removed dates."""
    root = tmp_path / "demo"
    shutil.copytree(demo_archive.path, root, symlinks=True)  # the index is written
    views = {}
    for playlist_id, _name in demo_archive.result.playlists:
        code, out, err = run_cli_captured(
            capsys, "-C", str(root), "cumulative", playlist_id, "--format", "json"
        )
        assert code == 0, err
        views[playlist_id] = {row["id"]: row for row in json.loads(out)["tracks"] if row["id"]}
    holders: dict[str, set[str]] = {}
    for playlist_id, rows in views.items():
        for track_id in rows:
            holders.setdefault(track_id, set()).add(playlist_id)
    shared = {track_id: held for track_id, held in holders.items() if len(held) >= 2}
    assert shared, "the demo archive has tracks held by two playlists or more"
    for track_id, held in sorted(shared.items()):
        [found] = track_json(capsys, root, track_id)["tracks"]
        assert {life["id"] for life in found["playlists"]} == held, track_id
        for life in found["playlists"]:
            row = views[life["id"]][track_id]
            assert (row["added"], row["removed"]) == (
                life["stays"][0]["added"],
                life["stays"][-1]["removed"],
            ), (track_id, life["id"])


def test_every_spelling_of_a_track_finds_it(
    moving_archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = [
        f"https://open.spotify.com/track/{MOVER}",
        f"https://open.spotify.com/track/{MOVER}?si=abc",
        f"spotify:track:{MOVER}",
        "the mover - WANDERER",
        "The Mover",
    ]
    for query in queries:
        document = track_json(capsys, moving_archive, query)
        assert [found["id"] for found in document["tracks"]] == [MOVER], query


def test_the_text_lists_every_stay(
    moving_archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli_captured(capsys, "-C", str(moving_archive), "track", MOVER)
    assert code == 0
    assert "The Mover — Wanderer" in out and "2 playlists" in out
    assert "Morning" in out and "Evening" in out
    assert "2026-11-01* → 2026-11-03  best #1, latest #1" in out
    assert "2026-11-06 → still there  best #1, latest #1" in out


def test_a_track_no_playlist_held_is_one_clear_line(
    moving_archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli_captured(
        capsys, "-C", str(moving_archive), "track", "Nothing — Nobody"
    )
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "Nothing — Nobody" in err
    code, out, err = run_cli_captured(
        capsys, "-C", str(moving_archive), "track", "spotify:album:x", "--format", "json"
    )
    assert code == 1 and json.loads(out)["error"]["type"] == "UsageError"


def test_the_change_index_and_the_walk_give_the_same_answer(
    moving_archive: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    queries = (MOVER, "Song 1 — Someone", "Song 5")
    index = moving_archive / ".git" / INDEX_FOLDER / INDEX_FILE
    with monkeypatch.context() as without_index:
        without_index.setenv(DISABLE_ENV, "1")
        walked = [track_json(capsys, moving_archive, query) for query in queries]
        assert not index.exists()  # every version from the walk
    assert run_cli("-C", str(moving_archive), "index") == 0 and index.exists()
    capsys.readouterr()
    assert [track_json(capsys, moving_archive, query) for query in queries] == walked


def test_a_stay_keeps_its_best_and_latest_position_and_a_return_starts_a_new_stay() -> None:
    fold = PlaylistStaysFold(MORNING)
    for day, numbers in ((1, (1, 2, 0)), (2, (0, 1)), (3, (1, 2, 0)), (4, (1,)), (5, (2, 0))):
        fold.add(playlist(MORNING, "Morning", *numbers), date(2026, 11, day))
    [life] = fold.result([MOVER])
    assert life.stays == (
        Stay(date(2026, 11, 1), date(2026, 11, 4), 1, 3, added_before_archive=True),
        Stay(date(2026, 11, 5), None, 2, 2),
    )
    assert (life.best_position, life.latest_position, life.last_seen) == (1, 2, date(2026, 11, 5))


def test_spotifys_added_at_dates_a_first_stay_as_the_cumulative_view_does() -> None:
    fold = PlaylistStaysFold(MORNING)
    mover = song(0)
    early = Track(
        name=mover.name,
        artists=mover.artists,
        album=mover.album,
        url=mover.url,
        added_at=datetime(2026, 10, 20, tzinfo=UTC),
    )
    fold.add(Playlist(id=MORNING, tracks=(early,)), date(2026, 11, 1))
    [life] = fold.result()
    assert life.stays == (Stay(date(2026, 10, 20), None, 1, 1),)


def test_a_title_and_artist_match_whole_and_case_insensitively() -> None:
    matches = track_matcher("the mover — wanderer")
    mover = song(0, title="The Mover", artist="Wanderer")
    assert matches(mover)
    assert not matches(song(0, title="The Mover (Live)", artist="Wanderer"))
    assert not matches(song(0, title="The Mover", artist="Wanderers"))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 11), max_size=8), min_size=1, max_size=10))
def test_stays_agree_with_the_cumulative_view_on_random_histories(states: list[list[int]]) -> None:
    # shared objects (as the readers give them), duplicates, renamed tracks with the same id,
    # plain-file tracks (keyed by line) that match their JSON twins, and Spotify's added_at
    base = [model_track(n) for n in range(4)]
    pool = [*base, model_track(1, name="Song 1 (Live)"), *(plain_track(t) for t in base),
            model_track(5, added="2026-01-01"), model_track(6), plain_track(model_track(5)),
            model_track(7)]  # fmt: skip
    fold = PlaylistStaysFold(PID)
    cumulative = CumulativeFold()
    for day, state in enumerate(states, 1):
        current = model_playlist(*(pool[n] for n in state))
        fold.add(current, date(2026, 2, day))
        cumulative.add(current, date(2026, 2, day))
    view = cumulative.view()
    assert view is not None
    lives = {life.track.key: life for life in fold.result()}
    assert set(lives) == {entry.track.key for entry in view.tracks}
    for entry in view.tracks:
        life = lives[entry.track.key]
        assert life.track == entry.track
        assert (life.first, life.stays[0].added_before_archive) == (
            entry.added,
            entry.added_asterisk,
        )
        assert life.stays[-1].removed == entry.removed
        assert all(
            earlier.removed is not None and earlier.removed <= later.added
            for earlier, later in itertools.pairwise(life.stays)
        )
