"""Folding the log into the change index, incrementally.

The index records HEAD's first-parent chain (``chain``) and, per playlist, the
state of the version fold after some position of that chain (``playlists``:
its files' blob ids, its last version, its cumulative view) plus every version
found so far (``versions``). A catch-up reads only the commits after that
position, exactly as a walk of the whole log would have met them (the same
state machine as ``versions.list_versions`` / ``iter_all_versions``), so the
index states what a walk would compute.

Invalidation is by ancestry: the chain is extended only when its last commit
is still on HEAD's first-parent chain; otherwise (force-push, rebase, reset to
an older commit, a commit not in the object database) every table is emptied
and refolded. A playlist is folded on its own (one history: only its paths
are walked) or with all others in one pass (``all_folded``); its effective
position is the later of the two.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from gitarchive import git
from gitarchive.index import db
from gitarchive.model import Album, Artist, CumulativeTrack, CumulativeView, Track
from gitarchive.timeline import Entry, KeyCache, entry_of

if TYPE_CHECKING:
    from gitarchive.git import Store
    from gitarchive.history import CumulativeFold
    from gitarchive.model import Playlist

FIRST, RENAMED, DESCRIBED = 1, 2, 4
PLAIN = 2  # the plain file's place in PlaylistState.files (versions.source_paths' order)


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _json_list(items: tuple[Any, ...]) -> str:
    return _compact(items) if items else "[]"  # most versions change no track


@dataclass(slots=True)
class PlaylistState:
    id: str
    folded: int
    files: list[str | None]
    last_kind: int | None = None
    last_blob: str | None = None
    last_time: int | None = None
    cumulative: bytes | None = None  # as stored; decoded only when the fold resumes
    # the plain file as `list` needs it, kept by the all-playlists pass only: its blob
    # at `all_folded` and the position of the last commit that changed it (a playlist
    # folded on its own reads its plain file only where it is the best source)
    listed_plain: str | None = None
    plain_changed: int | None = None
    previous: Playlist | None = None
    fold: CumulativeFold | None = None
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    entries: list[Entry] | None = None  # every version's entry, when collected (Built)
    view: CumulativeView | None = None  # the cumulative view save() stored, if it made one


class Folder:
    """One catch-up: reads new versions and writes them in the caller's transaction."""

    def __init__(self, store: Store, connection: sqlite3.Connection) -> None:
        self.store = store
        self.connection = connection
        from gitarchive import version_reader  # formats' readers: only when versions are read

        self.reader = version_reader.VersionReader(store)
        self.keys = KeyCache()

    # -------------------------------------------------------------- state

    def load(self, playlist_id: str, all_folded: int) -> PlaylistState:
        row = self.connection.execute(
            "SELECT folded, json_blob, markdown_blob, plain_blob, last_kind, last_blob,"
            " last_time, cumulative, listed_plain, plain_changed FROM playlists WHERE id = ?",
            (playlist_id,),
        ).fetchone()
        if row is None:
            return PlaylistState(id=playlist_id, folded=all_folded, files=[None, None, None])
        return PlaylistState(
            id=playlist_id,
            folded=max(row[0], all_folded),
            files=[row[1], row[2], row[3]],
            last_kind=row[4],
            last_blob=row[5],
            last_time=row[6],
            cumulative=row[7],
            listed_plain=row[8],
            plain_changed=row[9],
        )

    def save(self, state: PlaylistState, folded: int) -> None:
        cumulative = state.cumulative
        if state.fold is not None:
            state.view = view = state.fold.view()
            cumulative = None if view is None else encode_view(view)
        self.connection.execute(
            "INSERT OR REPLACE INTO playlists VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (state.id, folded, *state.files, state.last_kind, state.last_blob,
             state.last_time, cumulative, state.listed_plain, state.plain_changed),
        )  # fmt: skip
        self.connection.executemany(
            "INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", state.rows
        )
        state.rows = []

    # -------------------------------------------------------------- one version

    def step(self, state: PlaylistState, position: int, commit: str, time: int) -> None:
        """The fold after the commit at ``position`` changed ``state.files``."""
        best = next(((i, b) for i, b in enumerate(state.files) if b is not None), None)
        if best is None or best == (state.last_kind, state.last_blob):
            return  # deleted (tracking pauses), or the best source did not change
        kind, blob = best
        # the fold's modules: only when versions are read
        from gitarchive import version_reader, versions
        from gitarchive.history import CumulativeFold, Version

        paths = versions.source_paths(state.id)
        source = version_reader.SOURCE_KINDS[kind]
        playlist = self.reader.read(source, blob, state.id, paths[kind], commit=commit)
        previous = self._previous(state)
        moment = datetime.fromtimestamp(time, tz=UTC)
        entry = entry_of(Version(commit, moment, playlist, source), previous, self.keys)
        if state.fold is None:
            state.fold = CumulativeFold()
            if state.cumulative is not None and previous is not None and state.last_time:
                last_day = datetime.fromtimestamp(state.last_time, tz=UTC).date()
                state.fold = CumulativeFold.resume(
                    decode_view(state.cumulative), previous, last_day
                )
        state.fold.add(playlist, moment.date())
        flags = (
            (FIRST if entry.first else 0)
            | (RENAMED if entry.name_changed else 0)
            | (DESCRIBED if entry.description_changed else 0)
        )
        state.rows.append(
            (state.id, position, source, blob, entry.name, entry.description, entry.likes,
             entry.track_count, entry.previous_name, entry.previous_likes, flags,
             _json_list(entry.added), _json_list(entry.removed),
             _json_list(entry.updated))
        )  # fmt: skip
        state.previous = playlist
        state.last_kind, state.last_blob, state.last_time = kind, blob, time
        if state.entries is not None:
            state.entries.append(entry)

    def _previous(self, state: PlaylistState) -> Playlist | None:
        if state.previous is None and state.last_kind is not None and state.last_blob:
            from gitarchive import version_reader, versions

            paths = versions.source_paths(state.id)
            source = version_reader.SOURCE_KINDS[state.last_kind]
            state.previous = self.reader.read(
                source, state.last_blob, state.id, paths[state.last_kind], commit="(indexed)"
            )
        return state.previous


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
        db.wipe(connection, fingerprint)
        return last is not None
    commits, found = git.walk_commits_since(store, head, None if last is None else last[1])
    rebuilt = last is not None and not found
    start = 0
    if rebuilt:
        db.wipe(connection, fingerprint)
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


