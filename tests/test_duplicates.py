"""`--merge-duplicates`: one track under two ids (relinked or re-released) becomes one row in
`cumulative` and one track in `track`, each merge named; never without the flag."""

from __future__ import annotations

import json
from datetime import date
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest

from gitarchive.history.duplicates import duplicate_groups, merge_cumulative
from gitarchive.index.db import DISABLE_ENV, INDEX_FILE, INDEX_FOLDER
from gitarchive.model import Album, Artist, CumulativeTrack, CumulativeView, Playlist, Track
from gitarchive.tracks import PlaylistStaysFold, merge_found, stays_by_track
from tests.support.api import fake_id
from tests.support.builder import RepoBuilder
from tests.support.cli import run_cli_captured

if TYPE_CHECKING:
    from pathlib import Path

MIX = fake_id("playlist", "mix")
OTHER = fake_id("playlist", "other")
FIRST = fake_id("track", "first release")
RELINK = fake_id("track", "relink")
KEEPER = fake_id("track", "keeper")


def song(
    track_id: str, duration_ms: int | None = 200_000, title: str = "Twice", artist: str = "Band"
) -> Track:
    return Track(
        name=title,
        artists=(Artist(artist),),
        album=Album("Album"),
        url=f"https://open.spotify.com/track/{track_id}",
        duration_ms=duration_ms,
    )


ORIGINAL = song(FIRST)
# the relinked id: spelled a little differently, one second longer
RELINKED = song(RELINK, 201_000, title=" twice ", artist="BAND")
KEPT = song(KEEPER, title="Keeper")


def mix(*tracks: Track, playlist_id: str = MIX, name: str = "Mix") -> Playlist:
    return Playlist(id=playlist_id, original_name=name, unique_name=name, tracks=tracks)


@pytest.fixture
def relinked_archive(tmp_path: Path) -> Path:
    """Mix holds the track under its first id from Nov 1, under the new id from Nov 3;
    Other holds only the first id, Nov 1 to Nov 2."""
    root = tmp_path / "archive"
    builder = RepoBuilder(root)
    steps = [
        ("2026-11-01", (ORIGINAL, KEPT), (ORIGINAL,)),
        ("2026-11-02", (ORIGINAL, KEPT), ()),
        ("2026-11-03", (KEPT, RELINKED), ()),
    ]
    for day, in_mix, in_other in steps:
        builder.commit_playlists(
            [mix(*in_mix), mix(*in_other, playlist_id=OTHER, name="Other")],
            date=f"{day}T06:00:00Z",
        )
    return root


def schema(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        files("gitarchive").joinpath("schemas", f"{name}.json").read_text("utf-8")
    )
    return document


def run_json(
    capsys: pytest.CaptureFixture[str], root: Path, schema_name: str, *args: str
) -> tuple[dict[str, Any], str]:
    code, out, err = run_cli_captured(capsys, "-C", str(root), *args, "--format", "json")
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    jsonschema.Draft202012Validator(schema(schema_name)).validate(document)
    return document, err


def view_of(*entries: tuple[Track, date, date | None]) -> CumulativeView:
    return CumulativeView(
        id=MIX,
        name="Mix",
        description="",
        tracks=tuple(
            CumulativeTrack(track, added, False, removed) for track, added, removed in entries
        ),
        first_scraped=date(2026, 11, 1),
    )


def keys(groups: list[tuple[Track, ...]]) -> list[list[str]]:
    return [[track.key for track in group] for group in groups]


def test_ids_of_the_same_title_and_artists_one_second_apart_are_one_track() -> None:
    assert keys(duplicate_groups([ORIGINAL, RELINKED, KEPT])) == [[FIRST, RELINK]]


def test_ids_three_seconds_apart_are_never_merged() -> None:
    assert duplicate_groups([ORIGINAL, song(RELINK, 203_000)]) == []


def test_a_chain_of_near_durations_never_spans_more_than_two_seconds() -> None:
    third = fake_id("track", "third")
    groups = duplicate_groups([ORIGINAL, song(RELINK, 201_500), song(third, 203_000)])
    assert keys(groups) == [[FIRST, RELINK]]


def test_different_artists_are_never_merged() -> None:
    assert duplicate_groups([ORIGINAL, song(RELINK, artist="Other Band")]) == []


def test_a_track_of_unknown_duration_is_never_merged() -> None:
    assert duplicate_groups([ORIGINAL, song(RELINK, None)]) == []
    assert duplicate_groups([song(FIRST, None), song(RELINK, None)]) == []


def test_a_merged_row_runs_from_the_earliest_added_to_the_latest_removal() -> None:
    gone = view_of(
        (ORIGINAL, date(2026, 11, 1), date(2026, 11, 3)),
        (RELINKED, date(2026, 11, 3), date(2026, 11, 5)),
    )
    merged = merge_cumulative(gone)
    [row] = merged.view.tracks
    assert (row.track, row.added, row.removed) == (RELINKED, date(2026, 11, 1), date(2026, 11, 5))
    [merge] = merged.merges
    assert merge.ids == [FIRST, RELINK]
    still_there = view_of(
        (ORIGINAL, date(2026, 11, 2), None), (RELINKED, date(2026, 11, 1), date(2026, 11, 4))
    )
    [row] = merge_cumulative(still_there).view.tracks
    assert (row.track, row.added, row.removed) == (ORIGINAL, date(2026, 11, 1), None)


