"""A playlist's timeline as the outputs show it: one entry per version.

Pure data, no git: an :class:`Entry` holds exactly what ``history`` prints for
a version (dates, names, likes, the changed tracks as their documented JSON
objects), so it can be computed from a walk of the log (:func:`entries`) or
read back from the change index, and both give the same bytes by
construction (the renderers in :mod:`gitarchive.cli.output` see only entries).

Every version becomes an entry, including those that changed nothing shown:
``listed`` decides which ones a timeline lists, and the next entry needs the
previous version's name and likes whether or not that one was listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from datetime import datetime

    from gitarchive.history import TrackDiff, Version
    from gitarchive.model import Playlist, Track

T = TypeVar("T")
TrackDoc = dict[str, Any]  # history.track_document's shape


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

    def listed(self, *, likes: bool) -> bool:
        return self.content_changed or (likes and self.likes_changed)


class KeyCache:
    """``Track.key`` per track object, for diffs of consecutive versions.

    The version readers hand out the very same Track object for an unchanged
    track line or JSON block, so consecutive versions share most objects. The
    cache holds the objects it keys (an id is never reused while cached).
    """

    def __init__(self) -> None:
        self._keys: dict[int, tuple[Track, str]] = {}
        self._last: tuple[Sequence[Track], list[str]] | None = None

    def keys(self, tracks: Sequence[Track]) -> list[str]:
        last = self._last
        if last is not None and last[0] is tracks:  # the previous version, keyed just before
            return last[1]
        cache = self._keys
        result = []
        for track in tracks:
            found = cache.get(id(track))
            if found is None:
                if len(cache) > 200_000:
                    cache.clear()
                found = cache[id(track)] = (track, track.key)
            result.append(found[1])
        self._last = (tracks, result)
        return result


def diff_versions(
    before: Sequence[Track] | None, after: Sequence[Track], cache: KeyCache
) -> TrackDiff:
    """``history.diff_tracks``, computed on the tracks that are not shared objects.

    When each side lists every key once, a track object present on both sides
    is unchanged (same key, same metadata) and takes no part in the diff:
    removing such tracks from both sides changes neither the multiset counts,
    nor the order of the others, nor the plain/JSON matching (whose candidates
    are keys absent from the new version). Otherwise the full diff is taken.
    """
    from gitarchive.history import TrackDiff, diff_tracks  # only a fold diffs

    if before is None:
        return diff_tracks(None, after)
    if before is after:  # the reader reuses the tuple when the track list did not change
        return TrackDiff(added=(), removed=(), updated=())
    shared = set(map(id, before)).intersection(map(id, after))
    if len(shared) < 8:
        return diff_tracks(before, after)
    # before, then after: the next version's `before` is this `after`, keyed once
    if len(set(cache.keys(before))) != len(before) or len(set(cache.keys(after))) != len(after):
        return diff_tracks(before, after)
    return diff_tracks(
        [track for track in before if id(track) not in shared],
        [track for track in after if id(track) not in shared],
    )


def entry_of(version: Version, previous: Playlist | None, cache: KeyCache | None = None) -> Entry:
    """The entry of ``version``, diffed against the previous version's playlist."""
    from gitarchive.history import diff_tracks, track_document

    playlist = version.playlist
    before = previous.tracks if previous else None
    if cache is None:
        diff = diff_tracks(before, playlist.tracks)
    else:
        diff = diff_versions(before, playlist.tracks, cache)
    return Entry(
        commit=version.commit,
        date=version.date,
        name=playlist.display_name,
        description=playlist.description,
        likes=playlist.num_followers,
        track_count=len(playlist.tracks),
        first=previous is None,
        previous_name=previous.display_name if previous else None,
        previous_likes=previous.num_followers if previous else None,
        name_changed=previous is not None and previous.display_name != playlist.display_name,
        description_changed=previous is not None and previous.description != playlist.description,
        added=tuple(track_document(track) for track in diff.added),
        removed=tuple(track_document(track) for track in diff.removed),
        updated=tuple(
            (track_document(update.before), track_document(update.after)) for update in diff.updated
        ),
    )


def entries(versions: Iterable[Version]) -> list[Entry]:
    """Every version's entry, oldest first (the listed ones: :func:`select`)."""
    result: list[Entry] = []
    previous: Playlist | None = None
    cache = KeyCache()
    for version in versions:
        result.append(entry_of(version, previous, cache))
        previous = version.playlist
    return result


def select(
    found: Sequence[Entry],
    *,
    likes: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
    reverse: bool = False,
) -> list[Entry]:
    """The listed entries within the window (see :func:`window`)."""
    listed = [entry for entry in found if entry.listed(likes=likes)]
    return window(
        listed, lambda entry: entry.date, since=since, until=until, limit=limit, reverse=reverse
    )


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
