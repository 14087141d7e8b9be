"""The track pages' rows of each playlist, kept in the change index between builds.

A playlist's rows on the track pages (its stays of every track it held,
rendered: :func:`gitarchive.site.tracks.stay_rows`) depend on its versions
only. A build from a persistent change index keeps them in the index's
``site_stays`` table with a digest of where each version was read from, so
the next build (the site job's, after a sync that changed a few playlists)
folds the stays only of the playlists whose versions changed. Which of a
playlist's tracks are shared depends on the other playlists: every track's
row is kept, the shared ones chosen at each build.

Anything that changes the rows' rendering changes :data:`ROWS_FORMAT`, so
that rows another build of gitarchive kept are folded again (the index is
emptied anyway for another release; a development install keeps its version
across edits): tests/test_site_stays_cache.py fails when the code that makes
the rows changes and the format does not.
"""

from __future__ import annotations

import hashlib
import marshal
import zlib
from itertools import groupby
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterable, Sequence

    from gitarchive.index import VersionSource
    from gitarchive.site.scratch import StayRow

ROWS_FORMAT = b"site-stays 4"
# each row: the key the stays fold knew the track by, the track's own key, the row
KeptRow = tuple[str, str, "StayRow"]
# zlib's fastest level: the rows are HTML, compressed ~8 times even so
_LEVEL = 1
_STAY_FIELDS, _URL = 10, 8  # a StayRow's fields, and the one that may be None (the URL)
_BATCH = 500  # playlists per query: well under SQLite's bound on a statement's parameters


def sources_digest(sources: Iterable[VersionSource]) -> bytes:
    """The digest of one playlist's versions: each one's commit, source kind and blob."""
    digest = hashlib.blake2b(ROWS_FORMAT, digest_size=16)
    for _playlist, commit, _time, kind, blob in sources:
        digest.update(f"{commit} {kind} {blob}\n".encode("ascii", "surrogateescape"))
    return digest.digest()


def digests(sources: Sequence[VersionSource]) -> dict[str, bytes]:
    """Each playlist's digest, from a batch's sources (grouped by playlist)."""
    return {
        playlist_id: sources_digest(same)
        for playlist_id, same in groupby(sources, key=lambda source: source[0])
    }


def kept_rows(connection: sqlite3.Connection, wanted: dict[str, bytes]) -> dict[str, bytes]:
    """The kept rows (compressed) of the playlists of ``wanted`` (id -> digest) whose digest
    is still the one they were kept with."""
    found: dict[str, bytes] = {}
    ids = list(wanted)
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        marks = ",".join("?" * len(chunk))
        rows = connection.execute(
            f"SELECT playlist_id, sources, rows FROM site_stays WHERE playlist_id IN ({marks})",
            chunk,
        )
        found.update(
            (playlist_id, blob)
            for playlist_id, digest, blob in rows
            if wanted[playlist_id] == digest
        )
    return found


def keep_rows(connection: sqlite3.Connection, rows: Sequence[tuple[str, bytes, bytes]]) -> None:
    """Keep (playlist id, digest, compressed rows) in one transaction."""
    if not rows:
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.executemany("INSERT OR REPLACE INTO site_stays VALUES (?, ?, ?)", rows)
        connection.execute("COMMIT")
    except BaseException:
        # a COMMIT that failed (a full disk) may leave the transaction open: never
        # carry on inside it, which would lock other writers out until the build ends
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise


def pack(rows: list[KeptRow]) -> bytes:
    return zlib.compress(marshal.dumps(rows), _LEVEL)


def unpack(blob: bytes) -> list[KeptRow] | None:
    """The rows kept in ``blob``; None where it cannot be read (a damaged cache is folded
    again, as a missing one)."""
    try:
        rows = marshal.loads(zlib.decompress(blob))
    except (ValueError, EOFError, TypeError, zlib.error):
        return None
    return rows if isinstance(rows, list) and all(map(_is_kept_row, rows)) else None


def _is_kept_row(row: object) -> bool:
    """Whether ``row`` has a :data:`KeptRow`'s shape (a damaged blob may unmarshal as
    anything)."""
    if type(row) is not tuple or len(row) != 3:
        return False
    key, own, stay = row
    return (
        type(key) is str
        and type(own) is str
        and type(stay) is tuple
        and len(stay) == _STAY_FIELDS
        and all(
            type(field) is str or (field is None and at == _URL) for at, field in enumerate(stay)
        )
    )