# ------------------------------------------------------------------ folds


Walked = list[tuple[str, int, tuple[str | None, ...]]]  # git.walk_paths_since's answer


@dataclass(frozen=True, slots=True)
class Built:
    """What building a new index computed for the playlist it was built for.

    The read that built it uses these as they are, instead of reading back and
    decoding what it just wrote (the warm reads that decode them print the
    same bytes: tests compare cold and warm outputs).
    """

    entries: list[Entry]
    view: CumulativeView | None


def build_chain_folding(store: Store, connection: sqlite3.Connection, playlist_id: str) -> Built:
    """Into an empty index: the chain and one playlist's fold from one walk of the log.

    The first read of a new index would otherwise walk every commit twice:
    once for the chain (commit ids and times), once for the playlist's paths.
    """
    from gitarchive import versions

    head = git.head_id(store)
    if tip(connection) is not None or head is None:
        raise ValueError("build_chain_folding needs an empty chain and a HEAD")
    paths = versions.source_paths(playlist_id)
    walked = git.walk_paths_since(store, paths, head, None, best_first=True)
    connection.executemany(
        "INSERT INTO chain VALUES (?, ?, ?)",
        [(position, commit, time) for position, (commit, time, _) in enumerate(walked)],
    )
    state = catch_up_playlist(store, connection, playlist_id, walked, collect=True)
    entries = [] if state is None or state.entries is None else state.entries
    return Built(entries, None if state is None else state.view)


