"""`gitarchive init`: repository, registry, settings and workflow; idempotent; --force."""

from __future__ import annotations

import re
import tomllib
from typing import TYPE_CHECKING

import pygit2
import pytest

from gitarchive.archive_init import KEEP_PATH, WORKFLOW_PATH
from gitarchive.settings import parse_settings
from tests.support.api import fake_id, playlist_with_tracks
from tests.support.cli import run_cli
from tests.support.fakespotify import FakeSpotify
from tests.support.gitcli import git

if TYPE_CHECKING:
    from pathlib import Path


def test_init_creates_everything(tmp_path: Path) -> None:
    root = tmp_path / "new-archive"
    assert run_cli("init", str(root)) == 0
    repo = pygit2.Repository(str(root))
    assert not repo.head_is_unborn and not repo.is_bare
    assert (root / KEEP_PATH).is_file()
    settings_text = (root / "gitarchive.toml").read_text()
    assert tomllib.loads(settings_text) == {}  # everything commented out
    parse_settings(settings_text)
    for line in settings_text.splitlines():
        if line.startswith("# ") and " = " in line:
            # every commented example is itself a valid setting
            parse_settings(line[2:])
    workflow = (root / WORKFLOW_PATH).read_text()
    for needle in (
        "schedule:",
        "workflow_dispatch:",
        'paths: ["playlists/registry/**"]',
        "contents: write",
        "gitarchive sync --push",
        "${{ secrets.SPOTIFY_CLIENT_ID }}",
        "${{ secrets.SPOTIFY_CLIENT_SECRET }}",
        "${{ secrets.SPOTIFY_REFRESH_TOKEN }}",
        "${{ secrets.GITHUB_TOKEN }}",
        "branches: [main]",
        "pip install",
    ):
        assert needle in workflow, needle
    assert not re.search(r"(?<![$])\{[a-z_]+\}", workflow)  # no unfilled placeholder
    # the set-up commit holds exactly gitarchive's files, and leaves nothing to commit
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    assert sorted(git(root, "ls-files").split()) == sorted(
        [KEEP_PATH, "gitarchive.toml", WORKFLOW_PATH]
    )
    assert git(root, "rev-list", "--count", "HEAD").strip() == "1"


def test_init_is_idempotent_and_never_overwrites_without_force(
    tmp_path: Path, capsys: object
) -> None:
    root = tmp_path / "a"
    assert run_cli("init", str(root)) == 0
    (root / "gitarchive.toml").write_text('github = "me/mine"\n')
    workflow_before = (root / WORKFLOW_PATH).read_bytes()
    assert run_cli("init", str(root)) == 0
    assert (root / "gitarchive.toml").read_text() == 'github = "me/mine"\n'
    assert (root / WORKFLOW_PATH).read_bytes() == workflow_before
    assert run_cli("init", str(root), "--force") == 0
    assert (root / "gitarchive.toml").read_text().startswith("# gitarchive settings")


def test_init_in_an_existing_repository_uses_its_branch(tmp_path: Path) -> None:
    root = tmp_path / "existing"
    pygit2.init_repository(str(root), initial_head="trunk")
    (root / "README").write_text("mine\n")
    assert run_cli("-C", str(root), "init") == 0
    assert (root / "README").read_text() == "mine\n"
    assert "branches: [trunk]" in (root / WORKFLOW_PATH).read_text()


def test_relative_path_is_taken_from_dash_c_like_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert run_cli("-C", str(tmp_path), "init", "sub") == 0
    assert (tmp_path / "sub" / KEEP_PATH).is_file()
    assert not (elsewhere / "sub").exists()
    # the next invocation without -C acts on the current directory again
    assert run_cli("init", "here") == 0
    assert (elsewhere / "here" / KEEP_PATH).is_file()


