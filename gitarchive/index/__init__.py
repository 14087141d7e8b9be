"""The change index: a SQLite cache of every playlist's versions under ``.git/``.

``history``, ``cumulative``, ``show --at DATE`` and ``export`` read it after
catching it up with the commits added since it was last folded; ``sync``
folds its own commit. It is never required for correctness: deleting it
changes no output (tests compare every read command with and without it),
and a damaged or stale file is rebuilt. See :mod:`gitarchive.index.fold` for
the catch-up and the invalidation, :mod:`gitarchive.index.db` for the file.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from gitarchive import collector, git
from gitarchive.errors import GitArchiveError
from gitarchive.index import db, stored, track_terms

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from gitarchive.git import Store
    from gitarchive.index.fold import Built, Progress
    from gitarchive.model import CumulativeView, Playlist
    from gitarchive.timeline import Entry

T = TypeVar("T")
VersionSource = stored.VersionSource


def _ignore(message: str) -> None:
    del message


class ChangeIndex:
    """An open index, its chain caught up with HEAD (a new index's: by its first read)."""

    def __init__(self, store: Store, warn: Callable[[str], None] = _ignore) -> None:
        self.store = store
        self.warn = warn
        self.fingerprint = git.history_fingerprint(store)
        head = git.head_id(store)  # an unreadable HEAD fails before the file is opened
        self.connection, self.persistent = db.open_database(store, self.fingerprint, warn)
        self.rebuilt = False
        self._built: dict[str, Built] = {}  # what building this index computed
        try:
            last = stored.tip(self.connection)
            # a new index's chain is built by its first read, in the same walk as
            # that read's playlist (see fold.build_chain_folding)
            self._chain_pending = last is None and head is not None
            if last is not None and last[1] != head:
                self._write(self._catch_up_chain)
        except BaseException:
            # no __exit__ runs for a constructor that raised: left to the garbage
            # collector, the connection would close (and remove its WAL) at any later time
            self.connection.close()
            raise

    def _ensure_chain(self) -> None:
        if self._chain_pending:
            self._write(self._catch_up_chain)
            self._chain_pending = False

    def _catch_up_chain(self) -> None:
        rebuilt = stored.catch_up_chain(self.store, self.connection, self.fingerprint)
        self.rebuilt = self.rebuilt or rebuilt

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> ChangeIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, action: Callable[[], T]) -> T:
        """Run ``action`` in the one writer's transaction (readers keep reading: WAL)."""
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            result = action()
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")
        return result

    def rebuild(self, progress: Progress | None = None, jobs: int | None = None) -> None:
        """Empty the index and fold every playlist again; ``progress`` and ``jobs`` as in
        catch_up_all."""
        self._chain_pending = False
        # lazy: ~9 ms at startup (python -X importtime), see _catch_up
        from gitarchive.index import build, fold

        def wipe_and_refold() -> None:
            db.wipe(self.connection, self.fingerprint)
            stored.catch_up_chain(self.store, self.connection, self.fingerprint)
            build.catch_up_all(
                self.store, self.connection, self.warn, progress or fold.no_progress,
                _jobs(jobs),
            )  # fmt: skip

        self._write(wipe_and_refold)

    def catch_up_all(self, progress: Progress | None = None, jobs: int | None = None) -> None:
        """Fold every playlist up to HEAD; ``progress(step, done, total)`` is told how far
        each step of the fold is (``fold.READING`` commits, then ``fold.FOLDING`` playlists);
        ``jobs``: at most this many processes fold at once (None: ``workers.default_jobs``)."""
        # lazy: ~9 ms at startup (python -X importtime), see _catch_up
        from gitarchive.index import build, fold

        self._ensure_chain()
        self._write(
            lambda: build.catch_up_all(
                self.store, self.connection, self.warn, progress or fold.no_progress,
                _jobs(jobs),
            )
        )  # fmt: skip

    def _catch_up(self, playlist_id: str) -> None:
        # the chain is caught up at open (or pending, for a new index); re-check it
        # under the write lock, since another process may have moved HEAD and folded
        # meanwhile
        def both() -> None:
            with collector.paused():
                # lazy: the fold and its file readers (formats, version_reader) cost a
                # read ~9 ms at startup (python -X importtime); a warm read folds nothing
                from gitarchive.index import fold

                if stored.tip(self.connection) is None and git.head_id(self.store) is not None:
                    built = fold.build_chain_folding(
                        self.store, self.connection, playlist_id, self.warn
                    )
                    self._built[playlist_id] = built
                    return
                self._catch_up_chain()
                fold.catch_up_playlist(self.store, self.connection, playlist_id, warn=self.warn)

        if self._chain_pending:
            self._write(both)
            self._chain_pending = False
            return
        last = stored.tip(self.connection)
        row = self.connection.execute(
            "SELECT folded FROM playlists WHERE id = ?", (playlist_id,)
        ).fetchone()
        folded = max(row[0] if row else -1, stored.all_folded(self.connection))
        if last is not None and folded >= last[0] and last[1] == git.head_id(self.store):
            return
        self._built.pop(playlist_id, None)  # HEAD moved on: what was built is not all
        self._write(both)

    def _all_caught_up(self) -> bool:
        """Whether every playlist is folded up to HEAD (then no read needs a catch-up)."""
        if self._chain_pending:
            return False
        last = stored.tip(self.connection)
        return (
            last is not None
            and stored.all_folded(self.connection) >= last[0]
            and last[1] == git.head_id(self.store)
        )

    # -------------------------------------------------------------- reads

    def entries(self, playlist_id: str) -> list[Entry]:
        """Every version of the playlist as timeline entries, oldest first."""
        self._catch_up(playlist_id)
        built = self._built.get(playlist_id)
        if built is not None:
            return list(built.entries)
        return [entry for _source, entry in stored.read_versions(self.connection, playlist_id)]

    def cumulative(self, playlist_id: str) -> CumulativeView | None:
        self._catch_up(playlist_id)
        built = self._built.get(playlist_id)
        if built is not None:
            return built.view
        row = self.connection.execute(
            "SELECT cumulative FROM playlists WHERE id = ?", (playlist_id,)
        ).fetchone()
        return None if row is None or row[0] is None else stored.decode_view(row[0])

    def cumulative_keys(self, playlist_ids: Sequence[str]) -> Iterator[tuple[str, set[str]]]:
        """Each playlist's track keys, those of its cumulative view (:meth:`cumulative`),
        without building the view where it is stored: the site's pass over every playlist."""
        everyone = self._all_caught_up()
        for playlist_id in playlist_ids:
            if not everyone:
                self._catch_up(playlist_id)
            built = self._built.get(playlist_id)
            if built is not None:
                if built.view is not None:
                    yield playlist_id, {entry.track.key for entry in built.view.tracks}
                continue
            row = self.connection.execute(
                "SELECT cumulative FROM playlists WHERE id = ?", (playlist_id,)
            ).fetchone()
            if row is not None and row[0] is not None:
                yield playlist_id, stored.view_keys(row[0])

    def all_cumulative_views(self) -> dict[str, CumulativeView]:
        self.catch_up_all()
        decoder = stored.ViewDecoder()
        return {
            playlist_id: decoder.decode(data)
            for playlist_id, data in self.connection.execute(
                "SELECT id, cumulative FROM playlists WHERE cumulative IS NOT NULL ORDER BY id"
            )
        }

    def playlists_holding(self, terms: Iterable[int]) -> list[str]:
        """The playlists (sorted) whose cumulative view may list a track of these terms
        (:mod:`gitarchive.index.track_terms`), after folding every playlist up to HEAD."""
        last = stored.tip(self.connection)
        if self._chain_pending or (last and stored.all_folded(self.connection) < last[0]):
            self.catch_up_all()  # a warm index imports no fold and takes no write lock
        return track_terms.holding(self.connection, terms)

    def last_plain_changes(self) -> dict[str, datetime]:
        """Per playlist whose plain file is at HEAD: when a commit last changed that file.

        What ``git.last_changed(store, PLAIN_DIR, ...)`` finds by walking the log
        (``list``'s last change), after folding every playlist up to HEAD.
        """
        self.catch_up_all()
        rows = self.connection.execute(
            "SELECT p.id, c.time FROM playlists p JOIN chain c ON c.position = p.plain_changed"
            " WHERE p.listed_plain IS NOT NULL"
        )
        return {playlist_id: datetime.fromtimestamp(time, tz=UTC) for playlist_id, time in rows}

    def playlist_ids(self) -> list[str]:
        """Every playlist with an archived version, sorted, after folding up to HEAD."""
        self.catch_up_all()
        rows = self.connection.execute("SELECT DISTINCT playlist_id FROM versions ORDER BY 1")
        return [playlist_id for (playlist_id,) in rows]

    def version_sources(self, playlist_ids: Sequence[str] | None = None) -> list[VersionSource]:
        """Where each version of these playlists (None: all) was read from, oldest first.

        Grouped by playlist id in sorted order. Reading these blobs gives the
        versions a walk of the log finds, without walking it.
        """
        if playlist_ids is None:
            self.catch_up_all()
            return stored.version_sources(self.connection, None)
        found: list[VersionSource] = []
        for playlist_id in sorted(set(playlist_ids)):
            self._catch_up(playlist_id)
            found.extend(stored.version_sources(self.connection, playlist_id))
        return found

    def commit_at(self, when: datetime) -> str | None:
        """As ``git.commit_at``: the newest chain commit committed at or before ``when``."""
        self._ensure_chain()
        row = self.connection.execute(
            "SELECT commit_id FROM chain WHERE time <= ? ORDER BY position DESC LIMIT 1",
            (when.timestamp(),),
        ).fetchone()
        return None if row is None else str(row[0])

    def followers_blob(self, playlist_id: str) -> str | None:
        """The blob of the playlist's followers record at HEAD (None: it has none)."""
        return stored.followers_blob(self.store, self.connection, playlist_id)

    def shown_version(self, playlist_id: str, commit: str) -> tuple[Playlist, datetime] | None:
        """The version ``show`` read at ``commit`` before (with the commit's date), if kept."""
        return stored.shown_version(self.connection, playlist_id, commit)

    def keep_shown(self, playlist_id: str, commit: str, version: Playlist, when: datetime) -> None:
        stored.keep_shown(self.connection, playlist_id, commit, stored.encode_shown(version, when))

    def status(self) -> dict[str, Any]:
        self._ensure_chain()
        last = stored.tip(self.connection)
        count = self.connection.execute
        return {
            "path": str(db.index_path(self.store)) if self.persistent else None,
            "commits": 0 if last is None else last[0] + 1,
            "tip": None if last is None else last[1],
            "all_folded": stored.all_folded(self.connection) + 1,
            "playlists": count("SELECT count(*) FROM playlists").fetchone()[0],
            "versions": count("SELECT count(*) FROM versions").fetchone()[0],
        }


