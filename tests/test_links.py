"""Links under playlists/ are never followed, a linked archive
folder stops the sync, a missing registry folder is an error, not an empty registry."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from tests.support.api import fake_id, playlist_with_tracks
from tests.support.cli import run_cli_captured
from tests.support.gitcli import git
from tests.support.hostile import SYNC_DATE, head, new_archive, snapshot_outside, with_bare_remote

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.fakespotify import FakeSpotify

A = fake_id("defects-links", "a")
B = fake_id("defects-links", "b")
D = "DDDDDDDDDDDDDDDDDDDDDD"
SECRET = "SPOTIFY_CLIENT_SECRET=leaked-by-a-link-0042"


@pytest.fixture
def archive(tmp_path: Path, fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch) -> Path:
    fake_spotify.setenv(monkeypatch)
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1], name="Alpha"))
    fake_spotify.add_playlist(playlist_with_tracks(D, [0], name="Delta"))
    return new_archive(tmp_path / "archive", A)


def _secret_file(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "environ"
    secret.parent.mkdir()
    secret.write_text(SECRET + "\n")
    return secret


COMMANDS = [
    ["sync", "--date", SYNC_DATE],
    ["sync", "--date", SYNC_DATE, "--no-commit"],
    ["list"],
    ["list", "--format", "json"],
    ["add", B],
    ["add", B, "--commit"],
    ["remove", A, "--commit"],
]


@pytest.mark.parametrize("target", ["secret-file", "/proc/self/environ"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: "-".join(c[:2]))
def test_a_linked_registry_entry_is_never_read(
    archive: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    target: str,
    command: list[str],
) -> None:
    link_target = _secret_file(tmp_path) if target == "secret-file" else target
    os.symlink(link_target, archive / "playlists/registry" / D)
    before = head(archive)
    code, out, err = run_cli_captured(capsys, "-C", str(archive), *command)
    assert code == 1, (out, err)
    assert f"playlists/registry/{D}" in err and "symbolic link" in err
    assert len(err.strip().splitlines()) == 1, err
    assert "internal error" not in err
    assert SECRET not in out + err and "leaked" not in out + err
    assert head(archive) == before
    assert git(archive, "status", "--porcelain", "--", "playlists/plain", "playlists/pretty") == ""


@pytest.mark.parametrize("target", ["secret-file", "/proc/self/environ"])
def test_validate_reports_a_linked_registry_entry_without_reading_it(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    link_target = _secret_file(tmp_path) if target == "secret-file" else target
    os.symlink(link_target, archive / "playlists/registry" / D)
    code, out, err = run_cli_captured(capsys, "-C", str(archive), "validate")
    assert code == 1 and "internal error" not in err
    assert f"playlists/registry/{D}: GA006" in out
    assert SECRET not in out + err


def test_a_committed_link_in_the_registry_is_refused_everywhere(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.symlink(_secret_file(tmp_path), archive / "playlists/registry" / D)
    git(archive, "add", "playlists")
    git(archive, "commit", "-qm", "a link")
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(archive), str(bare))
    code, out, err = run_cli_captured(capsys, "-C", str(archive), "validate", "HEAD")
    assert code == 1 and f"playlists/registry/{D}" in out + err and "GA006" in out + err
    assert SECRET not in out + err
    for repo in (archive, bare):
        for command in (["list"], ["sync", "--date", SYNC_DATE]):
            before = head(repo)
            code, out, err = run_cli_captured(capsys, "-C", str(repo), *command)
            assert code == 1, (repo, command, out, err)
            assert f"playlists/registry/{D}" in err and SECRET not in out + err
            assert head(repo) == before


def test_a_linked_registry_folder_is_never_listed(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / D).write_text(SECRET + "\n")
    registry = archive / "playlists/registry"
    registry.rename(tmp_path / "saved-registry")
    os.symlink(elsewhere, registry)
    for command in (["list"], ["sync", "--date", SYNC_DATE], ["add", B]):
        code, out, err = run_cli_captured(capsys, "-C", str(archive), *command)
        assert code == 1, (command, out, err)
        assert "playlists/registry" in err and SECRET not in out + err
    assert sorted(p.name for p in elsewhere.iterdir()) == [D]


def test_gitarchive_toml_link_is_not_read(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.symlink(_secret_file(tmp_path), archive / "gitarchive.toml")
    code, out, err = run_cli_captured(capsys, "-C", str(archive), "sync", "--date", SYNC_DATE)
    assert code == 1 and "gitarchive.toml" in err
    assert SECRET not in out + err


def test_a_linked_plain_folder_stops_the_sync(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, archive / "playlists/plain")
    before_outside = snapshot_outside(tmp_path, archive)
    before = head(archive)
    code, out, err = run_cli_captured(capsys, "-C", str(archive), "sync", "--date", SYNC_DATE)
    assert code == 1, (out, err)
    assert "playlists/plain" in err and "symbolic link" in err
    assert list(elsewhere.iterdir()) == []
    assert snapshot_outside(tmp_path, archive) == before_outside
    assert head(archive) == before
    assert not (archive / ".git/gitarchive-pending.json").exists()


def test_a_committed_linked_folder_in_a_fresh_clone_stops_the_sync(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, archive / "playlists/cumulative")
    git(archive, "add", "playlists")
    git(archive, "commit", "-qm", "cumulative is a link")
    with_bare_remote(archive)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(tmp_path / "archive-remote.git"), str(clone))
    assert (clone / "playlists/cumulative").is_symlink()
    before_outside = snapshot_outside(tmp_path, clone)
    for command in (["sync", "--date", SYNC_DATE], ["sync", "--date", SYNC_DATE, "--no-commit"]):
        code, out, err = run_cli_captured(capsys, "-C", str(clone), *command)
        assert code == 1, (out, err)
        assert "playlists/cumulative" in err and "symbolic link" in err
    assert list(elsewhere.iterdir()) == []
    assert snapshot_outside(tmp_path, clone) == before_outside


def test_a_missing_registry_folder_is_an_error(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, _err = run_cli_captured(capsys, "-C", str(archive), "sync", "--date", SYNC_DATE)
    assert code == 0
    before = head(archive)
    for entry in (archive / "playlists/registry").iterdir():
        entry.unlink()
    (archive / "playlists/registry").rmdir()
    for command in (["sync", "--date", "2026-11-29T06:00:00Z"], ["list"]):
        code, out, err = run_cli_captured(capsys, "-C", str(archive), *command)
        assert code == 1, (command, out, err)
        assert "playlists/registry" in err and "missing" in err
    assert head(archive) == before
    assert git(archive, "ls-tree", "--name-only", "HEAD", "playlists/registry/").split() == [
        "playlists/registry/.gitkeep",
        f"playlists/registry/{A}",
    ]
