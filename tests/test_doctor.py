"""``doctor`` and ``add --mine``'s core against the development-mode fake, in a real repository."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import TYPE_CHECKING

import jsonschema
import pygit2
import pytest

from gitarchive.cli import access as cli_access
from gitarchive.git import Store
from gitarchive.spotify import access
from tests.support.api import api_playlist, fake_id
from tests.support.cli import run_cli, run_cli_captured
from tests.support.fakespotify import FakeSpotify

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

ME = "fake-user"
MINE = fake_id("doctor", "mine")
SHARED = fake_id("doctor", "shared")
THEIRS = fake_id("doctor", "theirs")
THEIRS_TOO = fake_id("doctor", "theirs", 2)
EDITORIAL = "37i9dQZF1DX0XUsuxWHRQd"


@pytest.fixture
def archive(tmp_path: Path, fake_spotify_dev: FakeSpotify) -> Path:
    root = tmp_path / "archive"
    pygit2.init_repository(str(root), initial_head="main")
    fake = fake_spotify_dev
    fake.add_playlist(api_playlist(MINE, 4, owner_id=ME, name="Mine"))
    fake.add_playlist(api_playlist(SHARED, 2, owner_id="friend"), collaborators=[ME])
    fake.add_playlist(api_playlist(THEIRS, 2, owner_id="stranger", name="Theirs"))
    fake.add_playlist(api_playlist(THEIRS_TOO, 2, owner_id="stranger"))
    fake.add_playlist(api_playlist(EDITORIAL, 2))
    for playlist_id in (MINE, THEIRS, THEIRS_TOO, EDITORIAL):
        assert run_cli("-C", str(root), "add", playlist_id) == 0
    return root


@pytest.fixture
def invoke(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str]]:
    def run(archive: Path, *args: str) -> tuple[int, str]:
        code, out, err = run_cli_captured(capsys, "-C", str(archive), "doctor", *args)
        return code, out + err

    return run


def test_doctor_says_per_playlist_what_a_user_token_reads(
    archive: Path,
    fake_spotify_dev: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    invoke: Callable[..., tuple[int, str]],
) -> None:
    fake_spotify_dev.setenv(monkeypatch, refresh_token=True)
    code, output = invoke(archive)
    assert code == 1
    lines = output.splitlines()
    assert lines[0] == "credentials: a user's token (Fake-User, id fake-user)"
    assert f"{MINE}  reads tracks" in output and f"{THEIRS}  metadata only" in output
    assert f"{EDITORIAL}  nothing" in output
    grouped = [line for line in lines if line.startswith("- ")]
    assert grouped[0].startswith(f"- 2 playlists ({', '.join(sorted([THEIRS, THEIRS_TOO]))}):")
    assert "ask the owner to make you a collaborator" in grouped[0]
    assert grouped[1].startswith(f"- 1 playlist ({EDITORIAL}):") and "extended quota" in grouped[1]
    for secret in fake_spotify_dev.secrets_seen():
        assert secret not in output


def test_doctor_json(
    archive: Path,
    fake_spotify_dev: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    invoke: Callable[..., tuple[int, str]],
) -> None:
    fake_spotify_dev.setenv(monkeypatch)  # client credentials
    code, output = invoke(archive, "--format", "json")
    assert code == 1
    data = json.loads(output)
    schema = json.loads(files("gitarchive").joinpath("schemas", "doctor.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)
    assert data["grant"] == "client_credentials" and data["user"] is None
    levels = {p["id"]: (p["level"], p["cause"]) for p in data["playlists"]}
    assert levels[MINE] == ("metadata", access.NO_USER)
    assert levels[EDITORIAL] == ("nothing", access.SPOTIFY_OWNED)
    assert data["causes"][0]["cause"] == access.NO_USER and data["causes"][0]["count"] == 3


def test_doctor_all_readable_exits_0(
    archive: Path,
    fake_spotify_dev: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    invoke: Callable[..., tuple[int, str]],
) -> None:
    fake_spotify_dev.setenv(monkeypatch)
    fake_spotify_dev.extended_quota = True
    code, output = invoke(archive)
    assert code == 0 and "nothing" not in output and "- " not in output


def test_doctor_reports_refused_credentials(
    archive: Path,
    fake_spotify_dev: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    invoke: Callable[..., tuple[int, str]],
) -> None:
    fake_spotify_dev.setenv(monkeypatch, refresh_token=True)
    fake_spotify_dev.advance_clock(days=200)
    code, output = invoke(archive)
    assert code == 1
    assert "credentials refused" in output and "six months" in output


def test_mine_to_add_lists_unregistered_owned_and_collaborative(
    archive: Path, fake_spotify_dev: FakeSpotify, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_spotify_dev.setenv(monkeypatch, refresh_token=True)
    fake_spotify_dev.follow(ME, THEIRS)
    assert [p.id for p in cli_access.mine_to_add(Store.discover(archive))] == [SHARED]
