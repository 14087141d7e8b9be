"""The change index's SQLite file: where it lives, its schema, opening it safely.

The file is a cache under the git directory (``.git/gitarchive/index.sqlite``):
git never tracks or pushes anything there. Anything wrong with it (corrupt,
truncated, another schema, written by another gitarchive version, a changed
shallow/graft setup) empties it, with one warning line when it was damaged;
where it cannot be written (read-only checkout, ``GITARCHIVE_NO_INDEX=1``)
the same tables live in memory for this one process.

A lock is never damage: another gitarchive writing the index is waited for
(:data:`WAIT_SECONDS`), then reported as busy, and nothing is deleted. Nor is
the disk's trouble (full, not writable, a folder where the file belongs): it
is one line naming the file, and the file is left as it is.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from typing import TYPE_CHECKING

from gitarchive import __version__
from gitarchive.errors import ArchiveError, LockedError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from gitarchive.git import Store

SCHEMA_VERSION = "8"  # 8: site_stays; 7: track_terms; 6: followers, shown; 5: tracks, changes by id
INDEX_FOLDER = "gitarchive"
INDEX_FILE = "index.sqlite"
DISABLE_ENV = "GITARCHIVE_NO_INDEX"
# how long a command waits for another one's write to the index before it says it is busy
WAIT_SECONDS = 30.0

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
-- HEAD's first-parent chain, oldest first: position 0 is the root commit
CREATE TABLE chain (position INTEGER PRIMARY KEY, commit_id TEXT NOT NULL, time INTEGER NOT NULL);
-- per playlist: the fold's state after the commit at `folded` (its files' blob
-- ids, where plain_blob is known only where the plain file is the best source;
-- the last version's source; the cumulative view, zlib-compressed JSON); and,
-- kept by the all-playlists pass at meta's `all_folded`, the plain file's blob
-- (listed_plain) and the position of the last commit that changed it
-- (plain_changed): what `list` shows as the last change
CREATE TABLE playlists (
    id TEXT PRIMARY KEY,
    folded INTEGER NOT NULL,
    json_blob TEXT, markdown_blob TEXT, plain_blob TEXT,
    last_kind INTEGER, last_blob TEXT, last_time INTEGER,
    cumulative BLOB,
    listed_plain TEXT,
    plain_changed INTEGER
) WITHOUT ROWID;
-- every distinct track document (history's JSON track object) a version's
-- changes name, stored once: versions refer to it by id; hash: the first 8
-- bytes of the document's blake2b, to find it again without a copy of it in an index
CREATE TABLE tracks (id INTEGER PRIMARY KEY, hash INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE INDEX tracks_hash ON tracks (hash);
-- every version of every folded playlist: what the timeline shows of it; source:
-- its place in formats.paths.SOURCE_KINDS; blob: the 20 bytes of its id; name,
-- description: null when equal to the previous version's (its previous name and
-- likes are the previous row's); flags: 1 first version, 2 renamed, 4 description
-- changed; changes: null when no track changed, else a JSON array of the added and
-- removed track ids, the updated [before, after] pairs and the moved
-- [track, from, to, distance] of every track whose rank changed by 2 or more
CREATE TABLE versions (
    playlist_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    source INTEGER NOT NULL,
    blob BLOB NOT NULL,
    name TEXT,
    description TEXT,
    likes INTEGER,
    track_count INTEGER NOT NULL,
    flags INTEGER NOT NULL,
    changes TEXT,
    PRIMARY KEY (playlist_id, position)
) WITHOUT ROWID;
-- the blobs in playlists/followers/ at the commit meta's `followers_at` names (the
-- chain's tip): a read learns that a playlist has no followers record without
-- opening HEAD's tree
CREATE TABLE followers (name TEXT PRIMARY KEY, blob TEXT NOT NULL) WITHOUT ROWID;
-- the versions `show` has read, by playlist and commit (a commit's files never
-- change, and the fingerprint empties this with the rest): the Playlist and the
-- commit's date as zlib-compressed JSON; the oldest rows go past a bound
CREATE TABLE shown (playlist_id TEXT NOT NULL, commit_id TEXT NOT NULL, version BLOB NOT NULL,
    UNIQUE (playlist_id, commit_id));
-- per folded playlist: the 4-byte terms of the ids and titles of every track its
-- cumulative view lists, where `track` finds the playlists to read (index/track_terms.py)
CREATE TABLE track_terms (playlist_id TEXT PRIMARY KEY, terms BLOB NOT NULL);
-- per playlist: the rows the site's track pages list of every track it held, as the site
-- rendered them (site/stays_cache.py), valid while the digest of the playlist's versions
-- (where each was read from) is `sources`
CREATE TABLE site_stays (playlist_id TEXT PRIMARY KEY, sources BLOB NOT NULL, rows BLOB NOT NULL)
    WITHOUT ROWID;
"""
TABLES = (
    "meta",
    "chain",
    "playlists",
    "tracks",
    "versions",
    "followers",
    "shown",
    "track_terms",
    "site_stays",
)


def index_path(store: Store) -> Path:
    return store.git_dir / INDEX_FOLDER / INDEX_FILE


