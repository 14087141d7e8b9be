"""Spotify's 2026 access model, end to end between the real client and the fake, over sockets.

The fake is a development-mode app here (``fake_spotify_dev``) unless a test
turns extended quota on: own and collaborative playlists read, others'
give metadata only (403 on entries), Spotify-owned ones answer 404, a
client-credentials token reads no entries, QUOTA_EXCEEDED stops the run,
refresh tokens die after six months.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import pytest

from gitarchive.errors import (
    AuthError,
    Forbidden,
    IncompleteResponse,
    PlaylistUnavailable,
    QuotaExceeded,
    RetriesExhausted,
    Skipped,
)
from gitarchive.model import Playlist
from gitarchive.spotify import SpotifyClient, access, auth_from_env
from tests.support.api import api_playlist, fake_id
from tests.support.clients import fake_client
from tests.support.fakespotify import FakeSpotify

if TYPE_CHECKING:
    from collections.abc import Coroutine

T = TypeVar("T")
ME = "fake-user"
MINE = fake_id("mine")
SHARED = fake_id("shared")  # someone else's, ME collaborates
THEIRS = fake_id("theirs")  # someone else's
EDITORIAL = "37i9dQZF1DXcBWIGoYBM5M"  # Spotify-owned


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def serve_world(fake: FakeSpotify) -> None:
    fake.add_playlist(api_playlist(MINE, 60, owner_id=ME, owner_name="Me"))
    fake.add_playlist(
        api_playlist(SHARED, 7, owner_id="friend", owner_name="Friend"), collaborators=[ME]
    )
    fake.add_playlist(api_playlist(THEIRS, 5, owner_id="stranger", owner_name="Stranger"))
    fake.add_playlist(api_playlist(EDITORIAL, 50, name="Today's Top Hits"))


def client(fake: FakeSpotify, *, user: bool = True, **options: Any) -> SpotifyClient:
    auth = auth_from_env(fake.env(refresh_token=True)) if user else None
    return fake_client(fake, auth, **{"playlist_budget": 5.0, **options})


def user_access_token(fake: FakeSpotify) -> str:
    """An access token of the fake's user, from its token endpoint as a client gets one."""
    answer = httpx.post(
        f"{fake.accounts_url}/api/token",
        data={"grant_type": "refresh_token", "refresh_token": fake.issue_refresh_token()},
        auth=(fake.client_id, fake.client_secret),
    )
    token: str = answer.json()["access_token"]
    return token


async def fetch_all(spotify: SpotifyClient, ids: list[str]) -> dict[str, Any]:
    async with spotify:
        return await spotify.get_playlists(ids)


WORLD = [MINE, SHARED, THEIRS, EDITORIAL]


def test_user_token_reads_own_and_collaborative_playlists_only(
    fake_spotify_dev: FakeSpotify,
) -> None:
    serve_world(fake_spotify_dev)
    results = run(fetch_all(client(fake_spotify_dev), WORLD))
    assert isinstance(results[MINE], Playlist) and len(results[MINE].tracks) == 60
    assert isinstance(results[SHARED], Playlist) and len(results[SHARED].tracks) == 7
    theirs = results[THEIRS]
    assert isinstance(theirs, Forbidden) and theirs.cause == access.NOT_OWNER
    assert "log in with `gitarchive login` as the playlist's owner" in str(theirs)
    assert "collaborator" in str(theirs) and str(theirs).startswith(f"playlist {THEIRS}: ")
    editorial = results[EDITORIAL]
    assert isinstance(editorial, PlaylistUnavailable) and editorial.cause == access.SPOTIFY_OWNED
    assert "extended quota" in str(editorial)
    # Dev mode never sent the client to the old /tracks path for a 403.
    paths = [r.path for r in fake_spotify_dev.api_requests()]
    assert not any(path.endswith("/tracks") for path in paths)


