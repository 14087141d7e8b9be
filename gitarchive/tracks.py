"""Tracks across playlists: every stay of a track in every playlist, with its positions.

A *stay* is one uninterrupted run of versions of a playlist holding the track:
added on the day of the version that first listed it (or Spotify's added_at,
when earlier, as the cumulative view dates it), removed on the day of the
first version without it, None while it is still there. Positions are
1-based, the first place a version lists the track; a stay keeps its best
(lowest) and its latest position.

Tracks are identified as the history identifies them (``Track.key``: the
Spotify id, else the plain line for local files), matched across the
plain/JSON boundary like the cumulative view (:func:`align_keys`). The fold
is pure: versions in, stays out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

from gitarchive.errors import TrackNotFound
from gitarchive.history.keys import LINE_KEY_PREFIX, align_keys
from gitarchive.track_query import track_matcher

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import date

    from gitarchive.history import Version
    from gitarchive.history.delta import Delta
    from gitarchive.history.duplicates import Merge
    from gitarchive.model import Playlist, Track

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Stay:
    added: date
    removed: date | None  # None: still there
    best_position: int
    latest_position: int
    added_before_archive: bool = False  # in the first archived version, added_at unknown


@dataclass(frozen=True, slots=True)
class PlaylistStays:
    """One track's life in one playlist: ``track`` is its latest metadata there."""

    playlist_id: str
    playlist_name: str
    track: Track
    stays: tuple[Stay, ...]
    last_seen: date  # the day of the last version that held it

    @property
    def first(self) -> date:
        return self.stays[0].added

    @property
    def best_position(self) -> int:
        stays = self.stays
        # most tracks stayed once: no generator then (a site asks each row's)
        if len(stays) == 1:
            return stays[0].best_position
        return min([stay.best_position for stay in stays])

    @property
    def latest_position(self) -> int:
        return self.stays[-1].latest_position


@dataclass(slots=True)
class _Open:
    added: date
    asterisk: bool


