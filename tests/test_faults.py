"""Kill a real `gitarchive sync` at every named fault point; nothing archived is lost.

Each test runs ``python -m gitarchive sync`` as a child process against the fake
Spotify API with the test-only switch ``GITARCHIVE_FAULT=point:action`` (see
gitarchive/git/faults.py and CONTRIBUTING.md), lets it die there (SIGKILL: no
cleanup runs; SIGINT: Ctrl-C; raise: a bug-shaped exception), then checks what
the archive promises: `git fsck --strict` and `git verify-pack` clean, HEAD at
the old or the new commit and nothing else, no registry entry lost, and after
the next sync the work tree and index equal HEAD for playlists/ and the tree is
the one an uninterrupted sync of the same inputs makes. A file-size limit
(RLIMIT_FSIZE, `ulimit -f`) stands in for a full disk.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pygit2
import pytest

from gitarchive import formats
from gitarchive.git import PENDING_FILE, Store
from gitarchive.git.faults import POINTS
from gitarchive.sync import SyncOptions, run_sync
from tests.support.api import api_playlist, fake_id, playlist_with_tracks
from tests.support.builder import init_archive
from tests.support.fakespotify import FakeSpotify
from tests.support.gitcli import git, git_process

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

DAY0 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
DAY1 = "2026-11-21T06:00:00Z"
IDS = [fake_id("faults", n) for n in range(12)]
NEW = fake_id("faults", "registered after the first sync")
GROWS = IDS[0]  # the playlist whose files grow past the file-size limit on day 1

# Where each point fires with the most work around it: between-files@5 is after four
# of the day's ~45 files were written.
KILL_POINTS = [point if point != "between-files" else "between-files@5" for point in POINTS]
PUSH_POINTS = {"before-push", "during-push", "after-push"}
# the roll-up runs only when the packs are out of progression: the scenario makes sure
REPACK_POINTS = {"repack-before-delete"}


@dataclass
class Scenario:
    root: Path
    origin: Path
    env: dict[str, str]
    old_head: str
    new_head: str  # what an uninterrupted day-1 sync commits
    new_tree: str
    registry: set[str]


def child_env(fake: FakeSpotify, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITARCHIVE_FAULT")}
    env.update(fake.env())
    env.update(extra)
    return env


def run_gitarchive(
    root: Path,
    env: dict[str, str],
    *args: str,
    preexec: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gitarchive", "-C", str(root), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=preexec,
    )


def sync_day1(
    root: Path,
    env: dict[str, str],
    *,
    push: bool = False,
    preexec: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    args = ["sync", "--date", DAY1, *(["--push"] if push else [])]
    return run_gitarchive(root, env, *args, preexec=preexec)


def serve_day(fake: FakeSpotify, day: int) -> None:
    """Day 0: twelve playlists. Day 1: every like count moves, three playlists change tracks,
    one grows from 20 to 60 tracks, and one answers 404 (its files must stay)."""
    for n, playlist_id in enumerate(IDS):
        if day and n == 11:
            fake.remove_playlist(playlist_id)
            continue
        tracks = 20 if not (day and playlist_id == GROWS) else 60
        if day and n in (1, 2, 3):
            data = playlist_with_tracks(playlist_id, [*range(2, 20), 40 + n], followers=500 + n)
        else:
            data = api_playlist(playlist_id, tracks, followers=100 * n + day * 7 + 1)
        fake.add_playlist(data)
    if day:
        fake.add_playlist(api_playlist(NEW, 15))


def registry_files(root: Path) -> set[str]:
    folder = root / "playlists" / "registry"
    return {path.name for path in folder.iterdir()}


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


@pytest.fixture
def scenario(
    tmp_path: Path, fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch
) -> Scenario:
    fake_spotify.setenv(monkeypatch)
    root = tmp_path / "archive"
    repo = init_archive(root, *IDS)
    repo.config["user.name"] = "Fault Tester"
    repo.config["user.email"] = "faults@example.invalid"
    serve_day(fake_spotify, 0)
    first = run_sync(Store.discover(root), SyncOptions(now=DAY0))
    assert first.commit is not None
    origin = tmp_path / "origin.git"
    pygit2.init_repository(str(origin), bare=True, initial_head="main")
    git(root, "remote", "add", "origin", str(origin))
    git(root, "push", "-q", "origin", "main")
    # registered by hand after the first sync, not committed yet: the sync commits it
    (root / formats.registry_path(NEW)).write_text("")
    serve_day(fake_spotify, 1)
    env = child_env(fake_spotify)
    reference = tmp_path / "reference"
    shutil.copytree(root, reference, symlinks=True)
    done = sync_day1(reference, env)
    assert done.returncode == 0, done.stderr
    return Scenario(
        root=root,
        origin=origin,
        env=env,
        old_head=first.commit,
        new_head=head(reference),
        new_tree=git(reference, "rev-parse", "HEAD^{tree}").strip(),
        registry=registry_files(root),
    )


def assert_repository_sound(s: Scenario) -> None:
    fsck = git_process(s.root, "fsck", "--strict")
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    assert "error" not in fsck.stderr.lower(), fsck.stderr
    for index in (s.root / ".git" / "objects" / "pack").glob("*.idx"):
        git(s.root, "verify-pack", str(index))
    assert head(s.root) in (s.old_head, s.new_head)
    assert s.registry <= registry_files(s.root)  # no registry entry lost


def assert_worktree_is_head(s: Scenario) -> None:
    """Work tree and index equal HEAD for playlists/; the hand-made registry entry stays
    untracked until a sync commits it."""
    status = git(s.root, "status", "--porcelain", "--", "playlists")
    untracked = f"?? {formats.registry_path(NEW)}\n"
    assert status == ("" if head(s.root) == s.new_head else untracked)
    assert git(s.root, "diff", "--cached") == ""
    assert not (s.root / ".git" / PENDING_FILE).exists()


def assert_next_sync_completes(s: Scenario, *, push: bool = False) -> None:
    again = sync_day1(s.root, s.env, push=push)
    assert again.returncode == 0, again.stderr
    assert head(s.root) == s.new_head
    assert git(s.root, "rev-parse", "HEAD^{tree}").strip() == s.new_tree
    assert_worktree_is_head(s)
    assert_repository_sound(s)
    if push:  # a commit a killed sync made is pushed by the next one
        assert git(s.origin, "rev-parse", "main").strip() == s.new_head


def prepare_for(point: str, s: Scenario) -> None:
    """The roll-up point is reached only when the packs need one: add two small packs."""
    if point in REPACK_POINTS:
        for n in range(2):
            blob = git(s.root, "hash-object", "-w", "--stdin", stdin=f"filler {n}\n").strip()
            git(s.root, "pack-objects", "-q", ".git/objects/pack/pack", stdin=blob + "\n")


@pytest.mark.slow
@pytest.mark.parametrize("point", KILL_POINTS)
def test_sigkill_at_every_point_loses_nothing(scenario: Scenario, point: str) -> None:
    s = scenario
    prepare_for(point, s)
    env = {**s.env, "GITARCHIVE_FAULT": f"{point}:kill"}
    killed = sync_day1(s.root, env, push=point.split("@")[0] in PUSH_POINTS)
    assert killed.returncode == -signal.SIGKILL, (killed.returncode, killed.stderr)
    assert_repository_sound(s)
    remote = git(s.origin, "rev-parse", "main").strip()
    assert remote in (s.old_head, s.new_head)  # the remote never holds anything else
    assert_next_sync_completes(s, push=True)


@pytest.mark.slow
@pytest.mark.parametrize(
    "point",
    [
        "after-fetch",
        "between-files@5",
        "after-objects",
        "before-ref-update",
        "after-ref-update",
        "index-write",
    ],
)
def test_ctrl_c_puts_every_file_back_before_exit(scenario: Scenario, point: str) -> None:
    s = scenario
    env = {**s.env, "GITARCHIVE_FAULT": f"{point}:int"}
    interrupted = sync_day1(s.root, env)
    assert interrupted.returncode == 130, interrupted.stderr
    assert interrupted.stderr.strip() == "gitarchive: interrupted"
    assert_repository_sound(s)
    assert_worktree_is_head(s)  # at once, before any other command runs
    assert_next_sync_completes(s)


@pytest.mark.slow
@pytest.mark.parametrize("point", KILL_POINTS)
def test_an_exception_at_any_point_puts_every_file_back(scenario: Scenario, point: str) -> None:
    s = scenario
    prepare_for(point, s)
    env = {**s.env, "GITARCHIVE_FAULT": f"{point}:raise"}
    failed = sync_day1(s.root, env, push=point.split("@")[0] in PUSH_POINTS)
    assert failed.returncode == 3, failed.stderr  # an exception we did not expect is a bug
    assert "fault injected at" in failed.stderr
    assert_repository_sound(s)
    if point.split("@")[0] not in PUSH_POINTS | REPACK_POINTS:
        assert_worktree_is_head(s)
    assert_next_sync_completes(s, push=True)


def test_a_full_disk_fails_cleanly_and_restores_the_files(scenario: Scenario) -> None:
    s = scenario
    before = {
        path: (s.root / path).read_bytes() for path in git(s.root, "ls-files", "playlists").split()
    }
    grown = (s.root / formats.cumulative_path(GROWS)).stat().st_size
    limit = max(len(data) for data in before.values()) + 512
    assert limit < 2 * grown  # the day-1 page of GROWS (60 tracks, not 20) cannot fit

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG as an error, not a signal
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    full = sync_day1(s.root, s.env, preexec=limited)
    assert full.returncode == 1, full.stderr
    assert "internal error" not in full.stderr
    assert full.stderr.startswith("gitarchive: error: could not write the sync: File too large")
    assert "nothing was committed, every file was put back" in full.stderr
    assert head(s.root) == s.old_head
    assert_repository_sound(s)
    for path, data in before.items():
        assert (s.root / path).read_bytes() == data, path
    assert_worktree_is_head(s)
    assert_next_sync_completes(s)


def test_the_switch_is_refused_when_misspelt(scenario: Scenario) -> None:
    env = {**scenario.env, "GITARCHIVE_FAULT": "after-fetchh:kill"}
    done = sync_day1(scenario.root, env)
    assert done.returncode == 3 and "GITARCHIVE_FAULT" in done.stderr
    assert head(scenario.root) == scenario.old_head