def test_client_credentials_read_no_entries_in_development_mode(
    fake_spotify_dev: FakeSpotify,
) -> None:
    serve_world(fake_spotify_dev)
    results = run(fetch_all(client(fake_spotify_dev, user=False), [MINE, THEIRS]))
    for playlist_id in (MINE, THEIRS):
        error = results[playlist_id]
        assert isinstance(error, Forbidden) and error.cause == access.NO_USER
        assert "client-credentials token has no user" in str(error)
        assert "gitarchive login" in str(error)


def test_extended_quota_lifts_the_restrictions(fake_spotify_dev: FakeSpotify) -> None:
    serve_world(fake_spotify_dev)
    fake_spotify_dev.extended_quota = True
    results = run(fetch_all(client(fake_spotify_dev, user=False), WORLD))
    assert all(isinstance(results[i], Playlist) for i in WORLD)


def test_premium_lapsed_is_named(fake_spotify_dev: FakeSpotify) -> None:
    serve_world(fake_spotify_dev)
    fake_spotify_dev.premium_lapsed = True
    error = run(fetch_all(client(fake_spotify_dev), [MINE]))[MINE]
    assert isinstance(error, Forbidden) and error.cause == access.PREMIUM_REQUIRED
    assert "Premium" in str(error) and "renew" in str(error)


@pytest.mark.parametrize("shape", ["item", "track", "both"])
def test_entries_under_either_key_are_read(fake_spotify_dev: FakeSpotify, shape: str) -> None:
    fake_spotify_dev.add_playlist(api_playlist(MINE, 60, owner_id=ME), entry_shape=shape)
    playlist = run(fetch_all(client(fake_spotify_dev), [MINE]))[MINE]
    assert isinstance(playlist, Playlist) and len(playlist.tracks) == 60


def test_entries_under_neither_key_fail_instead_of_emptying(
    fake_spotify_dev: FakeSpotify,
) -> None:
    fake_spotify_dev.add_playlist(api_playlist(MINE, 60, owner_id=ME), entry_shape="neither")
    error = run(fetch_all(client(fake_spotify_dev), [MINE]))[MINE]
    assert isinstance(error, IncompleteResponse)
    assert "60 of 60 entries carry neither `item` nor `track`" in str(error)


