"""`gitarchive track` through the change index: it reads only the playlists whose index rows
name the track, and answers exactly as the walk of the whole log does."""

from __future__ import annotations

import sqlite3
from array import array
from typing import TYPE_CHECKING

import pytest

from gitarchive import versions
from gitarchive.index import ChangeIndex, db
from gitarchive.index.db import DISABLE_ENV, INDEX_FILE, INDEX_FOLDER
from gitarchive.index.track_terms import holding
from gitarchive.model import Album, Artist, Playlist, Track
from tests.support.api import fake_id
from tests.support.builder import RepoBuilder
from tests.support.cli import run_cli, run_cli_captured
from tests.support.moving import EVENING, MORNING, MOVER, OTHER, build_moving_archive

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

    from gitarchive.git import Store
    from gitarchive.history import Version
    from gitarchive.index import VersionSource

SPELLINGS = (
    MOVER,
    f"https://open.spotify.com/track/{MOVER}?si=abc",
    f"spotify:track:{MOVER}",
    "the mover — WANDERER",
    "The Mover",
    "Song 1 — Someone",
    "Song 7",
)


@pytest.fixture
def moving_archive(tmp_path: Path) -> Path:
    return build_moving_archive(tmp_path / "archive")


def answers(
    capsys: pytest.CaptureFixture[str], root: Path, queries: Iterable[str]
) -> list[tuple[int, str, str]]:
    """Each query's exit status, stdout and stderr, as text and as JSON."""
    return [
        run_cli_captured(capsys, "-C", str(root), "track", query, *extra)
        for query in queries
        for extra in ((), ("--format", "json"))
    ]


def walked_and_indexed(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    root: Path,
    queries: Iterable[str],
) -> tuple[list[tuple[int, str, str]], list[tuple[int, str, str]]]:
    queries = list(queries)
    with monkeypatch.context() as without_index:
        without_index.setenv(DISABLE_ENV, "1")
        walked = answers(capsys, root, queries)
    assert run_cli("-C", str(root), "index") == 0
    capsys.readouterr()
    return walked, answers(capsys, root, queries)


def test_every_spelling_answers_as_the_walk_does_in_both_formats(
    moving_archive: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    walked, indexed = walked_and_indexed(capsys, monkeypatch, moving_archive, SPELLINGS)
    assert (moving_archive / ".git" / INDEX_FOLDER / INDEX_FILE).exists()
    assert indexed == walked
    assert all(code == 0 for code, _, _ in walked)


def test_a_warm_track_reads_only_the_playlists_that_held_the_track(
    moving_archive: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_cli("-C", str(moving_archive), "index") == 0
    read: list[set[str]] = []
    of_sources = versions.versions_of_sources

    def recording(store: Store, sources: Iterable[VersionSource]) -> Iterator[Version]:
        listed = list(sources)
        read.append({row[0] for row in listed})
        return of_sources(store, listed)

    def every_view(index: ChangeIndex) -> None:
        del index
        raise AssertionError("a warm track decoded every playlist's cumulative view")

    monkeypatch.setattr(versions, "versions_of_sources", recording)
    monkeypatch.setattr(ChangeIndex, "all_cumulative_views", every_view)
    for query, expected in ((MOVER, {MORNING, EVENING}), ("Song 7", {OTHER})):
        code, _, err = run_cli_captured(capsys, "-C", str(moving_archive), "track", query)
        assert code == 0, err
        assert read.pop() == expected


def retitled(title: str) -> Track:
    track_id = fake_id("track", "retitled")
    return Track(
        name=title,
        artists=(Artist("Singer"),),
        album=Album("Album"),
        url=f"https://open.spotify.com/track/{track_id}",
        duration_ms=180_000,
    )


def test_a_retitled_track_is_found_by_the_title_each_playlist_last_gave_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """First gets the new title in a commit after the index was built (the catch-up must
    rewrite its terms); Second dropped the track under its old title."""
    first, second = fake_id("playlist", "first"), fake_id("playlist", "second")
    root = tmp_path / "archive"
    builder = RepoBuilder(root)

    def commit(day: str, in_first: Track, *in_second: Track) -> None:
        playlists = [
            Playlist(id=first, original_name="First", unique_name="First", tracks=(in_first,)),
            Playlist(id=second, original_name="Second", unique_name="Second", tracks=in_second),
        ]
        builder.commit_playlists(playlists, date=f"{day}T06:00:00Z")

    commit("2026-11-01", retitled("Old Title"), retitled("Old Title"))
    commit("2026-11-02", retitled("Old Title"))
    assert run_cli("-C", str(root), "index") == 0
    capsys.readouterr()
    commit("2026-11-03", retitled("New Title"))
    queries = ("New Title — Singer", "Old Title", fake_id("track", "retitled"))
    walked, indexed = walked_and_indexed(capsys, monkeypatch, root, queries)
    assert indexed == walked
    (_, new, _), _, (_, old, _), _, (_, by_id, _), _ = walked
    assert "First" in new and "Second" not in new
    assert "Second" in old and "First" not in old
    assert "2 playlists" in by_id


def test_a_term_is_found_only_as_a_whole_item_of_a_playlists_terms() -> None:
    connection = sqlite3.connect(":memory:")
    connection.executescript(db.SCHEMA)
    items = array("I", [0x11223344, 0x55667788])
    blob = items.tobytes()
    connection.execute("INSERT INTO track_terms VALUES ('p', ?)", (blob,))
    straddling = array("I", blob[2:6])[0]  # the end of one item and the start of the next
    assert holding(connection, [straddling]) == []
    assert holding(connection, [items[1]]) == ["p"]
    assert holding(connection, [straddling, items[0]]) == ["p"]
    assert holding(connection, []) == []
