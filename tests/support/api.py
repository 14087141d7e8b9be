"""Playlists in the shape of Spotify Web API answers (JSON dicts), for the fake server and
the parser's tests. Everything is derived from ids and indices, so expectations can be
computed instead of hard-coded."""

from __future__ import annotations

import hashlib
from typing import Any

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def fake_id(*parts: object) -> str:
    """A deterministic 22-character base-62 id derived from ``parts``."""
    number = int.from_bytes(hashlib.sha256(repr(parts).encode()).digest()[:17], "big")
    chars = []
    for _ in range(22):
        number, digit = divmod(number, 62)
        chars.append(_B62[digit])
    return "".join(chars)


def generated_id(index: int) -> str:
    """The id of the ``index``-th generated playlist (benchmarks serve 0..N-1)."""
    return fake_id("playlist", index)


def api_track_entry(
    playlist_id: str,
    index: int,
    *,
    added_at: str | None = "2026-01-02T03:04:05Z",
    name: str | None = None,
) -> dict[str, Any]:
    track_id = fake_id("track", playlist_id, index)
    album_id = fake_id("album", playlist_id, index // 3)
    artist_id = fake_id("artist", index % 7)
    return {
        "added_at": added_at,
        "is_local": False,
        "item": {
            "type": "track",
            "id": track_id,
            "name": name if name is not None else f"Track {index} of {playlist_id[:6]}",
            "duration_ms": 150_000 + (index * 7919) % 120_000,
            "external_urls": {"spotify": f"https://open.spotify.com/track/{track_id}"},
            "album": {
                "id": album_id,
                "name": f"Album {index // 3}",
                "external_urls": {"spotify": f"https://open.spotify.com/album/{album_id}"},
            },
            "artists": [
                {
                    "id": artist_id,
                    "name": f"Artist {index % 7}",
                    "external_urls": {"spotify": f"https://open.spotify.com/artist/{artist_id}"},
                }
            ],
        },
    }


def api_playlist(
    playlist_id: str,
    n_tracks: int,
    *,
    name: str | None = None,
    description: str = "A generated playlist",
    followers: int | None = 1234,
    owner_id: str = "spotify",
    owner_name: str = "Spotify",
    snapshot_id: str | None = None,
    added_at: str | None = "2026-01-02T03:04:05Z",
) -> dict[str, Any]:
    """An API-shaped playlist: metadata plus ``items.items`` holding every entry."""
    data: dict[str, Any] = {
        "id": playlist_id,
        "type": "playlist",
        "name": name if name is not None else f"Generated {playlist_id}",
        "description": description,
        "snapshot_id": snapshot_id or fake_id("snapshot", playlist_id, n_tracks),
        "public": True,
        "collaborative": False,
        "external_urls": {"spotify": f"https://open.spotify.com/playlist/{playlist_id}"},
        "owner": {
            "id": owner_id,
            "type": "user",
            "display_name": owner_name,
            "external_urls": {"spotify": f"https://open.spotify.com/user/{owner_id}"},
        },
        "items": {
            "total": n_tracks,
            "items": [api_track_entry(playlist_id, i, added_at=added_at) for i in range(n_tracks)],
        },
    }
    if followers is not None:
        data["followers"] = {"href": None, "total": followers}
    return data


def playlist_with_tracks(playlist_id: str, indices: list[int], **kwargs: Any) -> dict[str, Any]:
    """A playlist holding exactly the generated tracks ``indices`` (in that order)."""
    data = api_playlist(playlist_id, 0, **kwargs)
    entries = [api_track_entry(playlist_id, i) for i in indices]
    data["items"] = {"total": len(entries), "items": entries}
    return data
