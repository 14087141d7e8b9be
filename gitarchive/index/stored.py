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
from gitarchive.json_scalars import encode_string, scalar_json
from gitarchive.model import (
    ITEM_URL_RE,
    Album,
    Artist,
    CumulativeTrack,
    CumulativeView,
    Owner,
    Playlist,
    Track,
)

if TYPE_CHECKING:
    from gitarchive.git import Store
    from gitarchive.timeline import Entry

FIRST, RENAMED, DESCRIBED = 1, 2, 4  # the bits of versions.flags


# json.dumps with these options makes an encoder at every call; the fold makes hundreds
# of thousands of calls
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def compact(value: object) -> str:
    """``json.dumps(value, ensure_ascii=False, separators=(",", ":"))``."""
    return _COMPACT.encode(value)


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
    record_followers(store, connection, head)
    return rebuilt


# ------------------------------------------------------------------ followers records


# formats.paths.FOLLOWERS_DIR (a test checks it), without importing formats on a warm read
FOLLOWERS_DIR = "playlists/followers"


def record_followers(store: Store, connection: sqlite3.Connection, head: str) -> None:
    """Keep the blobs in the followers folder at ``head`` (inside a write transaction)."""
    # one tree, read as the walks read theirs (not hashed against its id): from the
    # repository's files when the store is not open (a catch-up after a pull loads no libgit2)
    with git.unverified_reads():
        listing = git.list_dir(store, head, FOLLOWERS_DIR)
    connection.execute("DELETE FROM followers")
    connection.executemany("INSERT INTO followers VALUES (?, ?)", listing.items())
    connection.execute("UPDATE meta SET value = ? WHERE key = 'followers_at'", (head,))


def followers_blob(store: Store, connection: sqlite3.Connection, playlist_id: str) -> str | None:
    """The blob of the playlist's followers record at HEAD, None when it has none.

    Read from the folder's listing kept for the chain's tip; when that is not
    HEAD's (an index built by a read's first walk), HEAD's folder is listed and kept.
    """
    head = git.head_id(store)
    if head is None:
        return None
    row = connection.execute("SELECT value FROM meta WHERE key = 'followers_at'").fetchone()
    if row is None or row[0] != head:
        connection.execute("BEGIN IMMEDIATE")
        try:
            record_followers(store, connection, head)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    found = connection.execute(
        "SELECT blob FROM followers WHERE name = ?", (f"{playlist_id}.json",)
    ).fetchone()
    return None if found is None else str(found[0])


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
    """The view as stored: ``compact`` of its document (see :func:`view_document`),
    compressed.

    Written as text directly: a build encodes every playlist's whole view once,
    hundreds of thousands of tracks, and the lists of the document were most of
    that cost (and, being containers, the cyclic collector's work). A test
    checks the bytes against ``compact(view_document(view))``.
    """
    head = ",".join(map(json_value, (view.id, view.name, view.description)))
    rows = ",".join(map(_entry_text, view.tracks))
    text = f'[{head},"{view.first_scraped.isoformat()}",[{rows}]]'
    return zlib.compress(text.encode(), 1)


