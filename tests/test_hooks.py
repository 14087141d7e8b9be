"""The hooks, end to end: the real `git push` / `git commit` run the installed scripts."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pygit2
import pytest

from gitarchive import formats, hooks
from gitarchive.git import Store, hooks_dir
from tests.support.archive_files import (
    archive_files,
    commit,
    github_token,
    make_playlist,
    playlist_id,
)
from tests.support.gitcli import git, git_process

PID = playlist_id(1)


class Archive:
    """A work repository with an archive, a bare `origin`, and gitarchive's pre-push hook."""

    def __init__(self, root: Path) -> None:
        self.path = root / "work"
        self.remote = root / "origin.git"
        pygit2.init_repository(str(self.remote), bare=True, initial_head="main")
        self.repo = pygit2.init_repository(str(self.path), initial_head="main")
        self.repo.remotes.create("origin", str(self.remote))
        self.store = Store(self.repo)

    def commit(self, files: Mapping[str, bytes | None], message: str = "archive") -> str:
        return commit(self.repo, files, message)

    def read(self, path: str) -> bytes:
        return (self.path / path).read_bytes()

    def push(self, *args: str) -> subprocess.CompletedProcess[str]:
        return git_process(self.path, "push", "origin", *args)


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    work = Archive(tmp_path)
    work.commit(archive_files([make_playlist(1), make_playlist(2)]), "first sync")
    assert work.push("main").returncode == 0  # no hook yet: the remote starts with a good archive
    hooks.install(work.store)
    return work


def edited(data: bytes, old: str, new: str) -> bytes:
    text = data.decode()
    assert old in text
    return text.replace(old, new, 1).encode()


def sync_like_change(work: Archive) -> dict[str, bytes | None]:
    changed = make_playlist(1, tracks=8)
    files = archive_files([changed, make_playlist(2)])
    return {path: data for path, data in files.items() if work.read(path) != data}


def test_a_good_sync_commit_is_pushed(archive: Archive) -> None:
    archive.commit(sync_like_change(archive), "Sync: 1 playlist changed")
    result = archive.push("main")
    assert result.returncode == 0, result.stderr
    remote = pygit2.Repository(str(archive.remote))
    assert str(remote.references["refs/heads/main"].target) == str(archive.repo.head.target)


@pytest.mark.parametrize(
    ("rule", "path", "change"),
    [
        (
            "GA021",
            formats.pretty_path(PID),
            lambda a: edited(a.read(formats.pretty_path(PID)), "zeta \\| pipe", "zeta | pipe"),
        ),
        (
            "GA011",
            formats.plain_path(PID),
            lambda a: edited(a.read(formats.plain_path(PID)), "Alpha [x]", "zz Alpha [x]"),
        ),
        ("GA001", "playlists/registry/not-an-id", lambda a: b""),
        ("GA002", formats.registry_path(PID), lambda a: b"Alias\nand more\n"),
        (
            "GA053",
            formats.pretty_path(PID),
            lambda a: edited(a.read(formats.pretty_path(PID)), "Description of", github_token()),
        ),
    ],
)
def test_a_broken_file_rejects_the_push(
    archive: Archive, rule: str, path: str, change: object
) -> None:
    before = str(archive.repo.head.target)
    archive.commit({path: change(archive)}, "hand edit")  # type: ignore[operator]
    result = archive.push("main")
    assert result.returncode != 0
    assert f"{rule} " in result.stderr and path in result.stderr, result.stderr
    assert "push rejected" in result.stderr
    remote = pygit2.Repository(str(archive.remote))
    assert str(remote.references["refs/heads/main"].target) == before
    assert github_token() not in result.stderr


def test_a_token_removed_in_a_later_commit_still_blocks(archive: Archive) -> None:
    path = formats.pretty_path(PID)
    good = archive.read(path)
    archive.commit({path: edited(good, "Description of", github_token())}, "oops")
    archive.commit({path: good}, "remove the token")
    result = archive.push("main")
    assert result.returncode != 0
    assert "GA053" in result.stderr


def test_deleting_a_branch_passes(archive: Archive) -> None:
    archive.commit({"playlists/registry/bad": b""}, "bad")
    assert archive.push("--no-verify", "HEAD:refs/heads/feature").returncode == 0
    result = archive.push("--delete", "feature")
    assert result.returncode == 0, result.stderr
    remote = pygit2.Repository(str(archive.remote))
    assert "refs/heads/feature" not in remote.references


def test_a_new_branch_is_validated_against_what_the_remote_lacks(archive: Archive) -> None:
    # An old bad commit already on the remote (pushed without the hook) does not block...
    archive.commit({"playlists/registry/bad": b""}, "bad, pushed with --no-verify")
    assert archive.push("--no-verify", "main").returncode == 0
    git(archive.path, "fetch", "origin")
    archive.commit(sync_like_change(archive), "good sync on a new branch")
    result = archive.push("HEAD:refs/heads/topic")
    assert result.returncode == 0, result.stderr
    # ...but a new bad commit on another new branch does.
    archive.commit({formats.registry_path(PID): b"two\nlines\n"}, "bad")
    result = archive.push("HEAD:refs/heads/topic2")
    assert result.returncode != 0
    assert "GA002" in result.stderr and "GA001" not in result.stderr


