"""The Spotify client against the fake Spotify Web API, over real sockets."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

from gitarchive import formats, settings
from gitarchive.errors import (
    AuthError,
    BadRequest,
    Forbidden,
    InvalidResponse,
    PlaylistUnavailable,
    RetriesExhausted,
    SpotifyError,
)
from gitarchive.model import Playlist
from gitarchive.spotify import Auth, SpotifyClient, auth_from_env
from tests.support import DATA, SEED_ID
from tests.support.api import api_playlist, fake_id
from tests.support.clients import fake_client
from tests.support.fakespotify import FakeSpotify, load_seed

if TYPE_CHECKING:
    from collections.abc import Coroutine, Sequence

A = "A" * 22
B = "B" * 22
MISSING = "Z" * 22


def client(fake: FakeSpotify, auth: Auth | None = None, **options: Any) -> SpotifyClient:
    return fake_client(fake, auth, **{"playlist_budget": 10.0, "concurrency": 8, **options})


T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


async def fetch(fake: FakeSpotify, playlist_id: str, **options: Any) -> Playlist:
    async with client(fake, **options) as spotify:
        return await spotify.get_playlist(playlist_id)


async def fetch_many(
    fake: FakeSpotify, ids: Sequence[str], **options: Any
) -> dict[str, Playlist | SpotifyError]:
    async with client(fake, **options) as spotify:
        return await spotify.get_playlists(ids)


# ------------------------------------------------------------------ completeness


def test_pagination_delivers_every_entry_in_order(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(api_playlist(A, 237))
    playlist = run(fetch(fake_spotify, A))
    assert len(playlist.tracks) == 237
    assert [t.url for t in playlist.tracks] == [
        f"https://open.spotify.com/track/{fake_id('track', A, i)}" for i in range(237)
    ]
    pages = [r for r in fake_spotify.api_requests() if r.path.endswith("/items")]
    assert sorted(int(r.query["offset"]) for r in pages) == [0, 50, 100, 150, 200]
    assert all(r.query["limit"] == "50" for r in pages)
    assert all("fields" in r.query for r in fake_spotify.api_requests())


def later_page(target: str) -> bool:
    return "/items" in target and "offset=" in target and "offset=0&" not in target + "&"


def test_pages_after_the_first_are_fetched_in_parallel(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(api_playlist(A, 300))
    # Each later page is answered only once all five are being handled at once: a client
    # that asked for them one by one would break the barrier (after its timeout) instead.
    fake_spotify.gate = (later_page, threading.Barrier(5, timeout=10))
    run(fetch(fake_spotify, A))
    later = [
        r
        for r in fake_spotify.api_requests()
        if r.path.endswith("/items") and r.query["offset"] != "0"
    ]
    assert len(later) == 5
    assert not fake_spotify.gate[1].broken
    assert max(r.started for r in later) < min(r.finished for r in later)


def test_seed_playlist_arrives_complete(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_seed()
    fake_spotify.max_page_items = 20
    seed = load_seed()
    playlist = run(fetch(fake_spotify, SEED_ID))
    available = [e for e in seed["items"]["items"] if (e.get("item") or e.get("track"))]
    assert len(playlist.tracks) == len(available) == 50
    assert playlist.original_name == playlist.unique_name == "K-Pop Ballad Hits"
    assert playlist.num_followers == 321893
    assert playlist.owner.url == "https://open.spotify.com/user/spotify"
    offsets = sorted(
        int(r.query["offset"]) for r in fake_spotify.api_requests() if r.path.endswith("/items")
    )
    assert offsets == [0, 20, 40]


def test_seed_renders_to_the_golden_page(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_seed()
    playlist = run(fetch(fake_spotify, SEED_ID))
    golden = (DATA / f"pretty-{SEED_ID}.md").read_text(encoding="utf-8")
    assert formats.render_pretty(playlist, github="mackorone/spotify-playlist-archive") == golden


def test_legacy_tracks_endpoint_is_the_fallback(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(api_playlist(A, 75), legacy=True)
    playlist = run(fetch(fake_spotify, A))
    assert len(playlist.tracks) == 75
    paths = [r.path for r in fake_spotify.api_requests()]
    assert f"/v1/playlists/{A}/items" in paths
    assert paths.count(f"/v1/playlists/{A}/tracks") == 2


def test_market_is_sent_when_set(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(api_playlist(A, 3))
    run(fetch(fake_spotify, A, market="KR"))
    assert {r.query.get("market") for r in fake_spotify.api_requests()} == {"KR"}


def test_odd_entries(fake_spotify: FakeSpotify) -> None:
    description = "Rock &amp; roll &lt;3 &#39;n&#39; stuff"
    data = api_playlist(A, 2, description=description, followers=None)
    entries = data["items"]["items"]
    entries[1]["added_at"] = "1970-01-01T00:00:00Z"
    entries[0]["added_at"] = None
    entries.append({"added_at": "2026-03-01T10:00:00Z", "is_local": False, "item": None})
    entries.append(
        {
            "added_at": "2026-03-02T10:00:00Z",
            "is_local": True,
            "item": {
                "type": "track",
                "id": None,
                "name": "My Demo",
                "duration_ms": 61000,
                "is_local": True,
                "external_urls": {},
                "album": {"id": None, "name": "Home Tapes", "external_urls": {}},
                "artists": [{"id": None, "name": "Me", "external_urls": {}}],
            },
        }
    )
    episode_id = fake_id("episode")
    entries.append(
        {
            "added_at": "2026-03-03T10:00:00Z",
            "is_local": False,
            "item": {
                "type": "episode",
                "id": episode_id,
                "name": "Episode 1",
                "duration_ms": 1_800_000,
                "external_urls": {"spotify": f"https://open.spotify.com/episode/{episode_id}"},
                "show": {"id": fake_id("show"), "name": "A Show", "publisher": "Pod Co"},
            },
        }
    )
    entries.append({"added_at": None, "is_local": False, "item": {"type": "track", "id": B}})
    fake_spotify.add_playlist(data)

    async def go() -> tuple[Playlist, dict[str, int]]:
        async with client(fake_spotify) as spotify:
            playlist = await spotify.get_playlist(A)
            return playlist, spotify.stats.unavailable_items

    playlist, unavailable = run(go())
    assert unavailable == {A: 1}
    assert playlist.description == "Rock & roll <3 'n' stuff"
    assert playlist.num_followers is None
    first, second, local, episode, nameless = playlist.tracks
    assert first.added_at is None and second.added_at is None
    assert local.url is None and local.id is None and local.name == "My Demo"
    assert local.album.url is None and local.artists[0].url is None
    assert local.added_at is not None and local.added_at.isoformat() == "2026-03-02T10:00:00+00:00"
    assert episode.url == f"https://open.spotify.com/episode/{episode_id}"
    assert episode.id == episode_id
    assert episode.album.name == "A Show" and episode.artists[0].name == "Pod Co"
    assert nameless.name == "" and nameless.artists == () and nameless.album.name == ""
    assert nameless.url == f"https://open.spotify.com/track/{B}"


def test_wrong_types_fail_that_playlist_only(fake_spotify: FakeSpotify) -> None:
    bad = api_playlist(A, 60)
    bad["items"]["items"][55]["item"]["duration_ms"] = "3:20"
    fake_spotify.add_playlist(bad)
    fake_spotify.add_playlist(api_playlist(B, 5))
    results = run(fetch_many(fake_spotify, [A, B]))
    error = results[A]
    assert isinstance(error, InvalidResponse)
    assert "items[55].item.duration_ms should be an integer, not str" in str(error)
    assert str(error).startswith(f"playlist {A}:")
    assert isinstance(results[B], Playlist)


# ------------------------------------------------------------------ faults survived


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("status", 500),
        ("status", 502),
        ("status", 503),
        ("truncated", 200),
        ("short", 200),
        ("non_json", 200),
        ("empty", 200),
    ],
)
def test_transient_faults_are_retried(fake_spotify: FakeSpotify, kind: str, status: int) -> None:
    fake_spotify.add_playlist(api_playlist(A, 120))
    fake_spotify.inject(kind, status=status, match="offset=50", times=2)
    fake_spotify.inject(kind, status=status, match=f"/playlists/{A}?", times=1)
    playlist = run(fetch(fake_spotify, A))
    assert len(playlist.tracks) == 120
    offsets = [r.query.get("offset") for r in fake_spotify.api_requests()]
    assert offsets.count("50") == 3
    # metadata: once refused, once answered; then its snapshot_id read again after the last page
    assert offsets.count(None) == 3


def test_slow_answer_times_out_and_is_retried(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(api_playlist(A, 10))
    fake_spotify.inject("slow", match="/items", delay=1.5)
    playlist = run(fetch(fake_spotify, A, timeout=0.5))
    assert len(playlist.tracks) == 10
    assert [r.path for r in fake_spotify.api_requests()].count(f"/v1/playlists/{A}/items") == 2


def test_token_endpoint_faults_are_retried(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(api_playlist(A, 10))
    fake_spotify.inject("status", status=503, match="/api/token")
    fake_spotify.inject("non_json", match="/api/token")
    assert len(run(fetch(fake_spotify, A)).tracks) == 10


def test_endless_server_errors_exhaust_the_playlist_budget(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(api_playlist(A, 10))
    fake_spotify.add_playlist(api_playlist(B, 10))
    fake_spotify.inject("status", status=503, match=A, times=None)
    results = run(fetch_many(fake_spotify, [A, B], playlist_budget=0.3))
    error = results[A]
    assert isinstance(error, RetriesExhausted)
    assert "HTTP 503" in str(error) and A in str(error)
    assert isinstance(results[B], Playlist)


def test_run_budget_ends_every_playlist(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(api_playlist(A, 10))
    fake_spotify.inject("status", status=500, times=None, match="/v1/")
    with pytest.raises(RetriesExhausted):
        run(fetch(fake_spotify, A, run_budget=0.2))


# ------------------------------------------------------------------ errors not retried


def test_missing_playlist_is_unavailable(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(api_playlist(A, 3))
    results = run(fetch_many(fake_spotify, [MISSING, A]))
    error = results[MISSING]
    assert isinstance(error, PlaylistUnavailable)
    assert error.status == 404 and error.playlist == MISSING
    assert error.cause == "not_found"
    assert "Spotify-owned" in str(error) and "extended quota" in str(error)
    assert isinstance(results[A], Playlist)
    assert [r.path for r in fake_spotify.api_requests()].count(f"/v1/playlists/{MISSING}") == 1


def test_bad_request_is_gitarchives_own_bug_with_the_request_shown(
    fake_spotify: FakeSpotify,
) -> None:
    fake_spotify.add_playlist(api_playlist(A, 3))
    fake_spotify.inject("status", status=400, match=f"/playlists/{A}/items?")
    with pytest.raises(BadRequest) as caught:
        run(fetch(fake_spotify, A))
    message = str(caught.value)
    assert not isinstance(caught.value, PlaylistUnavailable)
    assert "unavailable" not in message and "bug in gitarchive" in message
    assert f"GET /v1/playlists/{A}/items?offset=0&limit=50&fields=" in message
    assert caught.value.request.startswith(f"GET /v1/playlists/{A}/items?")
    assert "Bearer" not in message and fake_spotify.client_secret not in message


def test_forbidden_is_not_retried(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(api_playlist(A, 3))
    fake_spotify.inject("status", status=403, match=f"/playlists/{A}?", times=None)
    with pytest.raises(Forbidden):
        run(fetch(fake_spotify, A))
    metadata = [r for r in fake_spotify.api_requests() if r.path == f"/v1/playlists/{A}"]
    assert len(metadata) == 1


# ------------------------------------------------------------------ rate limits, concurrency


def test_429_pauses_all_requests(fake_spotify: FakeSpotify) -> None:
    ids = [fake_id("rl", i) for i in range(24)]
    for playlist_id in ids:
        fake_spotify.add_playlist(api_playlist(playlist_id, 60))
    fake_spotify.latency = 0.01
    fake_spotify.inject("rate_limit", match=ids[4], retry_after=0.8)
    results = run(fetch_many(fake_spotify, ids, concurrency=6))
    assert all(isinstance(r, Playlist) for r in results.values())
    log = fake_spotify.api_requests()
    refused = [r for r in log if r.status == 429]
    assert len(refused) == 1
    gate_closed = refused[0].finished
    # Requests that had already left may arrive just after the 429; nothing else for 0.8 s.
    window = [r for r in log if gate_closed + 0.15 < r.started < gate_closed + 0.79]
    assert window == []
    after = [r for r in log if r.started >= gate_closed + 0.79]
    assert len(after) > 20  # the other playlists did wait, and then went on


def test_endless_rate_limit_is_reported(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(api_playlist(A, 3))
    fake_spotify.inject("rate_limit", match=A, retry_after=5, times=None)
    with pytest.raises(RetriesExhausted) as caught:
        run(fetch(fake_spotify, A, playlist_budget=1.0))
    assert "429" in str(caught.value) or "rate limited" in str(caught.value)


@pytest.mark.parametrize("concurrency", [1, 4])
def test_requests_in_flight_never_exceed_concurrency(
    fake_spotify: FakeSpotify, concurrency: int
) -> None:
    ids = [fake_id("c", i) for i in range(8)]
    for playlist_id in ids:
        fake_spotify.add_playlist(api_playlist(playlist_id, 160))
    fake_spotify.latency = 0.04
    results = run(fetch_many(fake_spotify, ids, concurrency=concurrency))
    assert all(isinstance(r, Playlist) and len(r.tracks) == 160 for r in results.values())
    assert fake_spotify.max_in_flight == concurrency
    # each: metadata, 4 pages, and the snapshot_id read again after the last page
    assert len(fake_spotify.api_requests()) == 8 * 6


def test_default_concurrency_comes_from_settings() -> None:
    spotify = SpotifyClient(Auth("id", "secret"))
    assert spotify.concurrency == settings.DEFAULT_CONCURRENCY


def test_results_keep_the_order_of_ids_and_report_each(fake_spotify: FakeSpotify) -> None:
    ids = [fake_id("o", i) for i in range(6)]
    for playlist_id in ids[1:]:
        fake_spotify.add_playlist(api_playlist(playlist_id, 2))
    seen: list[str] = []

    async def go() -> dict[str, Playlist | SpotifyError]:
        async with client(fake_spotify) as spotify:
            return await spotify.get_playlists(ids, on_result=lambda i, _r: seen.append(i))

    results = run(go())
    assert list(results) == ids and sorted(seen) == sorted(ids)
    assert isinstance(results[ids[0]], PlaylistUnavailable)


# ------------------------------------------------------------------ auth


def test_expired_token_is_refreshed_once(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(api_playlist(A, 120))
    fake_spotify.inject("expire", match="offset=50")
    assert len(run(fetch(fake_spotify, A)).tracks) == 120
    token_calls = [r for r in fake_spotify.requests if r.path == "/api/token"]
    assert len(token_calls) == 2


def test_token_rejected_after_refresh_is_an_auth_error(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(api_playlist(A, 3))
    fake_spotify.add_playlist(api_playlist(B, 3))
    fake_spotify.inject("status", status=401, match=f"/playlists/{A}", times=None)
    with pytest.raises(AuthError, match="401"):
        run(fetch_many(fake_spotify, [A, B]))


def test_wrong_client_secret(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(api_playlist(A, 3))
    with pytest.raises(AuthError, match="invalid_client") as caught:
        run(fetch_many(fake_spotify, [A], auth=Auth(fake_spotify.client_id, "wrong-secret-123")))
    assert "wrong-secret-123" not in str(caught.value)


def test_refresh_token_with_secret_and_rotation(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(api_playlist(A, 3))
    fake_spotify.rotate_refresh_tokens = True
    env = fake_spotify.env(refresh_token=True)
    auth = auth_from_env(env)
    assert auth.grant == "refresh_token"
    reported: list[str] = []

    async def go() -> SpotifyClient:
        async with client(fake_spotify, auth, on_refresh_token_rotated=reported.append) as spotify:
            await spotify.get_playlist(A)
            return spotify

    spotify = run(go())
    assert spotify.rotated_refresh_token is not None
    assert reported == [spotify.rotated_refresh_token]
    assert fake_spotify.valid_refresh_tokens() == {spotify.rotated_refresh_token}
    assert env["SPOTIFY_REFRESH_TOKEN"] not in fake_spotify.valid_refresh_tokens()


def test_refresh_token_without_secret_sends_client_id(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(api_playlist(A, 3))
    env = fake_spotify.env(refresh_token=True, secret=False)
    auth = auth_from_env(env)
    assert auth.client_secret is None
    assert len(run(fetch(fake_spotify, A, auth=auth)).tracks) == 3


def test_a_revoked_refresh_token_is_not_accepted_rather_than_expired(
    fake_spotify: FakeSpotify,
) -> None:
    fake_spotify.add_playlist(api_playlist(A, 3))
    auth = auth_from_env(fake_spotify.env(refresh_token=True))
    fake_spotify.revoke_refresh_tokens()
    with pytest.raises(AuthError) as caught:
        run(fetch_many(fake_spotify, [A], auth=auth))
    message = str(caught.value)
    assert message.startswith("Spotify did not accept the refresh token (invalid_grant: ")
    assert "expired" not in message and "run `gitarchive login` again" in message
    assert "\n" not in message


def test_a_refresh_token_past_six_months_is_expired(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(api_playlist(A, 3))
    auth = auth_from_env(fake_spotify.env(refresh_token=True))
    fake_spotify.advance_clock(days=183)
    with pytest.raises(AuthError) as caught:
        run(fetch_many(fake_spotify, [A], auth=auth))
    message = str(caught.value)
    assert "refresh token expired (they last six months)" in message
    assert "run `gitarchive login` again" in message


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({}, ["SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET", "SPOTIFY_REFRESH_TOKEN"]),
        ({"SPOTIFY_CLIENT_ID": "x"}, ["SPOTIFY_CLIENT_SECRET", "SPOTIFY_REFRESH_TOKEN"]),
        ({"SPOTIFY_CLIENT_SECRET": "s"}, ["SPOTIFY_CLIENT_ID"]),
        ({"SPOTIFY_REFRESH_TOKEN": "r"}, ["SPOTIFY_CLIENT_ID"]),
    ],
)
def test_missing_credentials_name_the_variables(env: dict[str, str], names: list[str]) -> None:
    with pytest.raises(AuthError) as caught:
        auth_from_env(env)
    message = str(caught.value)
    assert "\n" not in message
    for name in names:
        assert name in message
    for value in env.values():
        assert f"'{value}'" not in message


def test_auth_repr_hides_secrets() -> None:
    auth = Auth("the-id", "the-secret", "the-refresh")
    assert "the-secret" not in repr(auth) and "the-refresh" not in repr(auth)


def test_no_secret_in_logs_or_errors(
    fake_spotify: FakeSpotify, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_spotify.rotate_refresh_tokens = True
    fake_spotify.add_playlist(api_playlist(A, 120))
    fake_spotify.inject("expire", match="offset=50")
    fake_spotify.inject("rate_limit", match="offset=100", retry_after=0.05)
    fake_spotify.inject("status", status=500, match="offset=0")
    fake_spotify.inject("status", status=403, match=B)
    fake_spotify.add_playlist(api_playlist(B, 3))
    env = fake_spotify.env(refresh_token=True)
    original_refresh = env["SPOTIFY_REFRESH_TOKEN"]
    results = run(fetch_many(fake_spotify, [A, B, MISSING], auth=auth_from_env(env)))
    texts = [caplog.text, *(str(r) for r in results.values() if isinstance(r, SpotifyError))]
    assert "retry" in caplog.text and "401" in caplog.text and "429" in caplog.text
    secrets = fake_spotify.secrets_seen() | {original_refresh}
    assert len(secrets) >= 3
    for text in texts:
        for secret in secrets:
            assert secret not in text


def test_a_failed_page_fails_its_playlist_only(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(api_playlist(A, 300))
    fake_spotify.add_playlist(api_playlist(B, 120))
    fake_spotify.inject("status", status=403, match=f"{A}/items?offset=100", times=None)
    results = run(fetch_many(fake_spotify, [A, B]))
    forbidden, fetched = results[A], results[B]
    assert isinstance(forbidden, Forbidden) and forbidden.playlist == A
    assert isinstance(fetched, Playlist) and len(fetched.tracks) == 120


def test_the_fake_refuses_limits_above_50(fake_spotify: FakeSpotify) -> None:
    """The client never asks for more than 50; the fake holds it to that like Spotify."""
    import httpx

    fake_spotify.add_playlist(api_playlist(A, 3))
    token = httpx.post(
        f"{fake_spotify.accounts_url}/api/token",
        data={"grant_type": "client_credentials"},
        auth=(fake_spotify.client_id, fake_spotify.client_secret),
    ).json()["access_token"]
    answer = httpx.get(
        f"{fake_spotify.api_url}/playlists/{A}/items",
        params={"limit": 51},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 400
    assert answer.json() == {"error": {"status": 400, "message": "Invalid limit"}}