def catch_up_playlist(
    store: Store,
    connection: sqlite3.Connection,
    playlist_id: str,
    walked: Walked | None = None,
    *,
    collect: bool = False,
) -> PlaylistState | None:
    """Fold one playlist up to the chain's tip, walking only its paths.

    ``walked``: the walk of the playlist's paths after its folded position,
    when the caller already did it (:func:`build_chain_folding`); ``collect``:
    keep every new version's entry in the returned state.
    """
    from gitarchive import versions

    last = tip(connection)
    if last is None:
        return None
    folder = Folder(store, connection)
    state = folder.load(playlist_id, all_folded(connection))
    if state.folded >= last[0]:
        return None
    state.entries = [] if collect else None
    with git.unverified_reads():  # a pass over many versions: read as git reads
        if walked is None:
            walked = git.walk_paths_since(
                store,
                versions.source_paths(playlist_id),
                last[1],
                commit_at_position(connection, state.folded),
                best_first=True,
            )
        position = state.folded + 1
        for commit, time, blobs in walked:
            if list(blobs) != state.files:
                state.files = list(blobs)
                folder.step(state, position, commit, time)
            position += 1
    folder.save(state, last[0])
    return state


def catch_up_all(store: Store, connection: sqlite3.Connection) -> None:
    """Fold every playlist up to the chain's tip in one pass over the folders."""
    from gitarchive import versions

    last = tip(connection)
    done = all_folded(connection)
    if last is None or done >= last[0]:
        return
    positions = dict(
        connection.execute("SELECT commit_id, position FROM chain WHERE position > ?", (done,))
    )
    walked = git.walk_since(store, versions.FOLDERS, last[1], commit_at_position(connection, done))
    folder = Folder(store, connection)
    states: dict[str, PlaylistState] = {}
    splits: dict[str, tuple[str, int] | None] = {}
    with git.unverified_reads():  # a pass over many versions: read as git reads
        for change in walked.changes:
            position = positions[change.commit]
            touched = _apply_changes(folder, states, splits, change.changes, position, done)
            time = int(change.date.timestamp())
            for playlist_id in sorted(touched):
                folder.step(states[playlist_id], position, change.commit, time)
    for state in states.values():
        folder.save(state, last[0])
    connection.execute("UPDATE meta SET value = ? WHERE key = 'all_folded'", (str(last[0]),))


def _apply_changes(
    folder: Folder,
    states: dict[str, PlaylistState],
    splits: dict[str, tuple[str, int] | None],
    changes: dict[str, str | None],
    position: int,
    done: int,
) -> set[str]:
    """One commit's changed files into the playlists' states; returns the playlists
    whose version the commit may change (those not folded on their own beyond it)."""
    touched: set[str] = set()
    for path, blob in changes.items():
        split = splits[path] if path in splits else splits.setdefault(path, _split(path))
        if split is None:
            continue
        playlist_id, index = split
        state = states.get(playlist_id)
        if state is None:
            state = states[playlist_id] = folder.load(playlist_id, done)
        if index == PLAIN:  # what `list` shows: every change, whatever was folded on its own
            state.listed_plain = blob
            state.plain_changed = position
        if position > state.folded:
            state.files[index] = blob
            touched.add(playlist_id)
    for playlist_id in touched:
        state = states[playlist_id]
        # a playlist folded on its own read its plain file only where it was the best
        # source; from here on the state is this pass's, where it is always known
        state.files[PLAIN] = state.listed_plain
    return touched


def _split(path: str) -> tuple[str, int] | None:
    from gitarchive import versions

    return versions._split_path(path)


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
    return zlib.compress(_compact(document).encode(), 1)


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
    previous_name, previous_likes, flags, added, removed, updated``."""
    (commit, time, name, description, likes, track_count, previous_name, previous_likes,
     flags, added, removed, updated) = row  # fmt: skip
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
    )


def _docs(text: str) -> tuple[dict[str, Any], ...]:
    return () if text == "[]" else tuple(json.loads(text))  # most versions change no track
