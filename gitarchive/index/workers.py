"""Folding playlists in worker processes, for the all-playlists pass (index.build).

With ``jobs`` processes, ``jobs - 1`` workers fold and so does this process.
Each worker is a new interpreter ("spawn": libgit2's handles and locks must not
cross a fork), started while this process still walks the history, that opens
the repository and its own version reader, folds the playlists it is given as
:class:`gitarchive.index.fold.Folder` does, and sends back each playlist's rows
with their track documents as text. The workers take the playlists in order;
this process folds the next one whenever the next answer to write is not back
yet, the same way, and keeps its answer until that playlist's turn. It is the
one writer: it numbers the documents (``tracks``) and writes the rows in the
caller's transaction, taking the playlists in the order of a fold in one
process, so the index holds the same rows whichever way it was built; an error
or an interruption anywhere rolls the whole pass back.

A worker ignores Ctrl-C (this process stops them) and exits by itself when
this process is gone, killed without a word.
"""

from __future__ import annotations

import collections
import contextlib
import fcntl
import logging
import os
import resource
import signal
import sqlite3
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitarchive import collector, git
from gitarchive.errors import ArchiveError, SettingsError, UsageError
from gitarchive.index import db, fold
from gitarchive.index.fold import FOLDING, Changes, Folder
from gitarchive.index.rows import DocumentsOnly, TrackIds

if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import Executor, Future

    from gitarchive.git import Store
    from gitarchive.index.fold import Progress

logger = logging.getLogger(__name__)

JOBS_ENV = "GITARCHIVE_INDEX_JOBS"
# playlists handed to each worker ahead of the writer: enough that none waits for
# the next, few enough that the rows waiting to be written stay a few playlists'
AHEAD = 4

# each process's pack windows in a build with workers, 2 MiB, at most 8 MiB mapped; and
# the playlists folded with one reader and key cache there, 4 (fold's own: 32): libgit2's
# pages of the pack and the parsed tracks stay resident in each process. Against this
# process's own bounds (32 and 64 MiB, 32 playlists) they cost the own-shape build ~5%
# more CPU at 4 and 16 MiB; with 8 playlists the foreign build's processes together
# peaked at 227 MiB, with these at 196 MiB, for ~10% more CPU (one run, load 10)
PACK_WINDOWS = (2 << 20, 8 << 20)
FRESH_EVERY = 4

# a worker's answer is one message on the pool's result pipe, 220-390 KB in the foreign
# build (1,000 commits, 250 playlists); through Linux's default pipe of 64 KiB the worker
# waited in its write while this process, folding, took the GIL back between its reader
# thread's reads of 64 KiB: ~1.2 s of a worker's 9 s (py-spy), a build 9.6 -> 8.7 s
# (medians of 4 interleaved, --jobs 2). 1 MiB (what Linux lets anyone ask for) holds one
RESULT_PIPE_BYTES = 1 << 20

# (playlists row, its track_terms rows, version rows whose last field is
# rows.DocumentsOnly's changes, warnings, the worker's peak RSS in bytes and its
# process id)
Result = tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]], list[str], int, int]


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity, where the system says)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def parse_jobs(text: str, origin: str) -> int:
    """A number of processes as given to ``origin`` (``--jobs`` or the variable)."""
    try:
        jobs = int(text.strip())
    except ValueError:
        jobs = 0
    if jobs < 1:
        message = f"{origin} {text!r}: expected a number of processes, 1 or more"
        raise SettingsError(message) if origin == JOBS_ENV else UsageError(message)
    return jobs


def default_jobs() -> int:
    """``GITARCHIVE_INDEX_JOBS`` if set, else one process per available CPU."""
    text = os.environ.get(JOBS_ENV, "")
    return parse_jobs(text, JOBS_ENV) if text.strip() else available_cpus()


