"""`export sqlite` is one state of the archive: a fold another command commits while the
export reads its playlists is not in the file (no playlist at commit N beside one at N+1)."""

from __future__ import annotations

import dataclasses
import sqlite3
from typing import TYPE_CHECKING

from gitarchive.git import Store
from gitarchive.index import ChangeIndex, export
from tests.support.builder import RepoBuilder, playlist_files
from tests.support.cli import run_cli
from tests.support.models import PID, model_playlist, model_track

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

OTHER = "Q" * 22


def _commit_both(builder: RepoBuilder, day: int) -> None:
    files: dict[str, str | None] = {}
    for playlist_id in (PID, OTHER):
        playlist = model_playlist(*(model_track(n) for n in range(day + 1)), likes=day)
        files |= playlist_files(dataclasses.replace(playlist, id=playlist_id))
    builder.commit(files, date=f"2026-01-0{day}T06:00:00Z")


def _last_commits(database: Path) -> dict[str, tuple[str, int]]:
    connection = sqlite3.connect(database)
    try:
        rows = connection.execute(
            "SELECT playlist_id, max(date), count(*) FROM versions GROUP BY playlist_id"
        ).fetchall()
    finally:
        connection.close()
    return {playlist_id: (date, count) for playlist_id, date, count in rows}


def test_a_fold_committed_between_two_playlists_is_not_in_the_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "archive"
    builder = RepoBuilder(repo)
    for day in (1, 2, 3):
        _commit_both(builder, day)
    assert run_cli("-C", str(repo), "index") == 0
    original = export._read_playlist
    exported: list[str] = []

    def then_another_command_folds(source: sqlite3.Connection, playlist_id: str) -> export._Read:
        found = original(source, playlist_id)
        exported.append(playlist_id)
        if len(exported) == 1:  # between the two playlists: a sync commits, a reader folds
            _commit_both(builder, 4)
            with ChangeIndex(Store.discover(repo)) as other:
                other.catch_up_all()
                assert other.status()["versions"] == 8
        return found

    monkeypatch.setattr(export, "_read_playlist", then_another_command_folds)
    database = tmp_path / "archive.sqlite"
    assert run_cli("-C", str(repo), "export", "sqlite", str(database)) == 0
    assert exported == [PID, OTHER]
    assert _last_commits(database) == {
        PID: ("2026-01-03T06:00:00Z", 3),
        OTHER: ("2026-01-03T06:00:00Z", 3),
    }
    monkeypatch.setattr(export, "_read_playlist", original)
    assert run_cli("-C", str(repo), "export", "sqlite", str(database)) == 0
    assert _last_commits(database) == {
        PID: ("2026-01-04T06:00:00Z", 4),
        OTHER: ("2026-01-04T06:00:00Z", 4),
    }
