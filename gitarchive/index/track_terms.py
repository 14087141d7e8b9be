"""Which playlists may hold a track: the change index's ``track_terms`` rows.

Per playlist, one blob of 4-byte terms (native unsigned ints, sorted): the
CRC-32 of the Spotify id and of the trimmed, casefolded title of every track
its cumulative view lists (each track's latest metadata there, as ``track``
matches it). ``track`` looks a query's term up here instead of decoding every
playlist's cumulative view, then folds only the playlists found.

A term names a superset: two texts may share a CRC, and a name may match a
title without the artist asked for. That costs a playlist read for nothing,
never a wrong answer: the fold of the versions decides what matches.
"""

from __future__ import annotations

import zlib
from array import array
from typing import TYPE_CHECKING

from gitarchive.index.stored import encode_view

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterable, Sequence

    from gitarchive.model import CumulativeView

_ITEM = "I"  # 4 bytes wherever CPython runs: a CRC-32 fits
# history.keys.LINE_KEY_PREFIX (a test checks it), without importing history on a warm read
LINE_KEY_PREFIX = "line:"


def term(text: str) -> int:
    """The term of a Spotify id, or of a title already trimmed and casefolded."""
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def title_term(title: str) -> int:
    return term(title.strip().casefold())


def view_terms(view: CumulativeView, keys: Sequence[str] | None = None) -> bytes:
    """The terms of the view's tracks; ``keys``: their ``Track.key``, if known (a
    track's Spotify id is its key, where it has one)."""
    found: set[int] = set()
    if keys is None:
        keys = [entry.track.key for entry in view.tracks]
    for entry, key in zip(view.tracks, keys, strict=True):
        found.add(title_term(entry.track.name))
        if not key.startswith(LINE_KEY_PREFIX):
            found.add(term(key))
    return array(_ITEM, sorted(found)).tobytes()


def encoded_with_terms(
    connection: sqlite3.Connection,
    playlist_id: str,
    view: CumulativeView | None,
    keys: Sequence[str] | None = None,
) -> bytes | None:
    """The view as the ``playlists`` table stores it (None: no version), its terms
    written alongside (inside the caller's write transaction); ``keys`` as
    :func:`view_terms` takes them."""
    if view is None:
        connection.execute("DELETE FROM track_terms WHERE playlist_id = ?", (playlist_id,))
        return None
    connection.execute(
        "INSERT OR REPLACE INTO track_terms VALUES (?, ?)", (playlist_id, view_terms(view, keys))
    )
    return encode_view(view)


def holding(connection: sqlite3.Connection, terms: Iterable[int]) -> list[str]:
    """The playlists (sorted) whose rows list any of ``terms``."""
    needles = [array(_ITEM, [value]).tobytes() for value in sorted(set(terms))]
    if not needles:
        return []
    # in the table's order (sorted here): by the playlist's id, each row would be a seek
    rows = connection.execute("SELECT playlist_id, terms FROM track_terms").fetchall()
    found: set[str] = set()
    for needle in needles:  # ``in`` (C) first: most rows have none of the needle's bytes
        found.update(
            playlist_id for playlist_id, blob in rows if needle in blob and _listed(blob, needle)
        )
    return sorted(found)


def _listed(blob: bytes, needle: bytes) -> bool:
    """Whether ``needle`` is one of the blob's items (a match across two items is not)."""
    at = blob.find(needle)
    while at >= 0 and at % len(needle):
        at = blob.find(needle, at + 1)
    return at >= 0
