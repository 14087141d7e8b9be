"""The stays fold of :mod:`gitarchive.tracks`, paying per version for what changed only.

A version usually swaps a few tracks of a hundred: the others are the very
objects of the previous version at the very same places. For such a track the
fold's step does one thing, it dates the track's last sighting, so those are
dated all at once and only the tracks that are new, moved or re-read are
stepped one by one. The fold's own step is taken whenever that reasoning could
fail: the first version, a key matched across the plain/JSON boundary, or a
version dated before an earlier one. The result is the fold's, exactly (a
property test compares them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive.history.keys import align_keys
from gitarchive.tracks import PlaylistStaysFold

if TYPE_CHECKING:
    from datetime import date

    from gitarchive.model import Playlist


class QuickStaysFold(PlaylistStaysFold):
    """:class:`~gitarchive.tracks.PlaylistStaysFold`, stepping the changed tracks only."""

    def __init__(self, playlist_id: str) -> None:
        super().__init__(playlist_id)
        self._places: dict[str, int] = {}  # the last version's keys -> first place
        self._objects: dict[str, int] = {}  # the last version's keys -> id(first track)
        self._latest_day: date | None = None

    def add(self, playlist: Playlist, day: date) -> None:
        tracks = playlist.tracks
        known = self._last_keys
        raw = [known.get(id(track)) or track.key for track in tracks]
        latest = self._latest_day
        if (
            self._versions == 0
            or (latest is not None and day < latest)
            or (align_keys(self._tracks, tracks, list(raw)) != raw)
        ):
            super().add(playlist, day)
            self._remember()
        else:
            self._quick_add(playlist, raw, day)
        self._latest_day = day if latest is None or day > latest else latest

    def _quick_add(self, playlist: Playlist, raw: list[str], day: date) -> None:
        self.name = playlist.display_name
        tracks = playlist.tracks
        # reversed, so that each key keeps its first place and its first track
        places = dict(zip(reversed(raw), range(len(raw), 0, -1), strict=True))
        firsts = dict(zip(reversed(raw), reversed(tracks), strict=True))
        objects = {key: id(track) for key, track in firsts.items()}
        # the previous tracks are alive (self._last_tracks): their ids are not reused
        changed = {key for key, _ in places.items() - self._places.items()}
        changed.update(key for key, _ in objects.items() - self._objects.items())
        new = firsts.keys() - self._tracks.keys()
        for key in sorted(new, key=places.__getitem__):  # in the fold's order of first sight
            self._tracks[key] = firsts[key]
        self._tracks.update(firsts)
        self._last_tracks = tracks
        self._last_keys = dict(zip(map(id, tracks), raw, strict=True))
        gone = self._open.keys() - places.keys()
        for key in [key for key in self._open if key in gone]:
            self._close(key, day)
        self._last_seen.update(dict.fromkeys(places, day))
        for key in sorted(changed, key=places.__getitem__):
            self._present(key, places[key], day)
        self._places, self._objects = places, objects
        self._versions += 1

    def _remember(self) -> None:
        raw = [self._last_keys[id(track)] for track in self._last_tracks]
        self._places = dict(zip(reversed(raw), range(len(raw), 0, -1), strict=True))
        firsts = dict(zip(reversed(raw), reversed(self._last_tracks), strict=True))
        self._objects = {key: id(track) for key, track in firsts.items()}
