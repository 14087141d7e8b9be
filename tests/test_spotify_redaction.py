"""Secrets never reach a client error message, and narrow client edges.

Server text is echoed into messages (a 403's message, a token endpoint's
``error_description``): known secrets and anything token-shaped are redacted
by :func:`gitarchive.errors.redact`, which every SpotifyError applies.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from gitarchive.errors import (
    REDACTED,
    AuthError,
    Forbidden,
    GitArchiveError,
    SpotifyError,
    redact,
    remember_secret,
)
from gitarchive.model import Playlist
from gitarchive.spotify import Auth, SpotifyClient, auth_from_env
from gitarchive.spotify.answers import MAX_RETRY_AFTER, retry_after_seconds
from tests.support.api import api_playlist, fake_id
from tests.support.fakespotify import FakeSpotify

A = fake_id("redaction")
SPOTIFY_ID = "37i9dQZF1DX5LEXW9eXA0n"


def test_redact_known_and_token_shaped_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "gh-secret-value")
    remember_secret("remembered-secret")
    access_token = "BQDx" + "a1B2c3D4" * 20
    text = (
        f"Bearer {access_token} gh-secret-value remembered-secret "
        "0123456789abcdef0123456789abcdef ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    )
    redacted = redact(text)
    for secret in (access_token, "gh-secret-value", "remembered-secret", "0123456789abcdef"):
        assert secret not in redacted
    assert "ghp_" not in redacted and redacted.count(REDACTED) >= 5


@pytest.mark.parametrize(
    "kept",
    [
        SPOTIFY_ID,
        f"GET /v1/playlists/{SPOTIFY_ID}/items?offset=50&limit=50",
        "playlist-read-private playlist-read-collaborative",
        "https://open.spotify.com/playlist/37i9dQZF1DX5LEXW9eXA0n",
        "items[55].item.duration_ms should be an integer, not str",
    ],
)
def test_redact_keeps_ids_paths_and_words(kept: str) -> None:
    assert redact(kept) == kept


def test_every_spotify_error_is_redacted() -> None:
    secret = "s3cr3t-" + "x9" * 20
    assert secret not in str(SpotifyError(f"echo {secret}"))
    assert secret not in str(Forbidden(f"echo Bearer {secret}"))
    # Other errors name files and commits (40 hex): not redacted.
    commit = "0123456789abcdef0123456789abcdef01234567"
    assert str(GitArchiveError(f"bad file in {commit}")) == f"bad file in {commit}"


def test_a_403_echoing_the_bearer_token_is_redacted() -> None:
    """The 403's message carries the token the client sent: the message must not."""
    seen: dict[str, str] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/api/token"):
            return httpx.Response(200, json={"access_token": "tok-" + "Z9" * 30})
        seen["auth"] = request.headers["authorization"]
        echo = f"Forbidden for {request.headers['authorization']} (client {SECRET})"
        return httpx.Response(403, json={"error": {"status": 403, "message": echo}})

    error = _fetch_error(handler)
    assert isinstance(error, Forbidden)
    message = str(error)
    assert seen["auth"].split()[1] not in message and SECRET not in message
    assert REDACTED in message


SECRET = "fake-client-secret-deadbeefcafe0123"


def _fetch_error(handler: Any, auth: Auth | None = None) -> Playlist | SpotifyError:
    async def go() -> Playlist | SpotifyError:
        spotify = SpotifyClient(
            auth or Auth("client-id", SECRET),
            api_url="https://api.test/v1",
            accounts_url="https://accounts.test",
            transport=httpx.MockTransport(handler),
            backoff_base=0.01,
            backoff_cap=0.02,
            playlist_budget=3.0,
        )
        async with spotify:
            return (await spotify.get_playlists([A]))[A]

    try:
        return asyncio.run(go())
    except SpotifyError as stop:
        return stop


def test_token_endpoint_error_description_is_redacted() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        description = f"client secret {SECRET} does not match"
        return httpx.Response(
            400, json={"error": "invalid_client", "error_description": description}
        )

    error = _fetch_error(handler)
    assert isinstance(error, AuthError)
    assert SECRET not in str(error) and "invalid_client" in str(error)


def test_no_fake_secret_in_any_message(fake_spotify_dev: FakeSpotify) -> None:
    """Every refusal of the access model, with the fake's real secrets in play."""
    fake_spotify_dev.add_playlist(api_playlist(A, 3, owner_id="someone"))
    auth = auth_from_env(fake_spotify_dev.env(refresh_token=True))

    async def go() -> dict[str, Any]:
        spotify = SpotifyClient(
            auth, api_url=fake_spotify_dev.api_url, accounts_url=fake_spotify_dev.accounts_url
        )
        async with spotify:
            return await spotify.get_playlists([A, SPOTIFY_ID])

    results = asyncio.run(go())
    for outcome in results.values():
        assert isinstance(outcome, SpotifyError)
        for secret in fake_spotify_dev.secrets_seen():
            assert secret not in str(outcome)


# ------------------------------------------------------------------ Retry-After


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, 1.0),
        ("3", 3.0),
        ("0.25", 0.25),
        ("-30", 0.0),
        ("soon, maybe", 1.0),
        ("nan", 1.0),
        ("1e12", MAX_RETRY_AFTER),
        ("", 1.0),
    ],
)
def test_retry_after_values(header: str | None, expected: float) -> None:
    assert retry_after_seconds(header) == expected


def test_retry_after_http_date() -> None:
    now = datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert retry_after_seconds(header, now=now.timestamp()) == pytest.approx(90.0)
    past = format_datetime(now - timedelta(hours=1), usegmt=True)
    assert retry_after_seconds(past, now=now.timestamp()) == 0.0


def test_retry_after_zero_does_not_storm() -> None:
    """Endless 429 with Retry-After 0: backoff still spaces the attempts out."""
    calls: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/api/token"):
            return httpx.Response(200, json={"access_token": "t"})
        calls.append(1.0)
        body = json.dumps({"error": {"status": 429, "message": "slow down"}}).encode()
        return httpx.Response(429, content=body, headers={"Retry-After": "0"})

    error = _fetch_error(handler)
    assert isinstance(error, SpotifyError) and "429" in str(error)
    # A 3 s budget with 10-20 ms backoff: dozens of attempts at most, not thousands.
    assert 2 < len(calls) < 400
