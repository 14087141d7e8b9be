"""The cumulative view: a fold of ``update_cumulative`` over every version, oldest first."""

from __future__ import annotations

from itertools import compress
from typing import TYPE_CHECKING

from gitarchive.history.diff import Version
from gitarchive.history.keys import LINE_KEY_PREFIX, align_keys
from gitarchive.model import CumulativeTrack, CumulativeView

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from gitarchive.history.delta import Delta
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
    is one cumulative entry. Across the plain/JSON boundary (old archives hold
    plain files first, JSON later) tracks match by their plain line, see
    :func:`align_keys`. A track present now takes this version's metadata
    (an update, never a second row) and has no removal date; a track that left
    keeps the date of its last removal.
    """
    first_version = previous is None
    old = {entry.track.key: entry for entry in previous.tracks} if previous else {}
    keys = align_keys({key: entry.track for key, entry in old.items()}, playlist.tracks)
    current: dict[str, Track] = {}
    for key, track in zip(keys, playlist.tracks, strict=True):
        current.setdefault(key, track)

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


def fold_cumulative(versions: Iterable[Version]) -> CumulativeView | None:
    """The cumulative view after every version: the fold of :func:`update_cumulative`."""
    fold = CumulativeFold()
    for version in versions:
        fold.add(version.playlist, version.date.date())
    return fold.view()


class CumulativeFold:
    """:func:`update_cumulative` applied version after version, incrementally.

    The same result as the plain fold (a property test checks it), but a step
    costs what changed rather than the size of the view: a view grows with
    every track ever seen, and an all-playlists pass makes hundreds of
    thousands of steps. Entries are keyed like ``update_cumulative`` keys them
    (``entry.track.key``); tracks still present as the very same object (or an
    equal one) as in the previous version keep their entry untouched, which is
    what the plain fold computes too, as long as days do not go backwards (a
    step back in time falls back to the plain fold).
    """

    def __init__(self) -> None:
        self._entries: dict[str, CumulativeTrack] = {}
        self._tracks: dict[str, Track] = {}  # key -> entry.track, for align_keys
        self._line_keys: set[str] = set()  # keys of _tracks without a Spotify id
        self._id_keys: set[str] = set()
        self._present: dict[str, Track] = {}  # key -> the track present in the last version
        self._last_tracks: tuple[Track, ...] = ()
        # id(track) -> key, for the last version's tracks; None: not kept (the tracker's
        # deltas had them), made from _last_tracks when a step without one needs them
        self._last_keys: dict[int, str] | None = {}
        self._last_ids: set[int] = set()
        self._last_key_set: set[str] = set()
        self._unique = False  # the last version listed each key once
        self._playlist: Playlist | None = None
        self._first_scraped: date | None = None
        self._last_day: date | None = None

    @classmethod
    def resume(cls, view: CumulativeView, playlist: Playlist, day: date) -> CumulativeFold:
        """The fold whose view is ``view`` after ``playlist`` was archived on ``day``."""
        fold = cls()
        fold._load(view, playlist, day)
        return fold

    def add(self, playlist: Playlist, day: date, delta: Delta | None = None) -> None:
        """The step for ``playlist`` archived on ``day``; ``delta``: its tracks' change from
        the previous version's, if the caller has it (what it found is not searched again)."""
        if self._playlist is None or self._last_day is None or day < self._last_day:
            self._load(update_cumulative(self.view(), playlist, day), playlist, day)
            return
        tracks = playlist.tracks
        # the very same list as the last step (the likes moved): no entry changes. Not
        # for (): _load leaves that as "last list unknown", and () is one shared object
        if tracks and tracks is self._last_tracks:
            self._playlist = playlist
            self._last_day = day
            return
        if delta is None or delta.after is not tracks or delta.before is not self._last_tracks:
            delta = None  # not the step from this fold's last list
        id_set = set(map(id, tracks)) if delta is None else delta.ids
        if not (
            self._unique
            and len(id_set) == len(tracks)
            and self._add_changed(tracks, id_set, day, delta)
        ):
            self._add_all(tracks, id_set, day)
        self._last_tracks = tracks  # keeps the ids of _last_keys alive and unique
        self._playlist = playlist
        self._last_day = day

    def _add_changed(
        self, tracks: tuple[Track, ...], id_set: set[int], day: date, delta: Delta | None
    ) -> bool:
        """The step when only a few track objects changed; False: take the full step.

        Both versions must list each key once (then a key is one object, and
        the objects present in both versions are exactly the unchanged entries).
        """
        if delta is not None and delta.keys is not None:
            # the tracker found the new and gone objects, and checked the keys unique
            if len(delta.new) + len(delta.gone) > 64:
                return False
            added, added_keys, key_set = delta.new, delta.new_keys, delta.keys
            removed_keys = set(delta.gone_keys or ())
            self._last_keys = None  # the tracker keeps them, for the steps it makes
        else:
            found = self._found_change(tracks, id_set)
            if found is None:
                return False
            added, added_keys, key_set, removed_keys = found
        aligned = align_keys(
            self._tracks,
            added,
            list(added_keys),
            old_sides=(self._line_keys, self._id_keys),
            new_keys=key_set,
        )
        current = {
            key: (track, raw_key)
            for key, track, raw_key in zip(aligned, added, added_keys, strict=True)
        }
        present = self._present
        for key in removed_keys - current.keys():
            self._entries[key] = _removed(self._entries[key], day)
            del present[key]
        self._apply(current, present, day)
        self._last_ids = id_set
        self._last_key_set = key_set
        return True

    def _found_change(
        self, tracks: tuple[Track, ...], id_set: set[int]
    ) -> tuple[list[Track], list[str], set[str], set[str]] | None:
        """The added tracks, their keys, the new list's keys and the removed keys, found
        from the last list's objects (None: too many changed, or a key listed twice); the
        id -> key map is moved on to ``tracks``."""
        added_ids = id_set - self._last_ids
        removed_ids = self._last_ids - id_set
        if len(added_ids) + len(removed_ids) > 64:
            return None
        added = list(compress(tracks, map(added_ids.__contains__, map(id, tracks))))
        added_keys = [track.key for track in added]
        last_keys = self._known_keys()
        removed_keys = {last_keys[i] for i in removed_ids}
        key_set = self._last_key_set - removed_keys
        if len(set(added_keys)) != len(added_keys) or not key_set.isdisjoint(added_keys):
            return None
        key_set.update(added_keys)
        for i in removed_ids:
            del last_keys[i]
        last_keys.update(zip(map(id, added), added_keys, strict=True))
        return added, added_keys, key_set, removed_keys

    def _known_keys(self) -> dict[int, str]:
        """``_last_keys``, made again from the last tracks where the steps did not keep it."""
        if self._last_keys is None:
            self._last_keys = {id(track): track.key for track in self._last_tracks}
        return self._last_keys

    def _add_all(self, tracks: tuple[Track, ...], id_set: set[int], day: date) -> None:
        known = self._known_keys()
        raw_keys = [known.get(id(track)) or track.key for track in tracks]
        keys = align_keys(
            self._tracks, tracks, list(raw_keys), old_sides=(self._line_keys, self._id_keys)
        )
        current: dict[str, tuple[Track, str]] = {}
        for key, raw_key, track in zip(keys, raw_keys, tracks, strict=True):
            if key not in current:
                current[key] = (track, raw_key)
        for key in self._present.keys() - current.keys():
            self._entries[key] = _removed(self._entries[key], day)
        old_present = self._present
        present: dict[str, Track] = {}
        for key in current:
            previous = old_present.get(key)
            if previous is not None:
                present[key] = previous
        self._apply(current, present, day)
        self._last_keys = dict(zip(map(id, tracks), raw_keys, strict=True))
        self._last_ids = id_set
        self._last_key_set = set(raw_keys)
        self._unique = len(self._last_key_set) == len(raw_keys)

    def _apply(
        self, current: dict[str, tuple[Track, str]], present: dict[str, Track], day: date
    ) -> None:
        """Entries for ``current`` (aligned key -> track, own key), as update_cumulative makes them.

        ``present`` holds the entries present before, still present now; it
        becomes the present entries after this step.
        """
        entries = self._entries
        for key, (track, raw_key) in current.items():
            previous = present.get(key)
            if previous is not None and (previous is track or previous == track):
                continue
            before = entries.get(key)
            spotify_added = track.added_at.date() if track.added_at else None
            added = min(day, spotify_added) if spotify_added else day
            asterisk = False
            if before is not None and before.added <= added:
                added, asterisk = before.added, before.added_asterisk
            if raw_key != key:  # matched across the plain/JSON boundary: re-key as the fold does
                entries.pop(key, None)
                self._tracks.pop(key, None)
                self._side(key).discard(key)
                present.pop(key, None)
            entries[raw_key] = CumulativeTrack(
                track=track, added=added, added_asterisk=asterisk, removed=None
            )
            self._tracks[raw_key] = track
            self._side(raw_key).add(raw_key)
            present[raw_key] = track
        self._present = present

    def _side(self, key: str) -> set[str]:
        return self._line_keys if key.startswith(LINE_KEY_PREFIX) else self._id_keys

    def _load(self, view: CumulativeView, playlist: Playlist, day: date) -> None:
        self._entries = {entry.track.key: entry for entry in view.tracks}
        self._tracks = {key: entry.track for key, entry in self._entries.items()}
        self._line_keys = {key for key in self._tracks if key.startswith(LINE_KEY_PREFIX)}
        self._id_keys = set(self._tracks) - self._line_keys
        self._present = {
            key: entry.track for key, entry in self._entries.items() if entry.removed is None
        }
        self._last_tracks = ()
        self._last_keys = {}
        self._last_ids = set()
        self._last_key_set = set()
        self._unique = False
        self._playlist = playlist
        self._first_scraped = view.first_scraped
        self._last_day = day if self._last_day is None else max(day, self._last_day)

    def view(self) -> CumulativeView | None:
        return self.keyed_view()[0]

    def keyed_view(self) -> tuple[CumulativeView | None, list[str]]:
        """The view, and its tracks' keys (``Track.key``) in its order."""
        playlist = self._playlist
        if playlist is None or self._first_scraped is None:
            return None, []
        # cumulative_sort_key, with the key each entry is filed under (its track's):
        # keys are distinct, so the entries themselves are never compared
        rows = sorted(
            [
                (track.name.lower(), tuple([artist.name.lower() for artist in track.artists]),
                 track.duration_ms or 0, key, entry)
                for key, entry in self._entries.items()
                for track in (entry.track,)
            ]
        )  # fmt: skip
        view = CumulativeView(
            id=playlist.id,
            name=playlist.display_name,
            description=playlist.description,
            tracks=tuple([row[4] for row in rows]),
            first_scraped=self._first_scraped,
        )
        return view, [row[3] for row in rows]