class PlaylistStaysFold:
    """The stays of every track of one playlist, version after version (oldest first).

    A version costs what it changed, not every track it lists: a track listed as the
    very same object as in the version before (the readers share them) already had its
    dates weighed, so only its place is looked at, in one pass over the version's keys.
    Days going backwards weigh every track again.
    """

    def __init__(self, playlist_id: str) -> None:
        self.playlist_id = playlist_id
        self.name = playlist_id
        self._tracks: dict[str, Track] = {}  # every key ever seen -> its latest track
        self._open: dict[str, _Open] = {}  # the last version's keys
        self._best: dict[str, int] = {}  # an open stay's best place
        self._places: dict[str, int] = {}  # the last version's key -> its first place
        self._firsts: dict[str, Track] = {}  # the last version's key -> its track there
        self._closed: dict[str, list[Stay]] = {}
        self._last_seen: dict[str, date] = {}  # of the keys no longer listed
        self._day: date | None = None  # the last version's
        self._versions = 0
        self._last_tracks: tuple[Track, ...] = ()
        self._last_keys: dict[int, str] = {}  # id(track) -> key, for the last version's tracks
        self._listed: tuple[Track, ...] | None = None  # the last version's tracks
        self._lines = False  # whether a key without an id (a plain line) was ever listed

    def add(
        self,
        playlist: Playlist,
        day: date,
        keys: list[str] | None = None,
        delta: Delta | None = None,
    ) -> None:
        """Step one version archived on ``day``. ``keys``: its tracks' own keys
        (``Track.key``, in order) when the caller has them already; left unchanged.
        ``delta``: with ``keys``, the tracker's delta from the version this fold stepped
        last, whose new and gone objects are then the only ones looked at besides places."""
        self.name = playlist.display_name
        tracks = playlist.tracks
        last_day, listed, self._listed = self._day, self._listed, tracks
        if (
            keys is not None
            and delta is not None
            and delta.unique
            and delta.gone_keys is not None
            and delta.after is tracks
            and delta.before is listed
            and last_day is not None
            and day >= last_day
        ):
            self._add_changed(tracks, day, keys, delta)
            return
        raw = self._own_keys(tracks) if keys is None else keys
        places, firsts = _first_places(raw, tracks)
        if not places.keys() <= self._tracks.keys():  # a new key: maybe a plain/JSON twin
            self._align(raw, tracks, places.keys() - self._tracks.keys())
        self._tracks.update(firsts)
        self._day = day
        for key in [key for key in self._open if key not in places]:
            self._close(key, day, last_day)
        was = self._firsts
        if last_day is None or day < last_day:
            weighed = list(firsts)
        else:
            weighed = [key for key, track in firsts.items() if was.get(key) is not track]
        self._step(places, weighed, day)
        self._firsts = firsts

    def _add_changed(
        self, tracks: tuple[Track, ...], day: date, keys: list[str], delta: Delta
    ) -> None:
        """The step where both versions list each object and each key once, days forward:
        the keys of the objects that came are the ones weighed (the others are the very
        objects of the version before, with their dates), those of the objects that went and
        did not come back are the ones closed (``add``'s passes over every key, made on
        the delta's few)."""
        places = dict(zip(keys, range(1, len(keys) + 1), strict=True))
        new, new_keys = delta.new, delta.new_keys
        unseen = {key for key in new_keys if key not in self._tracks}
        if unseen:  # a new key: maybe a plain/JSON twin
            self._align(keys, tracks, unseen)
        self._tracks.update(zip(new_keys, new, strict=True))
        last_day, self._day = self._day, day
        gone_keys = delta.gone_keys or ()
        open_ = self._open
        for key in gone_keys:
            if key not in places and key in open_:  # not re-keyed to a key listed now
                self._close(key, day, last_day)
        self._step(places, new_keys, day)
        firsts = self._firsts
        for key in gone_keys:
            firsts.pop(key, None)
        firsts.update(zip(new_keys, new, strict=True))

    def _step(self, places: dict[str, int], weighed: Iterable[str], day: date) -> None:
        """Date the stays of the ``weighed`` keys, and take every key's place."""
        for key in weighed:
            self._present(key, places[key], day)
        best = self._best
        for key in [key for key, place in places.items() if place < best[key]]:
            best[key] = places[key]
        self._places = places
        self._versions += 1

    def _own_keys(self, tracks: tuple[Track, ...]) -> list[str]:
        # a version shares most track objects with the previous one: their keys are known
        known = self._last_keys
        raw = [known.get(id(track)) or track.key for track in tracks]
        self._last_tracks = tracks  # keeps the objects of _last_keys alive, so ids stay unique
        self._last_keys = dict(zip(map(id, tracks), raw, strict=True))
        return raw

    def _align(self, raw: list[str], tracks: tuple[Track, ...], new: set[str]) -> None:
        # a new id claims a line-keyed entry, a new line an id-keyed one (align_keys): where
        # neither side has a line, no key changes
        lines = any(key.startswith(LINE_KEY_PREFIX) for key in new)
        if not (lines or self._lines):
            return
        self._lines = True
        keys = align_keys(self._tracks, tracks, list(raw))
        if keys == raw:
            return
        listed: set[str] = set()
        for key, own, track in zip(keys, raw, tracks, strict=True):
            if key != own:  # matched across the plain/JSON boundary: the new key takes over
                self._rekey(key, own)
            if own not in listed:  # in the order of the full step, which result() keeps
                listed.add(own)
                self._tracks[own] = track

    def _rekey(self, old: str, new: str) -> None:
        _move(self._tracks, old, new)
        _move(self._open, old, new)
        _move(self._best, old, new)
        _move(self._places, old, new)
        _move(self._firsts, old, new)
        _move(self._closed, old, new)
        _move(self._last_seen, old, new)

    def _close(self, key: str, day: date, last_day: date | None) -> None:
        stay = self._open.pop(key)
        best = self._best.pop(key)
        if last_day is not None:
            self._last_seen[key] = last_day
        self._closed.setdefault(key, []).append(
            Stay(stay.added, day, best, self._places[key], stay.asterisk)
        )

    def _present(self, key: str, position: int, day: date) -> None:
        """Date the stay of a track this version lists as a new object (or a new track)."""
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
            if not earlier and added < current.added:
                current.added, current.asterisk = added, False
            return
        if earlier:
            previous = earlier[-1].removed
            added = max(added, previous) if previous else added
        asterisk = self._versions == 0 and spotify is None
        self._open[key] = _Open(added, asterisk)
        self._best[key] = position

    def result(self, keys: Iterable[str] | None = None) -> list[PlaylistStays]:
        """The stays of ``keys`` (default: every track it ever held)."""
        found = []
        for key in self._tracks if keys is None else keys:
            if key not in self._tracks:
                continue
            stays = list(self._closed.get(key, ()))
            current = self._open.get(key)
            if current is not None and self._day is not None:
                best, latest = self._best[key], self._places[key]
                stays.append(Stay(current.added, None, best, latest, current.asterisk))
                last_seen = self._day
            else:
                last_seen = self._last_seen[key]
            found.append(
                PlaylistStays(
                    self.playlist_id, self.name, self._tracks[key], tuple(stays), last_seen
                )
            )
        return found

    def track_keys(self) -> Iterable[str]:
        return self._tracks.keys()

    def track(self, key: str) -> Track:
        return self._tracks[key]


