"""Server text is redacted before it is shortened, so no part of a secret survives the cut.

A cut first could leave a secret's prefix too short for :func:`redact` to know: a known
secret is matched whole, a token-shaped run from 32 characters on. Against the fake
Spotify Web API over 127.0.0.1, with its real refresh token echoed back.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

from gitarchive.errors import REDACTED, AuthError, Forbidden, SpotifyError, redacted_excerpt
from gitarchive.model import Playlist
from gitarchive.spotify import auth_from_env
from tests.support.api import api_playlist, fake_id
from tests.support.clients import fake_client

if TYPE_CHECKING:
    from tests.support.fakespotify import FakeSpotify

P = fake_id("redaction-order", "p")
SHORTEST_PREFIX = 16  # "fake-refresh-" and three characters of its random part


def leaked(secret: str, text: str) -> str:
    """The longest prefix of ``secret`` that ``text`` holds, of SHORTEST_PREFIX or more."""
    found = ""
    for length in range(SHORTEST_PREFIX, len(secret) + 1):
        if secret[:length] in text:
            found = secret[:length]
    return found


def echoing(token: str, before: str, limit: int) -> str:
    """``before`` padded so that a cut at ``limit`` falls 20 characters into ``token``."""
    return before + "." * (limit - 20 - len(before)) + token


def outcome(fake: FakeSpotify, env: dict[str, str]) -> Playlist | SpotifyError:
    async def go() -> Playlist | SpotifyError:
        async with fake_client(fake, auth_from_env(env), playlist_budget=5.0) as client:
            return (await client.get_playlists([P]))[P]

    try:
        return asyncio.run(go())
    except SpotifyError as stop:
        return stop


def test_a_token_refusal_echoing_the_refresh_token_shows_none_of_it(
    fake_spotify: FakeSpotify,
) -> None:
    fake_spotify.add_playlist(api_playlist(P, 3))
    env = fake_spotify.env(refresh_token=True)
    token = env["SPOTIFY_REFRESH_TOKEN"]
    description = echoing(token, "Invalid refresh token value=", 120)
    body = json.dumps({"error": "invalid_grant", "error_description": description}).encode()
    fake_spotify.inject("raw", match="/api/token", times=None, status=400, body=body)
    error = outcome(fake_spotify, env)
    assert isinstance(error, AuthError)
    assert "invalid_grant" in str(error)
    assert leaked(token, str(error)) == ""


def test_an_api_refusal_echoing_the_refresh_token_shows_none_of_it(
    fake_spotify: FakeSpotify,
) -> None:
    fake_spotify.add_playlist(api_playlist(P, 3))
    env = fake_spotify.env(refresh_token=True)
    token = env["SPOTIFY_REFRESH_TOKEN"]
    message = echoing(token, "Forbidden for", 200)
    body = json.dumps({"error": {"status": 403, "message": message}}).encode()
    fake_spotify.inject("raw", match=f"/playlists/{P}/items", times=None, status=403, body=body)
    error = outcome(fake_spotify, env)
    assert isinstance(error, Forbidden)
    assert "Forbidden for" in str(error)
    assert leaked(token, str(error)) == ""


def test_an_excerpt_is_redacted_then_cut() -> None:
    secret = "s3cr3t-" + "x9" * 20
    text = "padding " * 3 + secret
    assert redacted_excerpt(text, 40) == ("padding " * 3 + REDACTED)[:40]
    assert redacted_excerpt(f"a\n  b {secret}", 8) == f"a b {REDACTED}"[:8]
