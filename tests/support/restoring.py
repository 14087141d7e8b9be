"""Shared by the restore tests: playlists the token's user owns, and what the fake holds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.support.api import fake_id, playlist_with_tracks

if TYPE_CHECKING:
    from tests.support.fakespotify import FakeSpotify

USER = "fake-user"  # FakeSpotify.default_user: the user refresh tokens are issued to
DAY1 = "2026-11-20T06:00:00Z"


def owned(playlist_id: str, indices: list[int], **kwargs: Any) -> dict[str, Any]:
    """A playlist of USER holding the generated tracks ``indices``, in that order."""
    kwargs.setdefault("name", "Alpha")
    return playlist_with_tracks(playlist_id, indices, owner_id=USER, owner_name="Me", **kwargs)


def track_uri(playlist_id: str, index: int) -> str:
    return f"spotify:track:{fake_id('track', playlist_id, index)}"


def items_of(fake: FakeSpotify, playlist_id: str) -> list[str | None]:
    """The URIs the fake's playlist holds now, in order (None: an unavailable item)."""
    entries = fake._playlists[playlist_id].entries
    return [
        f"spotify:track:{e['item']['id']}" if isinstance(e.get("item"), dict) else None
        for e in entries
    ]
