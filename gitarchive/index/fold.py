"""Folding the log into the change index, incrementally.

The index records HEAD's first-parent chain (``chain``) and, per playlist, the
state of the version fold after some position of that chain (``playlists``:
its files' blob ids, its last version, its cumulative view) plus every version
found so far (``versions``). A catch-up reads only the commits after that
position, exactly as a walk of the whole log would have met them (the same
rule, :mod:`gitarchive.version_fold`, as ``versions.list_versions`` and
``iter_all_versions``), so the index states what a walk would compute.

Invalidation is by ancestry: the chain is extended only when its last commit
is still on HEAD's first-parent chain; otherwise (force-push, rebase, reset to
an older commit, a commit not in the object database) every table is emptied
and refolded. A playlist is folded on its own (one history: only its paths
are walked) or with all others in one pass (``all_folded``); its effective
position is the later of the two.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from gitarchive import git
from gitarchive.formats.paths import SOURCE_KINDS, source_paths
from gitarchive.history import CumulativeFold, Version
from gitarchive.history.delta import Delta, Tracker
from gitarchive.history.entries import entry_of_diff, moved_documents, track_changes
from gitarchive.index.rows import TrackIds
from gitarchive.index.stored import (
    DESCRIBED,
    FIRST,
    RENAMED,
    all_folded,
    commit_at_position,
    decode_view,
    tip,
)
from gitarchive.index.track_terms import encoded_with_terms
from gitarchive.model import Playlist
from gitarchive.version_fold import Best, next_best, read_best
from gitarchive.version_reader import VersionReader

if TYPE_CHECKING:
    import sqlite3
    from datetime import date

    from gitarchive.git import Store
    from gitarchive.model import CumulativeView
    from gitarchive.timeline import Entry

PLAIN = SOURCE_KINDS.index("plain")  # the plain file's place in PlaylistState.files
# what an all-playlists fold tells its caller, with how far it is (done, total)
READING, FOLDING = "reading commits", "folding playlists"
Progress = Callable[[str, int, int], None]


def _ignore(message: str) -> None:
    del message


def no_progress(what: str, done: int, total: int) -> None:
    del what, done, total


# rows a fold holds before writing them: its memory stays flat in the number of versions
FLUSH_ROWS = 2_000
# playlists folded with one reader and track-id cache: they remember the tracks they parsed,
# which playlists share, but so many only that memory stays flat in their number
FRESH_READER_EVERY = 32


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
    previous_source: str | None = None  # the kind of file `previous` was read from
    fold: CumulativeFold | None = None
    tracker: Tracker | None = None  # the delta of each version's tracks from the last one's
    entries: list[Entry] | None = None  # every version's entry, when collected (Built)
    view: CumulativeView | None = None  # the cumulative view save() stored, if it made one

    @property
    def last(self) -> Best | None:
        """The best source of the last version (version_fold's rule)."""
        if self.last_kind is None or self.last_blob is None:
            return None
        return self.last_kind, self.last_blob


class Folder:
    """One catch-up: reads new versions and writes them in the caller's transaction."""

    def __init__(
        self, store: Store, connection: sqlite3.Connection, warn: Callable[[str], None] = _ignore
    ) -> None:
        self.store = store
        self.connection = connection
        self.warn = warn
        # False when the walk read only each commit's best source (walk_paths_since's
        # best_first): a version's fallback then looks the others up
        self.complete_files = True
        self.reader = VersionReader(store, warn=warn)
        self.tracks = TrackIds(connection)
        self.rows: list[tuple[Any, ...]] = []  # versions not written yet

    def fresh_caches(self) -> None:
        """Forget the track objects parsed so far and their row ids (the all-playlists pass's
        memory)."""
        self.reader = VersionReader(self.store, warn=self.warn)
        self.tracks.forget_objects()

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
        if state.fold is not None:  # the view, and the terms `track` looks up (track_terms)
            state.view, keys = state.fold.keyed_view()
            cumulative = encoded_with_terms(self.connection, state.id, state.view, keys)
        self.connection.execute(
            "INSERT OR REPLACE INTO playlists VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (state.id, folded, *state.files, state.last_kind, state.last_blob,
             state.last_time, cumulative, state.listed_plain, state.plain_changed),
        )  # fmt: skip
        self.flush()

    def flush(self) -> None:
        self.connection.executemany(
            "INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self.rows
        )
        self.rows = []

    # -------------------------------------------------------------- one version

    def step(self, state: PlaylistState, position: int, commit: str, time: int) -> None:
        """The fold after the commit at ``position`` changed ``state.files``."""
        best = next_best(state.files, state.last)
        if best is None:
            return  # deleted (tracking pauses), or the best source did not change
        state.last_kind, state.last_blob = best
        previous = self._previous(state)
        read = read_best(
            self.reader,
            state.id,
            state.files,
            best,
            commit=commit,
            warn=self.warn,
            complete=self.complete_files,
            previous=previous,
        )
        if read is None:
            return  # no source of this commit parses: the version is skipped
        (kind, blob), playlist = read
        source = SOURCE_KINDS[kind]
        moment = datetime.fromtimestamp(time, tz=UTC)
        version = Version(commit, moment, playlist, source)
        if state.tracker is None:
            state.tracker = Tracker()
        delta, diff, moved = track_changes(version, previous, state.tracker, state.previous_source)
        self._fold_cumulative(state, previous, playlist, moment.date(), delta)
        # entry_of_diff's fields, without the track documents only a collecting fold needs
        name, description = playlist.display_name, playlist.description
        renamed = previous is not None and previous.display_name != name
        described = previous is not None and previous.description != description
        flags = (
            (FIRST if previous is None else 0)
            | (RENAMED if renamed else 0)
            | (DESCRIBED if described else 0)
        )
        self.rows.append(
            (state.id, position, kind, bytes.fromhex(blob),
             None if previous is not None and not renamed else name,
             None if previous is not None and not described else description,
             playlist.num_followers, len(playlist.tracks), flags,
             self.tracks.track_changes(diff, moved))
        )  # fmt: skip
        if len(self.rows) >= FLUSH_ROWS:
            self.flush()
        state.previous, state.previous_source = playlist, source
        state.last_time = time
        if state.entries is not None:
            state.entries.append(entry_of_diff(version, previous, diff, moved_documents(moved)))

    @staticmethod
    def _fold_cumulative(
        state: PlaylistState, previous: Playlist | None, playlist: Playlist, day: date, delta: Delta
    ) -> None:
        if state.fold is None:
            state.fold = CumulativeFold()
            if state.cumulative is not None and previous is not None and state.last_time:
                last_day = datetime.fromtimestamp(state.last_time, tz=UTC).date()
                state.fold = CumulativeFold.resume(
                    decode_view(state.cumulative), previous, last_day
                )
        state.fold.add(playlist, day, delta)

    def _previous(self, state: PlaylistState) -> Playlist | None:
        """The last version's playlist, read back from where the index says it was read."""
        if state.previous is None and state.last_kind is not None:
            row = self.connection.execute(
                "SELECT source, blob, position FROM versions"
                " WHERE playlist_id = ? ORDER BY position DESC LIMIT 1",
                (state.id,),
            ).fetchone()
            if row is not None:
                kind, blob, position = row
                source = SOURCE_KINDS[kind]
                path = source_paths(state.id)[kind]
                # as the walk read it: a plain file with its commit's page, and a header
                # sorted in among its tracks settled by the name the fold gave it then
                commit = commit_at_position(self.connection, position) or "(indexed)"
                name, description = self._last_header(state.id)
                named = Playlist(state.id, name, name, description)
                state.previous = self.reader.read(
                    source, blob.hex(), state.id, path, commit=commit, previous=named
                )
                state.previous_source = source
        return state.previous

    def _last_header(self, playlist_id: str) -> tuple[str, str]:
        """The last version's name and description: rows keep them only where they changed."""
        last = " FROM versions WHERE playlist_id = ?1 AND {0} IS NOT NULL ORDER BY position DESC"
        query = "SELECT ({}), ({})".format(
            *(f"SELECT {c}{last.format(c)} LIMIT 1" for c in ("name", "description"))
        )
        name, description = self.connection.execute(query, (playlist_id,)).fetchone()
        return name or "", description or ""


