"""A playlist edited between two of its page reads is never recorded as a version.

Pages carry no snapshot_id, and an edit that keeps the total (a move) passes every
page check; so a playlist of two or more pages has its snapshot_id read again after
the last page. Against the fake Spotify Web API over 127.0.0.1, through the real
client and the real ``sync``.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

import pytest

from gitarchive import formats
from gitarchive.errors import IncompleteResponse, SpotifyError
from gitarchive.model import LIKED_SONGS_ID, Playlist
from gitarchive.spotify import auth_from_env
from tests.support.api import api_playlist, fake_id
from tests.support.cli import run_cli, run_cli_captured
from tests.support.clients import fake_client

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.fakespotify import FakeSpotify, Rewrite

P = fake_id("edited-while-read", "p")
DAY1 = "2026-11-20T06:00:00Z"
DAY2 = "2026-11-21T06:00:00Z"


def moved_after_first_page(playlist_id: str, n_tracks: int) -> Rewrite:
    """Version 2 (the last 10 tracks moved to the top: same total) from the second page on."""
    moved = api_playlist(playlist_id, n_tracks, snapshot_id="snap-v2")["items"]["items"]
    moved[:] = moved[-10:] + moved[:-10]
    edited = False

    def rewrite(kind: str, at: int, body: dict[str, Any]) -> dict[str, Any]:
        nonlocal edited
        body = json.loads(json.dumps(body))
        if kind == "page" and at > 0:
            edited = True  # the owner's edit lands right before this page is served
        if edited and kind == "meta":
            body["snapshot_id"] = "snap-v2"
        elif edited:
            body["items"] = moved[at : at + 50]
        return body

    return rewrite


def read(fake: FakeSpotify, playlist_id: str) -> Playlist | SpotifyError:
    async def go() -> Playlist | SpotifyError:
        auth = auth_from_env(fake.env(refresh_token=True))
        async with fake_client(fake, auth, playlist_budget=10.0, concurrency=8) as client:
            return (await client.get_playlists([playlist_id]))[playlist_id]

    return asyncio.run(go())


def test_an_edit_between_page_reads_fails_the_playlist(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(
        api_playlist(P, 60, snapshot_id="snap-v1"), rewrite=moved_after_first_page(P, 60)
    )
    outcome = read(fake_spotify, P)
    assert isinstance(outcome, IncompleteResponse)
    message = str(outcome)
    assert message.startswith(f"playlist {P}: it was edited while it was read")
    assert "files kept" in message and "\n" not in message


def test_a_playlist_of_pages_has_its_snapshot_id_read_again_after_the_last(
    fake_spotify: FakeSpotify,
) -> None:
    fake_spotify.add_playlist(api_playlist(P, 120, snapshot_id="snap-v1"))
    outcome = read(fake_spotify, P)
    assert isinstance(outcome, Playlist) and len(outcome.tracks) == 120
    requests = fake_spotify.api_requests()
    looks = [r for r in requests if r.query.get("fields") == "snapshot_id"]
    assert len(looks) == 1 and looks[0].path == f"/v1/playlists/{P}"
    last_page = max(r.finished for r in requests if r.path.endswith("/items"))
    assert looks[0].started >= last_page
    assert len(requests) == 1 + 3 + 1  # metadata, three pages, the second look


def test_a_playlist_of_one_page_costs_no_second_look(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(api_playlist(P, 50, snapshot_id="snap-v1"))
    outcome = read(fake_spotify, P)
    assert isinstance(outcome, Playlist) and len(outcome.tracks) == 50
    assert len(fake_spotify.api_requests()) == 2  # metadata and the one page


def test_liked_songs_of_many_pages_are_read_without_a_snapshot_id(
    fake_spotify: FakeSpotify,
) -> None:
    saved = api_playlist(fake_id("edited-while-read", "library"), 120)["items"]["items"]
    fake_spotify.save_tracks(fake_spotify.default_user, saved)
    outcome = read(fake_spotify, LIKED_SONGS_ID)
    assert isinstance(outcome, Playlist) and len(outcome.tracks) == 120
    assert not any(r.path.startswith("/v1/playlists/") for r in fake_spotify.api_requests())


def test_sync_keeps_the_files_of_a_playlist_edited_while_it_was_read(
    tmp_path: Path,
    fake_spotify: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = tmp_path / "archive"
    assert run_cli("init", str(root)) == 0
    assert run_cli("-C", str(root), "add", P) == 0
    fake_spotify.setenv(monkeypatch)
    fake_spotify.add_playlist(api_playlist(P, 60, snapshot_id="snap-v1"))
    assert run_cli("-C", str(root), "sync", "--date", DAY1) == 0
    paths = [formats.plain_path(P), formats.pretty_path(P), formats.json_path(P)]
    before = {path: (root / path).read_bytes() for path in paths}
    fake_spotify.add_playlist(
        api_playlist(P, 60, snapshot_id="snap-v1"), rewrite=moved_after_first_page(P, 60)
    )
    code, out, _ = run_cli_captured(capsys, "-C", str(root), "sync", "--date", DAY2)
    assert code == 1  # its only playlist failed
    failed = [line for line in out.splitlines() if "failed" in line and P in line]
    assert len(failed) == 1 and "edited while it was read" in failed[0]
    assert {path: (root / path).read_bytes() for path in paths} == before