def _first_places(
    raw: list[str], tracks: tuple[Track, ...]
) -> tuple[dict[str, int], dict[str, Track]]:
    """Each key's first place (1-based) in a version, and its track there, in order."""
    places = dict(zip(raw, range(1, len(raw) + 1), strict=True))
    firsts = dict(zip(raw, tracks, strict=True))
    if len(places) == len(raw):
        return places, firsts
    # a key listed twice: its first place counts (the dicts above kept its last)
    last_places = dict(zip(reversed(raw), range(len(raw), 0, -1), strict=True))
    last_tracks = dict(zip(reversed(raw), reversed(tracks), strict=True))
    return {key: last_places[key] for key in places}, {key: last_tracks[key] for key in places}


def _move(table: dict[str, T], old: str, new: str) -> None:
    if old in table:
        table[new] = table.pop(old)


def fold_stays(versions: Iterable[Version]) -> dict[str, PlaylistStaysFold]:
    """Playlist id -> the stays fold of its versions (of many playlists, interleaved)."""
    folds: dict[str, PlaylistStaysFold] = {}
    for version in versions:
        playlist_id = version.playlist.id
        fold = folds.get(playlist_id)
        if fold is None:
            fold = folds[playlist_id] = PlaylistStaysFold(playlist_id)
        fold.add(version.playlist, version.date.date())
    return folds


def stays_by_track(
    folds: Iterable[PlaylistStaysFold], wanted: Callable[[Track], bool] | None = None
) -> dict[str, list[PlaylistStays]]:
    """Track key -> its stays in every playlist that held it (playlists by name, then id)."""
    found: dict[str, list[PlaylistStays]] = {}
    for fold in folds:
        keys = [key for key in fold.track_keys() if wanted is None or wanted(fold.track(key))]
        for stays in fold.result(keys):
            found.setdefault(stays.track.key, []).append(stays)
    for lives in found.values():
        lives.sort(key=lambda life: (life.playlist_name.casefold(), life.playlist_id))
    return found


def find_track(
    versions: Iterable[Version], query: str, *, merge_duplicates: bool = False
) -> FoundTracks:
    """Every track ``query`` names (:func:`track_matcher`), with its stays in every playlist.

    With ``merge_duplicates``, the other ids of a named track (see
    :mod:`gitarchive.history.duplicates`) are found too and merged with it.
    """
    wanted = track_matcher(query)
    folds = fold_stays(versions).values()
    if merge_duplicates:
        every = (fold.track(key) for fold in folds for key in fold.track_keys())
        found = merge_found(stays_by_track(folds, with_namesakes(every, wanted)), wanted)
    else:
        found = FoundTracks(stays_by_track(folds, wanted), ())
    if not found.stays:
        raise TrackNotFound(f"no archived version of any playlist held the track {query!r}")
    return found


@dataclass(frozen=True, slots=True)
class FoundTracks:
    """Track key -> its stays in every playlist; ``merges`` names the keys merged."""

    stays: dict[str, list[PlaylistStays]]
    merges: tuple[Merge, ...]


def with_namesakes(
    tracks: Iterable[Track], wanted: Callable[[Track], bool]
) -> Callable[[Track], bool]:
    """``wanted``, and every track with the title and artists of a wanted one in ``tracks``:
    the candidates for merging (the durations decide)."""
    # lazy: the duplicates' module and its records (~2 ms) serve --merge-duplicates alone
    from gitarchive.history.duplicates import track_identity

    names = {track_identity(track) for track in tracks if wanted(track)}
    return lambda track: wanted(track) or track_identity(track) in names


def merge_found(
    found: dict[str, list[PlaylistStays]], wanted: Callable[[Track], bool]
) -> FoundTracks:
    """Duplicates merged into one track each, keeping only the tracks ``wanted`` names.

    A merged track has, per playlist, the stays of all its ids, a stay of one
    id running into a stay of another (a relink on that day) being one stay.
    """
    # lazy: see with_namesakes
    from gitarchive.history.duplicates import Merge, duplicate_groups

    merged: dict[str, list[PlaylistStays]] = {}
    merges: list[Merge] = []
    grouped: set[str] = set()
    for group in duplicate_groups(_latest(lives) for lives in found.values()):
        lives = [life for track in group for life in found[track.key]]
        if not any(wanted(life.track) for life in lives):
            continue
        kept = _latest(lives)
        merged[kept.key] = _merge_lives(lives)
        merges.append(Merge(kept, group))
        grouped.update(track.key for track in group)
    for key, lives in found.items():
        if key not in grouped and any(wanted(life.track) for life in lives):
            merged[key] = lives
    return FoundTracks(merged, tuple(merges))


