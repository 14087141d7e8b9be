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

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from gitarchive import git
from gitarchive.formats.paths import (
    SOURCE_FOLDERS,
    SOURCE_KINDS,
    source_paths,
    split_source_path,
)
from gitarchive.history import CumulativeFold, Version
from gitarchive.history.entries import KeyCache, entry_of
from gitarchive.index.stored import (
    DESCRIBED,
    FIRST,
    RENAMED,
    all_folded,
    commit_at_position,
    compact,
    decode_view,
    encode_view,
    tip,
)
from gitarchive.model import Playlist
from gitarchive.version_fold import Best, next_best, read_best
from gitarchive.version_reader import VersionReader

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable
    from datetime import date

    from gitarchive.git import Store
    from gitarchive.model import CumulativeView
    from gitarchive.timeline import Entry

PLAIN = SOURCE_KINDS.index("plain")  # the plain file's place in PlaylistState.files


def _ignore(message: str) -> None:
    del message


def _json_list(items: tuple[Any, ...]) -> str:
    return compact(items) if items else "[]"  # most versions change no track


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
    rows: list[tuple[Any, ...]] = field(default_factory=list)
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
            "INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", state.rows
        )
        state.rows = []

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
        entry = entry_of(version, previous, self.keys, state.previous_source)
        self._fold_cumulative(state, previous, playlist, moment.date())
        flags = (
            (FIRST if entry.first else 0)
            | (RENAMED if entry.name_changed else 0)
            | (DESCRIBED if entry.description_changed else 0)
        )
        state.rows.append(
            (state.id, position, source, blob, entry.name, entry.description, entry.likes,
             entry.track_count, entry.previous_name, entry.previous_likes, flags,
             _json_list(entry.added), _json_list(entry.removed),
             _json_list(entry.updated), _json_list(entry.moved))
        )  # fmt: skip
        state.previous, state.previous_source = playlist, source
        state.last_time = time
        if state.entries is not None:
            state.entries.append(entry)

    @staticmethod
    def _fold_cumulative(
        state: PlaylistState, previous: Playlist | None, playlist: Playlist, day: date
    ) -> None:
        if state.fold is None:
            state.fold = CumulativeFold()
            if state.cumulative is not None and previous is not None and state.last_time:
                last_day = datetime.fromtimestamp(state.last_time, tz=UTC).date()
                state.fold = CumulativeFold.resume(
                    decode_view(state.cumulative), previous, last_day
                )
        state.fold.add(playlist, day)

    def _previous(self, state: PlaylistState) -> Playlist | None:
        """The last version's playlist, read back from where the index says it was read."""
        if state.previous is None and state.last_kind is not None:
            row = self.connection.execute(
                "SELECT source, blob, position, name, description FROM versions"
                " WHERE playlist_id = ? ORDER BY position DESC LIMIT 1",
                (state.id,),
            ).fetchone()
            if row is not None:
                source, blob, position, name, description = row
                path = source_paths(state.id)[SOURCE_KINDS.index(source)]
                # as the walk read it: a plain file with its commit's page, and a header
                # sorted in among its tracks settled by the name the fold gave it then
                commit = commit_at_position(self.connection, position) or "(indexed)"
                named = Playlist(state.id, name, name, description)
                state.previous = self.reader.read(
                    source, blob, state.id, path, commit=commit, previous=named
                )
                state.previous_source = source
        return state.previous


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


def catch_up_all(
    store: Store, connection: sqlite3.Connection, warn: Callable[[str], None] = _ignore
) -> None:
    """Fold every playlist up to the chain's tip in one pass over the folders."""
    last = tip(connection)
    done = all_folded(connection)
    if last is None or done >= last[0]:
        return
    positions = dict(
        connection.execute("SELECT commit_id, position FROM chain WHERE position > ?", (done,))
    )
    walked = git.walk_since(store, SOURCE_FOLDERS, last[1], commit_at_position(connection, done))
    folder = Folder(store, connection, warn)
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
        split = splits[path] if path in splits else splits.setdefault(path, split_source_path(path))
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
