"""Workflows (the one `init` writes, the project's own): linted offline, pinned to the list in
gitarchive/workflow.py, an install source that exists, a secrets guard that names what is
missing, and a site job that keeps the change index between runs."""

from __future__ import annotations

import email.message
import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from gitarchive import __version__, workflow
from gitarchive.archive_init import WORKFLOW_PATH
from gitarchive.cli import app
from gitarchive.index import db
from gitarchive.workflow import PINNED_ACTIONS, installed_commit
from tests.support.cli import run_cli, run_cli_captured
from tests.support.gitcli import git

PROJECT = Path(__file__).resolve().parent.parent
TOOLS = Path(sys.executable).parent
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", re.MULTILINE)
SECRETS = ("SPOTIFY_CLIENT_ID", "SPOTIFY_REFRESH_TOKEN", "SPOTIFY_CLIENT_SECRET")


def project_workflows() -> list[Path]:
    return sorted((PROJECT / ".github/workflows").glob("*.yml"))


def written_workflow(tmp_path: Path, *options: str) -> Path:
    root = tmp_path / "archive"
    assert run_cli("init", str(root), "--no-commit", *options) == 0
    return root / WORKFLOW_PATH


def lint(*files: Path, persona: str = "regular") -> None:
    """zizmor (security audits, offline) and the GitHub workflow schema shipped with
    check-jsonschema; a missing tool fails the test."""
    for command in (
        [str(TOOLS / "zizmor"), "--offline", "--no-progress", "--persona", persona]
        + [str(f) for f in files],
        [str(TOOLS / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows"]
        + [str(f) for f in files],
    ):
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{command[0]}:\n{done.stdout}\n{done.stderr}"


def test_the_written_workflow_passes_the_linters_even_pedantic(tmp_path: Path) -> None:
    written = written_workflow(tmp_path)
    lint(written)
    lint(written, persona="pedantic")
    lint(*project_workflows())


def test_a_workflow_with_a_tag_pinned_action_fails_the_linter(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    text = written_workflow(tmp_path).read_text()
    bad.write_text(re.sub(r"actions/checkout@[0-9a-f]{40}", "actions/checkout@v4", text))
    with pytest.raises(AssertionError, match="unpinned"):
        lint(bad)


@pytest.mark.parametrize("name", ["written", *[p.name for p in project_workflows()]])
def test_every_action_is_the_pinned_commit_of_its_release(tmp_path: Path, name: str) -> None:
    path = written_workflow(tmp_path) if name == "written" else PROJECT / ".github/workflows" / name
    text = path.read_text()
    uses = USES.findall(text)
    assert uses
    for reference, rest in uses:
        action, _, commit = reference.partition("@")
        assert action in PINNED_ACTIONS, f"{action}: not in gitarchive/workflow.py's list"
        pinned_commit, release, runtime = PINNED_ACTIONS[action]
        assert (commit, rest.strip()) == (pinned_commit, f"# {release}"), reference
        assert runtime != "node20", f"{action} {release} runs on Node 20"
    for block in re.findall(r"uses: actions/checkout@.*\n(?:\s+with:\n(?:\s{10}.*\n)+)?", text):
        assert "persist-credentials: false" in block


def test_the_pin_list_names_full_commits_and_releases() -> None:
    for action, (commit, release, runtime) in PINNED_ACTIONS.items():
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", action)
        assert re.fullmatch(r"[0-9a-f]{40}", commit), action
        assert re.fullmatch(r"v\d+\.\d+\.\d+", release), action
        assert runtime in ("node24", "composite", "docker"), action
    commits = [commit for commit, _, _ in PINNED_ACTIONS.values()]
    assert len(set(commits)) == len(commits)


def test_by_default_the_workflow_installs_the_released_version(tmp_path: Path) -> None:
    text = written_workflow(tmp_path).read_text()
    assert text.count(f'pip install "gitarchive=={__version__}"') == 2
    assert "git+" not in text


def steps(path: Path, job: str) -> list[dict[str, Any]]:
    document = yaml.safe_load(path.read_text())
    found: list[dict[str, Any]] = document["jobs"][job]["steps"]
    return found


def run_guard(path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The sync job's first step, run by bash as the runner would (``bash -e {0}``)."""
    guard = steps(path, "sync")[0]
    assert set(guard["env"]) == set(SECRETS)
    script = path.parent / "guard.sh"
    script.write_text(guard["run"])
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **env},
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({"SPOTIFY_REFRESH_TOKEN": "r"}, ["SPOTIFY_CLIENT_ID"]),
        ({"SPOTIFY_CLIENT_ID": "c"}, ["SPOTIFY_REFRESH_TOKEN"]),
        ({}, ["SPOTIFY_CLIENT_ID", "SPOTIFY_REFRESH_TOKEN"]),
        ({"SPOTIFY_CLIENT_ID": "c", "SPOTIFY_CLIENT_SECRET": "s"}, []),
        ({"SPOTIFY_CLIENT_ID": "c", "SPOTIFY_REFRESH_TOKEN": "r"}, []),
    ],
)
def test_the_first_step_fails_with_one_annotation_naming_each_missing_secret(
    tmp_path: Path, given: dict[str, str], missing: list[str]
) -> None:
    path = written_workflow(tmp_path)
    # Actions passes an unset secret as an empty string
    done = run_guard(path, **{name: given.get(name, "") for name in SECRETS})
    if not missing:
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
        return
    assert done.returncode == 1 and done.stderr == ""
    lines = done.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("::error title=")
    for name in missing:
        assert name in lines[0]
    assert "docs/ci.md" in lines[0] and "gitarchive login" in lines[0]
    assert "SPOTIFY_CLIENT_SECRET" not in lines[0]  # optional: never reported as missing


def test_the_site_job_keeps_the_change_index_keyed_by_the_history(tmp_path: Path) -> None:
    path = written_workflow(tmp_path)
    site = steps(path, "site")
    names = [step.get("uses", "").partition("@")[0] or step.get("name") for step in site]
    cache = site[names.index("actions/cache")]
    assert names.index("actions/cache") < names.index("Build the site")
    # the folder the index lives in, under the checkout's .git/
    assert cache["with"]["path"] == f".git/{db.INDEX_FOLDER}"
    root = "${{ steps.history.outputs.root }}"
    assert cache["with"]["key"] == f"gitarchive-index-{__version__}-{root}-${{{{ github.sha }}}}"
    assert cache["with"]["restore-keys"] == f"gitarchive-index-{__version__}-{root}-"
    finder = site[[step.get("id") for step in site].index("history")]
    assert "git rev-list --max-parents=0 HEAD" in finder["run"]


def test_keepalive_job_reenables_the_schedule_without_commits(tmp_path: Path) -> None:
    text = written_workflow(tmp_path).read_text()
    job = text[text.index("  keepalive:") :]
    assert "if: github.event_name == 'schedule'" in job
    assert "actions: write" in job and "contents:" not in job
    assert "/enable" in job


# ------------------------------------------------------------------ install from git


@pytest.fixture
def clone(tmp_path: Path) -> tuple[Path, str, str]:
    """A clone of gitarchive's repository: (path, a pushed commit, a commit not pushed)."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    work = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(remote), str(work))
    git(work, "commit", "-q", "--allow-empty", "-m", "pushed")
    git(work, "push", "-q", "origin", "main")
    pushed = git(work, "rev-parse", "HEAD").strip()
    git(work, "commit", "-q", "--allow-empty", "-m", "local only")
    return work, pushed, git(work, "rev-parse", "HEAD").strip()


class FakeDistribution:
    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record

    def read_text(self, name: str) -> str | None:
        return json.dumps(self.record) if name == "direct_url.json" else None


def installed_from_git(monkeypatch: pytest.MonkeyPatch, url: str, commit: str) -> None:
    """As pip records ``pip install git+URL@COMMIT`` in direct_url.json."""
    record = {"url": url, "vcs_info": {"vcs": "git", "commit_id": commit}}
    monkeypatch.setattr(metadata, "distribution", lambda _: FakeDistribution(record))


def test_a_git_install_from_an_unpushed_commit_is_refused_naming_it(
    tmp_path: Path,
    clone: tuple[Path, str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    work, pushed, local = clone
    installed_from_git(monkeypatch, work.as_uri(), local)
    code, _, err = run_cli_captured(capsys, "init", str(tmp_path / "a"), "--install-from", "git")
    assert code == 1 and local in err and "remote-tracking" in err
    installed_from_git(monkeypatch, work.as_uri(), pushed)
    text = written_workflow(tmp_path, "--install-from", "git").read_text()
    assert f"git+{workflow.source_repository()}@{pushed}" in text
    # pip cloned a remote URL: the commit is there by construction
    installed_from_git(monkeypatch, "https://example.org/gitarchive", local)
    assert run_cli("init", str(tmp_path / "b"), "--install-from", "git") == 0


def test_the_git_source_is_the_repository_in_the_packages_own_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fork = email.message.Message()
    fork["Project-URL"] = "Homepage, https://example.org/me"
    fork["Project-URL"] = "Source, https://example.org/me/gitarchive-fork"
    monkeypatch.setattr(metadata, "metadata", lambda _: fork)
    sha = "0123456789abcdef0123456789abcdef01234567"
    text = written_workflow(tmp_path, "--install-from", "git", "--install-commit", sha).read_text()
    assert f'pip install "gitarchive @ git+https://example.org/me/gitarchive-fork@{sha}"' in text
    assert "https://example.org/me/gitarchive-fork/blob/main/docs/ci.md" in text
    other = written_workflow(
        tmp_path / "o", "--install-from", "git", "--install-commit", sha,
        "--repository", "https://example.org/else/gitarchive",
    ).read_text()  # fmt: skip
    assert f"git+https://example.org/else/gitarchive@{sha}" in other


def test_install_source_mistakes_say_which_real_option_to_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    group: Any = typer.main.get_command(app)
    options = {opt for param in group.commands["init"].params for opt in param.opts}
    attempts = [
        ("--install-from", "git", "--install-commit", "0123abc"),
        ("--install-from", "conda"),
        ("--install-from", "git", "--install-commit", "f" * 40, "--repository", "git@x:y"),
    ]
    for number, attempt in enumerate(attempts):
        code, _, err = run_cli_captured(capsys, "init", str(tmp_path / str(number)), *attempt)
        assert code == 1, attempt
        named = set(re.findall(r"--[a-z][a-z-]+", err))
        assert named and named <= options, (attempt, err)
    assert "full commit id" in run_cli_captured(capsys, "init", str(tmp_path / "s"),
                                                *attempts[0])[2]  # fmt: skip


def test_this_checkout_knows_its_commit() -> None:
    commit = installed_commit()
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=PROJECT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert commit == head


def test_only_the_top_of_a_checkout_gives_its_commit(tmp_path: Path) -> None:
    from gitarchive.git import checkout_commit

    outer = tmp_path / "project"
    (outer / ".venv/lib/site-packages").mkdir(parents=True)
    git(outer, "init", "-q", "-b", "main")
    git(outer, "commit", "-q", "--allow-empty", "-m", "theirs")
    head = git(outer, "rev-parse", "HEAD").strip()
    assert checkout_commit(outer) == head
    # gitarchive installed into a virtualenv inside someone's repository: not our commit
    assert checkout_commit(outer / ".venv/lib/site-packages") is None
