"""The timeline as the first versions of gitarchive computed it: an oracle for the tests.

One :class:`Change` per listed version, holding the versions and their
``diff_tracks``; :func:`history_document` is the documented JSON of
``history --format json`` built as plain dicts. The package computes
:class:`gitarchive.timeline.Entry` objects and writes the JSON itself; the
tests compare both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gitarchive.history import TrackDiff, Version, diff_tracks
from gitarchive.history.documents import iso_utc
from gitarchive.timeline import track_document, window

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from gitarchive.model import Playlist


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of a playlist's timeline: what a version changed."""

    version: Version
    previous: Playlist | None  # None for the first version
    diff: TrackDiff

    @property
    def playlist(self) -> Playlist:
        return self.version.playlist

    @property
    def name_changed(self) -> bool:
        return self.previous is not None and (
            self.previous.display_name != self.playlist.display_name
        )

    @property
    def description_changed(self) -> bool:
        return self.previous is not None and (
            self.previous.description != self.playlist.description
        )

    @property
    def likes_changed(self) -> bool:
        return self.previous is not None and (
            self.previous.num_followers != self.playlist.num_followers
        )

    @property
    def content_changed(self) -> bool:
        return (
            self.previous is None
            or bool(self.diff)
            or self.name_changed
            or self.description_changed
        )


def timeline(versions: Iterable[Version], *, likes: bool = False) -> list[Change]:
    """One Change per version that changed the playlist, oldest first.

    A version changes the playlist when it is the first one, or adds, removes
    or updates tracks, or renames the playlist or changes its description.
    Versions that only change likes are listed with ``likes=True`` only:
    likes move with almost every sync and would otherwise drown the timeline.
    Versions in which nothing we show changed (e.g. only the snapshot id, or a
    re-rendered page) are never listed.
    """
    changes: list[Change] = []
    previous: Playlist | None = None
    for version in versions:
        playlist = version.playlist
        diff = diff_tracks(previous.tracks if previous else None, playlist.tracks)
        change = Change(version=version, previous=previous, diff=diff)
        if change.content_changed or (likes and change.likes_changed):
            changes.append(change)
        previous = playlist
    return changes


def select_changes(
    changes: Sequence[Change],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
    reverse: bool = False,
) -> list[Change]:
    """Filter a timeline by date; ``limit`` keeps the N most recent (like ``git log -n``)."""
    return window(
        changes,
        lambda change: change.version.date,
        since=since,
        until=until,
        limit=limit,
        reverse=reverse,
    )


def history_document(playlist_id: str, name: str, changes: Iterable[Change]) -> dict[str, Any]:
    """The documented JSON of ``gitarchive history --format json`` (docs/history.md)."""
    return {
        "id": playlist_id,
        "name": name,
        "versions": [
            {
                "commit": change.version.commit,
                "date": iso_utc(change.version.date),
                "name": change.playlist.display_name,
                "description": change.playlist.description,
                "likes": change.playlist.num_followers,
                "added": [track_document(track) for track in change.diff.added],
                "removed": [track_document(track) for track in change.diff.removed],
                "updated": [
                    {"before": track_document(update.before), "after": track_document(update.after)}
                    for update in change.diff.updated
                ],
                "moved": [],  # the oracle lists no moves: history without --moves
            }
            for change in changes
        ],
    }
