"""Versions of playlists, read from the commit log.

gitarchive.git walks the log (first parent, oldest first) and yields the blob
ids of a playlist's files per commit; :mod:`gitarchive.version_fold` applies
the "best source changed" rule and reads each version (JSON snapshot, else the
pretty markdown page, else the plain file) into a
:class:`~gitarchive.history.Version`. Each distinct blob is read once.

What a user typed for a playlist is resolved by :mod:`gitarchive.lookup`;
dates as git takes them are parsed by :mod:`gitarchive.dates`.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from gitarchive import collector, git
from gitarchive.formats.paths import (
    SOURCE_FOLDERS,
    SOURCE_KINDS,
    source_paths,
    split_source_path,
)
from gitarchive.history import CumulativeFold, Version
from gitarchive.revision import commit_named
from gitarchive.show_version import list_versions as list_versions
from gitarchive.show_version import log_warning as log_warning
from gitarchive.show_version import version_in as version_in
from gitarchive.version_fold import VersionFold
from gitarchive.version_reader import VersionReader

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from gitarchive.git import Store
    from gitarchive.model import CumulativeView, Playlist


def versions_of_sources(
    store: Store, sources: Iterable[tuple[str, str, int, str, str]]
) -> Iterator[Version]:
    """The versions the change index located (``ChangeIndex.version_sources``), read by blob id.

    Each row is (playlist id, commit, commit time, source kind, blob id), each
    playlist's rows oldest first; the blobs are read as the walk reads them
    (with the playlist's previous version, and its commit's page for a plain
    file), so the versions are the walk's.
    """
    reader = VersionReader(store)
    previous: dict[str, Playlist] = {}
    # no hashing of each blob read (git.unverified_reads); held across the yields:
    # the consumer reads no objects of its own meanwhile
    with git.unverified_reads():
        for playlist_id, commit, seconds, source, blob in sources:
            path = source_paths(playlist_id)[SOURCE_KINDS.index(source)]
            playlist = reader.read(
                source, blob, playlist_id, path, commit=commit, previous=previous.get(playlist_id)
            )
            previous[playlist_id] = playlist
            yield Version(
                commit=commit,
                date=datetime.fromtimestamp(seconds, tz=UTC),
                playlist=playlist,
                source=source,
            )


def iter_all_versions(
    store: Store,
    *,
    start: str | None = None,
    shard: tuple[int, int] = (0, 1),
    warn: Callable[[str], None] = log_warning,
) -> Iterator[Version]:
    """Versions of every playlist in one pass over the log, in commit order.

    ``shard=(k, n)`` keeps only the playlists of shard k of n (see ``_shard_of``),
    so that n processes can share the reading and folding.
    """
    fold = VersionFold(VersionReader(store, warn=warn), warn)
    current: dict[str, list[str | None]] = {}
    splits: dict[str, tuple[str, int] | None] = {}
    mine = _in_shard(shard)
    # no hashing of each blob read, held across the yields (see versions_of_sources)
    with git.unverified_reads():
        for change in git.walk_folders(store, SOURCE_FOLDERS, start=start):
            touched: set[str] = set()
            for path, blob in change.changes.items():
                split = (
                    splits[path]
                    if path in splits
                    else splits.setdefault(path, split_source_path(path))
                )
                if split is None or not mine(split[0]):
                    continue
                current.setdefault(split[0], [None, None, None])[split[1]] = blob
                touched.add(split[0])
            for playlist_id in sorted(touched):
                version = fold.step(playlist_id, current[playlist_id], change.commit, change.date)
                if version is not None:
                    yield version


def _in_shard(shard: tuple[int, int]) -> Callable[[str], bool]:
    shard_index, shard_count = shard
    if shard_count <= 1:
        return lambda playlist_id: True
    cache: dict[str, bool] = {}

    def mine(playlist_id: str) -> bool:
        found = cache.get(playlist_id)
        if found is None:
            found = cache[playlist_id] = _shard_of(playlist_id, shard_count) == shard_index
        return found

    return mine


def _shard_of(playlist_id: str, shard_count: int) -> int:
    # crc32, not hash(): str hashes differ between processes (PYTHONHASHSEED)
    return zlib.crc32(playlist_id.encode()) % shard_count


def all_cumulative_views(
    store: Store, *, start: str | None = None, workers: int = 1
) -> dict[str, CumulativeView]:
    """The cumulative view of every playlist ever archived, in one pass over the log.

    With ``workers > 1`` the playlists are split into shards, each walked and
    folded in its own process: reading blobs and folding are CPU-bound Python
    and libgit2 work that one interpreter cannot spread over cores, while the
    walk itself (which every shard repeats) is a small part of the cost.
    """
    if workers <= 1:
        return _cumulative_views_of_shard(store, start, (0, 1))
    # lazy: 8-13 ms at startup with the next line (python -X importtime); only workers need it
    import multiprocessing

    # lazy: see multiprocessing above
    from concurrent.futures import ProcessPoolExecutor

    # fork: the workers need nothing but this module, and start in milliseconds
    context = multiprocessing.get_context("fork")
    views: dict[str, CumulativeView] = {}
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        shards = [(index, workers) for index in range(workers)]
        git_dirs = [str(store.git_dir)] * workers
        for part in pool.map(_shard_in_worker, git_dirs, [start] * workers, shards):
            views.update(part)
    return dict(sorted(views.items()))


def _shard_in_worker(
    git_dir: str, start: str | None, shard: tuple[int, int]
) -> dict[str, CumulativeView]:
    # a worker process opens its own repository: libgit2 handles do not cross processes
    return _cumulative_views_of_shard(git.Store.open(git_dir), start, shard)


def _cumulative_views_of_shard(
    store: Store, start: str | None, shard: tuple[int, int]
) -> dict[str, CumulativeView]:
    """One shard's views. The pass allocates millions of small acyclic objects
    that live until its end; the cyclic garbage collector would traverse them
    again and again (a quarter of the run time), so it is paused meanwhile.
    """
    folds: dict[str, CumulativeFold] = {}
    with collector.paused():
        for version in iter_all_versions(store, start=start, shard=shard):
            playlist = version.playlist
            fold = folds.get(playlist.id)
            if fold is None:
                fold = folds[playlist.id] = CumulativeFold()
            fold.add(playlist, version.date.date())
    views: dict[str, CumulativeView] = {}
    for playlist_id, fold in folds.items():
        view = fold.view()
        if view is not None:
            views[playlist_id] = view
    return views


def version_at(
    store: Store,
    playlist_id: str,
    at: str | None,
    *,
    commit_at: Callable[[datetime], str | None] | None = None,
) -> tuple[str, Playlist]:
    """The playlist as of a date (``YYYY-MM-DD[THH:MM[:SS]]``, UTC) or a git revision.

    A date names the last first-parent commit at or before it (a bare date:
    the end of that day). Returns (commit id, playlist).
    """
    commit = commit_named(store, at, commit_at=commit_at)
    return commit, version_in(store, playlist_id, commit)
