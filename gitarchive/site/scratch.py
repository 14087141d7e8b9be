"""The site's scratch files: what its track pages need, on disk instead of in memory.

A build writes each playlist's page as soon as that playlist is read, so that
its memory does not grow with the number of playlists. Two things span every
playlist, and they are kept in files in a temporary folder:

- which tracks two or more playlists held (:class:`SharedTracks`, SQLite), known
  before any page is written, since the cumulative tables link the shared ones;
- every shared track's stays in each playlist (:class:`StaysFile`, one file per
  batch of playlists, so that worker processes never write the same file), a
  record per track page, read back a page at a time (:func:`pages_of_stays`) to
  write the track pages.
"""

from __future__ import annotations

import marshal
import sqlite3
from contextlib import ExitStack
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from pathlib import Path

    from gitarchive.model import CumulativeView


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
        self._keys: frozenset[str] | None = None

    def __getstate__(self) -> Path:
        return self.path

    def __setstate__(self, path: Path) -> None:
        self.path, self._keys = path, None

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

    def among(self, keys: Iterable[str]) -> frozenset[str]:
        """Which of ``keys`` are shared (the shared keys are read once per process: tens of
        thousands of short strings on a large archive, against a query per playlist)."""
        if self._keys is None:
            status = self.path.stat()
            stamp = (status.st_ino, status.st_size, status.st_mtime_ns)
            self._keys = _shared_keys(self.path, stamp)
        return self._keys.intersection(keys)


def write_held(path: Path, held: Iterable[tuple[str, set[str]]]) -> Path:
    """Each playlist's track keys (those of its cumulative view), read one playlist at a time."""
    connection = _connect(path)
    try:
        # a row per key a playlist held (each playlist's keys a set): a key's rows count
        # its playlists, so the playlist is not written (the rows are made in C by zip)
        connection.execute("CREATE TABLE held (key TEXT NOT NULL)")
        connection.execute("BEGIN")
        for _playlist_id, keys in held:
            connection.executemany("INSERT INTO held VALUES (?)", zip(keys))
        connection.execute("COMMIT")
    finally:
        connection.close()
    return path


def view_keys(views: Iterable[tuple[str, CumulativeView | None]]) -> Iterator[tuple[str, set[str]]]:
    """Each playlist's keys from its cumulative view (where there is no stored one to read)."""
    for playlist_id, view in views:
        if view is not None:
            yield playlist_id, {entry.track.key for entry in view.tracks}


# One track's stays in one playlist, rendered as its track page lists them, with where it
# goes: (page, anchor, order, playlist, last_seen, name, artists, album, url, row). A plain
# tuple, so that a batch's rows are written and read back by marshal (in C, no object per
# field): ``page`` the track page's file name without .html; ``anchor`` the track's name
# there; ``order`` the playlist's name case-folded (the rows' order in a section, then the
# playlist's id); ``last_seen`` the ISO day of the playlist's last version that held the
# track; name, artists (joined), album and url the track as this playlist last listed it
# (the section's heading is that of the latest); ``row`` the playlist's table row.
StayRow = tuple[str, str, str, str, str, str, str, str, "str | None", str]
# where each page's rows are in a batch's file: page -> (offset, length)
PageOffsets = dict[str, tuple[int, int]]
# a row as a page reads it back: without its page
SectionRow = tuple[str, str, str, str, str, str, str, "str | None", str]
_BY_PAGE = itemgetter(0)


class StaysFile:
    """The stays of the shared tracks of one batch of playlists: kept as each playlist is
    read (a batch's are a few thousand rows), written in page order when it ends, each
    page's rows one marshal record, so that the track pages read only their own."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._rows: list[StayRow] = []

    def add(self, rows: Iterable[StayRow]) -> None:
        self._rows.extend(rows)

    def close(self) -> PageOffsets:
        """Write every row, by page; where each page's rows are."""
        # by page only: each page's rows are put in their order as it is read back
        rows, self._rows = sorted(self._rows, key=_BY_PAGE), []
        offsets: PageOffsets = {}
        with self.path.open("xb") as file:
            for page, same in groupby(rows, key=_BY_PAGE):
                record = marshal.dumps([row[1:] for row in same])
                offsets[page] = (file.tell(), len(record))
                file.write(record)
        return offsets


def pages_of_stays(
    files: Sequence[tuple[Path, PageOffsets]], pages: tuple[str, str | None]
) -> Iterator[tuple[str, list[SectionRow]]]:
    """Each page in ``pages`` (from, before; None: no end) that the files hold, in order,
    with its rows from every file (without the page), by anchor, then order, then playlist."""
    low, high = pages
    names = sorted(
        {
            name
            for _path, offsets in files
            for name in offsets
            if low <= name and (high is None or name < high)
        }
    )
    with ExitStack() as stack:
        handles = [(stack.enter_context(path.open("rb")), offsets) for path, offsets in files]
        for name in names:
            rows: list[SectionRow] = []
            for handle, offsets in handles:
                where = offsets.get(name)
                if where is not None:
                    handle.seek(where[0])
                    rows.extend(marshal.loads(handle.read(where[1])))
            rows.sort(key=_SECTION_ORDER)
            yield name, rows


_SECTION_ORDER = itemgetter(0, 1, 2)  # anchor, order, playlist (the page left out)


@lru_cache(maxsize=1)
def _shared_keys(path: Path, _stamp: tuple[int, int, int]) -> frozenset[str]:
    """The shared keys of the file at ``path`` as it is (``_stamp``: its inode, size and
    time), read once per process: each task a worker runs unpickles its own SharedTracks."""
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT key FROM held WHERE playlists >= 2")
        return frozenset(key for (key,) in rows)
    finally:
        connection.close()