def peak_rss() -> int:
    """This process's peak resident memory so far, in bytes.

    Linux's own count (VmHWM) where there is one: ``ru_maxrss`` survives ``exec``,
    so a spawned worker's would start at the writer's peak when it was started.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


# ------------------------------------------------------------------ the workers


class Workers:
    """The ``jobs - 1`` worker processes of a pass, started by :meth:`start` (during the
    walk, once it has found enough changed files: each new interpreter imports the fold
    and opens the repository while this process walks on) and ended by :meth:`close`."""

    def __init__(self, store: Store, jobs: int) -> None:
        self.store = store
        self.jobs = jobs
        self.pool: Executor | None = None
        self.bounds: tuple[int, int] | None = None  # this process's pack windows before

    def start(self, playlists: int) -> None:
        """Start the workers now (once), no more than ``playlists - 1`` (the playlists
        found so far, two at least): they fold nothing until :class:`Pass` asks."""
        if self.pool is not None or playlists < 2:
            return
        self.jobs = min(self.jobs, playlists)
        # lazy: concurrent.futures and multiprocessing cost 30-70 ms at startup
        # (python -X importtime, load ~2), and only a long pass starts processes
        import multiprocessing

        # lazy: with multiprocessing above
        from concurrent.futures import ProcessPoolExecutor

        # from here this process maps less of the pack (windows mapped before go first)
        self.bounds = git.bound_pack_windows(*PACK_WINDOWS)
        context = multiprocessing.get_context("spawn")
        initargs = (str(self.store.git_dir), os.getpid())
        # (this starts multiprocessing's resource tracker, which unblocks SIGINT here)
        self.pool = ProcessPoolExecutor(
            self.jobs - 1, context, initializer=_start, initargs=initargs
        )
        _widen_result_pipe(self.pool)
        # a new process inherits the blocked signals: a Ctrl-C while a worker imports
        # is this process's alone (it stops the workers), not a traceback from each
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            for _ in range(self.jobs - 1):  # the pool starts a process per task waiting
                self.pool.submit(os.getpid)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    @property
    def started(self) -> bool:
        return self.pool is not None

    def close(self) -> None:
        """Stop the workers (after their current playlist), wait for them to end, and
        restore the windows.

        Waiting costs a worker's end (its interpreter freeing all it kept, ~0.15 s) after
        a finished pass; left to the interpreter's exit (concurrent.futures' hook), a
        Ctrl-C there printed a traceback instead of the command's one line."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        if self.bounds is not None:
            git.bound_pack_windows(*self.bounds)


def _widen_result_pipe(pool: Executor) -> None:
    """Let the pool's result pipe hold a whole answer (:data:`RESULT_PIPE_BYTES`). Where
    the system or the pool's internals (``_result_queue``, a private name) differ, or
    the system refuses the size, nothing changes but the speed."""
    reader = getattr(getattr(pool, "_result_queue", None), "_reader", None)
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)
    if reader is None or set_size is None:
        return
    with contextlib.suppress(OSError, ValueError, AttributeError):
        fcntl.fcntl(reader.fileno(), set_size, RESULT_PIPE_BYTES)


# ------------------------------------------------------------------ the writer


