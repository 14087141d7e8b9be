"""A restore killed half-way and run again ends with exactly the version's items.

A real `gitarchive restore` child process against the fake API, failed at each restore
fault point (the test-only GITARCHIVE_FAULT switch), then run again without it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import TYPE_CHECKING

import pygit2
import pytest

from gitarchive.git.faults import RESTORE_POINTS
from tests.support.api import fake_id
from tests.support.cli import run_cli
from tests.support.fake_writes import WRITE_SCOPE
from tests.support.restoring import DAY1, USER, items_of, owned, track_uri

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.fakespotify import FakeSpotify

A = fake_id("restore-faults", "a")
VERSION = [i % 230 for i in range(250)]  # three writes: replace 100, add 100, add 50
EXPECTED_EXIT = {"kill": -signal.SIGKILL, "int": 130, "raise": 3}


def restore_child(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gitarchive", "-C", str(root), "restore", A, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def archived(
    tmp_path: Path, fake_spotify_dev: FakeSpotify, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, dict[str, str]]:
    """VERSION archived; the playlist on Spotify since changed; the child's environment."""
    env = fake_spotify_dev.setenv(monkeypatch, refresh_token=True, scope=WRITE_SCOPE)
    root = tmp_path / "archive"
    pygit2.init_repository(str(root), initial_head="main")
    fake_spotify_dev.add_playlist(owned(A, VERSION))
    assert run_cli("-C", str(root), "add", A) == 0
    assert run_cli("-C", str(root), "sync", "--date", DAY1) == 0
    fake_spotify_dev.add_playlist(owned(A, [1, 2, 3]))
    child = {k: v for k, v in os.environ.items() if not k.startswith("GITARCHIVE_FAULT")}
    return root, {**child, **env}


@pytest.mark.parametrize("action", ["kill", "int", "raise"])
@pytest.mark.parametrize("point", ["restore-after-replace", "restore-between-adds"])
def test_into_cut_short_at_a_fault_point_and_run_again_holds_the_version(
    archived: tuple[Path, dict[str, str]], fake_spotify_dev: FakeSpotify, point: str, action: str
) -> None:
    root, env = archived
    failed = restore_child(
        root, {**env, "GITARCHIVE_FAULT": f"{point}:{action}"}, "--into", A, "--yes"
    )
    assert failed.returncode == EXPECTED_EXIT[action], failed.stderr
    partial = items_of(fake_spotify_dev, A)
    assert partial == [track_uri(A, i) for i in VERSION[: len(partial)]]  # a prefix, no more
    assert len(partial) == (100 if point == "restore-after-replace" else 200)
    fake_spotify_dev.reset_log()
    again = restore_child(root, env, "--into", A, "--yes")
    assert again.returncode == 0, again.stderr
    assert items_of(fake_spotify_dev, A) == [track_uri(A, i) for i in VERSION]
    # only what was missing is written: no replace, no duplicate
    assert [r.method for r in fake_spotify_dev.writes.requests()] == ["POST"] * (
        2 if point == "restore-after-replace" else 1
    )


@pytest.mark.parametrize("action", ["kill", "int", "raise"])
def test_new_cut_short_after_creating_is_finished_by_the_next_run_in_the_same_playlist(
    archived: tuple[Path, dict[str, str]], fake_spotify_dev: FakeSpotify, action: str
) -> None:
    root, env = archived
    fault = {"GITARCHIVE_FAULT": f"restore-after-create:{action}"}
    failed = restore_child(root, {**env, **fault}, "--new")
    assert failed.returncode == EXPECTED_EXIT[action], failed.stderr
    again = restore_child(root, env, "--new")
    assert again.returncode == 0, again.stderr
    mine = [
        pid for pid, p in fake_spotify_dev._playlists.items() if pid != A and p.owner_id == USER
    ]
    assert len(mine) == 1
    assert items_of(fake_spotify_dev, mine[0]) == [track_uri(A, i) for i in VERSION]


def test_every_restore_point_is_covered() -> None:
    assert set(RESTORE_POINTS) == {
        "restore-after-create",
        "restore-after-replace",
        "restore-between-adds",
    }