def test_cumulative_merges_the_two_ids_only_with_the_flag(
    relinked_archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain, err = run_json(capsys, relinked_archive, "cumulative", "cumulative", MIX)
    assert err == ""
    assert sorted(row["id"] for row in plain["tracks"]) == sorted([FIRST, RELINK, KEEPER])
    assert all("merged_ids" not in row for row in plain["tracks"])
    merged, err = run_json(
        capsys, relinked_archive, "cumulative", "cumulative", MIX, "--merge-duplicates"
    )
    twice, keeper = merged["tracks"]  # " twice " sorts first
    assert (twice["id"], twice["name"], twice["added"], twice["removed"]) == (
        RELINK,
        " twice ",
        "2026-11-01",
        None,
    )
    assert twice["merged_ids"] == [FIRST, RELINK]
    assert keeper == next(row for row in plain["tracks"] if row["id"] == KEEPER)
    assert {key: value for key, value in merged.items() if key != "tracks"} == {
        key: value for key, value in plain.items() if key != "tracks"
    }
    assert err == f"merged: Twice — Band ({FIRST}) =  twice  — BAND ({RELINK})\n"


def test_cumulative_names_each_merge_beside_the_markdown(
    relinked_archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli_captured(
        capsys, "-C", str(relinked_archive), "cumulative", MIX, "--merge-duplicates"
    )
    assert code == 0
    assert err.startswith("merged: Twice — Band (") and FIRST in err and RELINK in err
    assert out.count(RELINK) >= 1 and FIRST not in out
    code, plain_out, err = run_cli_captured(capsys, "-C", str(relinked_archive), "cumulative", MIX)
    assert code == 0 and err == "" and FIRST in plain_out


def test_track_with_the_flag_finds_the_stays_of_both_ids(
    relinked_archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alone, err = run_json(capsys, relinked_archive, "track", "track", FIRST)
    assert err == "" and [found["id"] for found in alone["tracks"]] == [FIRST]
    document, err = run_json(
        capsys, relinked_archive, "track", "track", FIRST, "--merge-duplicates"
    )
    [found] = document["tracks"]
    assert (found["key"], found["merged_ids"]) == (RELINK, [FIRST, RELINK])
    in_mix, in_other = found["playlists"]
    assert (in_mix["id"], in_other["id"]) == (MIX, OTHER)
    # the relink on Nov 3 continues the stay: one stay from Nov 1, still there
    assert [(s["added"], s["removed"]) for s in in_mix["stays"]] == [("2026-11-01", None)]
    assert [(s["added"], s["removed"]) for s in in_other["stays"]] == [("2026-11-01", "2026-11-02")]
    assert "merged: Twice — Band" in err and RELINK in err


def test_track_text_names_the_merge_on_stderr(
    relinked_archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli_captured(
        capsys, "-C", str(relinked_archive), "track", "twice — band", "--merge-duplicates"
    )
    assert code == 0
    assert out.count("2 playlists") == 1 and "2026-11-01* → still there" in out
    assert err == f"merged: Twice — Band ({FIRST}) =  twice  — BAND ({RELINK})\n"


def test_the_change_index_and_the_walk_merge_alike(
    relinked_archive: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ("track", RELINK, "--merge-duplicates")
    with monkeypatch.context() as without_index:
        without_index.setenv(DISABLE_ENV, "1")
        walked = run_json(capsys, relinked_archive, "track", *args)
    assert not (relinked_archive / ".git" / INDEX_FOLDER / INDEX_FILE).exists()
    indexed = run_json(capsys, relinked_archive, "track", *args)
    assert (relinked_archive / ".git" / INDEX_FOLDER / INDEX_FILE).exists()
    assert indexed == walked and walked[0]["tracks"][0]["merged_ids"] == [FIRST, RELINK]


def test_a_gap_between_the_ids_stays_two_stays_and_a_relink_on_the_day_is_one() -> None:
    for gap, expected in (
        (True, [(date(2026, 11, 1), date(2026, 11, 2)), (date(2026, 11, 3), None)]),
        (False, [(date(2026, 11, 1), None)]),
    ):
        fold = PlaylistStaysFold(MIX)
        fold.add(mix(ORIGINAL, KEPT), date(2026, 11, 1))
        if gap:
            fold.add(mix(KEPT), date(2026, 11, 2))
        fold.add(mix(KEPT, RELINKED), date(2026, 11, 3))
        found = stays_by_track([fold])
        merged = merge_found(found, lambda track: track.id == FIRST)
        [(key, [life])] = merged.stays.items()
        assert key == RELINK and [merge.ids for merge in merged.merges] == [[FIRST, RELINK]]
        assert [(stay.added, stay.removed) for stay in life.stays] == expected
        assert life.track == RELINKED and life.best_position == 1