class Pass:
    """One all-playlists fold with workers, written into the caller's transaction."""

    def __init__(
        self,
        store: Store,
        connection: sqlite3.Connection,
        warn: Callable[[str], None],
        done: int,
        folded: int,
    ) -> None:
        self.store = store
        self.connection = connection
        self.warn = warn
        self.done = done  # the position every playlist was folded to (all_folded)
        self.folded = folded  # the tip's position: every playlist's after this pass
        self.tracks = TrackIds(connection)
        self.here: Folder | None = None  # this process's fold in turn (see _fold_here)
        self.ahead: _Worker | None = None  # and ahead of its turn (see _fold_ahead)
        self.folded_here = 0
        self.peaks: dict[int, int] = {}  # each worker's peak RSS
        # the playlists taken in order, not written yet, each with its worker's answer
        # to come, this process's answer (folded ahead of its turn), or None where this
        # process folds it in turn
        self.waiting: collections.deque[tuple[str, Future[Result] | Result | None]] = (
            collections.deque()
        )
        self.handed = 0  # playlists handed to the workers, not written yet
        self.kept = 0  # answers of this process's waiting in self.waiting

    def run(
        self,
        workers: Workers,
        playlist_ids: list[str],
        changed_rows: Callable[[str], Changes],
        progress: Progress,
    ) -> None:
        """Fold ``playlist_ids`` (their changed files: ``changed_rows``) in this process
        and the started ``workers``, writing each playlist in turn."""
        # lazy: with multiprocessing (Workers.start)
        from concurrent.futures.process import BrokenProcessPool

        started = time.perf_counter()
        if workers.pool is None:
            raise RuntimeError("a pass with workers that were not started")
        try:
            self._fold_all(workers.pool, workers.jobs, playlist_ids, changed_rows, progress)
        except BrokenProcessPool:
            raise ArchiveError(
                "a process folding the change index ended without a word (killed, or out "
                "of memory?); the index was left as it was"
            ) from None
        finally:
            for _playlist_id, answer in self.waiting:
                if answer is not None and not isinstance(answer, tuple):
                    answer.cancel()
        self._log(len(playlist_ids), workers.jobs, time.perf_counter() - started)

    def _fold_all(
        self,
        pool: Executor,
        jobs: int,
        playlist_ids: list[str],
        changed_rows: Callable[[str], Changes],
        progress: Progress,
    ) -> None:
        """The workers take the playlists in order, :data:`AHEAD` each ahead of the writer;
        whenever the next one to write is not back yet, this process folds the next one
        not handed out (ahead of its turn, kept until then): every process folds all
        the time, whatever its share of the machine. Near the end the workers are handed
        no more than this process has left to fold, so that all finish together."""
        todo = collections.deque(playlist_ids)
        for count in range(1, len(playlist_ids) + 1):
            while True:
                while self.handed < min((jobs - 1) * AHEAD, len(todo) * (jobs - 1)):
                    self._hand_out(pool, todo.popleft(), changed_rows)
                answer = self.waiting[0][1]
                if not todo or self.kept >= AHEAD or _ready(answer):
                    break
                self._fold_ahead(todo.popleft(), changed_rows)
            playlist_id, answer = self.waiting.popleft()
            if answer is None:
                self._fold_here(playlist_id, changed_rows(playlist_id))
            elif isinstance(answer, tuple):
                self.kept -= 1
                self._write(answer)
            else:
                self.handed -= 1
                self._write(answer.result())
            progress(FOLDING, count, len(playlist_ids))

    def _row(self, playlist_id: str) -> tuple[tuple[Any, ...] | None, bool]:
        """The playlist's row, and whether its fold resumes from a version it has."""
        cursor = self.connection.execute("SELECT * FROM playlists WHERE id = ?", (playlist_id,))
        row: tuple[Any, ...] | None = cursor.fetchone()
        if row is None:
            return None, False
        columns = [column[0] for column in cursor.description]
        return row, row[columns.index("last_kind")] is not None

    def _task(self, playlist_id: str) -> tuple[str, tuple[Any, ...] | None, int, int] | None:
        """The playlist's task for a worker's fold; None, and the playlist queued to be
        folded here in turn, where its fold resumes from versions this index holds."""
        row, resumes = self._row(playlist_id)
        if resumes:
            self.waiting.append((playlist_id, None))
            return None
        return playlist_id, row, self.done, self.folded

    def _hand_out(
        self, pool: Executor, playlist_id: str, changed_rows: Callable[[str], Changes]
    ) -> None:
        task = self._task(playlist_id)
        if task is not None:
            answer = pool.submit(_fold, task, changed_rows(playlist_id))
            self.waiting.append((playlist_id, answer))
            self.handed += 1

    def _fold_ahead(self, playlist_id: str, changed_rows: Callable[[str], Changes]) -> None:
        """A playlist folded here before the ones handed out are written: as a worker
        folds it (its documents numbered when it is written, in turn)."""
        task = self._task(playlist_id)
        if task is not None:
            if self.ahead is None:
                self.ahead = _Worker(self.store)
            self.waiting.append((playlist_id, self.ahead.fold(task, changed_rows(playlist_id))))
            self.kept += 1

    def _fold_here(self, playlist_id: str, changes: Changes) -> None:
        """A playlist with versions folded already: its fold reads its last one back from
        the index, which only this process sees (its transaction is not committed)."""
        if self.here is None:
            self.here = Folder(self.store, self.connection, self.warn)
            self.here.tracks = self.tracks  # one numbering of the documents
        self.folded_here += 1
        if self.folded_here % FRESH_EVERY == 0:
            self.here.fresh_caches()
            # and the documents' fields: 8-10 MiB of this process's peak, which with
            # the workers' was over 200 MiB (205 -> 196 MiB, 2% more CPU, own shape)
            self.tracks.fields.clear()
        state = self.here.load(playlist_id, self.done)
        fold.fold_changes(self.here, state, changes)
        self.here.save(state, self.folded)

    def _write(self, result: Result) -> None:
        playlist, terms, versions, warnings, peak, pid = result
        for message in warnings:
            self.warn(message)
        stored = self.tracks.stored
        rows = [(*row[:-1], stored(row[-1])) for row in versions]
        if rows:
            self.connection.executemany(f"INSERT INTO versions VALUES ({_marks(rows[0])})", rows)
        self.connection.execute(
            f"INSERT OR REPLACE INTO playlists VALUES ({_marks(playlist)})", playlist
        )
        self.connection.execute("DELETE FROM track_terms WHERE playlist_id = ?", playlist[:1])
        self.connection.executemany("INSERT INTO track_terms VALUES (?, ?)", terms)
        if pid != os.getpid():
            self.peaks[pid] = max(peak, self.peaks.get(pid, 0))
        git.fault_point("fold-writer")

    def _log(self, playlists: int, jobs: int, seconds: float) -> None:
        mib = 1 << 20
        workers = ", ".join(f"{peak / mib:.0f}" for peak in self.peaks.values())
        together = (peak_rss() + sum(self.peaks.values())) / mib
        here = self.folded_here + (self.ahead.count if self.ahead else 0)
        logger.debug(
            "folded %d playlists in %d processes (this one and workers) in %.2f s, %d of them "
            "here; peak RSS: this process %.0f MiB, the workers %s MiB, together %.0f MiB",
            playlists, jobs, seconds, here, peak_rss() / mib, workers, together,
        )  # fmt: skip


