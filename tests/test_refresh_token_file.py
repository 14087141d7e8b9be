"""A refresh token Spotify rotates is kept by every command that refreshes, in a 0600 file.

``GITARCHIVE_REFRESH_TOKEN_FILE`` names the file; a symbolic link there is
refused before any token is used up.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import httpx
import pygit2
import pytest

from gitarchive.errors import SettingsError, Unreachable
from gitarchive.git import Store
from gitarchive.spotify import Auth, SpotifyClient, auth_from_env
from gitarchive.spotify.tokenfile import keep_rotated_token, write_token_file
from gitarchive.sync import SyncOptions, run_sync
from tests.support.api import api_playlist, fake_id
from tests.support.cli import run_cli, run_cli_captured
from tests.support.fakespotify import FakeSpotify

if TYPE_CHECKING:
    from pathlib import Path

    from gitarchive.settings import Settings

ME = "fake-user"
MINE = fake_id("token-file", "mine")
COMMANDS = {
    "doctor": ["doctor"],
    "add-mine": ["add", "--mine", "--dry-run"],
    "sync": ["sync", "--date", "2026-11-20T06:00:00Z"],
}


@pytest.fixture
def archive(tmp_path: Path, fake_spotify_dev: FakeSpotify) -> Path:
    root = tmp_path / "archive"
    pygit2.init_repository(str(root), initial_head="main")
    fake_spotify_dev.add_playlist(api_playlist(MINE, 4, owner_id=ME, name="Mine"))
    assert run_cli("-C", str(root), "add", MINE) == 0
    return root


@pytest.fixture
def rotating(fake_spotify_dev: FakeSpotify, monkeypatch: pytest.MonkeyPatch) -> str:
    """A user's token in the environment, rotated by Spotify at its first refresh."""
    fake_spotify_dev.rotate_refresh_tokens = True
    env = fake_spotify_dev.setenv(monkeypatch, refresh_token=True, secret=False)
    return env["SPOTIFY_REFRESH_TOKEN"]


@pytest.mark.secret_files("refresh-token")
@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_every_command_that_refreshes_keeps_the_rotated_token_for_the_next_sync(
    archive: Path,
    fake_spotify_dev: FakeSpotify,
    rotating: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    command: list[str],
) -> None:
    token_file = tmp_path / "refresh-token"
    monkeypatch.setenv("GITARCHIVE_REFRESH_TOKEN_FILE", str(token_file))
    code, _, err = run_cli_captured(capsys, "-C", str(archive), *command)
    assert code == 0, err
    kept = token_file.read_text().strip()
    assert kept in fake_spotify_dev.valid_refresh_tokens()
    assert rotating not in fake_spotify_dev.valid_refresh_tokens()  # used up by the refresh
    assert "new refresh token" in err and str(token_file) in err
    # The next sync, with the kept token, reads the playlist.
    monkeypatch.setenv("SPOTIFY_REFRESH_TOKEN", kept)
    assert run_cli("-C", str(archive), *COMMANDS["sync"]) == 0


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_without_a_token_file_every_command_says_what_to_update(
    archive: Path,
    rotating: str,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    code, _, err = run_cli_captured(capsys, "-C", str(archive), *command)
    assert code == 0, err
    warning = [line for line in err.splitlines() if "new refresh token" in line]
    assert len(warning) == 1
    assert "GITARCHIVE_REFRESH_TOKEN_FILE" in warning[0]
    assert "SPOTIFY_REFRESH_TOKEN" in warning[0] and "gitarchive login" in warning[0]


@pytest.mark.secret_files("refresh-token")
def test_an_existing_world_readable_token_file_is_left_0600(
    archive: Path,
    rotating: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    token_file = tmp_path / "refresh-token"
    token_file.write_text("an older token\n")
    token_file.chmod(0o644)
    monkeypatch.setenv("GITARCHIVE_REFRESH_TOKEN_FILE", str(token_file))
    assert run_cli("-C", str(archive), *COMMANDS["sync"]) == 0
    assert token_file.stat().st_mode & 0o777 == 0o600
    assert token_file.read_text().startswith("fake-refresh-")


def test_the_token_file_is_written_whole_with_mode_0600(tmp_path: Path) -> None:
    folder = tmp_path / "secrets"
    folder.mkdir()
    token_file = folder / "refresh-token"
    token_file.write_text("old\n")
    token_file.chmod(0o666)
    old_umask = os.umask(0)
    try:
        write_token_file(str(token_file), "new-token")
    finally:
        os.umask(old_umask)
    assert token_file.read_text() == "new-token\n"
    assert token_file.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in folder.iterdir()] == ["refresh-token"]  # no temporary left


def test_a_symlinked_token_file_is_refused_before_any_refresh(
    archive: Path,
    fake_spotify_dev: FakeSpotify,
    rotating: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not a token\n")
    link = tmp_path / "refresh-token"
    link.symlink_to(elsewhere)
    monkeypatch.setenv("GITARCHIVE_REFRESH_TOKEN_FILE", str(link))
    for command in COMMANDS.values():
        code, _, err = run_cli_captured(capsys, "-C", str(archive), *command)
        assert code == 1
        lines = err.strip().splitlines()
        assert len(lines) == 1
        assert "GITARCHIVE_REFRESH_TOKEN_FILE" in lines[0] and "symbolic link" in lines[0]
    assert rotating in fake_spotify_dev.valid_refresh_tokens()  # never refreshed, not used up
    assert link.is_symlink() and elsewhere.read_text() == "not a token\n"


def test_a_link_planted_after_the_check_is_replaced_never_written_through(
    tmp_path: Path,
) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not a token\n")
    link = tmp_path / "refresh-token"
    link.symlink_to(elsewhere)
    rotation = keep_rotated_token("new-token", str(link))
    assert rotation.stored_in is None and rotation.error is not None
    assert "symbolic link" in rotation.error and "new-token" not in rotation.notice()
    assert elsewhere.read_text() == "not a token\n"


def test_a_token_file_in_a_missing_folder_is_refused_when_credentials_are_read(
    tmp_path: Path,
) -> None:
    env = {
        "SPOTIFY_CLIENT_ID": "id",
        "SPOTIFY_REFRESH_TOKEN": "refresh-token-0123",
        "GITARCHIVE_REFRESH_TOKEN_FILE": str(tmp_path / "missing" / "token"),
    }
    with pytest.raises(SettingsError, match="folder does not exist"):
        auth_from_env(env)


def test_a_run_that_ends_in_an_error_still_says_where_the_rotated_token_went(
    archive: Path,
) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == "accounts.test":
            answer = {"access_token": "at", "expires_in": 3600, "refresh_token": "rotated-0123"}
            return httpx.Response(200, json=answer)
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    def factory(settings: Settings) -> SpotifyClient:
        return SpotifyClient(
            Auth("client-id", None, "refresh-token-0123"),
            api_url="https://api.test/v1",
            accounts_url="https://accounts.test",
            transport=httpx.MockTransport(handle),
            connect_budget=0.2,
        )

    with pytest.raises(Unreachable) as raised:
        run_sync(Store.discover(archive), SyncOptions(), client_factory=factory)
    message = str(raised.value)
    assert "cannot reach Spotify at api.test" in message
    assert "new refresh token" in message and "GITARCHIVE_REFRESH_TOKEN_FILE" in message
    assert "rotated-0123" not in message
