"""How the change index stores versions, and how the all-playlists fold streams.

The index keeps each distinct track document once and every version's changes
by track id; the all-playlists fold holds a bounded window of commits, rows and
parsed tracks at a time. Whatever the window sizes, every read prints what the
walk prints.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

import gitarchive.git.chain
from gitarchive import cli
from gitarchive.formats.paths import SOURCE_KINDS
from gitarchive.git import Store
from gitarchive.index import ChangeIndex, db, fold, rows, stored
from tests.support.builder import RepoBuilder, playlist_files
from tests.support.foreign_archive import Shape, generate
from tests.support.models import PID
from tests.support.models import model_playlist as playlist
from tests.support.models import model_track as track

if TYPE_CHECKING:
    from pathlib import Path

runner = CliRunner()
OTHER = "Q" * 22
READS = (
    ("history", "--format", "json", "--likes"),
    ("history", "--moves", "--move-threshold", "2"),
    ("cumulative", "--format", "json"),
)


def invoke(repo: Path, *args: str) -> str:
    result = runner.invoke(cli.app, ["-C", str(repo), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def reads(repo: Path) -> list[str]:
    return [invoke(repo, read[0], pid, *read[1:]) for pid in (PID, OTHER) for read in READS]


def two_playlists(repo: Path) -> None:
    """Two playlists over six commits: a track moves between them, comes back, is
    renamed; a description changes; one commit changes one playlist only."""
    builder = RepoBuilder(repo)
    first = [track(1), track(2), track(3), track(4)]
    second = [track(5), track(6)]
    for day in range(1, 7):
        if day == 2:
            first, second = first[:-1], [*second, first[-1]]  # track 4 moves over
        if day == 3:
            first = [first[2], first[0], first[1], track(7)]  # a reorder and an add
        if day == 5:
            second = [second[-1], *second[:-1], track(1, name="Song 1 (Live)")]
        one = playlist(*first, likes=10 + day, description="new" if day > 3 else "")
        other = dataclasses.replace(playlist(*second, name="Other", likes=day), id=OTHER)
        files = playlist_files(one)
        if day != 4:  # a commit that changes one playlist only
            files.update(playlist_files(other))
        builder.commit(files, date=f"2026-01-0{day}T06:00:00")


def test_a_track_document_is_stored_once_whatever_changes_name_it(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    two_playlists(repo)
    invoke(repo, "index")
    connection = sqlite3.connect(db.index_path(Store.discover(repo)))
    docs = [doc for (doc,) in connection.execute("SELECT doc FROM tracks")]
    assert len(docs) == len(set(docs))
    # track 4: added to both playlists, removed from one
    assert sum('"Song 4"' in doc for doc in docs) == 1
    connection.close()


def test_small_fold_windows_read_the_same_as_the_walk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    two_playlists(repo)
    with monkeypatch.context() as patched:
        patched.setenv(db.DISABLE_ENV, "1")
        walked = reads(repo)
    monkeypatch.setattr(fold, "FLUSH_ROWS", 1)
    monkeypatch.setattr(fold, "FRESH_READER_EVERY", 1)
    monkeypatch.setattr(rows, "TRACK_CACHE", 1)
    monkeypatch.setattr(gitarchive.git.chain, "STREAM_WINDOW", 2)
    invoke(repo, "index", "--rebuild")
    assert reads(repo) == walked
    db.remove_files(db.index_path(Store.discover(repo)))
    assert reads(repo) == walked  # each playlist folded on its own, then warm
    invoke(repo, "index")  # the other one's versions, looked up in a filled tracks table
    assert reads(repo) == walked


def test_the_all_playlists_fold_reports_how_far_it_is(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    two_playlists(repo)
    told: list[tuple[str, int, int]] = []
    with ChangeIndex(Store.discover(repo)) as index:
        index.rebuild(lambda step, done, total: told.append((step, done, total)))
    reading = [item for item in told if item[0] == fold.READING]
    folding = [item for item in told if item[0] == fold.FOLDING]
    assert reading[0] == (fold.READING, 0, 6) and reading[-1] == (fold.READING, 6, 6)
    assert folding[0] == (fold.FOLDING, 0, 2) and folding[-1] == (fold.FOLDING, 2, 2)
    assert told.index(reading[-1]) < told.index(folding[0])


def test_stored_source_names_are_the_source_kinds() -> None:
    assert stored.SOURCE_NAMES == SOURCE_KINDS


@pytest.mark.parametrize("layout", ["2021", "own", "mixed"])
def test_foreign_shaped_archives_read_the_same_with_and_without_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    repo = tmp_path / "repo"
    truth = generate(repo, Shape(playlists=4, commits=24, min_tracks=5, max_tracks=12,
                                 layout=layout))  # fmt: skip
    ids = sorted(truth.versions)[:2]

    def every_read() -> list[str]:
        return [invoke(repo, read[0], pid, *read[1:]) for pid in ids for read in READS]

    with monkeypatch.context() as patched:
        patched.setenv(db.DISABLE_ENV, "1")
        walked = every_read()
    assert every_read() == walked  # cold: each playlist folded on its own, then warm
    invoke(repo, "index", "--rebuild")
    assert every_read() == walked
