"""A total that does not add up costs one window of page requests, never one task per page.

Liked Songs has no cap on its total (a playlist has Spotify's 10,000), and restore's
reader had none either: pages after the first are read a window at a time, each
window checked before the next is asked for. Against the fake Spotify Web API over
127.0.0.1, through the real client, ``sync`` and restore's reader.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

import pytest

from gitarchive import formats, settings
from gitarchive.errors import InvalidResponse
from gitarchive.model import LIKED_SONGS_ID
from gitarchive.spotify.writes import PlaylistWriter
from tests.support.api import api_playlist, fake_id
from tests.support.cli import run_cli, run_cli_captured
from tests.support.clients import fake_client

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.fakespotify import FakeSpotify

HUGE = 1_000_000  # 20,000 pages of 50
DAY1 = "2026-11-20T06:00:00Z"
DAY2 = "2026-11-21T06:00:00Z"
P = fake_id("page-windows", "p")


def saved_tracks(count: int) -> list[dict[str, Any]]:
    """``count`` saved-track objects, as /me/tracks serves them (under ``track``)."""
    library = api_playlist(fake_id("page-windows", "library"), count)
    entries: list[dict[str, Any]] = library["items"]["items"]
    for entry in entries:
        entry["track"] = entry.pop("item")
    return entries


def library_page(fake: FakeSpotify, *, total: int, following: int | None) -> bytes:
    url = f"{fake.api_url}/me/tracks"
    return json.dumps(
        {
            "href": f"{url}?offset=0&limit=50",
            "limit": 50,
            "offset": 0,
            "total": total,
            "next": None if following is None else f"{url}?offset={following}&limit=50",
            "previous": None,
            "items": saved_tracks(50),
        }
    ).encode()


@pytest.fixture
def liked_archive(
    tmp_path: Path, fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """An archive of Liked Songs (50 saved tracks), synced once."""
    root = tmp_path / "archive"
    assert run_cli("init", str(root)) == 0
    fake_spotify.setenv(monkeypatch, refresh_token=True)
    fake_spotify.save_tracks(fake_spotify.default_user, saved_tracks(50))
    assert run_cli("-C", str(root), "add", "liked") == 0
    assert run_cli("-C", str(root), "sync", "--date", DAY1) == 0
    return root


def library_files(root: Path) -> dict[str, bytes]:
    paths = [formats.plain_path(LIKED_SONGS_ID), formats.json_path(LIKED_SONGS_ID)]
    return {path: (root / path).read_bytes() for path in paths}


def test_a_library_announcing_more_than_it_serves_fails_after_one_window(
    liked_archive: Path, fake_spotify: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    before = library_files(liked_archive)
    first = library_page(fake_spotify, total=HUGE, following=50)
    fake_spotify.inject("raw", match="/me/tracks?offset=0&", times=None, status=200, body=first)
    rest = json.dumps({"total": HUGE, "items": [], "next": None}).encode()
    fake_spotify.inject("raw", match="/me/tracks?", times=None, status=200, body=rest)
    fake_spotify.reset_log()
    code, out, _ = run_cli_captured(capsys, "-C", str(liked_archive), "sync", "--date", DAY2)
    assert code == 1
    failed = [line for line in out.splitlines() if LIKED_SONGS_ID in line and "failed" in line]
    assert len(failed) == 1
    assert "does not add up" in failed[0] and "is empty" in failed[0]
    pages = [r for r in fake_spotify.api_requests() if r.path == "/v1/me/tracks"]
    assert len(pages) <= 1 + settings.DEFAULT_CONCURRENCY
    assert library_files(liked_archive) == before


def test_a_library_page_without_next_before_its_total_fails_at_once(
    liked_archive: Path, fake_spotify: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    """A server that serves one page at every offset: only `next` tells it apart."""
    before = library_files(liked_archive)
    page = library_page(fake_spotify, total=10_000, following=None)
    fake_spotify.inject("raw", match="/me/tracks?", times=None, status=200, body=page)
    fake_spotify.reset_log()
    code, out, _ = run_cli_captured(capsys, "-C", str(liked_archive), "sync", "--date", DAY2)
    assert code == 1
    failed = [line for line in out.splitlines() if LIKED_SONGS_ID in line and "failed" in line]
    assert len(failed) == 1 and "`next` of the page at offset 0 is null" in failed[0]
    assert [r.path for r in fake_spotify.api_requests()].count("/v1/me/tracks") == 1
    assert library_files(liked_archive) == before


def test_restores_reader_stops_at_the_first_window_short_of_the_total(
    fake_spotify: FakeSpotify,
) -> None:
    def huge_total(kind: str, _at: int, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "total": HUGE} if kind == "page" else body

    fake_spotify.add_playlist(api_playlist(P, 60), rewrite=huge_total)

    async def go() -> None:
        async with fake_client(fake_spotify, playlist_budget=10.0, concurrency=8) as client:
            await PlaylistWriter(client).items(P)

    with pytest.raises(InvalidResponse, match=f"60 entries of playlist {P}, announced {HUGE}"):
        asyncio.run(go())
    pages = [r for r in fake_spotify.api_requests() if r.path.endswith("/items")]
    assert len(pages) <= 1 + 8
