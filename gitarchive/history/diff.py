"""Versions, diffs between them, and the timeline of changes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gitarchive.history.keys import _same_metadata, align_keys

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from gitarchive.model import Playlist, Track


@dataclass(frozen=True, slots=True)
class Version:
    """A playlist as archived by one commit (its author date, UTC)."""

    commit: str
    date: datetime
    playlist: Playlist
    source: str = "json"  # the kind of file it was read from: "json", "pretty" or "plain"


@dataclass(frozen=True, slots=True)
class TrackUpdate:
    before: Track
    after: Track


@dataclass(frozen=True, slots=True)
class TrackDiff:
    added: tuple[Track, ...]
    removed: tuple[Track, ...]
    updated: tuple[TrackUpdate, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.updated)


def diff_tracks(before: Sequence[Track] | None, after: Sequence[Track]) -> TrackDiff:
    """Multiset diff of two versions' tracks.

    ``before`` None: the first version, every track is added. Tracks are
    counted by key (a track listed twice counts twice); a track present on both
    sides whose name, artists or album changed is an update.
    """
    if before is None:
        return TrackDiff(added=tuple(after), removed=(), updated=())
    first_before: dict[str, Track] = {}
    before_keys = [track.key for track in before]
    for key, track in zip(before_keys, before, strict=True):
        first_before.setdefault(key, track)
    after_keys = align_keys(first_before, after)
    before_count = Counter(before_keys)
    after_count = Counter(after_keys)
    added = _surplus(after, after_keys, after_count, before_count)
    removed = _surplus(before, before_keys, before_count, after_count)
    updated: list[TrackUpdate] = []
    seen: set[str] = set()
    for key, track in zip(after_keys, after, strict=True):
        if key in seen:
            continue
        seen.add(key)
        old = first_before.get(key)
        if old is not None and not _same_metadata(old, track):
            updated.append(TrackUpdate(before=old, after=track))
    return TrackDiff(added=tuple(added), removed=tuple(removed), updated=tuple(updated))


def _surplus(
    tracks: Sequence[Track], keys: Sequence[str], mine: Counter[str], theirs: Counter[str]
) -> list[Track]:
    """The occurrences in ``tracks`` beyond what ``theirs`` holds: the last ones of each key."""
    extra = {key: count - theirs.get(key, 0) for key, count in mine.items()}
    extra = {key: count for key, count in extra.items() if count > 0}
    if not extra:
        return []
    remaining = dict(mine)
    result: list[Track] = []
    for key, track in zip(keys, tracks, strict=True):
        count = extra.get(key)
        if count is None:
            continue
        # keep the last `count` occurrences of the key (earlier ones were there before)
        if remaining[key] <= count:
            result.append(track)
        remaining[key] -= 1
    return result


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
    from gitarchive.timeline import window

    return window(
        changes,
        lambda change: change.version.date,
        since=since,
        until=until,
        limit=limit,
        reverse=reverse,
    )