def _merge_lives(lives: list[PlaylistStays]) -> list[PlaylistStays]:
    by_playlist: dict[str, list[PlaylistStays]] = {}
    for life in lives:
        by_playlist.setdefault(life.playlist_id, []).append(life)
    merged = []
    for same in by_playlist.values():
        latest = max(same, key=lambda life: life.last_seen)
        stays = sorted((stay for life in same for stay in life.stays), key=_stay_order)
        merged.append(replace(latest, stays=_coalesce(stays)))
    merged.sort(key=lambda life: (life.playlist_name.casefold(), life.playlist_id))
    return merged


def _stay_order(stay: Stay) -> tuple[date, bool, date]:
    return stay.added, stay.removed is None, stay.removed or stay.added


def _coalesce(stays: list[Stay]) -> tuple[Stay, ...]:
    """Stays (by added date) where one runs into or over the next made one."""
    joined = [stays[0]]
    for stay in stays[1:]:
        last = joined[-1]
        if last.removed is not None and stay.added > last.removed:
            joined.append(stay)
            continue
        later = (
            last if last.removed is None or (stay.removed and stay.removed < last.removed) else stay
        )
        joined[-1] = replace(
            last,
            removed=later.removed,
            best_position=min(last.best_position, stay.best_position),
            latest_position=later.latest_position,
        )
    return tuple(joined)


def _latest(lives: list[PlaylistStays]) -> Track:
    return max(lives, key=lambda life: life.last_seen).track


def tracks_document(query: str, found: FoundTracks) -> dict[str, Any]:
    """``gitarchive track --format json`` (gitarchive/schemas/track.json); a merged track
    lists its ``merged_ids``."""
    # lazy: the timeline module and its Entry record (~2 ms) serve the JSON output alone
    from gitarchive.timeline import track_document

    ids = {merge.kept.key: merge.ids for merge in found.merges}
    tracks = []
    for key, lives in sorted(found.stays.items(), key=lambda item: _order(item[1])):
        document: dict[str, Any] = {"key": key, **track_document(_latest(lives))}
        if key in ids:
            document["merged_ids"] = ids[key]
        document["playlists"] = [_life_document(life) for life in lives]
        tracks.append(document)
    return {"query": query, "tracks": tracks}


def _order(lives: list[PlaylistStays]) -> tuple[str, str]:
    track = _latest(lives)
    return track.name.casefold(), track.key


def _life_document(life: PlaylistStays) -> dict[str, Any]:
    return {
        "id": life.playlist_id,
        "name": life.playlist_name,
        "first": life.first.isoformat(),
        "last": life.last_seen.isoformat(),
        "best_position": life.best_position,
        "latest_position": life.latest_position,
        "stays": [
            {
                "added": stay.added.isoformat(),
                "added_before_archive": stay.added_before_archive,
                "removed": stay.removed.isoformat() if stay.removed else None,
                "best_position": stay.best_position,
                "latest_position": stay.latest_position,
            }
            for stay in life.stays
        ],
    }


def tracks_text(found: FoundTracks) -> str:
    """``gitarchive track``: per track, every playlist that held it and every stay."""
    lines = []
    for key, lives in sorted(found.stays.items(), key=lambda item: _order(item[1])):
        track = _latest(lives)
        artists = ", ".join(artist.name for artist in track.artists)
        count = f"{len(lives)} playlist{'' if len(lives) == 1 else 's'}"
        lines.append(f"{track.name} — {artists} ({track.id or key}): {count}")
        for life in lives:
            lines.append(
                f"  {life.playlist_name} ({life.playlist_id}): first {life.first}, "
                f"last {life.last_seen}, best #{life.best_position}, "
                f"latest #{life.latest_position}"
            )
            for stay in life.stays:
                asterisk = "*" if stay.added_before_archive else ""
                removed = stay.removed.isoformat() if stay.removed else "still there"
                lines.append(
                    f"    {stay.added}{asterisk} → {removed}  "
                    f"best #{stay.best_position}, latest #{stay.latest_position}"
                )
    return "\n".join(lines) + "\n"
