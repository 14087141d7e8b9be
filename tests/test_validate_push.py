"""The pre-push hook checks secrets in every pushed commit, however many there are."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

import pygit2
import pytest

from gitarchive import formats, hooks
from gitarchive.git import Store
from gitarchive.validate import MAX_COMMITS_ONE_BY_ONE, validate_push
from tests.support.archive_files import (
    archive_files,
    commit,
    github_token,
    make_playlist,
    playlist_id,
    spotify_access_token,
)

if TYPE_CHECKING:
    from pathlib import Path

PID = playlist_id(1)


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=120, check=False
    )


def long_history(tmp_path: Path, count: int) -> tuple[pygit2.Repository, Path]:
    """A pushed archive, then ``count`` more commits: a token added and removed in the first two."""
    remote, work = tmp_path / "origin.git", tmp_path / "work"
    pygit2.init_repository(str(remote), bare=True, initial_head="main")
    repo = pygit2.init_repository(str(work), initial_head="main")
    repo.remotes.create("origin", str(remote))
    commit(repo, archive_files([make_playlist(1), make_playlist(2)]), "first sync")
    assert git(work, "push", "origin", "main").returncode == 0
    path = formats.pretty_path(PID)
    good = (work / path).read_bytes()
    leaked = good.decode().replace("Description of", github_token(), 1).encode()
    commit(repo, {path: leaked}, "oops", checkout=False)
    commit(repo, {path: good}, "remove the token", checkout=False)
    for number in range(count - 2):
        commit(repo, {"notes.txt": f"note {number}\n".encode()}, f"note {number}", checkout=False)
    return repo, work


def test_a_token_removed_early_in_a_push_of_207_commits_blocks_it(tmp_path: Path) -> None:
    repo, work = long_history(tmp_path, MAX_COMMITS_ONE_BY_ONE + 7)
    hooks.install(Store(repo))
    result = git(work, "push", "origin", "main")
    assert result.returncode != 0
    assert "GA053" in result.stderr
    assert github_token() not in result.stderr


def test_a_long_push_finds_what_checking_one_by_one_finds(tmp_path: Path) -> None:
    repo, _work = long_history(tmp_path, 12)
    tip = str(repo.head.target)
    remote_tip = str(repo.references["refs/remotes/origin/main"].target)
    stdin = f"refs/heads/main {tip} refs/heads/main {remote_tip}\n"
    store = Store(repo)
    one_by_one = validate_push(store, stdin)
    tips_and_blobs = validate_push(store, stdin, max_commits=3)
    assert [f.rule for f in one_by_one] == ["GA053"]
    assert [(f.rule, f.path) for f in tips_and_blobs] == [("GA053", formats.pretty_path(PID))]
    assert tips_and_blobs[0].commit == one_by_one[0].commit


@pytest.mark.parametrize("max_commits", [MAX_COMMITS_ONE_BY_ONE, 1])
def test_a_token_in_a_pushed_commit_message_rejects_the_push(
    tmp_path: Path, max_commits: int
) -> None:
    repo, work = long_history(tmp_path, 2)
    good = (work / formats.pretty_path(PID)).read_bytes()
    commit(repo, {formats.pretty_path(PID): good}, "nothing leaked")  # the files are clean again
    message = f"sync with {github_token()}\n\nand {spotify_access_token()}"
    pasted = commit(repo, {"notes.txt": b"a note\n"}, message, checkout=False)
    tip = str(repo.head.target)
    remote_tip = str(repo.references["refs/remotes/origin/main"].target)
    stdin = f"refs/heads/main {tip} refs/heads/main {remote_tip}\n"
    findings = validate_push(Store(repo), stdin, max_commits=max_commits)
    in_messages = [f for f in findings if f.path == "<commit message>"]
    assert {f.rule for f in in_messages} == {"GA053", "GA051"}
    assert {f.commit for f in in_messages} == {pasted}
    assert not any(github_token() in str(f) or spotify_access_token() in str(f) for f in findings)


def test_the_pre_push_hook_rejects_a_token_in_a_commit_message(tmp_path: Path) -> None:
    repo, work = long_history(tmp_path, 2)
    hooks.install(Store(repo))
    git(work, "push", "--no-verify", "origin", "main")  # the token in a file: not this test's
    commit(repo, {"notes.txt": b"a note\n"}, f"sync\n\ntoken {github_token()}\n", checkout=False)
    result = git(work, "push", "origin", "main")
    assert result.returncode != 0
    assert "GA053" in result.stderr and "<commit message>" in result.stderr
    assert github_token() not in result.stderr
