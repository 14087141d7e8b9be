"""History tells the truth on the layouts spotify-playlist-archive's writers produced.

Plain files without a final newline, blank and multi-line descriptions,
headers a merge sorted in among the tracks, case-only edits of a track line,
and the 2021 name-keyed pages whose data each plain version carries.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import TYPE_CHECKING

import pygit2
import pytest

import gitarchive.formats.plain
import gitarchive.version_reader
from gitarchive import formats, versions
from gitarchive import git as gitrepo
from gitarchive.errors import FormatError
from gitarchive.git import Store
from gitarchive.history import Version, diff_tracks
from gitarchive.model import Album, Artist, Track
from tests.support.builder import RepoBuilder
from tests.support.cli import run_cli_captured
from tests.support.foreign_archive import Shape, generate
from tests.support.legacy_archive import (
    files_2021,
    page_path,
    plain_2021,
    sorted_by_a_merge,
)
from tests.support.models import PID, model_playlist, model_track, plain_track
from tests.support.timeline_oracle import timeline

if TYPE_CHECKING:
    from pathlib import Path

OTHER = "Q" * 22
PLAIN = formats.plain_path(PID)


def open_store(path: Path) -> Store:
    return Store(pygit2.Repository(str(path)))


def as_paged(*tracks: Track) -> tuple[Track, ...]:
    """The tracks as a page shows them (lengths in whole seconds)."""
    page = formats.render_pretty(model_playlist(*tracks), github=None)
    return formats.read_pretty(page, PID).tracks


def plain_versions(tmp_path: Path, *texts: str) -> list[Version]:
    builder = RepoBuilder(tmp_path / "r")
    for day, text in enumerate(texts, start=1):
        builder.commit({PLAIN: text}, date=f"2026-01-{day:02d}T06:00:00")
    return versions.list_versions(open_store(tmp_path / "r"), PID)


# ------------------------------------------------------------------ the plain grammar


def test_no_final_newline_reads_as_with_one() -> None:
    text = "Mix\nwords\n\nA -- B -- C\nD -- E -- F"
    assert formats.read_plain(text, PID) == formats.read_plain(text + "\n", PID)


def test_a_blank_description_line_is_a_description_never_a_track() -> None:
    for text in ("Mix\n\n\nA -- B -- C", "Mix\n\nA -- B -- C"):
        playlist = formats.read_plain(text, PID)
        assert (playlist.unique_name, playlist.description) == ("Mix", "")
        assert [t.plain_line for t in playlist.tracks] == ["A -- B -- C"]


def test_a_description_ending_in_a_newline_adds_no_phantom_track() -> None:
    playlist = formats.read_plain("Mix\nwords\n\n\nA -- B -- C\nD -- E -- F", PID)
    assert playlist.description == "words\n"  # as the snapshot of that version holds it
    assert [t.plain_line for t in playlist.tracks] == ["A -- B -- C", "D -- E -- F"]


def test_a_description_over_several_lines_stays_the_description() -> None:
    playlist = formats.read_plain("Mix\nline one\nline two\n\n\nA -- B -- C", PID)
    assert (playlist.unique_name, playlist.description) == ("Mix", "line one\nline two\n")
    assert len(playlist.tracks) == 1


def test_a_blank_line_among_the_tracks_is_no_track(tmp_path: Path) -> None:
    found = plain_versions(tmp_path, "Mix\nwords\n\nA -- B -- C\n\nD -- E -- F\n")
    assert [t.plain_line for t in found[0].playlist.tracks] == ["A -- B -- C", "D -- E -- F"]


def test_history_of_descriptions_ending_in_newlines_lists_no_empty_track(
    tmp_path: Path,
) -> None:
    found = plain_versions(
        tmp_path,
        "Mix\nwords\n\nA -- B -- C",
        "Mix\nwords\n\n\nA -- B -- C\nD -- E -- F",  # the description gained a newline
    )
    change = timeline(found)[1]
    assert [t.plain_line for t in change.diff.added] == ["D -- E -- F"]
    assert not change.diff.removed and not change.name_changed


# ------------------------------------------------------------------ merge-sorted headers


def test_a_header_sorted_in_by_a_merge_keeps_the_previous_name(tmp_path: Path) -> None:
    standard = "Mix\nA description\n\nBee -- B -- C\nZed -- Y -- X"
    sorted_text = sorted_by_a_merge(standard + "\nNew -- N -- M")
    assert sorted_text.split("\n")[:3] == ["", "A description", "Bee -- B -- C"]
    found = plain_versions(tmp_path, standard, sorted_text, standard)
    assert [v.playlist.unique_name for v in found] == ["Mix", "Mix", "Mix"]
    assert [v.playlist.description for v in found] == ["A description"] * 3
    changes = timeline(found)
    assert not any(c.name_changed or c.description_changed for c in changes)
    assert [t.plain_line for t in changes[1].diff.added] == ["New -- N -- M"]
    assert [t.plain_line for t in changes[2].diff.removed] == ["New -- N -- M"]


def test_a_sorted_header_takes_its_name_from_the_page_of_its_commit(tmp_path: Path) -> None:
    mix = model_playlist(model_track(1), model_track(2), name="Mix", description="About")
    builder = RepoBuilder(tmp_path / "r")
    files = files_2021(mix)
    files[PLAIN] = sorted_by_a_merge(plain_2021(mix))  # "About" sorts before "Mix"
    builder.commit(files, date="2026-01-01T06:00:00")
    (version,) = versions.list_versions(open_store(tmp_path / "r"), PID)
    assert (version.playlist.unique_name, version.playlist.description) == ("Mix", "About")
    assert version.playlist.tracks == as_paged(*mix.tracks)


def test_show_at_a_sorted_header_names_the_playlist_as_history_does(tmp_path: Path) -> None:
    standard = "Mix\nA description\n\nBee -- B -- C"
    plain_versions(tmp_path, standard, sorted_by_a_merge(standard + "\nNew -- N -- M"))
    _, playlist = versions.version_at(open_store(tmp_path / "r"), PID, None)
    assert (playlist.unique_name, playlist.description) == ("Mix", "A description")
    assert len(playlist.tracks) == 2


# ------------------------------------------------------------------ case-only edits


def test_a_case_only_edit_of_a_plain_line_is_an_update() -> None:
    before = Track("Song", (Artist("YEBBA"),), Album("Album"))
    after = Track("Song", (Artist("Yebba"),), Album("Album"))
    diff = diff_tracks((before,), (after,))
    assert not diff.added and not diff.removed
    assert [(u.before, u.after) for u in diff.updated] == [(before, after)]


def test_history_shows_a_case_only_edit_as_an_update(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain_versions(tmp_path, "Mix\n\n\nSong -- YEBBA -- Album", "Mix\n\n\nSong -- Yebba -- Album")
    code, out, err = run_cli_captured(
        capsys, "-C", str(tmp_path / "r"), "history", PID, "--format", "json"
    )
    assert code == 0, err
    newest = json.loads(out)["versions"][0]
    assert not newest["added"] and not newest["removed"]
    assert [(u["before"]["artists"], u["after"]["artists"]) for u in newest["updated"]] == [
        (["YEBBA"], ["Yebba"])
    ]


# ------------------------------------------------------------------ name-keyed pages


def series_2021(builder: RepoBuilder) -> list[str]:
    """Mix [1, 2, 3]; [2, 3, 4] with more likes; renamed "New Mix" with [2, 3, 4, 5]."""
    v1 = model_playlist(model_track(1), model_track(2), model_track(3), likes=10)
    v2 = model_playlist(model_track(2), model_track(3), model_track(4), likes=12)
    v3 = model_playlist(*v2.tracks, model_track(5), name="New Mix", likes=13)
    commits = [
        builder.commit(files_2021(v1), date="2026-01-01T06:00:00"),
        builder.commit(files_2021(v2), date="2026-01-02T06:00:00"),
        builder.commit({page_path("Mix"): None, **files_2021(v3)}, date="2026-01-03T06:00:00"),
    ]
    return commits


def test_name_keyed_versions_carry_their_commits_pages(tmp_path: Path) -> None:
    builder = RepoBuilder(tmp_path / "r")
    series_2021(builder)
    found = versions.list_versions(open_store(tmp_path / "r"), PID)
    assert [v.source for v in found] == ["plain"] * 3
    assert [v.playlist.unique_name for v in found] == ["Mix", "Mix", "New Mix"]
    assert [v.playlist.num_followers for v in found] == [10, 12, 13]
    assert [t.url for t in found[2].playlist.tracks] == [model_track(n).url for n in (2, 3, 4, 5)]
    assert [t.duration_ms for t in found[0].playlist.tracks] == [180_000] * 3
    assert found[0].playlist.tracks == as_paged(model_track(1), model_track(2), model_track(3))
    assert found[1].playlist.tracks[0].album.url == model_track(2).album.url
    assert found[1].playlist.tracks[0].artists == model_track(2).artists
    changes = timeline(found)
    assert [t.url for t in changes[1].diff.added] == [model_track(4).url]
    assert [t.url for t in changes[1].diff.removed] == [model_track(1).url]
    assert not any(c.diff.updated for c in changes)


def test_every_read_of_a_name_keyed_archive_sees_the_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    builder = RepoBuilder(tmp_path / "r")
    series_2021(builder)
    root = str(tmp_path / "r")
    code, out, err = run_cli_captured(
        capsys, "-C", root, "show", PID, "--at", "2026-01-02", "--format", "json"
    )
    assert code == 0, err
    assert [t["url"] for t in json.loads(out)["tracks"]] == [model_track(n).url for n in (2, 3, 4)]
    all_versions = list(versions.iter_all_versions(open_store(tmp_path / "r")))
    assert all_versions == versions.list_versions(open_store(tmp_path / "r"), PID)
    code, out, err = run_cli_captured(capsys, "-C", root, "cumulative", PID, "--format", "json")
    assert code == 0, err
    assert {t["url"] for t in json.loads(out)["tracks"]} == {
        model_track(n).url for n in (1, 2, 3, 4, 5)
    }


def test_a_page_by_that_name_of_another_playlist_is_not_taken(tmp_path: Path) -> None:
    mix = model_playlist(model_track(1), name="Mix")
    other = dataclasses.replace(mix, id=OTHER)
    builder = RepoBuilder(tmp_path / "r")
    builder.commit(
        {PLAIN: plain_2021(mix), page_path("Mix"): formats.render_pretty(other, github=None)},
        date="2026-01-01T06:00:00",
    )
    (version,) = versions.list_versions(open_store(tmp_path / "r"), PID)
    assert version.playlist.tracks == (plain_track(model_track(1)),)


def test_when_page_and_plain_file_disagree_the_plain_file_names_the_tracks(
    tmp_path: Path,
) -> None:
    mix = model_playlist(model_track(1), model_track(2), model_track(3), likes=7)
    shown = dataclasses.replace(mix, tracks=(model_track(1), model_track(2)))
    builder = RepoBuilder(tmp_path / "r")
    builder.commit(
        {PLAIN: plain_2021(mix), page_path("Mix"): formats.render_pretty(shown, github=None)},
        date="2026-01-01T06:00:00",
    )
    (version,) = versions.list_versions(open_store(tmp_path / "r"), PID)
    assert version.playlist.tracks == (
        *as_paged(model_track(1), model_track(2)),
        plain_track(model_track(3)),
    )
    assert version.playlist.num_followers == 7


def test_an_unreadable_page_leaves_the_plain_version_and_warns(tmp_path: Path) -> None:
    mix = model_playlist(model_track(1), name="Mix")
    page = formats.render_pretty(mix, github=None).replace("| 3:00 |", "| soon |")
    assert "soon" in page
    builder = RepoBuilder(tmp_path / "r")
    builder.commit({PLAIN: plain_2021(mix), page_path("Mix"): page}, date="2026-01-01T06:00:00")
    warnings: list[str] = []
    (version,) = versions.list_versions(open_store(tmp_path / "r"), PID, warn=warnings.append)
    assert version.playlist.tracks == (plain_track(model_track(1)),)
    assert len(warnings) == 1 and page_path("Mix") in warnings[0]


# ------------------------------------------------------------------ the reader's cache


def test_each_distinct_line_is_parsed_once_whatever_the_final_newline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [f"Song {n} -- Artist {n} -- Album" for n in range(40)]
    texts = [
        "\n".join(["Mix", "words", "", *sorted(lines[day : day + 30], key=str.lower)])
        for day in range(10)
    ]
    builder = RepoBuilder(tmp_path / "r")
    for day, text in enumerate(texts, start=1):
        builder.commit({PLAIN: text}, date=f"2026-01-{day:02d}T06:00:00")
    calls: list[str] = []
    original = gitarchive.formats.plain.track_from_line

    def counted(line: str) -> Track:
        calls.append(line)
        return original(line)

    monkeypatch.setattr(gitarchive.formats.plain, "track_from_line", counted)
    monkeypatch.setattr(gitarchive.version_reader, "track_from_line", counted, raising=False)
    found = versions.list_versions(open_store(tmp_path / "r"), PID)
    assert len(found) == 10
    assert sorted(calls) == sorted(set(lines[:39]))


@pytest.mark.parametrize("layout", ["2019", "2021", "own"])
def test_the_page_reader_reads_every_page_as_read_pretty_does(tmp_path: Path, layout: str) -> None:
    truth = generate(
        tmp_path / "r", Shape(playlists=4, commits=30, min_tracks=8, max_tracks=14, layout=layout)
    )
    store = open_store(truth.path)
    reader = gitarchive.version_reader.VersionReader(store)
    outcomes: list[bool] = []
    for change in gitrepo.walk_folders(store, ["playlists/pretty"]):
        for path, blob in sorted(change.changes.items()):
            if blob is None or not path.endswith(".md"):
                continue
            text = formats.decode(gitrepo.read_blob(store, blob), path)
            owner = re.search(r"open\.spotify\.com/playlist/(\w{22})", text)
            playlist_id = PID if owner is None else owner.group(1)
            try:
                expected: object = formats.read_pretty(text, playlist_id, path=path)
            except FormatError as exc:
                expected = str(exc)
            try:
                found: object = reader.read("pretty", blob, playlist_id, path, commit=change.commit)
            except FormatError as exc:
                found = str(exc).replace(f"{change.commit[:12]}:", "")
            assert found == expected, (path, change.commit)
            outcomes.append(not isinstance(expected, str))
    assert len(outcomes) > 30 and any(outcomes)
