"""The change index's stored forms, and its chain of commits.

What the warm reads need (the chain's tip, the stored cumulative views and
timeline entries, decoded) without the folding machinery of
:mod:`gitarchive.index.fold` and the file readers it imports.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from gitarchive import git
from gitarchive.index.db import wipe
from gitarchive.model import Album, Artist, CumulativeTrack, CumulativeView, Track
from gitarchive.timeline import Entry

if TYPE_CHECKING:
    from gitarchive.git import Store

FIRST, RENAMED, DESCRIBED = 1, 2, 4  # the bits of versions.flags


def compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ------------------------------------------------------------------ chain


def tip(connection: sqlite3.Connection) -> tuple[int, str] | None:
    row = connection.execute(
        "SELECT position, commit_id FROM chain ORDER BY position DESC LIMIT 1"
    ).fetchone()
    return None if row is None else (row[0], row[1])


def all_folded(connection: sqlite3.Connection) -> int:
    row = connection.execute("SELECT value FROM meta WHERE key = 'all_folded'").fetchone()
    return int(row[0])


def catch_up_chain(store: Store, connection: sqlite3.Connection, fingerprint: str) -> bool:
    """Extend the chain to HEAD (inside a write transaction); True if it was rebuilt."""
    head = git.head_id(store)
    last = tip(connection)
    if last is not None and last[1] == head:
        return False
    if head is None:
        wipe(connection, fingerprint)
        return last is not None
    commits, found = git.walk_commits_since(store, head, None if last is None else last[1])
    rebuilt = last is not None and not found
    start = 0
    if rebuilt:
        wipe(connection, fingerprint)
    elif last is not None:
        start = last[0] + 1
    connection.executemany(
        "INSERT INTO chain VALUES (?, ?, ?)",
        [(start + offset, commit, time) for offset, (commit, time) in enumerate(commits)],
    )
    return rebuilt


def commit_at_position(connection: sqlite3.Connection, position: int) -> str | None:
    if position < 0:
        return None
    row = connection.execute(
        "SELECT commit_id FROM chain WHERE position = ?", (position,)
    ).fetchone()
    return None if row is None else str(row[0])


# ------------------------------------------------------------------ stored forms


def _track_row(track: Track) -> list[Any]:
    return [
        track.name,
        [[artist.name, artist.url] for artist in track.artists],
        [track.album.name, track.album.url],
        track.url,
        track.duration_ms,
        None if track.added_at is None else track.added_at.isoformat(),
    ]


def encode_view(view: CumulativeView) -> bytes:
    document = [
        view.id,
        view.name,
        view.description,
        view.first_scraped.isoformat(),
        [
            [_track_row(entry.track), entry.added.isoformat(), entry.added_asterisk,
             None if entry.removed is None else entry.removed.isoformat()]
            for entry in view.tracks
        ],
    ]  # fmt: skip
    return zlib.compress(compact(document).encode(), 1)


class ViewDecoder:
    """Stored cumulative views back to model objects, sharing equal artists, albums and dates.

    Reading every view builds millions of small objects; artists, albums and
    days repeat across tracks and playlists, so each distinct one is built once.
    """

    def __init__(self) -> None:
        self._artists: dict[tuple[str, str | None], Artist] = {}
        self._albums: dict[tuple[str, str | None], Album] = {}
        self._days: dict[str, date] = {}

    def _day(self, text: str) -> date:
        day = self._days.get(text)
        if day is None:
            day = self._days[text] = date.fromisoformat(text)
        return day

    def _track(self, row: list[Any]) -> Track:
        name, artists, album, url, duration_ms, added_at = row
        found: list[Artist] = []
        for artist_name, artist_url in artists:
            artist = self._artists.get((artist_name, artist_url))
            if artist is None:
                artist = self._artists[(artist_name, artist_url)] = Artist(artist_name, artist_url)
            found.append(artist)
        album_key = (album[0], album[1])
        album_object = self._albums.get(album_key)
        if album_object is None:
            album_object = self._albums[album_key] = Album(album[0], album[1])
        moment = None if added_at is None else datetime.fromisoformat(added_at)
        return Track(name, tuple(found), album_object, url, duration_ms, moment)

    def decode(self, data: bytes) -> CumulativeView:
        view_id, name, description, first_scraped, tracks = json.loads(zlib.decompress(data))
        day = self._day
        return CumulativeView(
            view_id,
            name,
            description,
            tracks=tuple(
                CumulativeTrack(
                    self._track(track),
                    day(added),
                    asterisk,
                    None if removed is None else day(removed),
                )
                for track, added, asterisk, removed in tracks
            ),
            first_scraped=day(first_scraped),
        )


def decode_view(data: bytes) -> CumulativeView:
    return ViewDecoder().decode(data)


def entry_of_row(row: tuple[Any, ...]) -> Entry:
    """An Entry from ``SELECT commit_id, time, name, description, likes, track_count,
    previous_name, previous_likes, flags, added, removed, updated, moved``."""
    (commit, time, name, description, likes, track_count, previous_name, previous_likes,
     flags, added, removed, updated, moved) = row  # fmt: skip
    return Entry(
        commit=commit,
        date=datetime.fromtimestamp(time, tz=UTC),
        name=name,
        description=description,
        likes=likes,
        track_count=track_count,
        first=bool(flags & FIRST),
        previous_name=previous_name,
        previous_likes=previous_likes,
        name_changed=bool(flags & RENAMED),
        description_changed=bool(flags & DESCRIBED),
        added=_docs(added),
        removed=_docs(removed),
        updated=() if updated == "[]" else tuple((b, a) for b, a in json.loads(updated)),
        moved=() if moved == "[]" else tuple((d, f, t, n) for d, f, t, n in json.loads(moved)),
    )


def _docs(text: str) -> tuple[dict[str, Any], ...]:
    return () if text == "[]" else tuple(json.loads(text))  # most versions change no track
