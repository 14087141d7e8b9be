"""Versions, and the diff of two versions' tracks."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gitarchive.history.keys import align_keys, same_metadata

if TYPE_CHECKING:
    from collections.abc import Sequence
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
    before_count = _counts(before_keys)
    after_count = _counts(after_keys)
    added = _surplus(after, after_keys, after_count, before_count)
    removed = _surplus(before, before_keys, before_count, after_count)
    updated: list[TrackUpdate] = []
    seen: set[str] = set()
    for key, track in zip(after_keys, after, strict=True):
        if key in seen:
            continue
        seen.add(key)
        old = first_before.get(key)
        if old is not None and not same_metadata(old, track):
            updated.append(TrackUpdate(before=old, after=track))
    return TrackDiff(added=tuple(added), removed=tuple(removed), updated=tuple(updated))


def _counts(keys: list[str]) -> dict[str, int]:
    """How many times each key is listed (counted in C where each is there once)."""
    counts = dict.fromkeys(keys, 1)
    return counts if len(counts) == len(keys) else Counter(keys)


def _surplus(
    tracks: Sequence[Track], keys: Sequence[str], mine: dict[str, int], theirs: dict[str, int]
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
