"""History: versions, diffs, timelines and the cumulative view.

Pure functions over model objects: nothing here touches git, files or the
network. gitstore yields the versions; formats reads them into Playlists.

The cumulative view is a fold: ``update_cumulative(previous_view, version,
day)`` over every version, oldest first. ``sync`` applies one step of that fold
to the committed view, ``gitarchive cumulative`` applies all of them, so the
two agree by construction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive.model import CumulativeTrack, CumulativeView

if TYPE_CHECKING:
    from datetime import date

    from gitarchive.model import Playlist, Track


def cumulative_sort_key(entry: CumulativeTrack) -> tuple[str, tuple[str, ...], int, str]:
    track = entry.track
    return (
        track.name.lower(),
        tuple(artist.name.lower() for artist in track.artists),
        track.duration_ms or 0,
        track.key,
    )


def update_cumulative(
    previous: CumulativeView | None, playlist: Playlist, day: date
) -> CumulativeView:
    """One step of the cumulative fold: ``playlist`` was archived on ``day``.

    Tracks are identified by ``Track.key``; a track listed twice in a version
    is one cumulative entry. A track present now takes this version's metadata
    (an update, never a second row) and has no removal date; a track that left
    keeps the date of its last removal.
    """
    first_version = previous is None
    old = {entry.track.key: entry for entry in previous.tracks} if previous else {}
    current: dict[str, Track] = {}
    for track in playlist.tracks:
        current.setdefault(track.key, track)

    entries: list[CumulativeTrack] = []
    for key, entry in old.items():
        if key not in current:
            entries.append(entry if entry.removed else _removed(entry, day))
    for key, track in current.items():
        spotify_added = track.added_at.date() if track.added_at else None
        added = min(day, spotify_added) if spotify_added else day
        asterisk = first_version and spotify_added is None
        before = old.get(key)
        if before is not None and before.added <= added:
            added, asterisk = before.added, before.added_asterisk
        entries.append(
            CumulativeTrack(track=track, added=added, added_asterisk=asterisk, removed=None)
        )
    entries.sort(key=cumulative_sort_key)
    return CumulativeView(
        id=playlist.id,
        name=playlist.display_name,
        description=playlist.description,
        tracks=tuple(entries),
        first_scraped=previous.first_scraped if previous else day,
    )


def _removed(entry: CumulativeTrack, day: date) -> CumulativeTrack:
    return CumulativeTrack(
        track=entry.track, added=entry.added, added_asterisk=entry.added_asterisk, removed=day
    )
