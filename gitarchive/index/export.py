"""``gitarchive export sqlite``: the change index as a database people explore.

Normalised for Datasette (docs/export.md): playlists, versions (likes over
time), tracks and artists, the change events, the cumulative view, the stays
(:mod:`gitarchive.tracks`); foreign keys, indexes, full-text search on names.
Every fact comes from the caught-up change index, so it states what ``history
--format json`` and ``cumulative --format json`` state (a test checks it for
every demo playlist); the stays' positions from the versions it located.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from gitarchive.errors import ExportError, LockedError, PlaylistNotFound
from gitarchive.exports.target import staged
from gitarchive.history import track_document
from gitarchive.index import db, stored
from gitarchive.tracks import PlaylistStaysFold
from gitarchive.versions import versions_of_sources

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from gitarchive.git import Store
    from gitarchive.index import ChangeIndex
    from gitarchive.model import CumulativeView
    from gitarchive.timeline import Entry

T = TypeVar("T")

SCHEMA = """
PRAGMA foreign_keys = ON;
CREATE TABLE playlists (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    url TEXT NOT NULL,
    first_archived TEXT NOT NULL,
    last_archived TEXT NOT NULL,
    versions INTEGER NOT NULL,
    tracks INTEGER NOT NULL,
    likes INTEGER
);
CREATE TABLE versions (
    id INTEGER PRIMARY KEY,
    playlist_id TEXT NOT NULL REFERENCES playlists (id),
    commit_id TEXT NOT NULL,
    date TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    likes INTEGER,
    track_count INTEGER NOT NULL,
    source TEXT NOT NULL,
    changed INTEGER NOT NULL  -- 1: listed by `history` (tracks, name or description changed)
);
CREATE INDEX versions_playlist ON versions (playlist_id, date);
CREATE TABLE artists (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE tracks (
    id INTEGER PRIMARY KEY,
    spotify_id TEXT,
    name TEXT NOT NULL,
    artists TEXT NOT NULL,
    album TEXT NOT NULL,
    url TEXT,
    duration_ms INTEGER
);
CREATE INDEX tracks_spotify_id ON tracks (spotify_id);
CREATE TABLE track_artists (
    track_id INTEGER NOT NULL REFERENCES tracks (id),
    artist_id INTEGER NOT NULL REFERENCES artists (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (track_id, position)
);
CREATE INDEX track_artists_artist ON track_artists (artist_id);
CREATE TABLE changes (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES versions (id),
    playlist_id TEXT NOT NULL REFERENCES playlists (id),
    date TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('added', 'removed', 'updated')),
    track_id INTEGER NOT NULL REFERENCES tracks (id),
    before_track_id INTEGER REFERENCES tracks (id)  -- updated: the metadata before
);
CREATE INDEX changes_version ON changes (version_id);
CREATE INDEX changes_track ON changes (track_id);
CREATE INDEX changes_playlist ON changes (playlist_id, date);
CREATE TABLE cumulative (
    playlist_id TEXT NOT NULL REFERENCES playlists (id),
    track_id INTEGER NOT NULL REFERENCES tracks (id),
    first_seen TEXT NOT NULL,
    added_before_archive INTEGER NOT NULL,
    last_seen TEXT NOT NULL,
    removed TEXT
);
CREATE INDEX cumulative_playlist ON cumulative (playlist_id);
CREATE INDEX cumulative_track ON cumulative (track_id);
CREATE TABLE stays (
    id INTEGER PRIMARY KEY,
    playlist_id TEXT NOT NULL REFERENCES playlists (id),
    track_id INTEGER NOT NULL REFERENCES tracks (id),  -- the track's latest metadata there
    track_key TEXT NOT NULL,  -- the Spotify id, else "line:" and the plain line
    added TEXT NOT NULL,
    added_before_archive INTEGER NOT NULL,
    removed TEXT,  -- null: still there
    best_position INTEGER NOT NULL,
    latest_position INTEGER NOT NULL
);
CREATE INDEX stays_playlist ON stays (playlist_id, added);
CREATE INDEX stays_track ON stays (track_id);
CREATE INDEX stays_key ON stays (track_key);
CREATE VIEW likes_over_time AS
    SELECT playlist_id, date, likes FROM versions WHERE likes IS NOT NULL
    ORDER BY playlist_id, date;
CREATE VIRTUAL TABLE tracks_fts USING fts5 (
    name, artists, album, content="tracks", content_rowid="id"
);
CREATE VIRTUAL TABLE playlists_fts USING fts5 (
    name, description, content="playlists", content_rowid="rowid"
);
"""


class _Tracks:
    """Track and artist rows, one per distinct track document."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.ids: dict[str, int] = {}
        self.artists: dict[str, int] = {}

    def id_of(self, doc: dict[str, Any]) -> int:
        key = json.dumps(doc, ensure_ascii=False, sort_keys=True)
        found = self.ids.get(key)
        if found is not None:
            return found
        track_id = self.ids[key] = len(self.ids) + 1
        self.connection.execute(
            "INSERT INTO tracks VALUES (?, ?, ?, ?, ?, ?, ?)",
            (track_id, doc["id"], doc["name"], ", ".join(doc["artists"]), doc["album"],
             doc["url"], doc["duration_ms"]),
        )  # fmt: skip
        for position, name in enumerate(doc["artists"]):
            artist_id = self.artists.get(name)
            if artist_id is None:
                artist_id = self.artists[name] = len(self.artists) + 1
                self.connection.execute("INSERT INTO artists VALUES (?, ?)", (artist_id, name))
            self.connection.execute(
                "INSERT INTO track_artists VALUES (?, ?, ?)", (track_id, artist_id, position)
            )
        return track_id


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# how often a consistent snapshot is sought while other commands keep folding new commits
SNAPSHOT_ATTEMPTS = 5


def export_sqlite(
    index: ChangeIndex, target: Path, playlist_ids: list[str] | None
) -> dict[str, int]:
    """Write the database to ``target`` (replaced atomically); returns row counts.

    Every row comes from one read transaction in which every playlist is
    folded up to the chain's tip: one state of the archive, never a mix of
    two commits, whatever another command folds meanwhile.
    """
    for _attempt in range(SNAPSHOT_ATTEMPTS):
        index.catch_up_all()
        with db.read_snapshot(index.connection) as source:
            last = stored.tip(source)
            if last is None or stored.all_folded(source) >= last[0]:
                return _export_from(source, target, playlist_ids, index.store)
    raise LockedError(
        f"the change index {db.index_path(index.store)} kept changing while it was read "
        "(other gitarchive commands folding new commits); run the export again"
    )


def _export_from(
    source: sqlite3.Connection, target: Path, playlist_ids: list[str] | None, store: Store
) -> dict[str, int]:
    """The database from one snapshot of the index.

    ``target`` is refused when it is a link, a device or a folder
    (:mod:`gitarchive.exports.target`); a playlist id the index has never seen
    is an error, not an empty database. What fails while writing the output is
    an :class:`ExportError`, never a ``sqlite3.Error``: that one would say the
    change index itself is damaged, and the index would be rebuilt for nothing.
    """
    known = {row[0] for row in source.execute("SELECT DISTINCT playlist_id FROM versions")}
    missing = sorted(set(playlist_ids or ()) - known)
    if missing:
        raise PlaylistNotFound(
            "has no archived version in this repository's history",
            playlist=missing[0],
        )
    wanted = sorted(set(playlist_ids) if playlist_ids else known)
    counts = {"playlists": 0, "versions": 0, "events": 0}
    with staged(target) as partial:
        out = _writing(target, sqlite3.connect, str(partial))
        try:
            _writing(target, out.executescript, SCHEMA)
            tracks = _Tracks(out)
            for playlist_id in wanted:
                found = _read_playlist(source, playlist_id)  # the index's errors stay its own
                _writing(target, _write_playlist, out, tracks, found, counts)
                if found[1] and found[2] is not None:  # the playlist has its row
                    fold = _fold_stays(source, store, playlist_id)
                    _writing(target, _write_stays, out, tracks, fold)
            _writing(target, _finish, out)
        finally:
            out.close()
    return counts


def _writing(target: Path, action: Callable[..., T], *args: Any) -> T:
    try:
        return action(*args)
    except sqlite3.Error as exc:
        raise ExportError(f"cannot write {target}: {exc}") from None


def _finish(out: sqlite3.Connection) -> None:
    out.execute("INSERT INTO tracks_fts (tracks_fts) VALUES ('rebuild')")
    out.execute("INSERT INTO playlists_fts (playlists_fts) VALUES ('rebuild')")
    out.commit()


_Read = tuple[str, list[tuple[str, "Entry"]], "CumulativeView | None"]


def _read_playlist(source: sqlite3.Connection, playlist_id: str) -> _Read:
    rows = stored.read_versions(source, playlist_id)
    # the view as the snapshot holds it: index.cumulative() could fold newer commits meanwhile
    found = source.execute(
        "SELECT cumulative FROM playlists WHERE id = ?", (playlist_id,)
    ).fetchone()
    view = None if found is None or found[0] is None else stored.decode_view(found[0])
    return playlist_id, rows, view


def _write_playlist(
    out: sqlite3.Connection, tracks: _Tracks, found: _Read, counts: dict[str, int]
) -> None:
    playlist_id, rows, view = found
    if not rows or view is None:
        return
    last = rows[-1][1]
    out.execute(
        "INSERT INTO playlists VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (playlist_id, last.name, last.description, view.url, _iso(rows[0][1].date),
         _iso(last.date), len(rows), last.track_count, last.likes),
    )  # fmt: skip
    counts["playlists"] += 1
    for source, entry in rows:
        _export_version(out, tracks, playlist_id, source, entry, counts)
    last_day = _iso(last.date)[:10]
    out.executemany(
        "INSERT INTO cumulative VALUES (?, ?, ?, ?, ?, ?)",
        [
            (playlist_id, tracks.id_of(track_document(item.track)), item.added.isoformat(),
             int(item.added_asterisk),
             item.removed.isoformat() if item.removed else last_day,
             item.removed.isoformat() if item.removed else None)
            for item in view.tracks
        ],
    )  # fmt: skip


