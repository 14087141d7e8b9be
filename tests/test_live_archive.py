"""This repository is itself an archive: its registry, its workflow, its files validate."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pygit2
import pytest

from gitarchive.cli import main
from gitarchive.model import is_playlist_id
from tests.support import SEED_ID

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = ROOT / "playlists" / "registry"
WORKFLOW = ROOT / ".github" / "workflows" / "archive.yml"


def test_registry_holds_the_seed_and_a_few_more_playlists() -> None:
    names = sorted(p.name for p in REGISTRY.iterdir())
    assert SEED_ID in names
    assert len(names) >= 4
    for name in names:
        assert is_playlist_id(name), name
        text = (REGISTRY / name).read_text(encoding="utf-8")
        assert text == "" or (text.count("\n") <= 1 and text.strip()), name


def test_the_repository_playlists_folder_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Copy the working tree's playlists/ into a fresh repository so that uncommitted
    # edits are checked too, then run the real command on it.
    repo_dir = tmp_path / "copy"
    shutil.copytree(ROOT / "playlists", repo_dir / "playlists")
    repo = pygit2.init_repository(str(repo_dir), initial_head="main")
    repo.index.add_all(["playlists"])
    repo.index.write()
    tree = repo.index.write_tree()
    signature = pygit2.Signature("Test", "test@example.invalid", 1_767_225_600, 0)
    repo.create_commit("HEAD", signature, signature, "copy of playlists/", tree, [])

    try:
        main(["-C", str(repo_dir), "validate", "--all"])
    except SystemExit as exit_:
        code = exit_.code
    else:
        code = 0
    captured = capsys.readouterr()
    assert code == 0, captured.out + captured.err


def _workflow_step_script(step_name: str) -> str:
    """The ``run: |`` block of the named step (a tiny reader for this one file's layout)."""
    lines = WORKFLOW.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- name: {step_name}")
    run = next(i for i in range(start, len(lines)) if lines[i].strip() == "run: |")
    indent = len(lines[run + 1]) - len(lines[run + 1].lstrip())
    body = []
    for line in lines[run + 1 :]:
        if line.strip() and len(line) - len(line.lstrip()) < indent:
            break
        body.append(line[indent:])
    return "\n".join(body) + "\n"


def _run_check(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], str]:
    output = tmp_path / "github_output"
    output.write_text("")
    result = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", _workflow_step_script("Check for Spotify credentials")],
        env={"PATH": os.environ["PATH"], "GITHUB_OUTPUT": str(output), **env},
        capture_output=True,
        text=True,
        check=False,
    )
    return result, output.read_text()


def test_workflow_without_secrets_says_so_and_succeeds(tmp_path: Path) -> None:
    # Secrets that are not set reach the step as empty strings.
    result, outputs = _run_check(
        tmp_path,
        {"SPOTIFY_CLIENT_ID": "", "SPOTIFY_CLIENT_SECRET": "", "SPOTIFY_REFRESH_TOKEN": ""},
    )
    assert result.returncode == 0
    assert outputs == "present=false\n"
    assert "No Spotify credentials" in result.stdout


def test_workflow_with_secrets_syncs_without_echoing_them(tmp_path: Path) -> None:
    secret = "s3cr3t-value-never-printed"
    result, outputs = _run_check(
        tmp_path, {"SPOTIFY_CLIENT_ID": "an-id", "SPOTIFY_CLIENT_SECRET": secret}
    )
    assert result.returncode == 0
    assert outputs == "present=true\n"
    assert secret not in result.stdout + result.stderr


def test_workflow_every_later_sync_step_is_guarded_and_it_syncs_with_push() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    sync_job = text.split("\n  sync:\n", 1)[1].split("\n  validate:\n", 1)[0]
    steps = sync_job.split("\n      - ")[1:]
    assert steps[0].startswith("name: Check for Spotify credentials")
    for step in steps[1:]:
        assert "if: steps.credentials.outputs.present == 'true'" in step, step
    assert "run: gitarchive sync --push" in sync_job
    assert "secrets.SPOTIFY_CLIENT_SECRET" in sync_job
    assert "contents: write" in text
