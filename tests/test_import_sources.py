"""`gitarchive import` never shows or records a source URL's credentials."""

from __future__ import annotations

import json
import socket
from typing import TYPE_CHECKING

import pygit2
import pytest

from gitarchive.importing import source_label
from tests.support.builder import RepoBuilder, playlist_files
from tests.support.cli import run_cli_captured
from tests.support.gitcli import git, git_daemon
from tests.support.hostile import hostile_source_urls
from tests.support.leaks import URL_CANARIES, URL_PASSWORD_CANARY, URL_USER_CANARY
from tests.support.models import PID as P
from tests.support.models import model_playlist, model_track

if TYPE_CHECKING:
    from pathlib import Path


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _free_of_credentials(text: str) -> bool:
    return not any(canary in text for canary in URL_CANARIES)


@pytest.mark.parametrize("url", hostile_source_urls("example.invalid:8443"))
def test_the_source_label_holds_no_credentials(url: str) -> None:
    label = source_label(url)
    assert _free_of_credentials(label), label
    assert "example.invalid" in label


# the port is found when the test runs: test ids must be the same in every xdist worker
@pytest.mark.parametrize("url", hostile_source_urls("127.0.0.1:CLOSED-PORT")[:-1])
def test_a_failed_clone_names_the_source_without_its_credentials(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = url.replace("CLOSED-PORT", str(_closed_port()))
    root = tmp_path / "archive"
    pygit2.init_repository(str(root), initial_head="main")
    code, out, err = run_cli_captured(capsys, "-C", str(root), "import", url, "--playlist", P)
    assert code == 1, err
    assert "127.0.0.1" in err and len(err.strip().splitlines()) == 1
    assert _free_of_credentials(out + err), err


def test_commit_messages_and_reports_name_a_cloned_source_without_credentials(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    served = tmp_path / "served"
    builder = RepoBuilder(served / "spa")
    playlist = model_playlist(model_track(1), model_track(2), name="Pop")
    builder.commit(playlist_files(playlist), date="2025-01-10T12:00:00Z", message="update")
    root = tmp_path / "archive"
    pygit2.init_repository(str(root), initial_head="main")
    with git_daemon(served) as port:
        url = f"git://{URL_USER_CANARY}:{URL_PASSWORD_CANARY}@127.0.0.1:{port}/spa"
        code, out, err = run_cli_captured(
            capsys, "-C", str(root), "import", url, "-p", P, "--format", "json"
        )
    assert code == 0, err
    assert json.loads(out)["source"] == f"git://127.0.0.1:{port}/spa"
    messages = git(root, "log", "--format=%B")
    assert f"Imported-from: git://127.0.0.1:{port}/spa " in messages
    assert _free_of_credentials(messages + out + err)