# ------------------------------------------------------------------ folds


Walked = list[tuple[str, int, tuple[str | None, ...]]]  # git.walk_paths_since's answer
# one playlist's changed files, by commit: (position, kind, blob, commit, time), in
# the order of position then kind (index.build's all-playlists pass)
Changes = list[tuple[int, int, str | None, str, int]]


@dataclass(frozen=True, slots=True)
class Built:
    """What building a new index computed for the playlist it was built for.

    The read that built it uses these as they are, instead of reading back and
    decoding what it just wrote (the warm reads that decode them print the
    same bytes: tests compare cold and warm outputs).
    """

    entries: list[Entry]
    view: CumulativeView | None


def build_chain_folding(
    store: Store,
    connection: sqlite3.Connection,
    playlist_id: str,
    warn: Callable[[str], None] = _ignore,
) -> Built:
    """Into an empty index: the chain and one playlist's fold from one walk of the log.

    The first read of a new index would otherwise walk every commit twice:
    once for the chain (commit ids and times), once for the playlist's paths.
    """
    head = git.head_id(store)
    if tip(connection) is not None or head is None:
        raise ValueError("build_chain_folding needs an empty chain and a HEAD")
    paths = source_paths(playlist_id)
    walked = git.walk_paths_since(store, paths, head, None, best_first=True)
    connection.executemany(
        "INSERT INTO chain VALUES (?, ?, ?)",
        [(position, commit, time) for position, (commit, time, _) in enumerate(walked)],
    )
    state = catch_up_playlist(store, connection, playlist_id, walked, collect=True, warn=warn)
    entries = [] if state is None or state.entries is None else state.entries
    return Built(entries, None if state is None else state.view)


