"""parse_playlist (pure), and narrow client edge cases on httpx.MockTransport."""

from __future__ import annotations

import asyncio
import copy
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from gitarchive.errors import InvalidResponse, RetriesExhausted
from gitarchive.spotify import Auth, SpotifyClient, parse_playlist
from gitarchive.spotify.parse import _parse_entry, _plain_track, _Reader
from tests.support import DATA, SEED_ID
from tests.support.api import api_playlist, api_track_entry, fake_id
from tests.support.fakespotify import load_seed

A = "A" * 22


def slow_path(entry: Any) -> Any:
    return _parse_entry(_Reader(A), entry, "items[0]")[0]


def test_fast_path_equals_the_validating_path() -> None:
    entries = [api_track_entry(A, i) for i in range(20)]
    entries[3]["added_at"] = None
    entries[4]["added_at"] = "1970-01-01T00:00:00Z"
    entries[5]["item"]["artists"] = []
    if (DATA / "api" / f"{SEED_ID}.json").exists():
        entries += load_seed()["items"]["items"]
    fast = 0
    for entry in entries:
        track = _plain_track(entry)
        if track is not None:
            fast += 1
            assert track == slow_path(entry)
    assert fast >= 20


@pytest.mark.parametrize(
    "spoil",
    [
        lambda e: e["item"].update(is_local=True),
        lambda e: e["item"].update(type="episode"),
        lambda e: e["item"].update(id=None),
        lambda e: e["item"]["album"].update(id=None),
        lambda e: e["item"]["artists"][0].update(id="short"),
        lambda e: e.update(added_at="2026-01-02T03:04:05.123Z"),
        lambda e: e.update(added_at="2026-01-02T03:04:05+09:00"),
        lambda e: e.update(track=e.pop("item")),
    ],
)
def test_unusual_entries_take_the_validating_path(spoil: Any) -> None:
    entry = api_track_entry(A, 1)
    spoil(entry)
    if "track" in entry:  # legacy key: still a plain track
        assert _plain_track(entry) == slow_path(entry)
    else:
        assert _plain_track(entry) is None
        assert slow_path(entry) is not None


def test_added_at_with_offset_is_normalised_to_utc() -> None:
    entry = api_track_entry(A, 1)
    entry["added_at"] = "2026-01-02T03:04:05+09:00"
    assert slow_path(entry).added_at == datetime(2026, 1, 1, 18, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda d: d.update(name=5), "playlist.name should be a string, not int"),
        (lambda d: d.update(followers={"total": "many"}), "playlist.followers.total should be"),
        (lambda d: d.update(owner=[]), "playlist.owner should be an object, not list"),
        (lambda d: d["items"]["items"].__setitem__(1, "x"), "items[1] should be an object"),
        (
            lambda d: d["items"]["items"][2]["item"].update(artists={}),
            "items[2].item.artists should be a list, not dict",
        ),
        (
            lambda d: d["items"]["items"][0].update(added_at="yesterday"),
            "items[0].added_at should be an ISO 8601 time",
        ),
        (
            lambda d: d["items"]["items"][0]["item"]["album"].update(name=["x"]),
            "items[0].item.album.name should be a string, not list",
        ),
    ],
)
def test_wrong_types_name_the_path(spoil: Any, message: str) -> None:
    data = api_playlist(A, 3)
    spoil(data)
    entries = data.pop("items")["items"]
    with pytest.raises(InvalidResponse) as caught:
        parse_playlist(data, entries)
    assert message in str(caught.value)
    assert caught.value.playlist == A


def test_model_fields() -> None:
    data = api_playlist(A, 2, name="Mix &amp; Match", description="a &amp; b", followers=0)
    entries = data.pop("items")["items"]
    playlist = parse_playlist(data, entries)
    assert playlist.original_name == playlist.unique_name == "Mix &amp; Match"  # names are text
    assert playlist.description == "a & b"
    assert playlist.num_followers == 0
    assert playlist.owner.name == "Spotify"
    assert playlist.tracks[0].id == fake_id("track", A, 0)


def test_seed_model(tmp_path: Any) -> None:
    seed = copy.deepcopy(load_seed())
    entries = seed.pop("items")["items"]
    playlist = parse_playlist(seed, entries)
    assert len(playlist.tracks) == 50
    assert playlist.description.startswith("Mellow & sentimental")
    assert playlist.tracks[0].plain_line == "bittersweet -- Epitone Project -- STOP OVER"


# ------------------------------------------------------------------ MockTransport edge cases


def mock_client(handler: Any, **options: Any) -> SpotifyClient:
    return SpotifyClient(
        Auth("id", "secret"),
        api_url="https://api.test/v1",
        accounts_url="https://accounts.test",
        transport=httpx.MockTransport(handler),
        backoff_base=0.001,
        backoff_cap=0.002,
        rate_limit_jitter=0.0,
        **options,
    )


def token_or(handler: Any) -> Any:
    def route(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        return handler(request)  # type: ignore[no-any-return]

    return route


async def get(client: SpotifyClient) -> Any:
    async with client:
        return await client.get_playlist(A)


def test_retry_after_beyond_the_budget_gives_up_at_once() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(429, headers={"Retry-After": "86400"})

    with pytest.raises(RetriesExhausted, match="429"):
        asyncio.run(get(mock_client(token_or(handler), playlist_budget=5.0)))
    assert len(calls) in (1, 2)  # refused once; the gate stops the rest; no waiting a day


def test_page_with_a_non_numeric_total_is_invalid() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/items"):
            return httpx.Response(200, json={"total": "50", "items": [], "next": None})
        return httpx.Response(200, json={"id": A, "name": "x"})

    with pytest.raises(InvalidResponse, match="total should be a count"):
        asyncio.run(get(mock_client(token_or(handler))))


def test_next_urls_of_another_host_are_not_followed() -> None:
    """Pages are requested from the configured base URL; `next` only lends its offset."""
    seen: list[str] = []
    entries = [api_track_entry(A, i) for i in range(3)]

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url.host))
        if request.url.path.endswith("/items"):
            offset = int(request.url.params["offset"])
            following = f"https://elsewhere.example/v1/x?offset={offset + 1}&limit=1"
            return httpx.Response(
                200,
                json={
                    "total": 3,
                    "items": entries[offset : offset + 1],
                    "next": following if offset < 2 else None,
                },
            )
        return httpx.Response(200, json={"id": A, "name": "x"})

    playlist = asyncio.run(get(mock_client(token_or(handler))))
    assert len(playlist.tracks) == 3
    assert set(seen) == {"api.test"}
