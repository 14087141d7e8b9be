"""The site's scratch files: what its track pages need, on disk instead of in memory.

A build writes each playlist's page as soon as that playlist is read, so that
its memory does not grow with the number of playlists. Two things span every
playlist, and they are kept in SQLite files in a temporary folder:

- which tracks two or more playlists held (:class:`SharedTracks`), known before
  any page is written, since the cumulative tables link the shared ones;
- every shared track's stays in each playlist (:class:`StaysFile`, one file per
  batch of playlists, so that worker processes never write the same file),
  read back in page order (:func:`merged_stays`) to write the track pages.
"""

from __future__ import annotations

import heapq
import sqlite3
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

    from gitarchive.model import CumulativeView

# SQLite's default bound on the parameters of one statement is 32,766; stay well under it.
_BATCH = 500


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    # a scratch file: nothing survives a crash of the build, so nothing is synced
    connection.execute("PRAGMA journal_mode = OFF")
    connection.execute("PRAGMA synchronous = OFF")
    return connection


class SharedTracks:
    """The keys of the tracks two or more of the site's playlists held, in a file.

    Picklable (it is its path): a worker process opens the file for reading.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None

    def __getstate__(self) -> Path:
        return self.path

    def __setstate__(self, path: Path) -> None:
        self.path, self._connection = path, None

    @classmethod
    def combine(cls, path: Path, parts: Iterable[Path]) -> SharedTracks:
        """From the files :func:`write_held` wrote (each for other playlists)."""
        connection = _connect(path)
        try:
            connection.execute(
                "CREATE TABLE held (key TEXT PRIMARY KEY, playlists INTEGER NOT NULL) WITHOUT ROWID"
            )
            for part in parts:
                connection.execute("ATTACH DATABASE ? AS part", (str(part),))
                # WHERE true: an upsert after a SELECT needs one (SQLite's grammar)
                connection.execute(
                    "INSERT INTO held SELECT key, count(*) FROM part.held WHERE true GROUP BY key"
                    " ON CONFLICT (key) DO UPDATE SET playlists = playlists + excluded.playlists"
                )
                connection.execute("DETACH DATABASE part")
        finally:
            connection.close()
        return cls(path)

    def among(self, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` are shared."""
        if self._connection is None:
            self._connection = _reader(self.path)
        found: set[str] = set()
        keys = iter(set(keys))
        while batch := list(islice(keys, _BATCH)):
            marks = ",".join("?" * len(batch))
            rows = self._connection.execute(
                f"SELECT key FROM held WHERE playlists >= 2 AND key IN ({marks})", batch
            )
            found.update(key for (key,) in rows)
        return found


def write_held(path: Path, held: Iterable[tuple[str, set[str]]]) -> Path:
    """Each playlist's track keys (those of its cumulative view), read one playlist at a time."""
    connection = _connect(path)
    try:
        connection.execute("CREATE TABLE held (key TEXT NOT NULL, playlist TEXT NOT NULL)")
        connection.execute("BEGIN")
        for playlist_id, keys in held:
            connection.executemany(
                "INSERT INTO held VALUES (?, ?)", ((key, playlist_id) for key in keys)
            )
        connection.execute("COMMIT")
    finally:
        connection.close()
    return path


def view_keys(views: Iterable[tuple[str, CumulativeView | None]]) -> Iterator[tuple[str, set[str]]]:
    """Each playlist's keys from its cumulative view (where there is no stored one to read)."""
    for playlist_id, view in views:
        if view is not None:
            yield playlist_id, {entry.track.key for entry in view.tracks}


@dataclass(frozen=True, slots=True)
class StayRow:
    """One track's stays in one playlist, rendered as its track page lists them, with where
    it goes (rendered as the playlist is read: what is kept and merged is text)."""

    page: str  # the track page's file name, without .html
    anchor: str  # the track's anchor on that page
    playlist: str  # the playlist's id
    order: str  # the playlist's name, case-folded: the rows' order in a section, then the id
    last_seen: str  # ISO day of the playlist's last version that held the track
    head: str  # the section's heading, of the track as this playlist last listed it
    row: str  # the table row of this playlist


_COLUMNS = "page, anchor, playlist, ord, last_seen, head, row"


class StaysFile:
    """The stays of the shared tracks of one batch of playlists, appended as each is read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection = _connect(path)
        self._connection.execute(f"CREATE TABLE stays ({_COLUMNS})")
        self._connection.execute("BEGIN")

    def add(self, rows: Iterable[StayRow]) -> None:
        self._connection.executemany(
            "INSERT INTO stays VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (row.page, row.anchor, row.playlist, row.order, row.last_seen, row.head, row.row)
                for row in rows
            ),
        )

    def close(self) -> None:
        """Commit every row (one transaction for the batch: a scratch file), and index them."""
        self._connection.execute("COMMIT")
        self._connection.execute("CREATE INDEX stays_order ON stays (page, anchor, playlist)")
        self._connection.close()


def _reader(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    # one is open per batch of playlists at once: SQLite's default cache (2 MB) each would
    # make memory grow with the number of playlists; the reads are in index order anyway
    connection.execute("PRAGMA cache_size = -128")
    return connection


def merged_stays(paths: Iterable[Path], pages: tuple[str, str | None]) -> Iterator[StayRow]:
    """The rows of these files whose page is in ``pages`` (from, before; None: no end), by
    page, then anchor, then playlist id (streamed)."""
    connections = [_reader(path) for path in paths]
    low, high = pages
    bound = "" if high is None else " AND page < :high"
    try:
        cursors = [
            connection.execute(
                f"SELECT {_COLUMNS} FROM stays WHERE page >= :low"
                f"{bound} ORDER BY page, anchor, playlist",
                {"low": low, "high": high},
            )
            for connection in connections
        ]
        for columns in heapq.merge(*cursors):
            yield StayRow(*columns)
    finally:
        for connection in connections:
            connection.close()
