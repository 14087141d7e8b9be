"""What changed between consecutive versions' track lists, found by object identity.

The version readers hand out the very same Track object for an unchanged
track line or JSON block, and the very same tuple for an unchanged list. So a
version's tracks are mostly the previous version's objects: a
:class:`Tracker` finds the objects that are new and gone with set operations
in C, keys only the new ones, and hands the diff (:func:`diff_of`), the moves
(:func:`moved_of`) and the cumulative fold the same :class:`Delta`, so that
a step costs what changed rather than the size of the list.

Where a list names a track object or a key twice, nothing is skipped: the
diff and the moves are computed from the whole lists, as
:func:`gitarchive.history.diff.diff_tracks` and :mod:`gitarchive.history.moves`
define them.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import compress, filterfalse
from operator import methodcaller
from typing import TYPE_CHECKING, TypeVar

from gitarchive.history.diff import TrackDiff, TrackUpdate, diff_tracks
from gitarchive.history.keys import LINE_KEY_PREFIX, align_keys, same_metadata
from gitarchive.history.moves import moves
from gitarchive.timeline import MIN_MOVE

if TYPE_CHECKING:
    from collections.abc import Hashable, Iterable, Sequence

    from gitarchive.model import Track

# a moved track as an object: (track, from, to, distance), see timeline.MovedDoc
MovedTrack = tuple["Track", int, int, int]
NO_DIFF = TrackDiff(added=(), removed=(), updated=())
T = TypeVar("T")
_ON_LINE = methodcaller("startswith", LINE_KEY_PREFIX)  # a key without a Spotify id


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs a call per field
class Delta:
    """Two consecutive track lists and the objects that differ between them.

    ``unique``: each list names every object once and every key once; only
    then are ``new`` (the objects of ``after`` not in ``before``, in order,
    with their keys ``new_keys``) and ``gone`` (the reverse) the whole change.
    ``ids`` and ``before_ids``/``after_ids``: the lists' object ids, as a set
    (``after``'s) and in order; ``keys``: ``after``'s keys, when unique. Nothing
    changes them once made.
    """

    before: Sequence[Track] | None
    after: Sequence[Track]
    ids: set[int]
    before_ids: list[int]
    after_ids: list[int]
    new: list[Track]
    new_keys: list[str]
    gone: list[Track]
    unique: bool
    keys: set[str] | None = None
    gone_keys: list[str] | None = None  # the keys of ``gone``, when unique
    # the places of ``new`` in ``after`` and of ``gone`` in ``before``, ascending, where
    # the tracker found them by their places (each list names every object once)
    new_places: list[int] | None = None
    gone_places: list[int] | None = None


class Tracker:
    """One playlist's last track list, with its objects' keys, for the next :class:`Delta`."""

    def __init__(self) -> None:
        self._tracks: Sequence[Track] | None = None
        self._id_list: list[int] = []
        self._ids: set[int] = set()
        self._keys: dict[int, str] = {}  # id -> key of the last list's objects (it holds them)
        self._key_set: set[str] = set()
        self._unique = False

    def step(self, before: Sequence[Track] | None, after: Sequence[Track]) -> Delta:
        """The delta from ``before`` (the previous version's tracks, None for the first
        version) to ``after``; ``after`` becomes the last list."""
        if before is None:
            self._remember(after)
            firsts = self.keys()
            return Delta(None, after, self._ids, [], self._id_list, list(after), firsts, [], False)
        if before is not self._tracks:
            self._remember(before)
        before_ids = self._id_list
        if after is before:
            same = before_ids
            return Delta(before, after, self._ids, same, same, [], [], [], self._unique, None, [])
        after_ids = list(map(id, after))
        ids = set(after_ids)
        distinct = len(ids) == len(after_ids)
        new, new_places = _pick(after, after_ids, ids - self._ids, distinct)
        gone, gone_places = _pick(before, before_ids, self._ids - ids, self._unique)
        new_keys = [track.key for track in new]
        unique = self._unique and distinct and len(set(new_keys)) == len(new_keys)
        if unique:
            keys = self._keys
            gone_keys = [keys[id(track)] for track in gone]
            key_set = self._key_set.difference(gone_keys)
            unique = key_set.isdisjoint(new_keys)
        if not unique:
            self._remember(after, after_ids)
            return Delta(before, after, ids, before_ids, after_ids, new, new_keys, gone, False)
        for track in gone:
            del keys[id(track)]
        keys.update(zip(map(id, new), new_keys, strict=True))
        key_set.update(new_keys)
        self._tracks, self._id_list, self._ids, self._key_set = after, after_ids, ids, key_set
        return Delta(
            before, after, ids, before_ids, after_ids, new, new_keys, gone, True, key_set,
            gone_keys, new_places, gone_places,
        )  # fmt: skip

    def keys(self) -> list[str]:
        """The last list's keys (``Track.key``, its objects' as the steps knew them), in order."""
        return list(map(self._keys.__getitem__, self._id_list))

    def _remember(self, tracks: Sequence[Track], ids: list[int] | None = None) -> None:
        known = self._keys
        keys = [known.get(id(track)) or track.key for track in tracks]
        self._tracks = tracks
        self._id_list = list(map(id, tracks)) if ids is None else ids
        self._ids = set(self._id_list)
        self._keys = dict(zip(self._id_list, keys, strict=True))
        self._key_set = set(keys)
        self._unique = len(self._key_set) == len(tracks) == len(self._ids)


def _pick(
    tracks: Sequence[Track], ids: list[int], chosen: set[int], distinct: bool
) -> tuple[list[Track], list[int] | None]:
    """The tracks whose objects are ``chosen``, in order, and their places where they
    were found by them; ``ids``: the tracks' ids, ``distinct`` when each is there once.
    Searched in C: a few by their places, more by a pass over the list."""
    if not chosen:
        return [], []
    if distinct and len(chosen) <= 4:
        places = sorted(map(ids.index, chosen))
        return [tracks[place] for place in places], places
    return list(compress(tracks, map(chosen.__contains__, ids))), None


def diff_of(delta: Delta) -> TrackDiff:
    """``diff_tracks(delta.before, delta.after)``.

    When each side lists every key once, a track object present on both sides
    is unchanged (same key, same metadata) and takes no part in the diff:
    removing such tracks from both sides changes neither the multiset counts,
    nor the order of the others, nor the plain/JSON matching (whose candidates
    are keys absent from the new version).
    """
    if delta.before is None or not delta.unique:
        return diff_tracks(delta.before, delta.after)
    if not delta.new and not delta.gone:
        return NO_DIFF
    if delta.gone_keys is not None:
        diff = _diff_keyed(delta.new, delta.new_keys, delta.gone, delta.gone_keys)
        if diff is not None:
            return diff
    return diff_tracks(delta.gone, delta.new)


def _diff_keyed(
    new: list[Track], new_keys: list[str], gone: list[Track], gone_keys: list[str]
) -> TrackDiff | None:
    """``diff_tracks(gone, new)`` where each key is listed once and all are on one side of
    the plain/JSON boundary (nothing to match across it), from the keys the tracker
    has; None where they are not."""
    sides = set(map(_ON_LINE, new_keys))
    sides.update(map(_ON_LINE, gone_keys))
    if len(sides) > 1:
        return None
    if not new_keys or not gone_keys or set(new_keys).isdisjoint(gone_keys):
        # no key on both sides (most steps): every new track added, every gone one removed
        return TrackDiff(added=tuple(new), removed=tuple(gone), updated=())
    gone_by_key = dict(zip(gone_keys, gone, strict=True))
    new_key_set = set(new_keys)
    updated = []
    for key, track in zip(new_keys, new, strict=True):
        old = gone_by_key.get(key)
        if old is not None and not same_metadata(old, track):
            updated.append(TrackUpdate(before=old, after=track))
    return TrackDiff(
        added=tuple(t for key, t in zip(new_keys, new, strict=True) if key not in gone_by_key),
        removed=tuple(t for key, t in zip(gone_keys, gone, strict=True) if key not in new_key_set),
        updated=tuple(updated),
    )


def moved_of(delta: Delta, diff: TrackDiff) -> tuple[MovedTrack, ...]:
    """Every track whose rank changed by ``MIN_MOVE`` or more, as objects
    (:mod:`gitarchive.history.moves`), keyed as ``diff`` (the delta's) keys them.

    When every new object is an addition and every gone one a removal (no key
    on both sides, none matched across the plain/JSON boundary), the tracks
    present in both versions are exactly the shared objects, each listed
    once: their ids rank them as their keys would.
    """
    before, after = delta.before, delta.after
    if before is None or before is after:
        return ()
    if (
        delta.unique
        and not diff.updated
        and len(diff.added) == len(delta.new)
        and len(diff.removed) == len(delta.gone)
    ):
        before_ranks: Sequence[Hashable] = delta.before_ids
        after_ranks: Sequence[Hashable] = delta.after_ids
        if _shared_order(delta):
            return ()
    else:
        before_keys = [track.key for track in before]
        before_ranks, after_ranks = before_keys, _aligned(before_keys, before, after)
    return tuple(
        (after[index], old, new, distance)
        for index, old, new, distance in moves(before_ranks, after_ranks)
        if distance >= MIN_MOVE
    )


def _shared_order(delta: Delta) -> bool:
    """Whether the objects in both lists keep their order (no rank changed), compared
    in C."""
    before, after = delta.before_ids, delta.after_ids
    if delta.gone:
        before = _without(before, delta.gone, delta.gone_places)
    if delta.new:
        after = _without(after, delta.new, delta.new_places)
    return before == after


def _without(ids: list[int], tracks: list[Track], places: list[int] | None) -> list[int]:
    """``ids`` without those of ``tracks``, which are at ``places`` if known."""
    if places is None:
        return list(filterfalse(set(map(id, tracks)).__contains__, ids))
    return without_places(ids, places)


def without_places(items: list[T], places: Iterable[int]) -> list[T]:
    """A copy of ``items`` but at ``places`` (each a place in it, once): a copy and a few
    deletions, where the places are few, not a membership test per item."""
    kept = items.copy()
    for place in sorted(places, reverse=True):
        del kept[place]
    return kept


def _aligned(before_keys: list[str], before: Sequence[Track], after: Sequence[Track]) -> list[str]:
    """``after``'s keys, matched to ``before``'s across the plain/JSON boundary as the diff
    matches them."""
    first_before: dict[str, Track] = {}
    for key, track in zip(before_keys, before, strict=True):
        first_before.setdefault(key, track)
    return align_keys(first_before, after)