def view_document(view: CumulativeView) -> list[Any]:
    """What :func:`encode_view` stores, as the JSON document it reads back as."""
    return [
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


def json_value(value: object) -> str:
    """``compact(value)``, quicker for a stored document's values (str, None, bool, int)."""
    return scalar_json(value, compact)


def _entry_text(entry: CumulativeTrack) -> str:
    """``compact`` of the entry's row in :func:`view_document`."""
    track, removed, asterisk = entry.track, entry.removed, entry.added_asterisk
    album, added_at = track.album, track.added_at
    artists = ",".join(
        [f"[{json_value(artist.name)},{json_value(artist.url)}]" for artist in track.artists]
    )
    return (
        f"[[{json_value(track.name)},[{artists}],"
        f"[{json_value(album.name)},{json_value(album.url)}],"
        f"{json_value(track.url)},{json_value(track.duration_ms)},"
        f"{'null' if added_at is None else encode_string(added_at.isoformat())}],"
        f'"{entry.added.isoformat()}",{json_value(asterisk)},'
        f"{'null' if removed is None else encode_string(removed.isoformat())}]"
    )


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


def view_keys(data: bytes) -> set[str]:
    """The keys (``Track.key``) of a stored view's tracks, without building the view: the
    site's pass over every playlist to find the tracks two or more of them held."""
    keys: set[str] = set()
    for (name, artists, album, url, *_rest), *_entry in json.loads(zlib.decompress(data))[4]:
        match = ITEM_URL_RE.match(url) if url else None
        if match is not None:
            keys.add(match.group(2))
        else:  # a local file, or a track read from a plain file: keyed by its line
            track = Track(name, tuple(Artist(artist) for artist, _url in artists), Album(album[0]))
            keys.add(track.key)
    return keys


# formats.paths.SOURCE_KINDS (a test checks it), without importing formats on a warm read
SOURCE_NAMES = ("json", "pretty", "plain")
VERSION_COLUMNS = (
    "c.commit_id, c.time, v.source, v.name, v.description, v.likes, v.track_count, v.flags,"
    " v.changes"
)


# where a version was read from: playlist id, commit, commit time, source kind, blob id
VersionSource = tuple[str, str, int, str, str]


def version_sources(connection: sqlite3.Connection, playlist_id: str | None) -> list[VersionSource]:
    """Where each version of the playlist (None: of every playlist, by id) was read from."""
    query = (
        "SELECT v.playlist_id, c.commit_id, c.time, v.source, v.blob FROM versions v"
        " JOIN chain c ON c.position = v.position"
    )
    if playlist_id is None:
        rows = connection.execute(f"{query} ORDER BY v.playlist_id, v.position")
    else:
        rows = connection.execute(
            f"{query} WHERE v.playlist_id = ? ORDER BY v.position", (playlist_id,)
        )
    names = SOURCE_NAMES
    return [
        (found, commit, time, names[kind], blob.hex()) for found, commit, time, kind, blob in rows
    ]


def read_versions(connection: sqlite3.Connection, playlist_id: str) -> list[tuple[str, Entry]]:
    """Every stored version of the playlist, oldest first: its source kind and its Entry."""
    rows = connection.execute(
        f"SELECT {VERSION_COLUMNS} FROM versions v JOIN chain c ON c.position = v.position"
        " WHERE v.playlist_id = ? ORDER BY v.position",
        (playlist_id,),
    ).fetchall()
    # lazy: the timeline module and its Entry record (~2 ms) serve the reads of entries
    # alone, not a warm `track` (which opens this index too)
    from gitarchive.timeline import Entry

    changes = [None if row[8] is None else json.loads(row[8]) for row in rows]
    docs = _track_docs(connection, changes)
    found: list[tuple[str, Entry]] = []
    name = description = ""
    likes: int | None = None
    for row, changed in zip(rows, changes, strict=True):
        entry = _entry(Entry, row, changed, docs, name, description, likes)
        found.append((SOURCE_NAMES[row[2]], entry))
        name, description, likes = entry.name, entry.description, entry.likes
    return found


def _track_docs(connection: sqlite3.Connection, changes: list[Any]) -> dict[int, Any]:
    """The track documents these versions' changes name, each decoded once.

    The entries share them: nothing changes a timeline's track document.
    """
    wanted: set[int] = set()
    for changed in changes:
        if changed is not None:
            added, removed, updated, moved = changed
            wanted.update(added, removed, (track for pair in updated for track in pair))
            wanted.update(item[0] for item in moved)
    if not wanted:
        return {}
    rows = connection.execute(
        "SELECT id, doc FROM tracks WHERE id IN (SELECT value FROM json_each(?))",
        (compact(sorted(wanted)),),
    )
    return {track_id: json.loads(doc) for track_id, doc in rows}


def _entry(
    entry_type: type[Entry],
    row: tuple[Any, ...],
    changed: Any,
    docs: dict[int, Any],
    previous_name: str,
    previous_description: str,
    previous_likes: int | None,
) -> Entry:
    commit, time, _source, name, description, likes, track_count, flags, _ = row
    first = bool(flags & FIRST)
    added: tuple[dict[str, Any], ...] = ()
    removed: tuple[dict[str, Any], ...] = ()
    updated: tuple[tuple[dict[str, Any], dict[str, Any]], ...] = ()
    moved: tuple[tuple[dict[str, Any], int, int, int], ...] = ()
    if changed is not None:
        added = tuple(docs[track] for track in changed[0])
        removed = tuple(docs[track] for track in changed[1])
        updated = tuple((docs[before], docs[after]) for before, after in changed[2])
        moved = tuple((docs[track], old, new, n) for track, old, new, n in changed[3])
    return entry_type(
        commit=commit,
        date=datetime.fromtimestamp(time, tz=UTC),
        name=previous_name if name is None else name,
        description=previous_description if description is None else description,
        likes=likes,
        track_count=track_count,
        first=first,
        previous_name=None if first else previous_name,
        previous_likes=None if first else previous_likes,
        name_changed=bool(flags & RENAMED),
        description_changed=bool(flags & DESCRIBED),
        added=added,
        removed=removed,
        updated=updated,
        moved=moved,
    )


# ------------------------------------------------------------------ versions show read

SHOWN_KEPT = 256  # show's versions kept: a few MB at most, for the ones looked at again


def encode_shown(playlist: Playlist, date: datetime) -> bytes:
    document = [
        playlist.id,
        playlist.original_name,
        playlist.unique_name,
        playlist.description,
        [_track_row(track) for track in playlist.tracks],
        playlist.snapshot_id,
        playlist.num_followers,
        [playlist.owner.name, playlist.owner.url],
        date.isoformat(),
    ]
    # ASCII: a lone surrogate a reader let through survives the round trip
    return zlib.compress(json.dumps(document, separators=(",", ":")).encode(), 1)


def decode_shown(data: bytes) -> tuple[Playlist, datetime]:
    playlist_id, original, unique, description, tracks, snapshot, likes, owner, when = json.loads(
        zlib.decompress(data)
    )
    decoder = ViewDecoder()
    playlist = Playlist(
        playlist_id,
        original,
        unique,
        description,
        tuple(decoder._track(row) for row in tracks),
        snapshot,
        likes,
        Owner(owner[0], owner[1]),
    )
    return playlist, datetime.fromisoformat(when)


def shown_version(
    connection: sqlite3.Connection, playlist_id: str, commit: str
) -> tuple[Playlist, datetime] | None:
    """The version ``show`` read of the playlist at ``commit``, and the commit's date."""
    row = connection.execute(
        "SELECT version FROM shown WHERE playlist_id = ? AND commit_id = ?", (playlist_id, commit)
    ).fetchone()
    return None if row is None else decode_shown(row[0])


def keep_shown(
    connection: sqlite3.Connection, playlist_id: str, commit: str, version: bytes
) -> None:
    """Keep a version ``show`` read (``encode_shown``), dropping the oldest past the bound."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.execute(
            "INSERT OR REPLACE INTO shown VALUES (?, ?, ?)", (playlist_id, commit, version)
        )
        connection.execute(
            "DELETE FROM shown WHERE rowid <= (SELECT max(rowid) FROM shown) - ?", (SHOWN_KEPT,)
        )
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