def test_the_fake_honours_fields_like_spotify(fake_spotify_dev: FakeSpotify) -> None:
    """A filter naming only `item` drops `track`: the defect the client's filter avoids."""
    fake_spotify_dev.add_playlist(api_playlist(MINE, 2, owner_id=ME), entry_shape="track")
    token = user_access_token(fake_spotify_dev)
    answer = httpx.get(
        f"{fake_spotify_dev.api_url}/playlists/{MINE}/items",
        params={"limit": 50, "fields": "items(added_at,item(name)),total"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert answer == {"items": [{"added_at": "2026-01-02T03:04:05Z"}] * 2, "total": 2}
    old_path = httpx.get(
        f"{fake_spotify_dev.api_url}/playlists/{MINE}/tracks",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert old_path.status_code == 403


def test_others_metadata_carries_no_entries(fake_spotify_dev: FakeSpotify) -> None:
    serve_world(fake_spotify_dev)
    token = user_access_token(fake_spotify_dev)

    def meta(playlist_id: str) -> dict[str, Any]:
        answer = httpx.get(
            f"{fake_spotify_dev.api_url}/playlists/{playlist_id}",
            headers={"Authorization": f"Bearer {token}"},
        )
        result: dict[str, Any] = answer.json()
        return result

    assert "items" not in meta(THEIRS)["items"] and meta(THEIRS)["items"]["total"] == 5
    assert len(meta(MINE)["items"]["items"]) == 60


# ------------------------------------------------------------------ quota, expiry, budget


def test_quota_exceeded_stops_the_run_at_once(fake_spotify_dev: FakeSpotify) -> None:
    ids = [fake_id("q", i) for i in range(12)]
    for playlist_id in ids:
        fake_spotify_dev.add_playlist(api_playlist(playlist_id, 120, owner_id=ME))
    fake_spotify_dev.inject("quota", match=f"{ids[3]}/items")
    with pytest.raises(QuotaExceeded) as caught:
        run(fetch_all(client(fake_spotify_dev, concurrency=2), ids))
    message = str(caught.value)
    assert "QUOTA_EXCEEDED" in message and "nothing was retried" in message
    assert "\n" not in message
    log = fake_spotify_dev.api_requests()
    assert [r.status for r in log].count(429) == 1
    refused_at = next(r.finished for r in log if r.status == 429)
    # Requests already on the wire may land; no new one starts once the quota answer is in.
    assert [r for r in log if r.started > refused_at + 0.05] == []
    assert len(log) < 12 * 3  # far fewer than the run would have made


def test_expired_refresh_token_says_how_to_renew(fake_spotify_dev: FakeSpotify) -> None:
    serve_world(fake_spotify_dev)
    fake_spotify_dev.rotate_refresh_tokens = True
    spotify = client(fake_spotify_dev)
    assert isinstance(run(fetch_all(spotify, [MINE]))[MINE], Playlist)
    # Rotation does not extend the six months; a later run with the rotated token fails.
    assert spotify.rotated_refresh_token is not None
    fake_spotify_dev.advance_clock(days=184)
    env = fake_spotify_dev.env() | {"SPOTIFY_REFRESH_TOKEN": spotify.rotated_refresh_token}
    later = client(fake_spotify_dev, user=False)
    later = SpotifyClient(
        auth_from_env(env), api_url=fake_spotify_dev.api_url, accounts_url=later.accounts_url
    )
    with pytest.raises(AuthError) as caught:
        run(fetch_all(later, [MINE]))
    message = str(caught.value)
    assert "they last six months" in message and "`gitarchive login`" in message
    assert "SPOTIFY_REFRESH_TOKEN" in message and "Secrets" in message
    assert spotify.rotated_refresh_token not in message


def test_run_budget_skips_the_rest_and_says_so(fake_spotify: FakeSpotify) -> None:
    ids = [fake_id("b", i) for i in range(6)]
    for playlist_id in ids:
        fake_spotify.add_playlist(api_playlist(playlist_id, 3))
    fake_spotify.inject("status", status=503, times=None, match="/v1/")
    fake_spotify.latency = 0.2  # each attempt costs 0.2 s: two playlists spend the budget

    async def go() -> tuple[dict[str, Any], list[str]]:
        spotify = client(fake_spotify, user=False, concurrency=1, playlist_budget=0.3)
        spotify.run_budget = 0.5
        async with spotify:
            return await spotify.get_playlists(ids), spotify.skipped

    started = time.monotonic()
    results, skipped = run(go())
    assert time.monotonic() - started < 5.0  # the run's budget, not 6 x the playlist's
    assert isinstance(results[ids[0]], RetriesExhausted)
    assert skipped == [i for i in ids if isinstance(results[i], Skipped)]
    assert set(ids[2:]) <= set(skipped)
    error = results[skipped[0]]
    assert "run's time budget" in str(error) and "files are kept" in str(error)
    # Skipped playlists cost no request.
    asked = {r.path.split("/")[3] for r in fake_spotify.api_requests()}
    assert asked.isdisjoint(skipped)


# ------------------------------------------------------------------ doctor and add --mine


def test_probe_says_what_each_playlist_allows(fake_spotify_dev: FakeSpotify) -> None:
    serve_world(fake_spotify_dev)
    missing = fake_id("gone")

    async def go() -> dict[str, access.AccessReport]:
        async with client(fake_spotify_dev) as spotify:
            return await spotify.probe_many([*WORLD, missing])

    reports = run(go())
    assert reports[MINE].level == access.ENTRIES and reports[MINE].cause is None
    assert reports[SHARED].level == access.ENTRIES
    assert reports[THEIRS].level == access.METADATA
    assert reports[THEIRS].cause == access.NOT_OWNER and reports[THEIRS].owner_id == "stranger"
    fix = reports[THEIRS].fix
    assert fix is not None and "collaborator" in fix
    assert reports[EDITORIAL].level == access.NOTHING
    assert reports[EDITORIAL].cause == access.SPOTIFY_OWNED
    assert reports[missing].level == access.NOTHING and reports[missing].cause == access.NOT_FOUND
    assert reports[THEIRS].to_dict()["level"] == "metadata"


def test_probe_with_client_credentials(fake_spotify_dev: FakeSpotify) -> None:
    serve_world(fake_spotify_dev)

    async def go() -> access.AccessReport:
        async with client(fake_spotify_dev, user=False) as spotify:
            return await spotify.probe(MINE)

    report = run(go())
    assert report.level == access.METADATA and report.cause == access.NO_USER


def test_my_playlists_lists_owned_and_collaborative(fake_spotify_dev: FakeSpotify) -> None:
    serve_world(fake_spotify_dev)
    fake_spotify_dev.follow(ME, THEIRS)
    many = [fake_id("own", i) for i in range(110)]  # three pages of 50
    for playlist_id in many:
        fake_spotify_dev.add_playlist(api_playlist(playlist_id, 1, owner_id=ME))

    async def go() -> tuple[Any, Any, Any]:
        async with client(fake_spotify_dev) as spotify:
            user = await spotify.current_user()
            return (
                user,
                await spotify.my_playlists(),
                await spotify.my_playlists(include_followed=True),
            )

    user, mine, everything = run(go())
    assert user is not None and user.id == ME
    assert {p.id for p in mine} == {MINE, SHARED, *many}
    shared = next(p for p in mine if p.id == SHARED)
    assert shared.collaborative and not shared.owned and shared.owner_id == "friend"
    assert {p.id for p in everything} == {MINE, SHARED, THEIRS, *many}
    assert not next(p for p in everything if p.id == THEIRS).readable
    pages = [r for r in fake_spotify_dev.api_requests() if r.path == "/v1/me/playlists"]
    assert sorted({r.query["offset"] for r in pages}) == ["0", "100", "50"]


def test_my_playlists_needs_a_user(fake_spotify_dev: FakeSpotify) -> None:
    async def go() -> Any:
        async with client(fake_spotify_dev, user=False) as spotify:
            return await spotify.my_playlists()

    with pytest.raises(AuthError, match="gitarchive login"):
        run(go())


def test_sync_errors_group_by_cause_with_the_same_wording(fake_spotify_dev: FakeSpotify) -> None:
    serve_world(fake_spotify_dev)
    other = fake_id("theirs", 2)
    fake_spotify_dev.add_playlist(api_playlist(other, 1, owner_id="stranger"))
    results = run(fetch_all(client(fake_spotify_dev), [*WORLD, other]))
    causes = {
        i: getattr(r, "cause", None) for i, r in results.items() if not isinstance(r, Playlist)
    }
    groups = access.group_by_cause(causes)
    assert [(g.cause, g.ids) for g in groups] == [
        (access.NOT_OWNER, tuple(sorted([THEIRS, other]))),
        (access.SPOTIFY_OWNED, (EDITORIAL,)),
    ]
    assert groups[0].line().startswith("2 playlists (")
    assert access.CAUSES[access.NOT_OWNER].summary in str(results[THEIRS])


def test_blank_name_takes_the_previous_name_from_sync(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(api_playlist(MINE, 2, name="\t\n "))
    fake_spotify.add_playlist(api_playlist(THEIRS, 2, name=""))

    async def go() -> tuple[dict[str, Any], list[str]]:
        async with client(fake_spotify, user=False) as spotify:
            results = await spotify.get_playlists(
                [MINE, THEIRS], previous_names={MINE: "Last Week's Name"}
            )
            return results, spotify.stats.blank_names

    results, blank = run(go())
    assert results[MINE].original_name == "Last Week's Name"
    assert results[THEIRS].original_name == THEIRS
    assert sorted(blank) == sorted([MINE, THEIRS])
