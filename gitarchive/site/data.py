"""A playlist's history as the site's pages show it: compact, JSON-ready documents.

Pure functions and one accumulator over :class:`~gitarchive.history.Version`
objects, oldest first. The steps of a playlist page are exactly the timeline
of ``gitarchive history`` (same ``diff_tracks``, same rule for which versions
count); each step stores only what changed since the previous step, and the
page's script replays them. Track metadata is stored once, in a table.

Encoding of one step (keys kept short: a 2,000-version page carries thousands):

- ``c`` commit, ``d`` date (UTC ISO), ``l`` likes (null when unknown);
- ``n`` name and ``s`` description, present only when they changed;
- ``r``: positions, in the previous step's list, of the removed tracks;
- ``a``: ``[position, track]`` of the added tracks, positions in this step's list;
- ``u``: ``[position, track before]`` of the updated tracks (position in this list);
- ``k``: ``[position, track]`` of kept tracks whose table entry changed;
- ``f``: the whole list, when the kept tracks were reordered (then no ``k``);
- ``m``: ``[position, previous position]`` of the tracks that moved by at least
  ``timeline.DEFAULT_MOVE_THRESHOLD`` places (``history --moves``' rule and default),
  positions in this list and in the previous version's;
- ``p``: the previous version's list, when it is not the previous step's (the first step
  shown after ``--since``, or a version in between that only reordered tracks).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, repeat
from operator import is_
from typing import TYPE_CHECKING, Any

from gitarchive.history import CumulativeFold, TrackDiff, iso_utc
from gitarchive.history.delta import Delta, Tracker, diff_of, without_places
from gitarchive.history.entries import PLAIN_SOURCE, entry_of_diff
from gitarchive.history.moves import moves
from gitarchive.timeline import DEFAULT_MOVE_THRESHOLD, track_document

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime, timedelta

    from gitarchive.history import Version
    from gitarchive.model import CumulativeView, Playlist, Track
    from gitarchive.timeline import Entry, MovedDoc

# A playlist's feed carries its newest steps only: a feed reader wants what is new.
FEED_ENTRIES = 100
# A kept-track change list longer than this is stored as the whole list instead.
_MAX_KEPT_CHANGES = 16


def iso_date(moment: datetime) -> str:
    """``iso_utc`` of a version's date, made once per commit: a site formats the date of
    every version (its step, its likes, its feed entry), and every playlist a commit changed
    shares it; strftime was ~2% of a build."""
    # keyed by the offset too: two equal instants at other offsets are equal datetimes,
    # but iso_utc writes each one's own clock
    return _iso_date(moment, moment.utcoffset())


@lru_cache(maxsize=4096)  # bounded: dates of commits, not of playlists
def _iso_date(moment: datetime, _offset: timedelta | None) -> str:
    return iso_utc(moment)


@dataclass(slots=True)
class Summary:
    """What the index page lists for one playlist."""

    id: str
    name: str
    tracks: int
    versions: int
    last_change: str  # ISO date of the last content change
    likes: list[tuple[str, int]]  # (ISO UTC time, likes), one point per change of likes


class TrackTable:
    """Distinct track displays, numbered in order of first appearance.

    Tracks read from git are shared objects (the readers cache them), so the
    identity memo answers almost every lookup without hashing a Track.
    """

    def __init__(self) -> None:
        self.rows: list[list[Any]] = []
        self._by_display: dict[tuple[str, tuple[str, ...], str, str | None], int] = {}
        self._by_identity: dict[int, int] = {}
        self._alive: list[Track] = []  # keeps memoised ids from being reused

    def index(self, track: Track) -> int:
        found = self._by_identity.get(id(track))
        if found is not None:
            return found
        artists = tuple(artist.name for artist in track.artists)
        display = (track.name, artists, track.album.name, track.url)
        found = self._by_display.get(display)
        if found is None:
            found = self._by_display[display] = len(self.rows)
            self.rows.append([track.name, list(artists), track.album.name, track.url])
        self._by_identity[id(track)] = found
        self._alive.append(track)
        return found

    def indices(self, tracks: Sequence[Track]) -> list[int]:
        found: list[int | None] = list(map(self._by_identity.get, map(id, tracks)))
        if None in found:  # the few tracks not seen before, found in C
            for position in list(compress(range(len(found)), map(is_, found, repeat(None)))):
                found[position] = self.index(tracks[position])
        return found  # type: ignore[return-value]  # no None left


def _content_changed(previous: Playlist | None, playlist: Playlist, diff: TrackDiff) -> bool:
    """Whether a version is a step: the rule of ``timeline.Entry.content_changed``."""
    return (
        previous is None
        or bool(diff)
        or previous.display_name != playlist.display_name
        or previous.description != playlist.description
    )


def _encode_moves(
    step: dict[str, Any], before_keys: list[str], after_keys: list[str], tracks: Sequence[Track]
) -> tuple[MovedDoc, ...]:
    """Mark the step's moves (``m``); the same moves for the version's entry (its feed)."""
    if before_keys == after_keys or same_order(before_keys, after_keys):
        return ()
    found = [
        (index, old, new, distance)
        for index, old, new, distance in moves(before_keys, after_keys)
        if distance >= DEFAULT_MOVE_THRESHOLD
    ]
    if found:
        step["m"] = [[new - 1, old - 1] for _index, old, new, _distance in found]
    return tuple(
        (track_document(tracks[index]), old, new, distance) for index, old, new, distance in found
    )


def same_order(before_keys: list[str], after_keys: list[str]) -> bool:
    """Whether the tracks in both lists keep their order, each key listed once in each: then
    no rank changed, so nothing moved (``moves`` would find nothing, at a far higher cost)."""
    before, after = set(before_keys), set(after_keys)
    if len(before) != len(before_keys) or len(after) != len(after_keys):
        return False
    return list(filter(after.__contains__, before_keys)) == list(
        filter(before.__contains__, after_keys)
    )


def _positions(sequence: Sequence[Track], chosen: Sequence[Track]) -> list[int]:
    """Where ``chosen`` (a subsequence of ``sequence``, by identity) sits, matching from the end.

    ``diff_tracks`` reports the *last* surplus occurrences of a track, so the
    match runs backwards: of several equal occurrences the last ones are taken.
    """
    found: list[int] = []
    wanted = len(chosen) - 1
    for position in range(len(sequence) - 1, -1, -1):
        if wanted < 0:
            break
        if sequence[position] is chosen[wanted]:
            found.append(position)
            wanted -= 1
    if wanted >= 0:  # not a subsequence by identity: fall back to equality
        return _positions_by_equality(sequence, chosen)
    found.reverse()
    return found


def _positions_by_equality(sequence: Sequence[Track], chosen: Sequence[Track]) -> list[int]:
    found: list[int] = []
    wanted = len(chosen) - 1
    for position in range(len(sequence) - 1, -1, -1):
        if wanted >= 0 and sequence[position] == chosen[wanted]:
            found.append(position)
            wanted -= 1
    found.reverse()
    return found


def _first_positions(sequence: Sequence[Track], chosen: Sequence[Track]) -> list[int]:
    """Positions of the first occurrence of each of ``chosen`` (updates name a key's first one)."""
    where: dict[int, int] = {}
    for position, track in enumerate(sequence):
        where.setdefault(id(track), position)
    result: list[int] = []
    for track in chosen:
        found = where.get(id(track))
        if found is None:
            found = next(i for i, other in enumerate(sequence) if other == track)
        result.append(found)
    return result


@dataclass(slots=True)
class PlaylistHistory:
    """Folds one playlist's versions, oldest first, into its page document.

    ``since``: steps before it are not shown (the cumulative view and the
    likes still cover every version, as ``gitarchive cumulative`` does).
    """

    playlist_id: str
    since: datetime | None = None
    table: TrackTable = field(default_factory=TrackTable)
    steps: list[dict[str, Any]] = field(default_factory=list)
    likes: list[tuple[str, int]] = field(default_factory=list)
    fold: CumulativeFold = field(default_factory=CumulativeFold)
    versions_seen: int = 0
    # the newest steps as timeline entries, for the feeds and the changes page (a feed's
    # worth unless given longer: the site keeps what its site-wide lists may show)
    entries: deque[Entry] = field(default_factory=lambda: deque(maxlen=FEED_ENTRIES))
    _previous: Playlist | None = None
    _previous_indices: list[int] | None = None  # the last shown step's list
    _shown: Playlist | None = None
    _last_likes: int | None = None
    _tracker: Tracker = field(default_factory=Tracker)
    _delta: Delta | None = None  # the tracker's, from the version before the last to the last
    _key_list: list[str] = field(default_factory=list)  # the last version's keys, in order
    _ordered: bool = False  # the last version lists its tracks in playlist order
    _view: CumulativeView | None = None  # the fold's view, once every version is added
    _view_keys: list[str] = field(default_factory=list)  # its tracks' keys, in order

    def add(self, version: Version) -> None:
        playlist = version.playlist
        previous = self._previous
        self.versions_seen += 1
        likes = playlist.num_followers
        if likes is not None and likes != self._last_likes:
            self.likes.append((iso_date(version.date), likes))
            self._last_likes = likes
        before_keys, was_ordered = self._key_list, self._ordered
        diff = self._diff(previous, playlist)
        self.fold.add(playlist, version.date.date(), self._delta)
        self._previous = playlist
        self._ordered = version.source != PLAIN_SOURCE  # a plain file lists tracks sorted
        if _content_changed(previous, playlist, diff) and (
            self.since is None or version.date >= self.since
        ):
            step = self._step(version, previous, diff)
            moved: tuple[MovedDoc, ...] = ()
            if previous is not None and was_ordered and self._ordered:
                moved = _encode_moves(step, before_keys, self._key_list, playlist.tracks)
            self.steps.append(step)
            # a first version is shown as its count of tracks: its entry need not carry them all
            shown = diff if previous is not None else TrackDiff(added=(), removed=(), updated=())
            self.entries.append(entry_of_diff(version, previous, shown, moved))

    def _diff(self, previous: Playlist | None, playlist: Playlist) -> TrackDiff:
        """``diff_tracks(previous, playlist)``, from the tracker's delta (kept for the
        cumulative and stays folds: :attr:`delta`), which finds the track objects that are
        new and gone in C; the version's keys kept in order (:attr:`keys`)."""
        delta = self._tracker.step(
            previous.tracks if previous is not None else None, playlist.tracks
        )
        self._delta = delta
        self._key_list = self._tracker.keys()
        return diff_of(delta)

    def _step(self, version: Version, previous: Playlist | None, diff: TrackDiff) -> dict[str, Any]:
        playlist = version.playlist
        table = self.table
        step: dict[str, Any] = {
            "c": version.commit,
            "d": iso_date(version.date),
            "l": playlist.num_followers,
        }
        shown = self._shown
        if shown is None or shown.display_name != playlist.display_name:
            step["n"] = playlist.display_name
        if shown is None or shown.description != playlist.description:
            step["s"] = playlist.description
        new = table.indices(playlist.tracks)
        removed = _positions(previous.tracks, diff.removed) if previous is not None else []
        added = _positions(playlist.tracks, diff.added)
        if previous is None:
            old = []
        elif previous is self._shown and self._previous_indices is not None:
            old = self._previous_indices
        else:
            old = table.indices(previous.tracks)
        if previous is not None and old != self._previous_indices:
            # earlier steps left out (--since), or a reorder-only version in between
            step["p"] = old
        if removed:
            step["r"] = removed
        if added:
            step["a"] = [[position, new[position]] for position in added]
        if diff.updated:
            befores = [update.before for update in diff.updated]
            afters = [update.after for update in diff.updated]
            step["u"] = [
                [position, table.index(before)]
                for position, before in zip(
                    _first_positions(playlist.tracks, afters), befores, strict=True
                )
            ]
        self._encode_kept(step, old, new, set(removed), set(added))
        self._previous_indices = new
        self._shown = playlist
        return step

    @staticmethod
    def _encode_kept(
        step: dict[str, Any], old: list[int], new: list[int], removed: set[int], added: set[int]
    ) -> None:
        # most steps change no kept track's row: compared in C, the few places dropped
        kept_old, kept_new = without_places(old, removed), without_places(new, added)
        if kept_new == kept_old:
            return
        kept_positions = [position for position in range(len(new)) if position not in added]
        changes = [
            [position, new[position]]
            for position, before in zip(kept_positions, kept_old, strict=True)
            if new[position] != before
        ]
        if len(changes) > _MAX_KEPT_CHANGES:
            step["f"] = new
        elif changes:
            step["k"] = changes

    def document(
        self, *, github: str | None, track_pages: Callable[[str], str | None] | None = None
    ) -> dict[str, Any]:
        """The page's data: embedded as JSON and replayed by the page's script.

        ``track_pages``: a track key -> the href of its track page, None for none.
        """
        view = self.cumulative_view()
        cumulative = []
        if view is not None:
            cumulative = [
                [
                    self.table.index(entry.track),
                    entry.added.isoformat(),
                    entry.added_asterisk,
                    entry.removed.isoformat() if entry.removed else None,
                ]
                for entry in view.tracks
            ]
            if track_pages is not None:
                for row, entry in zip(cumulative, view.tracks, strict=True):
                    href = track_pages(entry.track.key)
                    if href is not None:
                        row.append(href)
        return {
            "id": self.playlist_id,
            "github": github,
            "tracks": self.table.rows,
            "versions": self.steps,
            "likes": self.likes,
            "cumulative": cumulative,
        }

    def cumulative_view(self) -> CumulativeView | None:
        """The cumulative view of every version added (computed once: call it at the end)."""
        if self._view is None:
            self._view, self._view_keys = self.fold.keyed_view()
        return self._view

    def cumulative_keys(self) -> list[str]:
        """The keys (``Track.key``) of the cumulative view's tracks, in its order."""
        self.cumulative_view()
        return self._view_keys

    def summary(self) -> Summary | None:
        latest = self._previous
        if latest is None:
            return None
        last_change = self.steps[-1]["d"][:10] if self.steps else ""
        return Summary(
            id=self.playlist_id,
            name=latest.display_name,
            tracks=len(latest.tracks),
            versions=len(self.steps),
            last_change=last_change,
            likes=self.likes,
        )

    @property
    def delta(self) -> Delta | None:
        """The tracker's delta of the last version's tracks (from the version before it)."""
        return self._delta

    @property
    def keys(self) -> list[str]:
        """The last version's tracks' keys (``Track.key``), in order: not to be changed."""
        return self._key_list

    @property
    def name(self) -> str:
        return self._previous.display_name if self._previous is not None else self.playlist_id

    @property
    def description(self) -> str:
        return self._previous.description if self._previous is not None else ""


def replay(document: dict[str, Any]) -> list[list[int]]:
    """Every step's track list, as the page's script rebuilds it (for tests and checks)."""
    lists: list[list[int]] = []
    current: list[int] = []
    for step in document["versions"]:
        previous = list(step.get("p", current))
        if "f" in step:
            current = list(step["f"])
        else:
            removed = set(step.get("r", ()))
            current = [index for position, index in enumerate(previous) if position not in removed]
            for position, index in step.get("a", ()):
                current.insert(position, index)
            for position, index in step.get("k", ()):
                current[position] = index
        lists.append(current)
    return lists
