"""One sync at a time: the archive lock is an OS file lock (flock), held by real processes.

The holder is a separate Python process that takes the lock through gitarchive's
own API and says so on a pipe; the test waits on that pipe, never on a clock.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import TYPE_CHECKING

import pygit2
import pytest

from gitarchive.errors import LockedError
from gitarchive.git import LOCK_FILE, ArchiveLock, Store
from tests.support.api import fake_id, playlist_with_tracks
from tests.support.builder import init_archive
from tests.support.fakespotify import FakeSpotify

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

A = fake_id("lock-test", "a")

# Takes the lock, reports "LOCKED <pid>" on stdout, holds it until stdin closes.
HOLDER = """
import sys
from pathlib import Path
from gitarchive.git import ArchiveLock, Store

with ArchiveLock(Store.discover(Path(sys.argv[1]))):
    print("LOCKED", flush=True)
    sys.stdin.read()
"""


def start_holder(root: Path) -> subprocess.Popen[str]:
    """A process holding the archive lock (returned once it holds it)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline() == "LOCKED\n"
    return holder


@pytest.fixture
def holder_of(tmp_path: Path) -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()


def cli_sync(root: Path) -> subprocess.CompletedProcess[str]:
    """A real ``gitarchive sync`` process (the environment points it at the fake API)."""
    return subprocess.run(
        [sys.executable, "-m", "gitarchive", "-C", str(root), "sync", "--date", "2026-11-20"],
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_second_sync_process_names_the_holder_and_exits_1(
    tmp_path: Path,
    fake_spotify: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    holder_of: list[subprocess.Popen[str]],
) -> None:
    fake_spotify.setenv(monkeypatch)
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1]))
    root = tmp_path / "archive"
    init_archive(root, A)

    holder = start_holder(root)
    holder_of.append(holder)
    blocked = cli_sync(root)
    assert blocked.returncode == 1, blocked.stderr
    message = blocked.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert "another sync is running" in message
    assert f"pid {holder.pid} on " in message
    assert fake_spotify.api_requests() == []  # it stopped before fetching anything
    assert pygit2.Repository(str(root)).head_is_unborn

    assert holder.stdin is not None
    holder.stdin.close()  # the holder releases the lock and exits
    assert holder.wait() == 0
    ran = cli_sync(root)
    assert ran.returncode == 0, ran.stderr
    assert not pygit2.Repository(str(root)).head_is_unborn


def test_a_sigkilled_holder_never_blocks_the_next_sync(
    tmp_path: Path, holder_of: list[subprocess.Popen[str]]
) -> None:
    root = tmp_path / "r"
    pygit2.init_repository(str(root), initial_head="main")
    store = Store.discover(root)
    holder = start_holder(root)
    holder_of.append(holder)
    with pytest.raises(LockedError, match=f"pid {holder.pid} "):
        ArchiveLock(store).acquire()

    os.kill(holder.pid, signal.SIGKILL)
    assert holder.wait() == -signal.SIGKILL
    # the dead holder's record is still in the file: only the kernel's lock decides
    assert f'"pid": {holder.pid}' in (store.git_dir / LOCK_FILE).read_text()
    with ArchiveLock(store) as lock:
        assert f'"pid": {os.getpid()}' in lock.path.read_text()


def test_the_lock_is_exclusive_within_one_process_and_reusable(tmp_path: Path) -> None:
    store = Store(pygit2.init_repository(str(tmp_path / "r"), initial_head="main"))
    with ArchiveLock(store), pytest.raises(LockedError, match="another sync"):
        ArchiveLock(store).acquire()
    with ArchiveLock(store):  # released on exit: taken again at once
        pass


def test_a_garbled_holder_record_still_gives_a_clear_message(
    tmp_path: Path, holder_of: list[subprocess.Popen[str]]
) -> None:
    root = tmp_path / "r"
    pygit2.init_repository(str(root), initial_head="main")
    store = Store.discover(root)
    holder = start_holder(root)
    holder_of.append(holder)
    (store.git_dir / LOCK_FILE).write_text('{"pid": "1\\n2", "host": [], "started": 3}\n')
    with pytest.raises(LockedError, match=r"another sync is running .*holder not recorded"):
        ArchiveLock(store).acquire()


def test_a_symlinked_lock_file_is_refused(tmp_path: Path) -> None:
    store = Store(pygit2.init_repository(str(tmp_path / "r"), initial_head="main"))
    target = tmp_path / "elsewhere"
    (store.git_dir / LOCK_FILE).symlink_to(target)
    with pytest.raises(LockedError, match="cannot open the lock file"):
        ArchiveLock(store).acquire()
    assert not target.exists()