def test_pushing_nothing_new_passes(archive: Archive) -> None:
    result = archive.push("main")
    assert result.returncode == 0, result.stderr


def test_foreign_hook_is_chained_with_args_and_stdin_and_restored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = Archive(tmp_path)
    work.commit(archive_files([make_playlist(1)]))
    folder = hooks_dir(work.store)
    folder.mkdir(parents=True, exist_ok=True)
    log = tmp_path / "foreign.log"
    foreign = folder / "pre-push"
    foreign.write_text(
        f'#!/bin/sh\necho "args: $*" >> {log}\ncat >> {log}\nexit "${{FOREIGN_EXIT:-0}}"\n'
    )
    foreign.chmod(0o755)

    actions = hooks.install(work.store)
    assert [a.action for a in actions] == ["chained", "installed"]
    assert "args:" in (folder / "pre-push.gitarchive-chained").read_text()
    assert hooks.is_gitarchive_hook(folder / "pre-push")

    assert work.push("main").returncode == 0
    text = log.read_text()
    head = str(work.repo.head.target)
    assert f"args: origin {work.remote}" in text
    assert f"refs/heads/main {head} refs/heads/main {'0' * 40}" in text

    monkeypatch.setenv("FOREIGN_EXIT", "1")
    work.commit({formats.registry_path(playlist_id(7)): b""})
    assert work.push("main").returncode != 0  # the chained hook's verdict counts
    monkeypatch.delenv("FOREIGN_EXIT")

    again = hooks.install(work.store)  # an upgrade, not a second chaining
    assert [a.action for a in again] == ["upgraded"]
    assert not (folder / "pre-push.gitarchive-chained.gitarchive-chained").exists()

    removed = hooks.uninstall(work.store)
    assert [a.action for a in removed] == ["removed", "restored"]
    assert not hooks.is_gitarchive_hook(folder / "pre-push")
    assert "args:" in (folder / "pre-push").read_text()


def test_uninstall_leaves_foreign_hooks_alone(tmp_path: Path) -> None:
    work = Archive(tmp_path)
    folder = hooks_dir(work.store)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pre-commit").write_text("#!/bin/sh\nexit 0\n")
    actions = hooks.uninstall(work.store)
    assert [a.action for a in actions] == ["skipped"]
    assert (folder / "pre-commit").exists()


def test_core_hooks_path_is_respected(tmp_path: Path) -> None:
    work = Archive(tmp_path)
    work.commit(archive_files([make_playlist(1)]))
    git(work.path, "config", "core.hooksPath", ".githooks")
    assert hooks_dir(work.store) == work.path / ".githooks"
    hooks.install(work.store)
    assert hooks.is_gitarchive_hook(work.path / ".githooks" / "pre-push")
    assert not (work.path / ".git" / "hooks" / "pre-push").exists()
    work.commit({"playlists/registry/bad": b""})
    result = work.push("main")
    assert result.returncode != 0 and "GA001" in result.stderr


def test_the_hook_falls_back_to_gitarchive_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = Archive(tmp_path)
    work.commit(archive_files([make_playlist(1)]))
    hooks.install(work.store, python=str(tmp_path / "gone" / "python3"))
    work.commit({"playlists/registry/bad": b""})
    path = os.environ["PATH"]
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{path}")
    result = work.push("main")
    assert result.returncode != 0 and "GA001" in result.stderr


def test_pre_commit_hook_checks_staged_files(tmp_path: Path) -> None:
    work = Archive(tmp_path)
    work.commit(archive_files([make_playlist(1)]))
    actions = hooks.install(work.store, ("pre-push", "pre-commit"))
    assert {a.hook for a in actions} == {"pre-push", "pre-commit"}
    plain = formats.plain_path(PID)
    good = work.read(plain)
    (work.path / plain).write_bytes(edited(good, "Alpha [x]", "zz Alpha [x]"))
    git(work.path, "add", plain)
    result = git_process(work.path, "commit", "-m", "hand edit")
    assert result.returncode != 0
    assert "GA011" in result.stderr and plain in result.stderr
    # Only the staged content counts: fix the index, leave the broken file on disk.
    (work.path / plain).write_bytes(good)
    git(work.path, "add", plain)
    (work.path / plain).write_bytes(b"broken on disk only")
    (work.path / "playlists/registry" / playlist_id(3)).write_bytes(b"")
    git(work.path, "add", "playlists/registry")
    result = git_process(work.path, "commit", "-m", "register a playlist")
    assert result.returncode == 0, result.stderr
