"""A playlist's timeline as the outputs show it: one entry per version.

Pure data, no git: an :class:`Entry` holds exactly what ``history`` prints for
a version (dates, names, likes, the changed tracks as their documented JSON
objects), so it can be computed from versions
(:func:`gitarchive.history.entries.entries`) or read back from the change
index, and both give the same bytes by construction (the renderers in
:mod:`gitarchive.history.documents` see only entries).

Every version becomes an entry, including those that changed nothing shown:
``listed`` decides which ones a timeline lists, and the next entry needs the
previous version's name and likes whether or not that one was listed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime

    from gitarchive.model import Track

T = TypeVar("T")
TrackDoc = dict[str, Any]  # a track as the outputs show it: track_document's shape
# a moved track: (document, from, to, distance); positions 1-based, distance its change
# of rank among the tracks in both versions (gitarchive.history.moves)
MovedDoc = tuple[TrackDoc, int, int, int]
# The smallest move kept (and so the smallest threshold): a track that jumps 45 places
# moves each of the 45 it passes by 1, and keeping those would store 45 moves for one.
MIN_MOVE = 2
# The places a move must span to be shown by default (`history --moves`, the site's pages):
# a move a reader notices, not a neighbour's swap.
DEFAULT_MOVE_THRESHOLD = 5


def track_document(track: Track) -> TrackDoc:
    """A track as ``history`` and ``cumulative`` documents show it (docs/history.md)."""
    return {
        "id": track.id,
        "name": track.name,
        "artists": [artist.name for artist in track.artists],
        "album": track.album.name,
        "url": track.url,
        "duration_ms": track.duration_ms,
    }


@dataclass(frozen=True, slots=True)
class Entry:
    """One version of one playlist, reduced to what the timeline shows."""

    commit: str
    date: datetime
    name: str
    description: str
    likes: int | None
    track_count: int
    first: bool  # the first version: every track is added
    previous_name: str | None
    previous_likes: int | None
    name_changed: bool
    description_changed: bool
    added: tuple[TrackDoc, ...]
    removed: tuple[TrackDoc, ...]
    updated: tuple[tuple[TrackDoc, TrackDoc], ...]
    # every track whose rank changed by MIN_MOVE or more: a timeline shows those at its threshold
    moved: tuple[MovedDoc, ...] = ()

    @property
    def likes_changed(self) -> bool:
        return not self.first and self.previous_likes != self.likes

    @property
    def content_changed(self) -> bool:
        return (
            self.first
            or bool(self.added or self.removed or self.updated)
            or self.name_changed
            or self.description_changed
        )

    def moved_at(self, threshold: int | None) -> tuple[MovedDoc, ...]:
        """The moves a timeline shows: none without a threshold (moves not asked)."""
        if threshold is None or not self.moved:
            return ()
        return tuple(move for move in self.moved if move[3] >= threshold)

    def listed(self, *, likes: bool, moves: int | None = None) -> bool:
        return self.content_changed or (likes and self.likes_changed) or bool(self.moved_at(moves))


def select(
    found: Sequence[Entry],
    *,
    likes: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
    reverse: bool = False,
    moves: int | None = None,
) -> list[Entry]:
    """The listed entries within the window (see :func:`window`), each holding only
    the moves at the ``moves`` threshold (none when it is None)."""
    listed = [entry for entry in found if entry.listed(likes=likes, moves=moves)]
    selected = window(
        listed, lambda entry: entry.date, since=since, until=until, limit=limit, reverse=reverse
    )
    return [
        entry if len(shown := entry.moved_at(moves)) == len(entry.moved)
        else replace(entry, moved=shown)
        for entry in selected
    ]  # fmt: skip


def window(
    items: Sequence[T],
    date_of: Callable[[T], datetime],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
    reverse: bool = False,
) -> list[T]:
    """Items dated within [since, until]; ``limit`` keeps the N most recent (like
    ``git log -n``); ``reverse`` lists newest first. ``items`` are oldest first."""
    selected = [
        item
        for item in items
        if (since is None or date_of(item) >= since) and (until is None or date_of(item) <= until)
    ]
    if limit is not None:
        selected = selected[-limit:] if limit > 0 else []
    if reverse:
        selected.reverse()
    return selected