def _jobs(jobs: int | None) -> int:
    # lazy: see ChangeIndex.rebuild (the fold's modules, ~9 ms at startup)
    from gitarchive.index import workers

    return workers.default_jobs() if jobs is None else jobs


def using_index(store: Store, warn: Callable[[str], None], action: Callable[[ChangeIndex], T]) -> T:
    """``action`` on the caught-up index; a damaged file is rebuilt once, with a warning.

    Only damage is rebuilt: a busy index (another command writing it) or the
    disk's trouble is one error line, and the file is left as it is.
    """
    path = db.index_path(store)
    try:
        with ChangeIndex(store, warn) as index:
            return action(index)
    except sqlite3.DatabaseError as exc:
        if not db.is_damage(exc):
            raise db.unusable(path, exc) from None
        warn(f"the change index {path} is damaged ({exc}); rebuilding it")
        db.remove_files(path)
    try:
        with ChangeIndex(store, warn) as index:
            return action(index)
    except sqlite3.DatabaseError as exc:
        raise db.unusable(path, exc) from None


def worth_reading(store: Store) -> bool:
    """Whether an index already exists where it can be used (not disabled, not shallow).

    For the commands that need every playlist folded (``list``, a sync's
    commit): building an index from nothing costs more than their own walk.
    """
    if not db.index_path(store).exists() or os.environ.get(db.DISABLE_ENV):
        return False
    return not git.shallow_boundary(store)  # read commands refuse a shallow history


def fold_new_commit(store: Store, warn: Callable[[str], None] = _ignore) -> bool:
    """After ``sync`` committed: fold its commit into an existing index, if that is cheap.

    Only an index already folded up to the commit's parent is updated (one
    commit read); any other index is left to catch up when next read, and no
    index is created here. A failure never fails the sync: the index is a cache.
    Returns whether the index was updated.
    """
    if not worth_reading(store):
        return False
    try:
        with ChangeIndex(store, warn) as index:
            last = stored.tip(index.connection)
            if index.rebuilt or last is None or stored.all_folded(index.connection) != last[0] - 1:
                return False
            index.catch_up_all()
            return True
    except (sqlite3.Error, OSError, GitArchiveError) as exc:
        warn(f"the change index was not updated ({exc}); it catches up when next read")
        return False
