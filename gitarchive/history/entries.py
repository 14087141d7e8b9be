"""Timeline entries computed from versions, as a walk or the index's fold finds them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive.history.diff import TrackDiff, Version, diff_tracks
from gitarchive.history.keys import align_keys
from gitarchive.history.moves import moves
from gitarchive.timeline import MIN_MOVE, Entry, MovedDoc, track_document

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from gitarchive.model import Playlist, Track

PLAIN_SOURCE = "plain"  # Version.source of a plain file, whose tracks are sorted by line


class KeyCache:
    """``Track.key`` per track object, for diffs of consecutive versions.

    The version readers hand out the very same Track object for an unchanged
    track line or JSON block, so consecutive versions share most objects. The
    cache holds the objects it keys (an id is never reused while cached).
    """

    def __init__(self) -> None:
        self._keys: dict[int, tuple[Track, str]] = {}
        # the last two lists keyed: a version's diff and its moves key both sides
        self._last: list[tuple[Sequence[Track], list[str]]] = []

    def keys(self, tracks: Sequence[Track]) -> list[str]:
        for last in self._last:
            if last[0] is tracks:  # keyed just before (the lists are never changed)
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
        self._last = [self._last[-1], (tracks, result)] if self._last else [(tracks, result)]
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


def entry_of(
    version: Version,
    previous: Playlist | None,
    cache: KeyCache | None = None,
    previous_source: str | None = None,
) -> Entry:
    """The entry of ``version``, diffed against the previous version's playlist
    (read from ``previous_source``: a plain file lists tracks sorted, so no move is
    found where either side is one)."""
    playlist = version.playlist
    before = previous.tracks if previous else None
    if cache is None:
        diff = diff_tracks(before, playlist.tracks)
    else:
        diff = diff_versions(before, playlist.tracks, cache)
    moved: tuple[MovedDoc, ...] = ()
    if PLAIN_SOURCE not in (version.source, previous_source):
        moved = moved_tracks(before, playlist.tracks, cache)
    return entry_of_diff(version, previous, diff, moved)


def moved_tracks(
    before: Sequence[Track] | None, after: Sequence[Track], cache: KeyCache | None = None
) -> tuple[MovedDoc, ...]:
    """Every track whose rank changed by ``MIN_MOVE`` or more (:mod:`gitarchive.history.moves`),
    keyed as the diff keys them (across the plain/JSON boundary too)."""
    if before is None or before is after:
        return ()
    if cache is None:
        before_keys = [track.key for track in before]
        after_keys = [track.key for track in after]
    else:
        before_keys = cache.keys(before)
        after_keys = list(cache.keys(after))
    if before_keys == after_keys:
        return ()
    first_before: dict[str, Track] = {}
    for key, track in zip(before_keys, before, strict=True):
        first_before.setdefault(key, track)
    after_keys = align_keys(first_before, after, after_keys)
    return tuple(
        (track_document(after[index]), old, new, distance)
        for index, old, new, distance in moves(before_keys, after_keys)
        if distance >= MIN_MOVE
    )


def entry_of_diff(
    version: Version, previous: Playlist | None, diff: TrackDiff, moved: tuple[MovedDoc, ...] = ()
) -> Entry:
    """The entry of ``version`` whose diff against ``previous`` the caller already has."""
    playlist = version.playlist
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
        moved=moved,
    )


def entries(versions: Iterable[Version]) -> list[Entry]:
    """Every version's entry, oldest first (the listed ones: :func:`select`)."""
    result: list[Entry] = []
    previous: Version | None = None
    cache = KeyCache()
    for version in versions:
        if previous is None:
            result.append(entry_of(version, None, cache))
        else:
            result.append(entry_of(version, previous.playlist, cache, previous.source))
        previous = version
    return result
