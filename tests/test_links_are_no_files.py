"""A symbolic link under playlists/ is no file to any reader of the history.

A link's blob is its target's path. validate refuses links, but a stranger's pull request
or another tool's archive may hold one; read as a playlist's file it made a version named
after the link's target (``../../README.md``, no tracks). Every read takes a link for no
file at its path: the playlist's files are gone at that commit, as they are on disk for
anyone who does not follow links.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import pytest

from tests.support.api import fake_id
from tests.support.cli import run_cli, run_cli_captured
from tests.support.gitcli import git
from tests.support.hostile import synced_twice

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.fakespotify import FakeSpotify

A = fake_id("links", "a")
FILES = (f"playlists/plain/{A}", f"playlists/pretty/{A}.md", f"playlists/pretty/{A}.json")
TARGET = "../../README.md"


@pytest.fixture
def archive(tmp_path: Path, fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two synced versions of A, then a commit that made each of its files a link."""
    fake_spotify.setenv(monkeypatch)
    root = synced_twice(tmp_path / "archive", A, fake_spotify)
    for path in FILES:
        (root / path).unlink()
        os.symlink(TARGET, root / path)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "a stranger's links", "--date", "2026-11-03T06:00:00Z")
    return root


@pytest.mark.parametrize("index", ["with the change index", "without"])
def test_history_reads_no_version_from_a_link(
    archive: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    index: str,
) -> None:
    if index == "without":
        monkeypatch.setenv("GITARCHIVE_NO_INDEX", "1")
    code, out, err = run_cli_captured(capsys, "-C", str(archive), "history", A)
    assert code == 0, err
    assert "README" not in out + err
    code, out, err = run_cli_captured(capsys, "-C", str(archive), "history", A, "--format", "json")
    assert code == 0, err
    names = [version["name"] for version in json.loads(out)["versions"]]
    assert names == ["Alpha", "Alpha"]  # the two synced versions, nothing read from the links


def test_show_finds_no_file_where_a_link_is_and_the_version_before_it(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run_cli_captured(capsys, "-C", str(archive), "show", A)
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1 and "not in the archive" in lines[0], err
    code, out, err = run_cli_captured(capsys, "-C", str(archive), "show", A, "--at", "2026-11-02")
    assert code == 0 and "README" not in out, err


def test_import_takes_no_playlist_from_a_link(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "target"
    assert run_cli("init", str(target)) == 0
    run_cli_captured(capsys, "-C", str(target), "import", str(archive), "--all")
    plain = target / f"playlists/plain/{A}"
    assert not plain.is_symlink()
    assert TARGET not in (plain.read_text() if plain.exists() else "")
