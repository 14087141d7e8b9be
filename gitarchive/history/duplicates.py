"""The same track under two ids (relinked or re-released): which tracks to merge, and the
cumulative view with them merged (``--merge-duplicates``, off by default).

Two tracks are the same when their titles and their artists (in order) match
case-insensitively after trimming, and their durations are at most
:data:`DURATION_TOLERANCE_MS` apart. A track with no Spotify id (a local
file) or no known duration is never merged: nothing but the name would say
it is the same recording. Merging is pure, and a view that merges says so:
every merge is a :class:`Merge` the caller reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gitarchive.history.cumulative import cumulative_sort_key
from gitarchive.model import CumulativeTrack, CumulativeView
from gitarchive.timeline import track_document

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from gitarchive.model import Track

DURATION_TOLERANCE_MS = 2_000


def track_identity(track: Track) -> tuple[str, tuple[str, ...]]:
    """What two ids of one track share: the title and the artists, trimmed and casefolded."""
    return (
        track.name.strip().casefold(),
        tuple(artist.name.strip().casefold() for artist in track.artists),
    )


def duplicate_groups(tracks: Iterable[Track]) -> list[tuple[Track, ...]]:
    """The groups of two or more tracks (distinct keys) that are one track under several ids.

    Within a group every two durations are at most the tolerance apart: a
    group starts at its shortest track and takes the next ones while they
    stay within the tolerance of it, so a chain of near misses never grows
    a group beyond it. Groups and their tracks come shortest first.
    """
    candidates: dict[tuple[str, tuple[str, ...]], dict[str, Track]] = {}
    for track in tracks:
        if track.id is not None and track.duration_ms is not None:
            candidates.setdefault(track_identity(track), {}).setdefault(track.key, track)
    groups: list[tuple[Track, ...]] = []
    for same in candidates.values():
        ordered = sorted(same.values(), key=lambda track: (track.duration_ms or 0, track.key))
        group = [ordered[0]]
        for track in ordered[1:]:
            if (track.duration_ms or 0) - (group[0].duration_ms or 0) <= DURATION_TOLERANCE_MS:
                group.append(track)
                continue
            if len(group) > 1:
                groups.append(tuple(group))
            group = [track]
        if len(group) > 1:
            groups.append(tuple(group))
    return groups


@dataclass(frozen=True, slots=True)
class Merge:
    """One merge: ``tracks`` became one row, shown as ``kept`` (its key is the row's key)."""

    kept: Track
    tracks: tuple[Track, ...]

    @property
    def ids(self) -> list[str]:
        return [track.id or track.key for track in self.tracks]


def merge_report(merges: Iterable[Merge]) -> list[str]:
    """One line per merge: ``merged: Title — Artist (id1) = Title — Artist (id2)``."""
    return ["merged: " + " = ".join(map(_named, merge.tracks)) for merge in merges]


def _named(track: Track) -> str:
    artists = ", ".join(artist.name for artist in track.artists)
    return f"{track.name} — {artists} ({track.id or track.key})"


@dataclass(frozen=True, slots=True)
class MergedCumulative:
    view: CumulativeView
    merges: tuple[Merge, ...]


def merge_cumulative(view: CumulativeView) -> MergedCumulative:
    """The cumulative view with duplicates merged into one row each.

    A merged row is dated from its earliest Added (and that row's ``*``) to
    its latest Removed, or none while any of its ids is still in the
    playlist; it shows the metadata of the id present now (else of the one
    removed last).
    """
    by_key = {entry.track.key: entry for entry in view.tracks}
    groups = duplicate_groups(entry.track for entry in view.tracks)
    merged: set[str] = set()
    rows: list[CumulativeTrack] = []
    merges: list[Merge] = []
    for group in groups:
        entries = [by_key[track.key] for track in group]
        row = _merged_row(entries)
        merged.update(track.key for track in group)
        rows.append(row)
        merges.append(Merge(row.track, group))
    rows.extend(entry for entry in view.tracks if entry.track.key not in merged)
    rows.sort(key=cumulative_sort_key)
    merges.sort(key=lambda merge: _order(merge.kept))
    return MergedCumulative(
        CumulativeView(
            id=view.id,
            name=view.name,
            description=view.description,
            tracks=tuple(rows),
            first_scraped=view.first_scraped,
        ),
        tuple(merges),
    )


def _order(track: Track) -> tuple[str, tuple[str, ...], int, str]:
    return (*track_identity(track), track.duration_ms or 0, track.key)


def _merged_row(entries: Sequence[CumulativeTrack]) -> CumulativeTrack:
    first = min(entries, key=lambda entry: (entry.added, not entry.added_asterisk))
    present = [entry for entry in entries if entry.removed is None]
    if present:
        shown, removed = max(present, key=lambda entry: entry.added), None
    else:
        shown = max(entries, key=lambda entry: (entry.removed or entry.added, entry.added))
        removed = shown.removed
    return CumulativeTrack(
        track=shown.track, added=first.added, added_asterisk=first.added_asterisk, removed=removed
    )


def merged_cumulative_document(merged: MergedCumulative) -> dict[str, Any]:
    """``cumulative --merge-duplicates --format json``: each merged row lists its ``merged_ids``."""
    ids = {merge.kept.key: merge.ids for merge in merged.merges}
    view = merged.view
    tracks = []
    for entry in view.tracks:
        document: dict[str, Any] = {
            **track_document(entry.track),
            "added": entry.added.isoformat(),
            "added_before_archive": entry.added_asterisk,
            "removed": entry.removed.isoformat() if entry.removed else None,
        }
        if entry.track.key in ids:
            document["merged_ids"] = ids[entry.track.key]
        tracks.append(document)
    return {
        "id": view.id,
        "name": view.name,
        "description": view.description,
        "first_scraped": view.first_scraped.isoformat(),
        "tracks": tracks,
    }
