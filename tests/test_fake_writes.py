"""The fake Spotify API's write side behaves as Spotify documents it (the restore tests rely
on it): 100 items per request, a new snapshot_id per write, 403s that name their cause."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from tests.support.api import fake_id, playlist_with_tracks
from tests.support.fake_writes import WRITE_SCOPE

if TYPE_CHECKING:
    from tests.support.fakespotify import FakeSpotify

A = fake_id("fake-writes", "a")
URI = "spotify:track:" + fake_id("track", A, 0)


def token(fake: FakeSpotify, scope: str | None = WRITE_SCOPE, user: str = "fake-user") -> str:
    refresh = fake.issue_refresh_token(user, scope=scope)
    form = {"grant_type": "refresh_token", "refresh_token": refresh, "client_id": fake.client_id}
    answer = httpx.post(f"{fake.accounts_url}/api/token", data=form, timeout=10).json()
    return str(answer["access_token"])


def write(fake: FakeSpotify, bearer: str, method: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.request(
        method,
        f"{fake.api_url}/playlists/{A}/items",
        json=body,
        headers={"Authorization": f"Bearer {bearer}"},
        timeout=10,
    )


def test_every_write_answers_a_new_snapshot_id_and_100_items_is_the_most(
    fake_spotify_dev: FakeSpotify,
) -> None:
    fake_spotify_dev.add_playlist(playlist_with_tracks(A, [0], owner_id="fake-user"))
    bearer = token(fake_spotify_dev)
    seen = {fake_spotify_dev._playlists[A].meta["snapshot_id"]}
    writes: list[tuple[str, dict[str, Any]]] = [
        ("PUT", {"uris": [URI] * 100}),
        ("POST", {"uris": [URI] * 100, "position": 0}),
        ("PUT", {"range_start": 0, "insert_before": 200}),
        ("DELETE", {"items": [{"uri": URI}]}),
    ]
    for method, body in writes:
        answer = write(fake_spotify_dev, bearer, method, body)
        assert answer.status_code == (201 if method == "POST" else 200), answer.text
        seen.add(answer.json()["snapshot_id"])
    assert len(seen) == 5
    assert write(fake_spotify_dev, bearer, "POST", {"uris": [URI] * 101}).status_code == 400
    assert write(fake_spotify_dev, bearer, "PUT", {"uris": [URI] * 101}).status_code == 400


def test_a_write_is_refused_without_the_scope_or_the_playlist(
    fake_spotify_dev: FakeSpotify,
) -> None:
    fake_spotify_dev.add_playlist(playlist_with_tracks(A, [0], owner_id="fake-user"))
    read_only = write(fake_spotify_dev, token(fake_spotify_dev, scope=None), "PUT", {"uris": []})
    assert read_only.status_code == 403
    assert "playlist-modify-public" in read_only.json()["error"]["message"]
    stranger = write(
        fake_spotify_dev, token(fake_spotify_dev, user="stranger"), "PUT", {"uris": []}
    )
    assert stranger.status_code == 403 and "own" in stranger.json()["error"]["message"]
    assert len(fake_spotify_dev._playlists[A].entries) == 1