def _connect(target: str) -> sqlite3.Connection:
    # autocommit mode: transactions are explicit (BEGIN IMMEDIATE for the one writer)
    connection = sqlite3.connect(target, timeout=WAIT_SECONDS, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout = {int(WAIT_SECONDS * 1000)}")
    return connection


def _primary_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


def is_damage(exc: sqlite3.Error) -> bool:
    """Whether ``exc`` says the file's content is broken (so rebuilding it is the cure)."""
    return _primary_code(exc) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def unusable(path: Path, exc: sqlite3.Error) -> ArchiveError:
    """An index error that is not damage, as one line: busy, or the disk's trouble."""
    if _primary_code(exc) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return LockedError(
            f"the change index {path} is busy: another gitarchive command has been writing "
            f"it for over {WAIT_SECONDS:g} s; run this again when that one is done"
        )
    return ArchiveError(f"cannot use the change index {path}: {exc}{disk_hint(exc)}")


def disk_hint(exc: sqlite3.Error) -> str:
    """What SQLite's "disk I/O error" most often means, for the one error line."""
    if _primary_code(exc) in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR):
        return " (is the disk full, or a file-size limit set?)"
    return ""


def _check_file(path: Path) -> None:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ArchiveError(f"cannot use the change index {path}: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise ArchiveError(
            f"the change index {path} is {kind}: move it away (gitarchive rebuilds the index "
            "there, it is a cache)"
        )


def _create(connection: sqlite3.Connection, fingerprint: str) -> None:
    """Drop and create every table, in one transaction (readers never see half of it)."""
    drops = "".join(f"DROP TABLE IF EXISTS {table};" for table in TABLES)
    values = {"schema": SCHEMA_VERSION, "gitarchive": __version__, "fingerprint": fingerprint}
    values["all_folded"] = "-1"
    values["followers_at"] = ""
    inserts = "".join(
        f"INSERT INTO meta VALUES ({_quote(key)}, {_quote(value)});"
        for key, value in values.items()
    )
    connection.executescript(f"BEGIN IMMEDIATE;{drops}{SCHEMA}{inserts}COMMIT;")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _meta(connection: sqlite3.Connection) -> dict[str, str]:
    return dict(connection.execute("SELECT key, value FROM meta").fetchall())


def _expected(fingerprint: str) -> dict[str, str]:
    return {"schema": SCHEMA_VERSION, "gitarchive": __version__, "fingerprint": fingerprint}


def remove_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()


def open_database(
    store: Store, fingerprint: str, warn: Callable[[str], None]
) -> tuple[sqlite3.Connection, bool]:
    """The index's connection, valid for this repository; and whether it is on disk.

    Falls back to an in-memory database where the file cannot be written.
    """
    path = index_path(store)
    if os.environ.get(DISABLE_ENV):
        return _memory(fingerprint), False
    try:
        path.parent.mkdir(exist_ok=True)
        if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            return _memory(fingerprint), False
    except OSError:
        return _memory(fingerprint), False
    _check_file(path)
    try:
        return _open_file(path, fingerprint, warn), True
    except sqlite3.DatabaseError as exc:
        if not is_damage(exc):
            raise unusable(path, exc) from None
        warn(f"the change index {path} is unreadable ({exc}); rebuilding it")
        remove_files(path)
    try:
        return _open_file(path, fingerprint, warn), True
    except sqlite3.DatabaseError as exc:
        if not is_damage(exc):
            raise unusable(path, exc) from None
        return _memory(fingerprint), False


def _open_file(path: Path, fingerprint: str, warn: Callable[[str], None]) -> sqlite3.Connection:
    connection = _connect(str(path))
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        tables = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if not tables:
            _create(connection, fingerprint)
            return connection
        meta = _meta(connection) if "meta" in tables else {}
        if meta.get("schema") != SCHEMA_VERSION:
            warn(f"the change index {path} has another schema; rebuilding it")
            _create(connection, fingerprint)
        elif any(meta.get(key) != value for key, value in _expected(fingerprint).items()):
            _create(connection, fingerprint)  # another gitarchive, or shallow/grafts changed
            return connection
    except BaseException:
        connection.close()
        raise
    return connection


def _memory(fingerprint: str) -> sqlite3.Connection:
    connection = _connect(":memory:")
    _create(connection, fingerprint)
    return connection


@contextlib.contextmanager
def read_snapshot(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One read transaction: every read in it sees the index as of the first one.

    WAL keeps that state for the transaction's reader while another process
    folds and commits, so reads spread over many queries never mix two folds.
    """
    connection.execute("BEGIN")
    try:
        connection.execute("SELECT count(*) FROM meta").fetchone()  # the snapshot starts here
        yield connection
    finally:
        if connection.in_transaction:  # an error may have ended it already
            connection.execute("COMMIT")  # read only: ends the transaction, writes nothing


def wipe(connection: sqlite3.Connection, fingerprint: str) -> None:
    """Empty every table (inside the caller's write transaction)."""
    for table in TABLES[1:]:
        connection.execute(f"DELETE FROM {table}")
    connection.execute("UPDATE meta SET value = '-1' WHERE key = 'all_folded'")
    connection.execute("UPDATE meta SET value = '' WHERE key = 'followers_at'")
    connection.execute("UPDATE meta SET value = ? WHERE key = 'fingerprint'", (fingerprint,))
