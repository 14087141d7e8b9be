"""What changed everywhere: every playlist's timeline entries, newest first, grouped by day.

Pure functions over :class:`gitarchive.timeline.Entry` timelines (one per
playlist, oldest first, as ``history`` reads them): ``gitarchive changes``
prints them, and the site's ``changes.html`` and ``feed.atom`` show the newest
of them. A change is a listed entry (``Entry.listed(likes=False)``, the rule of
``history`` without ``--likes``), so each playlist's changes are exactly its
``history``.
"""

from __future__ import annotations

import heapq
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gitarchive.history import iso_utc
from gitarchive.history.documents import track_change_lines, track_title
from gitarchive.likes import with_followers

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence
    from datetime import datetime

    from gitarchive.git import Store
    from gitarchive.index import ChangeIndex
    from gitarchive.timeline import Entry


@dataclass(frozen=True, slots=True)
class Change:
    """One listed version of one playlist, with the name the playlist has now."""

    playlist_id: str
    playlist_name: str
    entry: Entry

    @property
    def day(self) -> str:
        return f"{self.entry.date:%Y-%m-%d}"


def read_timelines(store: Store, index: ChangeIndex) -> dict[str, list[Entry]]:
    """Every archived playlist's timeline, oldest first, as ``history`` reads each one.

    The caught-up change index knows where every version is (a persistent one
    without reading a blob; else it is built by a walk of the log), and gives
    each playlist's entries; likes missing from the files come from the
    followers record, as in ``history``.
    """
    return {
        playlist_id: with_followers(
            store, playlist_id, index.entries(playlist_id), index.followers_blob
        )
        for playlist_id in index.playlist_ids()
    }


def _order(change: Change) -> tuple[datetime, str, str]:
    return change.entry.date, change.playlist_id, change.entry.commit


def playlist_changes(
    playlist_id: str, entries: Sequence[Entry], *, since: datetime | None = None
) -> list[Change]:
    """The playlist's listed entries on or after ``since``, newest first."""
    if not entries:
        return []
    name = entries[-1].name
    return [
        Change(playlist_id, name, entry)
        for entry in reversed(entries)
        if entry.listed(likes=False) and (since is None or entry.date >= since)
    ]


def newest(changes: Iterable[Change], limit: int | None = None) -> list[Change]:
    """``changes`` newest first (ties: by playlist id, then commit, reversed), at most ``limit``."""
    if limit is None:
        return sorted(changes, key=_order, reverse=True)
    return heapq.nlargest(limit, changes, key=_order)


def collect(
    timelines: Mapping[str, Sequence[Entry]],
    *,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[Change]:
    """Every playlist's changes on or after ``since``, newest first, at most ``limit``."""
    return newest(
        (
            change
            for playlist_id, entries in timelines.items()
            for change in playlist_changes(playlist_id, entries, since=since)
        ),
        limit,
    )


def by_day(changes: Sequence[Change]) -> list[tuple[str, list[Change]]]:
    """``changes`` (newest first) grouped by their UTC day, newest day first."""
    days: list[tuple[str, list[Change]]] = []
    for change in changes:
        if not days or days[-1][0] != change.day:
            days.append((change.day, []))
        days[-1][1].append(change)
    return days


def likes_delta(entry: Entry) -> int | None:
    """How the likes changed since the previous version, when both are known."""
    if entry.first or entry.likes is None or entry.previous_likes is None:
        return None
    return entry.likes - entry.previous_likes


def change_document(change: Change) -> dict[str, Any]:
    """One change as ``changes --format json`` writes it (gitarchive/schemas/changes.json)."""
    entry = change.entry
    return {
        "playlist": change.playlist_id,
        "playlist_name": change.playlist_name,
        "commit": entry.commit,
        "date": iso_utc(entry.date),
        "name": entry.name,
        "description": entry.description,
        "likes": entry.likes,
        "previous_likes": None if entry.first else entry.previous_likes,
        "added": list(entry.added),
        "removed": list(entry.removed),
        "updated": [{"before": before, "after": after} for before, after in entry.updated],
    }


def changes_json(changes: Sequence[Change], *, since: datetime | None) -> str:
    """``changes --format json``: the days, newest first, each with its changes."""
    document = {
        "since": iso_utc(since) if since is not None else None,
        "days": [
            {"day": day, "changes": [change_document(change) for change in group]}
            for day, group in by_day(changes)
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def summary(entry: Entry) -> str:
    """A version in a few words: ``+3 −1 ~1 · likes +20``."""
    if entry.first:
        parts = [f"first archived version, {entry.track_count} tracks"]
    else:
        parts = [
            f"{sign}{len(items)}"
            for sign, items in (("+", entry.added), ("−", entry.removed), ("~", entry.updated))
            if items
        ]
        if entry.name_changed:
            parts.append("renamed")
        if entry.description_changed:
            parts.append("new description")
    delta = likes_delta(entry)
    if delta:
        parts.append(f"likes {delta:+,}")
    return " ".join(parts) if parts else "no change shown"


def changes_text(changes: Sequence[Change]) -> Iterator[tuple[str, str | None]]:
    """``changes``' text lines as (line, style): a heading per day, then each change."""
    for day, group in by_day(changes):
        yield day, "bold"
        for change in group:
            entry = change.entry
            yield (
                f"  {entry.date:%H:%M} {change.playlist_name} ({change.playlist_id}) "
                f"{entry.commit[:12]}: {summary(entry)}",
                None,
            )
            if entry.first:
                continue
            yield from track_change_lines(entry, "      ", track_title)
        yield "", None