def catch_up_playlist(
    store: Store,
    connection: sqlite3.Connection,
    playlist_id: str,
    walked: Walked | None = None,
    *,
    collect: bool = False,
    warn: Callable[[str], None] = _ignore,
) -> PlaylistState | None:
    """Fold one playlist up to the chain's tip, walking only its paths.

    ``walked``: the walk of the playlist's paths after its folded position,
    when the caller already did it (:func:`build_chain_folding`); ``collect``:
    keep every new version's entry in the returned state; ``warn``: told of
    each version that cannot be read as it should (see version_fold).
    """
    last = tip(connection)
    if last is None:
        return None
    folder = Folder(store, connection, warn)
    folder.complete_files = False  # walked best_first
    state = folder.load(playlist_id, all_folded(connection))
    if state.folded >= last[0]:
        return None
    state.entries = [] if collect else None
    with git.unverified_reads():  # a pass over many versions: read as git reads
        if walked is None:
            walked = git.walk_paths_since(
                store,
                source_paths(playlist_id),
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


def fold_changes(folder: Folder, state: PlaylistState, rows: Changes) -> None:
    """The playlist's changed files (see :data:`Changes`) into its state, commit by commit.

    A commit makes a version only where the playlist was not folded on its own
    beyond it; its plain file is recorded for ``list`` at every commit.
    """
    for index, (position, kind, blob, commit, time) in enumerate(rows):
        if kind == PLAIN:  # what `list` shows: every change, whatever was folded on its own
            state.listed_plain = blob
            state.plain_changed = position
        if position > state.folded:
            state.files[kind] = blob
        if index + 1 < len(rows) and rows[index + 1][0] == position:
            continue  # the commit's other files first
        if position > state.folded:
            # a playlist folded on its own read its plain file only where it was the
            # best source; from here on the state is this pass's, where it is known
            state.files[PLAIN] = state.listed_plain
            folder.step(state, position, commit, time)
