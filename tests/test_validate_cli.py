"""`gitarchive validate` and `gitarchive hook ...` through the CLI: modes, output, exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pygit2
import pytest
from typer.testing import CliRunner

from gitarchive import formats
from gitarchive.cli import app
from tests.support.archive_files import archive_files, commit, make_playlist, playlist_id

PID = playlist_id(1)
ROOT = Path(__file__).parent.parent


@pytest.fixture
def repo(tmp_path: Path) -> pygit2.Repository:
    repository = pygit2.init_repository(str(tmp_path / "archive"), initial_head="main")
    commit(repository, archive_files([make_playlist(1), make_playlist(2)]), "first sync")
    return repository


def run(repo: pygit2.Repository, *args: str, **kwargs: object) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(app, ["-C", str(repo.workdir), *args], **kwargs)  # type: ignore[arg-type]
    return result.exit_code, result.stdout, result.stderr


def test_clean_working_tree_exits_0(repo: pygit2.Repository) -> None:
    code, out, _ = run(repo, "validate")
    assert code == 0
    assert "ok" in out


def test_working_tree_findings_exit_1_with_all_of_them(repo: pygit2.Repository) -> None:
    root = Path(repo.workdir)
    (root / "playlists/registry/bad").write_bytes(b"")
    (root / formats.registry_path(PID)).write_bytes(b"a\nb\n")
    code, out, err = run(repo, "validate")
    assert code == 1
    assert "playlists/registry/bad: GA001" in out
    assert f"{formats.registry_path(PID)}:2: GA002" in out
    assert "2 problem(s)" in err


def test_ignored_files_are_not_checked(repo: pygit2.Repository) -> None:
    root = Path(repo.workdir)
    (root / ".gitignore").write_text("*.swp\n")
    (root / "playlists/plain/.x.swp").write_bytes(b"editor junk")
    assert run(repo, "validate")[0] == 0


def test_json_output(repo: pygit2.Repository) -> None:
    (Path(repo.workdir) / "playlists/notes.txt").write_text("hello\n")
    code, out, _ = run(repo, "validate", "--format", "json")
    assert code == 1
    document = json.loads(out)
    assert document["ok"] is False
    assert document["findings"] == [
        {
            "rule": "GA004",
            "path": "playlists/notes.txt",
            "line": None,
            "message": document["findings"][0]["message"],
            "commit": None,
            "severity": "error",
        }
    ]
    (Path(repo.workdir) / "playlists/notes.txt").unlink()
    code, out, _ = run(repo, "validate", "--format", "json")
    assert code == 0 and json.loads(out) == {"ok": True, "count": 0, "findings": []}


def test_all_checks_every_file_of_a_revision_not_the_working_tree(
    repo: pygit2.Repository,
) -> None:
    first = str(repo.head.target)
    commit(repo, {"playlists/registry/bad": b""}, "bad", checkout=False)
    assert run(repo, "validate")[0] == 0  # not on disk
    code, out, _ = run(repo, "validate", "--all")
    assert code == 1 and "playlists/registry/bad: GA001" in out
    assert run(repo, "validate", "--all", f"HEAD~1..{first}")[0] == 0


def test_a_range_checks_only_what_its_commits_changed(repo: pygit2.Repository) -> None:
    base = str(repo.head.target)
    commit(repo, {"playlists/registry/bad": b""}, "bad")
    middle = str(repo.head.target)
    commit(repo, {formats.registry_path(playlist_id(5)): b""}, "good")
    code, out, _ = run(repo, "validate", f"{middle}..HEAD")
    assert code == 0, out
    code, out, _ = run(repo, "validate", f"{base}..HEAD")
    assert code == 1 and f"{middle[:12]}:playlists/registry/bad: GA001" in out
    assert run(repo, "validate", middle)[0] == 1  # one commit's changes
    assert run(repo, "validate", "HEAD")[0] == 0


def test_an_unknown_revision_is_a_one_line_error(repo: pygit2.Repository) -> None:
    code, _, err = run(repo, "validate", "nope..HEAD")
    assert code == 1 and "nope" in err


def test_hook_pre_push_reads_gits_stdin(repo: pygit2.Repository) -> None:
    head = str(repo.head.target)
    zero = "0" * 40
    line = f"refs/heads/main {head} refs/heads/main {zero}\n"
    assert run(repo, "hook", "pre-push", "origin", "/x", input=line)[0] == 0
    bad = commit(repo, {"playlists/registry/bad": b""}, "bad")
    line = f"refs/heads/main {bad} refs/heads/main {head}\n"
    code, _, err = run(repo, "hook", "pre-push", "origin", "/x", input=line)
    assert code == 1 and "GA001" in err
    deletion = f"(delete) {zero} refs/heads/old {head}\n"
    assert run(repo, "hook", "pre-push", "origin", "/x", input=deletion)[0] == 0


def test_hook_pre_push_under_the_pre_commit_framework(repo: pygit2.Repository) -> None:
    head = str(repo.head.target)
    bad = commit(repo, {"playlists/registry/bad": b""}, "bad")
    env = {"PRE_COMMIT_FROM_REF": head, "PRE_COMMIT_TO_REF": bad}
    code, _, err = run(repo, "hook", "pre-push", input="", env=env)
    assert code == 1 and "GA001" in err
    env = {"PRE_COMMIT_FROM_REF": bad, "PRE_COMMIT_TO_REF": bad}
    assert run(repo, "hook", "pre-push", input="", env=env)[0] == 0


def test_hooks_install_and_uninstall_commands(repo: pygit2.Repository) -> None:
    code, out, _ = run(repo, "hooks", "install", "--pre-commit")
    assert code == 0 and "pre-push: installed" in out and "pre-commit: installed" in out
    code, out, _ = run(repo, "hooks", "install")
    assert code == 0 and "pre-push: upgraded" in out
    code, out, _ = run(repo, "hooks", "uninstall")
    assert code == 0 and "pre-push: removed" in out and "pre-commit: removed" in out
    assert "no gitarchive hooks" in run(repo, "hooks", "uninstall")[1]


def test_the_repository_hook_scripts_work_with_core_hooks_path(
    repo: pygit2.Repository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = Path(repo.workdir)
    shutil.copytree(ROOT / "hooks", root / "hooks")
    remote = tmp_path / "origin.git"
    pygit2.init_repository(str(remote), bare=True)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=60
        )

    git("config", "core.hooksPath", "hooks")
    assert git("push", str(remote), "main").returncode == 0
    commit(repo, {"playlists/registry/bad": b""}, "bad")
    result = git("push", str(remote), "main")
    assert result.returncode == 1 and "GA001" in result.stderr


def test_a_very_long_push_validates_each_pushed_tip_whole(repo: pygit2.Repository) -> None:
    from gitarchive.git import Store
    from gitarchive.validate import validate_push

    store = Store(repo)
    first = str(repo.head.target)
    commit(repo, {"playlists/registry/bad": b""}, "bad")
    commit(repo, {"playlists/registry/bad": None}, "fixed")
    tip = commit(repo, {formats.registry_path(playlist_id(5)): b"two\nlines\n"}, "bad again")
    line = f"refs/heads/main {tip} refs/heads/main {first}\n"
    one_by_one = {(f.rule, f.path) for f in validate_push(store, line)}
    assert one_by_one == {
        ("GA001", "playlists/registry/bad"),
        ("GA002", formats.registry_path(playlist_id(5))),
    }
    whole = validate_push(store, line, max_commits=2)
    assert [(f.rule, f.commit) for f in whole] == [("GA002", tip)]


def test_pushing_tags_validates_the_tagged_commits(repo: pygit2.Repository) -> None:
    from gitarchive.git import Store
    from gitarchive.validate import validate_push

    zero = "0" * 40
    store = Store(repo)
    signature = pygit2.Signature("Test", "test@example.invalid", 1767225600, 0)
    tree_tag = repo.create_tag(
        "tree",
        repo.head.peel(pygit2.Commit).tree_id,
        pygit2.enums.ObjectType.TREE,
        signature,
        "a tree",
    )
    assert validate_push(store, f"refs/tags/tree {tree_tag} refs/tags/tree {zero}\n") == []
    bad = commit(repo, {"playlists/registry/bad": b""}, "bad")
    tag = repo.create_tag(
        "v1", pygit2.Oid(hex=bad), pygit2.enums.ObjectType.COMMIT, signature, "v1"
    )
    found = validate_push(store, f"refs/tags/v1 {tag} refs/tags/v1 {zero}\n")
    assert [(f.rule, f.commit) for f in found] == [("GA001", bad)]
