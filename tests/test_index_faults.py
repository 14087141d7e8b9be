"""The change index is a cache, so only damage is rebuilt: a lock is waited for, then reported
busy, and a folder where its file belongs is one line; neither deletes anything."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from gitarchive.index import db
from tests.support.builder import RepoBuilder, playlist_files
from tests.support.cli import index_file
from tests.support.cli import invoke_in as invoke
from tests.support.models import PID
from tests.support.models import model_playlist as playlist
from tests.support.models import model_track as track

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def version_series(builder: RepoBuilder) -> None:
    for day, count in enumerate((3, 4, 2, 5), start=1):
        versions = playlist(*(track(n) for n in range(count)), likes=10 + day)
        builder.commit(playlist_files(versions), date=f"2026-01-0{day}T06:00:00")


def test_a_locked_index_is_waited_for_then_busy_and_nothing_is_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    builder = RepoBuilder(repo)
    version_series(builder)
    assert invoke(repo, "history", PID)[0] == 0  # the index exists, folded up to HEAD
    builder.commit(playlist_files(playlist(track(6), likes=3)), date="2026-01-05T06:00:00")
    monkeypatch.setattr(db, "WAIT_SECONDS", 0.05)
    path = index_file(repo)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another command's write, longer than the wait
    writer.execute("UPDATE meta SET value = value WHERE key = 'schema'")
    try:
        for command in (["history", PID], ["cumulative", PID], ["index"], ["list"]):
            code, out, err = invoke(repo, *command)
            assert (code, out) == (1, ""), (command, err)
            lines = err.strip().splitlines()
            assert len(lines) == 1 and "busy" in lines[0] and str(path) in lines[0], err
            assert "damaged" not in err and "rebuilding" not in err
            assert path.exists() and path.with_name(path.name + "-wal").exists()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    code, out, err = invoke(repo, "history", PID, "--format", "json")
    assert code == 0 and err == ""
    monkeypatch.setenv(db.DISABLE_ENV, "1")
    assert invoke(repo, "history", PID, "--format", "json") == (0, out, "")


def test_an_index_file_that_is_a_folder_is_one_line_and_left_alone(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    version_series(RepoBuilder(repo))
    path = index_file(repo)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.mkdir()
    (path / "mine.txt").write_text("not gitarchive's\n")
    for command in (["history", PID], ["index"], ["list"], ["export", "sqlite", "x.db"]):
        code, out, err = invoke(repo, *command)
        assert (code, out) == (1, ""), (command, err)
        assert err.count("\n") == 1 and f"{path} is a folder" in err, err
    assert (path / "mine.txt").read_text() == "not gitarchive's\n"