def _export_version(
    out: sqlite3.Connection,
    tracks: _Tracks,
    playlist_id: str,
    source: str,
    entry: Entry,
    counts: dict[str, int],
) -> None:
    """One version and its track events."""
    date = _iso(entry.date)
    version_id = out.execute(
        "INSERT INTO versions (playlist_id, commit_id, date, name, description, likes,"
        " track_count, source, changed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (playlist_id, entry.commit, date, entry.name, entry.description, entry.likes,
         entry.track_count, source, int(entry.content_changed)),
    ).lastrowid  # fmt: skip
    counts["versions"] += 1
    events: list[tuple[Any, ...]] = []
    for kind, docs in (("added", entry.added), ("removed", entry.removed)):
        events += [(version_id, playlist_id, date, kind, tracks.id_of(d), None) for d in docs]
    events += [
        (version_id, playlist_id, date, "updated", tracks.id_of(after), tracks.id_of(before))
        for before, after in entry.updated
    ]
    out.executemany(
        "INSERT INTO changes (version_id, playlist_id, date, kind, track_id, before_track_id)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        events,
    )
    counts["events"] += len(events)


def _fold_stays(source: sqlite3.Connection, store: Store, playlist_id: str) -> PlaylistStaysFold:
    """The playlist's stays, from the versions this snapshot of the index located.

    The index keeps each version's changes, not its order; positions need the
    versions themselves, read by blob id as ``site`` reads them.
    """
    sources = stored.version_sources(source, playlist_id)
    fold = PlaylistStaysFold(playlist_id)
    for version in versions_of_sources(store, sources):
        fold.add(version.playlist, version.date.date())
    return fold


def _write_stays(out: sqlite3.Connection, tracks: _Tracks, fold: PlaylistStaysFold) -> None:
    out.executemany(
        "INSERT INTO stays (playlist_id, track_id, track_key, added, added_before_archive,"
        " removed, best_position, latest_position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (life.playlist_id, tracks.id_of(track_document(life.track)), life.track.key,
             stay.added.isoformat(), int(stay.added_before_archive),
             stay.removed.isoformat() if stay.removed else None,
             stay.best_position, stay.latest_position)
            for life in fold.result()
            for stay in life.stays
        ],
    )  # fmt: skip
