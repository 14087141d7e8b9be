"""The real `pre-commit` framework driving gitarchive's shipped hook definitions, offline.

The hooks of .pre-commit-hooks.yaml are used as they are (ids, stages, file
passing), as `repo: local` hooks whose entry runs this gitarchive: the
framework would otherwise build a virtualenv from the network.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.archive_files import archive_files, make_playlist
from tests.support.gitcli import git, git_process

PROJECT = Path(__file__).resolve().parent.parent
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
BAD_REGISTRY = "playlists/registry/not-a-playlist-id"


def local_config() -> str:
    hooks: list[dict[str, Any]] = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())
    entry_prefix = f"{shlex.quote(sys.executable)} -m gitarchive"
    for hook in hooks:
        assert hook["entry"].startswith("gitarchive ")
        assert hook["minimum_pre_commit_version"] == "3.2.0"
        hook["entry"] = entry_prefix + hook["entry"][len("gitarchive") :]
        hook["language"] = "system"
        del hook["minimum_pre_commit_version"]  # not a key of local hooks' config
    text: str = yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}, sort_keys=False)
    return text


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))
    root = tmp_path / "archive"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    for path, data in archive_files([make_playlist(1), make_playlist(2)]).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    (root / ".pre-commit-config.yaml").write_text(local_config())
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "a good archive")
    return root


def pre_commit(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert PRE_COMMIT.is_file(), "pre-commit is in the test extra"
    return subprocess.run(
        [str(PRE_COMMIT), *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PRE_COMMIT_COLOR": "never"},
    )


def test_run_all_files_passes_a_good_tree_and_fails_a_bad_head(archive: Path) -> None:
    done = pre_commit(archive, "run", "--all-files")
    assert done.returncode == 0, done.stdout + done.stderr
    # a bad registry file committed at HEAD (nothing staged): --all-files must see it
    (archive / BAD_REGISTRY).write_text("")
    git(archive, "add", BAD_REGISTRY)
    git(archive, "commit", "-q", "--no-verify", "-m", "bad entry")
    assert git(archive, "status", "--porcelain") == ""
    done = pre_commit(archive, "run", "--all-files")
    assert done.returncode == 1
    assert f"{BAD_REGISTRY}: GA001" in done.stdout
    # only the given files are checked: a run on another file passes
    done = pre_commit(archive, "run", "--files", "playlists/index.md")
    assert done.returncode == 0, done.stdout


def test_commit_hook_rejects_a_staged_bad_file(archive: Path) -> None:
    assert pre_commit(archive, "install", "--hook-type", "pre-commit").returncode == 0
    (archive / BAD_REGISTRY).write_text("")
    git(archive, "add", BAD_REGISTRY)
    done = git_process(archive, "commit", "-m", "bad entry")
    assert done.returncode != 0
    assert "GA001" in done.stdout + done.stderr


def test_pre_push_passes_good_commits_and_rejects_bad_ones(archive: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(archive, "remote", "add", "origin", str(remote))
    assert pre_commit(archive, "install", "--hook-type", "pre-push").returncode == 0
    done = git_process(archive, "push", "-q", "origin", "main")
    assert done.returncode == 0, done.stdout + done.stderr
    (archive / BAD_REGISTRY).write_text("")
    git(archive, "add", BAD_REGISTRY)
    git(archive, "commit", "-q", "--no-verify", "-m", "bad entry")
    done = git_process(archive, "push", "-q", "origin", "main")
    assert done.returncode != 0
    assert "GA001" in done.stdout + done.stderr
    assert git(remote, "rev-parse", "main") != git(archive, "rev-parse", "main")
