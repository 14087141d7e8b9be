"""`gitarchive init`: repository, registry, settings and workflow; idempotent; --force."""

from __future__ import annotations

import subprocess
import tomllib
from typing import TYPE_CHECKING

import pygit2
import pytest
from support.cli import run_cli

from gitarchive.registry import KEEP_PATH, WORKFLOW_PATH
from gitarchive.settings import parse_settings

if TYPE_CHECKING:
    from pathlib import Path


def test_init_creates_everything(tmp_path: Path) -> None:
    root = tmp_path / "new-archive"
    assert run_cli("init", str(root)) == 0
    repo = pygit2.Repository(str(root))
    assert repo.head_is_unborn and not repo.is_bare
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
    assert "{" not in workflow.replace("${{", "").replace("}}", "")  # no unfilled placeholder
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert sorted(line[3:] for line in status.splitlines()) == sorted(
        [KEEP_PATH, "gitarchive.toml", WORKFLOW_PATH]
    )


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
