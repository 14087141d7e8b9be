"""`git replace` refs are ignored everywhere, as `git log --no-replace-objects` does: the
walks, the change index and so history, show and the site read the commits as written."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from tests.support.api import fake_id, playlist_with_tracks
from tests.support.builder import init_archive
from tests.support.cli import run_cli, run_cli_captured
from tests.support.gitcli import git

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.fakespotify import FakeSpotify

P = fake_id("replace-refs", "p")
DATES = ["2026-11-20T06:00:00Z", "2026-11-21T06:00:00Z", "2026-11-22T06:00:00Z"]


@pytest.fixture
def archive(tmp_path: Path, fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three versions of P; a replace ref grafts the third sync onto the first."""
    fake_spotify.setenv(monkeypatch)
    root = tmp_path / "archive"
    init_archive(root, P)
    for number, date in enumerate(DATES):
        fake_spotify.add_playlist(playlist_with_tracks(P, [number, number + 1], name="Graft"))
        assert run_cli("-C", str(root), "sync", "--date", date) == 0
    commits = git(root, "rev-list", "--first-parent", "HEAD").split()
    git(root, "replace", "--graft", commits[0], commits[2])
    return root


def _history_dates(capsys: pytest.CaptureFixture[str], root: Path) -> list[str]:
    code, out, err = run_cli_captured(
        capsys, "-C", str(root), "history", P, "--reverse", "--format", "json"
    )
    assert code == 0, err
    return [version["date"] for version in json.loads(out)["versions"]]


def test_history_ignores_replace_refs_with_and_without_the_index(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    honoured = git(archive, "log", "--first-parent", "--format=%H").split()
    as_written = git(archive, "--no-replace-objects", "log", "--first-parent", "--format=%H")
    assert len(honoured) == 2 and len(as_written.split()) == 3  # git log itself differs
    capsys.readouterr()
    assert _history_dates(capsys, archive) == DATES  # the walk
    code, _, err = run_cli_captured(capsys, "-C", str(archive), "index")
    assert code == 0, err
    assert _history_dates(capsys, archive) == DATES  # the change index agrees
    code, out, _ = run_cli_captured(capsys, "-C", str(archive), "show", P, "--at", DATES[1])
    assert code == 0 and "Graft" in out  # the grafted-away version is still there
