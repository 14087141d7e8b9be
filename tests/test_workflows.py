"""Workflows (the one `init` writes, the project's own): linted offline, pinned, install spec."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from gitarchive import __version__
from gitarchive.archive_init import WORKFLOW_PATH
from gitarchive.workflow import DEFAULT_REPOSITORY, PINNED_ACTIONS, installed_commit
from tests.support.cli import run_cli

PROJECT = Path(__file__).resolve().parent.parent
TOOLS = Path(sys.executable).parent
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", re.MULTILINE)


def project_workflows() -> list[Path]:
    return sorted((PROJECT / ".github/workflows").glob("*.yml"))


def written_workflow(tmp_path: Path, *options: str) -> Path:
    root = tmp_path / "archive"
    assert run_cli("init", str(root), "--no-commit", *options) == 0
    return root / WORKFLOW_PATH


def lint(*files: Path) -> None:
    """zizmor (security audits, offline) and the GitHub workflow schema shipped with
    check-jsonschema; a missing tool fails the test."""
    for command in (
        [str(TOOLS / "zizmor"), "--offline", "--no-progress", *map(str, files)],
        [str(TOOLS / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows"]
        + [str(f) for f in files],
    ):
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{command[0]}:\n{done.stdout}\n{done.stderr}"


def test_the_written_workflow_and_the_projects_pass_the_linters(tmp_path: Path) -> None:
    lint(written_workflow(tmp_path), *project_workflows())


def test_a_workflow_with_a_tag_pinned_action_fails_the_linter(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    text = written_workflow(tmp_path).read_text()
    bad.write_text(re.sub(r"actions/checkout@[0-9a-f]{40}", "actions/checkout@v4", text))
    with pytest.raises(AssertionError, match="unpinned"):
        lint(bad)


@pytest.mark.parametrize("name", ["written", *[p.name for p in project_workflows()]])
def test_every_action_is_pinned_by_commit_with_its_release(tmp_path: Path, name: str) -> None:
    path = written_workflow(tmp_path) if name == "written" else PROJECT / ".github/workflows" / name
    text = path.read_text()
    uses = USES.findall(text)
    assert uses
    for reference, rest in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", reference), reference
        assert re.fullmatch(r"\s*# v\d+(\.\d+)*", rest), f"{reference}: no release comment"
    for action, commit, release in PINNED_ACTIONS:
        if action in text:
            assert f"{action}@{commit} # {release}" in text
    for block in re.findall(r"uses: actions/checkout@.*\n(?:\s+with:\n(?:\s{10}.*\n)+)?", text):
        assert "persist-credentials: false" in block


def test_the_workflow_installs_this_very_gitarchive(tmp_path: Path) -> None:
    commit = installed_commit()
    assert commit is not None and re.fullmatch(r"[0-9a-f]{40}", commit)
    text = written_workflow(tmp_path).read_text()
    assert f'pip install "gitarchive @ git+{DEFAULT_REPOSITORY}@{commit}"' in text
    # a test checkout: the commit is this repository's HEAD (what the git CLI says)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=PROJECT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert commit == head


def test_install_source_options(tmp_path: Path) -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    text = written_workflow(
        tmp_path, "--repository", "https://example.org/me/fork", "--install-commit", sha
    ).read_text()
    assert 'pip install "gitarchive @ git+https://example.org/me/fork@' + sha + '"' in text
    release = re.fullmatch(r"\d+(\.\d+)*", __version__) is not None
    code = run_cli("init", str(tmp_path / "b"), "--no-commit", "--install-from", "pypi")
    assert code == (0 if release else 1)
    if release:
        text = (tmp_path / "b" / WORKFLOW_PATH).read_text()
        assert f'pip install "gitarchive=={__version__}"' in text
    assert run_cli("init", str(tmp_path / "c"), "--install-from", "conda") == 1


def test_keepalive_job_reenables_the_schedule_without_commits(tmp_path: Path) -> None:
    text = written_workflow(tmp_path).read_text()
    job = text[text.index("  keepalive:") :]
    assert "if: github.event_name == 'schedule'" in job
    assert "actions: write" in job and "contents:" not in job
    assert "/enable" in job


def test_only_the_top_of_a_checkout_gives_its_commit(tmp_path: Path) -> None:
    from gitarchive.git import checkout_commit
    from tests.support.gitcli import git

    outer = tmp_path / "project"
    (outer / ".venv/lib/site-packages").mkdir(parents=True)
    git(outer, "init", "-q", "-b", "main")
    git(outer, "commit", "-q", "--allow-empty", "-m", "theirs")
    head = git(outer, "rev-parse", "HEAD").strip()
    assert checkout_commit(outer) == head
    # gitarchive installed into a virtualenv inside someone's repository: not our commit
    assert checkout_commit(outer / ".venv/lib/site-packages") is None
