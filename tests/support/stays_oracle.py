"""The stays fold as first written: every track of every version stepped one at a time.

The oracle of :class:`gitarchive.tracks.PlaylistStaysFold`, which steps only what a
version changed and must give the same stays (tests/test_track_stays_fold.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

from gitarchive.history.keys import align_keys
from gitarchive.tracks import PlaylistStays, Stay

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from gitarchive.model import Playlist, Track

T = TypeVar("T")


@dataclass(slots=True)
class _Open:
    added: date
    best: int
    latest: int
    asterisk: bool


class SlowStaysFold:
    """The stays of every track of one playlist, version after version (oldest first)."""

    def __init__(self, playlist_id: str) -> None:
        self.playlist_id = playlist_id
        self.name = playlist_id
        self._tracks: dict[str, Track] = {}  # every key ever seen -> its latest track
        self._open: dict[str, _Open] = {}
        self._closed: dict[str, list[Stay]] = {}
        self._last_seen: dict[str, date] = {}
        self._versions = 0
        self._last_tracks: tuple[Track, ...] = ()
        self._last_keys: dict[int, str] = {}  # id(track) -> key, for the last version's tracks

    def add(self, playlist: Playlist, day: date) -> None:
        self.name = playlist.display_name
        tracks = playlist.tracks
        # a version shares most track objects with the previous one: their keys are known
        known = self._last_keys
        raw = [known.get(id(track)) or track.key for track in tracks]
        keys = align_keys(self._tracks, tracks, list(raw))
        positions: dict[str, int] = {}
        for position, (key, own, track) in enumerate(zip(keys, raw, tracks, strict=True), 1):
            if key != own:  # matched across the plain/JSON boundary: the new key takes over
                self._rekey(key, own)
            if own not in positions:
                positions[own] = position
                self._tracks[own] = track
        self._last_tracks = tracks  # keeps the objects of _last_keys alive, so ids stay unique
        self._last_keys = dict(zip(map(id, tracks), raw, strict=True))
        for key in [key for key in self._open if key not in positions]:
            self._close(key, day)
        for key, position in positions.items():
            self._present(key, position, day)
        self._versions += 1

    def _rekey(self, old: str, new: str) -> None:
        _move(self._tracks, old, new)
        _move(self._open, old, new)
        _move(self._closed, old, new)
        _move(self._last_seen, old, new)

    def _close(self, key: str, day: date) -> None:
        stay = self._open.pop(key)
        self._closed.setdefault(key, []).append(
            Stay(stay.added, day, stay.best, stay.latest, stay.asterisk)
        )

    def _present(self, key: str, position: int, day: date) -> None:
        self._last_seen[key] = day
        added_at = self._tracks[key].added_at
        spotify = added_at.date() if added_at else None
        added = min(day, spotify) if spotify else day
        earlier = self._closed.get(key)
        current = self._open.get(key)
        # the first stay is dated as the cumulative view dates the track: the earliest of
        # the days it was archived and every added_at a version gave it
        if earlier and added < earlier[0].added:
            earlier[0] = replace(earlier[0], added=added, added_before_archive=False)
        if current is not None:
            current.best = min(current.best, position)
            current.latest = position
            if not earlier and added < current.added:
                current.added, current.asterisk = added, False
            return
        if earlier:
            previous = earlier[-1].removed
            added = max(added, previous) if previous else added
        asterisk = self._versions == 0 and spotify is None
        self._open[key] = _Open(added, position, position, asterisk)

    def result(self, keys: Iterable[str] | None = None) -> list[PlaylistStays]:
        """The stays of ``keys`` (default: every track it ever held)."""
        found = []
        for key in self._tracks if keys is None else keys:
            if key not in self._tracks:
                continue
            stays = list(self._closed.get(key, ()))
            current = self._open.get(key)
            if current is not None:
                stays.append(
                    Stay(current.added, None, current.best, current.latest, current.asterisk)
                )
            found.append(
                PlaylistStays(
                    self.playlist_id,
                    self.name,
                    self._tracks[key],
                    tuple(stays),
                    self._last_seen[key],
                )
            )
        return found

    def track_keys(self) -> Iterable[str]:
        return self._tracks.keys()

    def track(self, key: str) -> Track:
        return self._tracks[key]


def _move(table: dict[str, T], old: str, new: str) -> None:
    if old in table:
        table[new] = table.pop(old)
