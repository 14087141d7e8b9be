"""The Spotify client as the tests build it: pointed at a fake, retry timings scaled down."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gitarchive.spotify import Auth, SpotifyClient

if TYPE_CHECKING:
    from tests.support.fakespotify import FakeSpotify


def fake_client(fake: FakeSpotify, auth: Auth | None = None, **options: Any) -> SpotifyClient:
    """A client of ``fake`` (its app credentials unless ``auth``); ``options`` override the
    test timings and set the rest (budgets, concurrency)."""
    settings: dict[str, Any] = {
        "api_url": fake.api_url,
        "accounts_url": fake.accounts_url,
        "backoff_base": 0.01,
        "backoff_cap": 0.05,
        "rate_limit_jitter": 0.01,
        **options,
    }
    return SpotifyClient(auth or Auth(fake.client_id, fake.client_secret), **settings)
