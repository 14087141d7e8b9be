"""A symbolic link under playlists/ is reported (GA006), never followed.

In the work tree, the index, a commit and a push.
"""

from __future__ import annotations

import os
import subprocess
from typing import TYPE_CHECKING

import pygit2
import pytest

from gitarchive import formats, hooks
from gitarchive import git as gitrepo
from gitarchive.git import Store
from gitarchive.validate import (
    Finding,
    validate_commit_all,
    validate_revision,
    validate_staged,
    validate_worktree,
)
from tests.support.archive_files import archive_files, commit, github_token, make_playlist

if TYPE_CHECKING:
    from pathlib import Path

LINKED = "DDDDDDDDDDDDDDDDDDDDDD"
LINK_PATH = formats.registry_path(LINKED)


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """An archive whose registry holds a link to a one-line file outside it, holding a token."""
    outside = tmp_path / "outside"
    outside.write_text(f"SECRET={github_token()}\n")
    root = tmp_path / "work"
    repo = pygit2.init_repository(str(root), initial_head="main")
    commit(repo, archive_files([make_playlist(1)]), "first sync")
    os.symlink(outside, root / LINK_PATH)
    return root


def rules_and_paths(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.rule, f.path) for f in findings]


def test_a_linked_registry_entry_in_the_work_tree_is_reported_not_read(work: Path) -> None:
    found = validate_worktree(Store.discover(work))
    assert rules_and_paths(found) == [("GA006", LINK_PATH)]  # no GA053: the target was not read


def test_a_linked_folder_in_the_work_tree_is_reported_and_not_entered(
    work: Path, tmp_path: Path
) -> None:
    os.unlink(work / LINK_PATH)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "not-an-id").write_text(github_token())
    plain = work / "playlists" / "plain"
    for file in plain.iterdir():
        (elsewhere / file.name).write_bytes(file.read_bytes())
        file.unlink()
    plain.rmdir()
    os.symlink(elsewhere, plain)
    found = validate_worktree(Store.discover(work))
    assert ("GA006", "playlists/plain") in rules_and_paths(found)
    assert "GA053" not in {rule for rule, _ in rules_and_paths(found)}


def test_a_staged_and_a_committed_link_are_reported(work: Path) -> None:
    assert git(work, "add", LINK_PATH).returncode == 0
    store = Store.discover(work)
    assert rules_and_paths(validate_staged(store)) == [("GA006", LINK_PATH)]
    assert git(work, "commit", "-qm", "a linked registry entry").returncode == 0
    assert rules_and_paths(validate_revision(store, "HEAD")) == [("GA006", LINK_PATH)]
    assert rules_and_paths(validate_commit_all(store, gitrepo.resolve(store, "HEAD"))) == [
        ("GA006", LINK_PATH)
    ]


def test_a_pushed_link_is_rejected_by_the_hook(work: Path, tmp_path: Path) -> None:
    remote = tmp_path / "origin.git"
    pygit2.init_repository(str(remote), bare=True, initial_head="main")
    assert git(work, "remote", "add", "origin", str(remote)).returncode == 0
    hooks.install(Store.discover(work))
    assert git(work, "add", LINK_PATH).returncode == 0
    assert git(work, "commit", "-qm", "a linked registry entry").returncode == 0
    assert git(work, "commit", "-q", "--allow-empty", "-m", "later").returncode == 0
    pushed = git(work, "push", "origin", "main")
    assert pushed.returncode != 0
    assert "GA006" in pushed.stderr
    assert github_token() not in pushed.stderr
