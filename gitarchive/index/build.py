"""The all-playlists pass of the change index: the walk, then every playlist's fold.

Two steps, each in memory that does not grow with the number of versions: the
walk writes every changed source file to a temporary table, then each playlist
is folded from its rows. One playlist's blobs read one after the other follow
the pack's delta chains (a file's version is stored as a delta of its next
one); commit order, across every playlist, overflows libgit2's delta base cache
and made the reads four times as costly.

The folds of different playlists share nothing but the ``tracks`` table's
numbering, so a long pass folds them in worker processes
(:mod:`gitarchive.index.workers`) while this process, the one writer, numbers
their track documents and writes every row in the caller's transaction, in the
order a fold in this process would have: the file holds the same rows either way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive import collector, git
from gitarchive.formats.paths import SOURCE_FOLDERS, split_source_path
from gitarchive.index import fold, workers
from gitarchive.index.fold import FOLDING, READING, Changes, Folder, Progress, no_progress
from gitarchive.index.stored import all_folded, commit_at_position, tip

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable

    from gitarchive.git import Store

# changed files (about one version each) from which a pass folds in worker processes,
# started by the walk as soon as it has found that many: starting one (a new
# interpreter importing the fold and pygit2) costs ~0.2 s of CPU and ~1.4 s of wall
# time at load 9, where a fold takes ~0.4 ms a version: from here the workers' share
# is worth their start; a catch-up of a few commits starts none
PARALLEL_FROM = 5_000

# changed files the walk holds before writing them to temp.changed, sorted: in the
# table's order the inserts land on a few pages each instead of one per playlist
# at every commit (the own shape's 150,349 rows: 1.08 -> 0.61 s of CPU)
INSERT_BATCH = 16_384

_CHANGED_PLAYLISTS = "SELECT DISTINCT playlist_id FROM temp.changed ORDER BY 1"


def _ignore(message: str) -> None:
    del message


def catch_up_all(
    store: Store,
    connection: sqlite3.Connection,
    warn: Callable[[str], None] = _ignore,
    progress: Progress = no_progress,
    jobs: int = 1,
) -> None:
    """Fold every playlist up to the chain's tip in one pass over the folders.

    ``progress`` is told of both steps (see :data:`fold.Progress`); ``jobs``: how
    many processes may fold at once (1: this one only; see :data:`PARALLEL_FROM`).
    Only a pass that starts workers maps the pack in their smaller windows.
    """
    last = tip(connection)
    done = all_folded(connection)
    if last is None or done >= last[0]:
        return
    # started by the walk once it has found PARALLEL_FROM changed files
    pool = workers.Workers(store, jobs) if jobs > 1 else None
    try:
        _record_changes(store, connection, done, progress, pool)
        playlist_ids = [row[0] for row in connection.execute(_CHANGED_PLAYLISTS)]
        progress(FOLDING, 0, len(playlist_ids))
        # a pass over many versions: read as git reads, no collection of acyclic folds
        with git.unverified_reads(), collector.paused():
            if pool is not None and pool.started and len(playlist_ids) > 1:
                pass_ = workers.Pass(store, connection, warn, done, last[0])
                pass_.run(pool, playlist_ids, lambda id_: changed_rows(connection, id_), progress)
            else:
                _fold_here(store, connection, warn, playlist_ids, done, last[0], progress)
    finally:
        if pool is not None:
            pool.close()
    connection.execute("DROP TABLE temp.changed")
    connection.execute("UPDATE meta SET value = ? WHERE key = 'all_folded'", (str(last[0]),))


def _fold_here(
    store: Store,
    connection: sqlite3.Connection,
    warn: Callable[[str], None],
    playlist_ids: list[str],
    done: int,
    folded: int,
    progress: Progress,
) -> None:
    folder = Folder(store, connection, warn)
    for count, playlist_id in enumerate(playlist_ids, 1):
        if count % fold.FRESH_READER_EVERY == 0:
            folder.fresh_caches()
        state = folder.load(playlist_id, done)
        fold.fold_changes(folder, state, changed_rows(connection, playlist_id))
        folder.save(state, folded)
        progress(FOLDING, count, len(playlist_ids))


def changed_rows(connection: sqlite3.Connection, playlist_id: str) -> Changes:
    """The playlist's rows of ``temp.changed`` with their commits (see :data:`fold.Changes`):
    its changes, not its versions' contents."""
    return connection.execute(
        "SELECT t.position, t.kind, t.blob, c.commit_id, c.time FROM temp.changed t"
        " JOIN chain c ON c.position = t.position WHERE t.playlist_id = ?"
        " ORDER BY t.position, t.kind",
        (playlist_id,),
    ).fetchall()


def _record_changes(
    store: Store,
    connection: sqlite3.Connection,
    done: int,
    progress: Progress,
    pool: workers.Workers | None,
) -> None:
    """Every source file changed after position ``done``, into ``temp.changed``; the
    ``pool``'s workers are started once there are :data:`PARALLEL_FROM`."""
    connection.execute("DROP TABLE IF EXISTS temp.changed")
    connection.execute(
        "CREATE TEMP TABLE changed (playlist_id TEXT NOT NULL, position INTEGER NOT NULL,"
        " kind INTEGER NOT NULL, blob TEXT, PRIMARY KEY (playlist_id, position, kind))"
        " WITHOUT ROWID"
    )
    commits = [
        row[0]
        for row in connection.execute(
            "SELECT commit_id FROM chain WHERE position > ? ORDER BY position", (done,)
        )
    ]
    positions = {commit: done + 1 + offset for offset, commit in enumerate(commits)}
    splits: dict[str, tuple[str, int] | None] = {}
    playlists: set[str] = set()  # seen so far: no more workers than playlists
    progress(READING, 0, len(commits))
    since = commit_at_position(connection, done)
    count = 0
    pending: list[tuple[str, int, int, str | None]] = []
    for change in git.stream_changes(store, SOURCE_FOLDERS, commits, since):
        position = positions[change.commit]
        for path, blob in change.changes.items():
            if path in splits:
                split = splits[path]
            else:
                split = splits[path] = split_source_path(path)
                if split is not None:
                    playlists.add(split[0])
            if split is not None:
                pending.append((split[0], position, split[1], blob))
        if len(pending) >= INSERT_BATCH:
            count += _insert_changed(connection, pending)
        if pool is not None and count + len(pending) >= PARALLEL_FROM:
            pool.start(len(playlists))
        progress(READING, position - done, len(commits))
    _insert_changed(connection, pending)
    progress(READING, len(commits), len(commits))


def _insert_changed(
    connection: sqlite3.Connection, rows: list[tuple[str, int, int, str | None]]
) -> int:
    """Write ``rows`` (emptied) to temp.changed in its key's order; how many there were."""
    rows.sort()
    connection.executemany("INSERT INTO temp.changed VALUES (?, ?, ?, ?)", rows)
    count = len(rows)
    rows.clear()
    return count