def test_init_in_a_repository_with_work_commits_only_its_own_files(tmp_path: Path) -> None:
    root = tmp_path / "busy"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "notes.txt").write_text("one\n")
    git(root, "add", "notes.txt")
    git(root, "commit", "-q", "-m", "mine")
    (root / "notes.txt").write_text("two\n")  # unstaged change
    (root / "staged.txt").write_text("staged\n")
    git(root, "add", "staged.txt")  # staged change
    (root / "loose.txt").write_text("untracked\n")
    assert run_cli("-C", str(root), "init") == 0
    assert git(root, "log", "--format=%s", "-1").strip().startswith("Set up gitarchive")
    assert sorted(git(root, "show", "--name-only", "--format=", "HEAD").split()) == sorted(
        [KEEP_PATH, "gitarchive.toml", WORKFLOW_PATH]
    )
    status = git(root, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert set(status) == {"?? loose.txt", "A  staged.txt", " M notes.txt"}
    # a second init has nothing to commit
    assert run_cli("-C", str(root), "init") == 0
    assert git(root, "rev-list", "--count", "HEAD").strip() == "2"


def test_init_no_commit_leaves_the_files_untracked(tmp_path: Path) -> None:
    root = tmp_path / "later"
    assert run_cli("init", str(root), "--no-commit") == 0
    assert pygit2.Repository(str(root)).head_is_unborn
    assert (root / WORKFLOW_PATH).is_file()


def test_init_add_and_first_sync_leave_a_clean_committed_archive(
    tmp_path: Path, fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_spotify.setenv(monkeypatch)
    playlist = fake_id("init-test", "a")
    fake_spotify.add_playlist(playlist_with_tracks(playlist, [0, 1, 2], name="Alpha"))
    root = tmp_path / "fresh"
    assert run_cli("init", str(root)) == 0
    assert run_cli("-C", str(root), "add", playlist) == 0
    assert run_cli("-C", str(root), "sync", "--date", "2026-11-20T06:00:00Z") == 0
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    tracked = set(git(root, "ls-files").split())
    assert {KEEP_PATH, "gitarchive.toml", WORKFLOW_PATH, f"playlists/registry/{playlist}"} <= (
        tracked
    )
    assert f"playlists/plain/{playlist}" in tracked


def test_init_without_an_identity_says_so_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    root = tmp_path / "anonymous"
    assert run_cli("init", str(root)) == 1
    assert "--no-commit" in capsys.readouterr().err
    assert not (root / WORKFLOW_PATH).exists()
    assert run_cli("init", str(root), "--no-commit") == 0
    assert (root / WORKFLOW_PATH).is_file()


def test_init_on_a_detached_head_is_refused_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "detached"
    root.mkdir()
    git(root, "init", "-q", "-b", "master")
    git(root, "commit", "-q", "--allow-empty", "-m", "mine")
    git(root, "checkout", "-q", "--detach")
    head = git(root, "rev-parse", "HEAD").strip()
    capsys.readouterr()
    assert run_cli("-C", str(root), "init") == 1
    err = capsys.readouterr().err
    assert "detached" in err and err.strip().count("\n") == 0
    assert git(root, "rev-parse", "HEAD").strip() == head
    assert git(root, "for-each-ref", "--format=%(refname)").split() == ["refs/heads/master"]
    assert not (root / WORKFLOW_PATH).exists() and not (root / "gitarchive.toml").exists()
    assert run_cli("-C", str(root), "init", "--no-commit") == 1


def test_init_on_master_names_master_in_the_workflow_and_the_page_links(tmp_path: Path) -> None:
    root = tmp_path / "old-style"
    root.mkdir()
    git(root, "init", "-q", "-b", "master")
    git(root, "commit", "-q", "--allow-empty", "-m", "mine")
    assert run_cli("-C", str(root), "init") == 0
    assert "branches: [master]" in (root / WORKFLOW_PATH).read_text()
    settings = parse_settings((root / "gitarchive.toml").read_text())
    assert settings.branch == "master"
    assert "main" not in git(root, "for-each-ref", "--format=%(refname)")
