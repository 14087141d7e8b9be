"""Model objects (gitarchive.model) for tests that start after parsing: history, versions,
show. Ids and links are derived from a number so that expectations can be computed."""

from __future__ import annotations

from datetime import UTC, datetime

from gitarchive.model import Album, Artist, Playlist, Track

# The playlist every model_playlist is (tests of one playlist need no other).
PID = "P" * 22


def model_track(
    n: int, *, name: str | None = None, album: str = "Album", added: str | None = None
) -> Track:
    tid = f"{n:022d}"
    return Track(
        name=name or f"Song {n}",
        artists=(Artist(f"Artist {n}", f"https://open.spotify.com/artist/{tid}"),),
        album=Album(album, f"https://open.spotify.com/album/{tid}"),
        url=f"https://open.spotify.com/track/{tid}",
        duration_ms=180_000 + n,
        added_at=datetime.fromisoformat(added).replace(tzinfo=UTC) if added else None,
    )


def plain_track(t: Track) -> Track:
    """The same track as a plain file reads it: one artist text, no links."""
    artists = ", ".join(a.name for a in t.artists)
    return Track(
        name=t.name, artists=(Artist(artists),) if artists else (), album=Album(t.album.name)
    )


def model_playlist(
    *tracks: Track, name: str = "Mix", description: str = "", likes: int | None = 1
) -> Playlist:
    return Playlist(
        id=PID, original_name=name, unique_name=name, description=description,
        tracks=tracks, num_followers=likes,
    )  # fmt: skip
