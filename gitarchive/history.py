"""History: versions, diffs, timelines and the cumulative view.

Pure functions over model objects: nothing here touches git, files or the
network. gitarchive.git walks the log; formats reads them into Playlists.

The cumulative view is a fold: ``update_cumulative(previous_view, version,
day)`` over every version, oldest first. ``sync`` applies one step of that fold
to the committed view, ``gitarchive cumulative`` applies all of them, so the
two agree by construction.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gitarchive.model import CumulativeTrack, CumulativeView

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from collections.abc import Set as AbstractSet
    from datetime import date, datetime

    from gitarchive.model import Playlist, Track

LINE_KEY_PREFIX = "line:"


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


# ------------------------------------------------------------------ track identity


def line_key(track: Track) -> str:
    """The key a track read from a plain file has: its plain line, case-folded."""
    return LINE_KEY_PREFIX + track.plain_line.casefold()


def align_keys(
    old: Mapping[str, Track],
    new_tracks: Sequence[Track],
    keys: list[str] | None = None,
    *,
    old_sides: tuple[Iterable[str], Iterable[str]] | None = None,
    new_keys: AbstractSet[str] | None = None,
) -> list[str]:
    """Keys for ``new_tracks``, matched across the plain/JSON boundary.

    A track read from a plain file (or a local file) has no Spotify id and is
    keyed by its line; the same track read from JSON is keyed by its id. When a
    new track's key is unknown in ``old``, and ``old`` holds an entry on the
    other side of that boundary with the same plain line that is gone from the
    new version, the new track takes that entry's key. So the switch from an
    archive's plain-only versions to JSON versions is not every track removed
    and re-added. Each old entry is claimed at most once; among several old
    entries with the same line the smallest key wins (independent of order).

    ``keys`` (the tracks' own keys, if already known) is updated in place.
    ``old_sides`` optionally gives ``old``'s line-keyed and id-keyed keys, so
    that a caller keeping them apart spares scanning every old entry.
    ``new_keys``: every key of the new version, when ``new_tracks`` are only
    the tracks that changed (the others are known to be in ``old``).
    """
    if keys is None:
        keys = [track.key for track in new_tracks]
    unmatched = [index for index, key in enumerate(keys) if key not in old]
    if not unmatched or not old:
        return keys
    need_line_side = need_id_side = False
    for index in unmatched:
        if keys[index].startswith(LINE_KEY_PREFIX):
            need_id_side = True
        else:
            need_line_side = True
    candidates: Iterable[str]
    if old_sides is None:
        candidates = old.keys()
    else:
        line_side, id_side = old_sides
        candidates = itertools.chain(
            line_side if need_line_side else (), id_side if need_id_side else ()
        )
    present = set(keys) if new_keys is None else new_keys
    line_spare: dict[str, str] = {}  # line key -> old line-keyed entry, for new id keys
    id_spare: dict[str, str] = {}  # line key -> old id-keyed entry, for new line keys
    for key in candidates:
        if key in present:
            continue
        if key.startswith(LINE_KEY_PREFIX):
            if need_line_side:
                line_spare[key] = key
        elif need_id_side:
            line = line_key(old[key])
            if line not in id_spare or key < id_spare[line]:
                id_spare[line] = key
    if not line_spare and not id_spare:
        return keys
    # decide once per distinct key, by its first occurrence, so that every
    # occurrence of a key maps the same way
    claimed: dict[str, str] = {}  # new key -> old key
    decided: set[str] = set()
    for index in unmatched:
        key = keys[index]
        if key in decided:
            continue
        decided.add(key)
        if key.startswith(LINE_KEY_PREFIX):
            candidate = id_spare.pop(key, None)
        else:
            candidate = line_spare.pop(line_key(new_tracks[index]), None)
        if candidate is not None:
            claimed[key] = candidate
    if claimed:
        for index in unmatched:
            keys[index] = claimed.get(keys[index], keys[index])
    return keys


def _same_metadata(before: Track, after: Track) -> bool:
    if before.url is None or after.url is None:
        # plain files carry no ids and split lines best-effort: compare lines
        return before.plain_line.casefold() == after.plain_line.casefold()
    return (
        before.name == after.name
        and before.album.name == after.album.name
        and tuple(artist.name for artist in before.artists)
        == tuple(artist.name for artist in after.artists)
    )


# ------------------------------------------------------------------ versions, diffs


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
    selected = [
        change
        for change in changes
        if (since is None or change.version.date >= since)
        and (until is None or change.version.date <= until)
    ]
    if limit is not None:
        selected = selected[-limit:] if limit > 0 else []
    if reverse:
        selected.reverse()
    return selected


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
        self._last_keys: dict[int, str] = {}  # id(track) -> key, for the last version's tracks
        self._last_ids: set[int] = set()
        self._last_key_set: set[str] = set()
        self._unique = False  # the last version listed each key once
        self._playlist: Playlist | None = None
        self._first_scraped: date | None = None
        self._last_day: date | None = None

    def add(self, playlist: Playlist, day: date) -> None:
        if self._playlist is None or self._last_day is None or day < self._last_day:
            self._load(update_cumulative(self.view(), playlist, day), playlist, day)
            return
        tracks = playlist.tracks
        id_set = set(map(id, tracks))
        if not (
            self._unique and len(id_set) == len(tracks) and self._add_changed(tracks, id_set, day)
        ):
            self._add_all(tracks, id_set, day)
        self._last_tracks = tracks  # keeps the ids of _last_keys alive and unique
        self._playlist = playlist
        self._last_day = day

    def _add_changed(self, tracks: tuple[Track, ...], id_set: set[int], day: date) -> bool:
        """The step when only a few track objects changed; False: take the full step.

        Both versions must list each key once (then a key is one object, and
        the objects present in both versions are exactly the unchanged entries).
        """
        added_ids = id_set - self._last_ids
        removed_ids = self._last_ids - id_set
        if len(added_ids) + len(removed_ids) > 64:
            return False
        added = [track for track in tracks if id(track) in added_ids] if added_ids else []
        added_keys = [track.key for track in added]
        removed_keys = {self._last_keys[i] for i in removed_ids}
        key_set = self._last_key_set - removed_keys
        if len(set(added_keys)) != len(added_keys) or not key_set.isdisjoint(added_keys):
            return False
        key_set.update(added_keys)
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
        last_keys = self._last_keys
        for i in removed_ids:
            del last_keys[i]
        last_keys.update(zip(map(id, added), added_keys, strict=True))
        self._last_ids = id_set
        self._last_key_set = key_set
        return True

    def _add_all(self, tracks: tuple[Track, ...], id_set: set[int], day: date) -> None:
        known = self._last_keys
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
        playlist = self._playlist
        if playlist is None or self._first_scraped is None:
            return None
        return CumulativeView(
            id=playlist.id,
            name=playlist.display_name,
            description=playlist.description,
            tracks=tuple(sorted(self._entries.values(), key=cumulative_sort_key)),
            first_scraped=self._first_scraped,
        )


# ------------------------------------------------------------------ output documents


def iso_utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def track_document(track: Track) -> dict[str, Any]:
    return {
        "id": track.id,
        "name": track.name,
        "artists": [artist.name for artist in track.artists],
        "album": track.album.name,
        "url": track.url,
        "duration_ms": track.duration_ms,
    }


def history_document(playlist_id: str, name: str, changes: Iterable[Change]) -> dict[str, Any]:
    """The documented JSON of ``gitarchive history --format json`` (docs/history.md)."""
    return {
        "id": playlist_id,
        "name": name,
        "versions": [
            {
                "commit": change.version.commit,
                "date": iso_utc(change.version.date),
                "name": change.playlist.display_name,
                "description": change.playlist.description,
                "likes": change.playlist.num_followers,
                "added": [track_document(track) for track in change.diff.added],
                "removed": [track_document(track) for track in change.diff.removed],
                "updated": [
                    {"before": track_document(update.before), "after": track_document(update.after)}
                    for update in change.diff.updated
                ],
            }
            for change in changes
        ],
    }


def cumulative_document(view: CumulativeView) -> dict[str, Any]:
    """The documented JSON of ``gitarchive cumulative --format json``."""
    return {
        "id": view.id,
        "name": view.name,
        "description": view.description,
        "first_scraped": view.first_scraped.isoformat(),
        "tracks": [
            {
                **track_document(entry.track),
                "added": entry.added.isoformat(),
                "added_before_archive": entry.added_asterisk,
                "removed": entry.removed.isoformat() if entry.removed else None,
            }
            for entry in view.tracks
        ],
    }


def dump_json(document: object) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = (
    "id",
    "name",
    "artists",
    "album",
    "url",
    "duration_ms",
    "added",
    "added_before_archive",
    "removed",
)


def cumulative_csv(view: CumulativeView) -> str:
    """One row per track; artists joined with ", " as in plain files."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for entry in view.tracks:
        track = entry.track
        writer.writerow(
            (
                track.id or "",
                track.name,
                ", ".join(artist.name for artist in track.artists),
                track.album.name,
                track.url or "",
                "" if track.duration_ms is None else track.duration_ms,
                entry.added.isoformat(),
                "true" if entry.added_asterisk else "false",
                entry.removed.isoformat() if entry.removed else "",
            )
        )
    return buffer.getvalue()


_MD_SPECIAL = str.maketrans({char: "\\" + char for char in "\\`*_[]()#|~<>"})


def _md(text: str) -> str:
    return " ".join(text.translate(_MD_SPECIAL).splitlines())


def _md_track(track: Track) -> str:
    artists = ", ".join(artist.name for artist in track.artists)
    title = f"[{_md(track.name)}]({track.url})" if track.url else _md(track.name)
    return f"{title} — {_md(artists)} — {_md(track.album.name)}"


def format_likes_plain(likes: int | None) -> str:
    return "??? likes" if likes is None else f"{likes:,} like{'' if likes == 1 else 's'}"


def timeline_markdown(
    name: str, playlist_id: str, changes: Iterable[Change], *, likes: bool
) -> str:
    """The timeline as markdown, for pasting into issues or notes."""
    lines = [f"# History of {_md(name)}", "", f"<https://open.spotify.com/playlist/{playlist_id}>"]
    for change in changes:
        version = change.version
        lines += ["", f"## {version.date:%Y-%m-%d %H:%M} UTC — `{version.commit[:12]}`", ""]
        playlist = change.playlist
        if change.name_changed and change.previous is not None:
            lines.append(
                f"- Renamed: {_md(change.previous.display_name)} → {_md(playlist.display_name)}"
            )
        if change.description_changed:
            lines.append(f"- Description: {_md(playlist.description)}")
        if likes:
            lines.append(f"- Likes: {format_likes_plain(playlist.num_followers)}")
        lines += [f"- Added: {_md_track(track)}" for track in change.diff.added]
        lines += [f"- Removed: {_md_track(track)}" for track in change.diff.removed]
        lines += [
            f"- Updated: {_md_track(update.before)} → {_md_track(update.after)}"
            for update in change.diff.updated
        ]
        if lines[-1] == "":
            lines.append("- (no track changes)")
    return "\n".join(lines) + "\n"
