"""An archive where one track moves from one playlist to another, dates pinned."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive.model import Album, Artist, Playlist, Track
from tests.support.api import fake_id
from tests.support.builder import RepoBuilder

if TYPE_CHECKING:
    from pathlib import Path

MORNING = fake_id("track", "morning")
EVENING = fake_id("track", "evening")
OTHER = fake_id("track", "other")
MOVER = fake_id("track", "mover")

# (day, Morning's songs, Evening's songs); 0 is The Mover (by Wanderer). The Mover is in
# Morning from Nov 1 (at #3, then #1) and leaves it on Nov 3, enters Evening on Nov 3 at #2,
# leaves Evening on Nov 5 and comes back on Nov 6 at #1. Other (Nov 7) never holds it.
STEPS = [
    ("2026-11-01", (1, 2, 0), (5, 6)),
    ("2026-11-02", (0, 1, 2), (5, 6)),
    ("2026-11-03", (1, 2), (5, 0, 6)),
    ("2026-11-05", (1, 2), (5, 6)),
    ("2026-11-06", (1, 2, 3), (0, 5, 6)),
]


def song(number: int, *, title: str | None = None, artist: str = "Someone") -> Track:
    track_id = MOVER if number == 0 else fake_id("track", "song", number)
    return Track(
        name=title or f"Song {number}",
        artists=(Artist(artist),),
        album=Album("An Album"),
        url=f"https://open.spotify.com/track/{track_id}",
        duration_ms=200_000,
    )


def playlist(playlist_id: str, name: str, *numbers: int) -> Playlist:
    mover = song(0, title="The Mover", artist="Wanderer")
    tracks = tuple(mover if number == 0 else song(number) for number in numbers)
    return Playlist(id=playlist_id, original_name=name, unique_name=name, tracks=tracks)


def build_moving_archive(root: Path) -> Path:
    builder = RepoBuilder(root)
    for day, morning, evening in STEPS:
        builder.commit_playlists(
            [playlist(MORNING, "Morning", *morning), playlist(EVENING, "Evening", *evening)],
            date=f"{day}T06:00:00Z",
        )
    builder.commit_playlists([playlist(OTHER, "Other", 7)], date="2026-11-07T06:00:00Z")
    return root