def _ready(answer: Future[Result] | Result | None) -> bool:
    """Whether the answer is there to write (a worker's is back, or this process's)."""
    return answer is None or isinstance(answer, tuple) or answer.done()


def _marks(row: tuple[Any, ...]) -> str:
    """A row's placeholders: the rows are the Folder's, whatever its columns."""
    return ", ".join("?" * len(row))


# ------------------------------------------------------------------ a worker


class _Keeping(Folder):
    """A Folder whose version rows are kept for the writer instead of written."""

    def __init__(
        self, store: Store, scratch: sqlite3.Connection, warn: Callable[[str], None]
    ) -> None:
        super().__init__(store, scratch, warn)
        self.tracks = DocumentsOnly(scratch)
        self.kept: list[tuple[Any, ...]] = []

    def flush(self) -> None:
        self.kept.extend(self.rows)
        self.rows = []


class _Worker:
    """A fold as a worker's: the rows kept with their documents' text, for the writer."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # the fold's own reads and its save() go to an empty index in memory
        self.scratch = sqlite3.connect(":memory:", isolation_level=None)
        self.scratch.executescript(db.SCHEMA)
        self.warnings: list[str] = []
        self.folder = _Keeping(self.store, self.scratch, self.warnings.append)
        self.count = 0

    def fold(self, task: tuple[str, tuple[Any, ...] | None, int, int], changes: Changes) -> Result:
        """One playlist's fold: what :class:`Pass` writes of it."""
        playlist_id, row, done, folded = task
        self.count += 1
        if self.count % FRESH_EVERY == 0:
            self.folder.fresh_caches()
        scratch, folder = self.scratch, self.folder
        scratch.execute("DELETE FROM playlists")
        scratch.execute("DELETE FROM track_terms")
        if row is not None:
            scratch.execute(f"INSERT INTO playlists VALUES ({_marks(row)})", row)
        state = folder.load(playlist_id, done)
        with git.unverified_reads(), collector.paused():
            fold.fold_changes(folder, state, changes)
            folder.save(state, folded)
        playlist = scratch.execute("SELECT * FROM playlists WHERE id = ?", (playlist_id,))
        terms = scratch.execute("SELECT * FROM track_terms").fetchall()
        versions, folder.kept = folder.kept, []
        warnings = list(self.warnings)
        self.warnings.clear()
        return playlist.fetchone(), terms, versions, warnings, peak_rss(), os.getpid()


_worker: _Worker | None = None


def _start(location: str, writer: int) -> None:
    """A worker's start: its own repository handle and reader. ``writer``: the process
    that started it, named by itself: a worker still importing when its writer was killed
    starts with another parent already, and would otherwise wait for tasks forever (every
    worker holds the task queue open)."""
    global _worker
    # Ctrl-C reaches the whole process group: the writer stops the workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(writer,), daemon=True).start()
    git.bound_pack_windows(*PACK_WINDOWS)  # before any pack is mapped
    # a worker only folds, like the writer's pass with the collector paused over it;
    # switched on between folds, the collector would go over all a fold keeps (its
    # reader's and caches' objects) after each: 0.59 of 15.7 s of a foreign worker's CPU
    collector.stop()
    _worker = _Worker(git.Store.open(location))


def _exit_with(parent: int) -> None:
    """End this worker once the writer is gone (killed: nothing told the workers)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _fold(task: tuple[str, tuple[Any, ...] | None, int, int], changes: Changes) -> Result:
    """One playlist's fold in a worker process."""
    if _worker is None:  # unreachable: the pool starts each worker with _start
        raise RuntimeError("a fold worker was not started")
    git.fault_point("fold-worker")
    return _worker.fold(task, changes)
