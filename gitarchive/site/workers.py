"""Where the site's work runs: in this process, or spread over worker processes.

Each task is a module-level function called with a repository and its
arguments; a worker opens its own repository (libgit2 handles do not cross
processes). Workers are forked: they need nothing but what is loaded, and
start in milliseconds. At most twice as many tasks as workers are handed out
at a time, so that what the tasks carry (versions located for a batch of
playlists) stays a few batches' worth.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import TYPE_CHECKING, Any, TypeVar

from gitarchive import collector

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from types import TracebackType

    from gitarchive.git import Store

T = TypeVar("T")


def _in_worker(open_store: Callable[[], Store], task: Callable[..., T], arguments: Any) -> T:
    return _paused(task, open_store(), arguments)


def _paused(task: Callable[..., T], store: Store, arguments: Any) -> T:
    """A task with the cyclic collector off: it allocates many small acyclic objects
    (versions, tracks, rows, rendered text) that the collector would traverse again and
    again. Paused over the whole task, not each playlist's fold: the first allocation
    after the collector is back on traverses everything allocated while it was off and
    still alive (the playlist's whole history, being written), ~6% of a build once a
    playlist. What the task let go is collected once, after it."""
    with collector.paused():
        return task(store, *arguments)


class Workers:
    """``jobs`` worker processes (with ``open_store``, which opens the repository in one),
    else this process."""

    def __init__(self, store: Store, open_store: Callable[[], Store] | None, jobs: int) -> None:
        self.store = store
        self.open_store = open_store
        self.jobs = jobs if open_store is not None else 1
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        if self.jobs > 1:
            context = multiprocessing.get_context("fork")
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=context)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    @property
    def parallel(self) -> bool:
        return self._pool is not None

    def run(self, task: Callable[..., T], tasks: Iterable[tuple[Any, ...]]) -> Iterator[T]:
        """``task(store, *arguments)`` for each of ``tasks``, each result as it is done."""
        pool, open_store = self._pool, self.open_store
        if pool is None or open_store is None:
            for arguments in tasks:
                # a repository per task, as in a worker: what libgit2 maps of the packs
                # while reading one batch is let go with it, not kept for the whole build
                store = self.store if open_store is None else open_store()
                yield _paused(task, store, arguments)
            return
        pending: set[Future[T]] = set()
        for arguments in tasks:
            pending.add(pool.submit(_in_worker, open_store, task, arguments))
            if len(pending) >= 2 * self.jobs:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (future.result() for future in done)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield from (future.result() for future in done)
