"""Versions of playlists, read from the commit log.

gitarchive.git walks the log (first parent, oldest first) and yields the blob ids of
a playlist's files per commit; this module reads the best source of each
changed version with the formats readers (JSON snapshot, else the pretty
markdown page, else the plain file) into :class:`~gitarchive.history.Version`
objects. Each distinct blob is read once.

It also resolves what users type for a playlist: an id, URL or URI, or a name.
"""

from __future__ import annotations

import calendar
import contextlib
import gc
import re
import zlib
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from gitarchive import formats, git
from gitarchive.errors import (
    FormatError,
    PlaylistNotFound,
    RevisionNotFound,
    UsageError,
)
from gitarchive.formats.paths import (
    PLAIN_DIR,
    PRETTY_DIR,
    REGISTRY_DIR,
    archive_paths,
    classify,
)
from gitarchive.history import CumulativeFold, Version
from gitarchive.model import is_playlist_id, parse_playlist_id
from gitarchive.version_reader import (
    JSON,
    SOURCE_KINDS,
    VersionReader,
    read_source,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from gitarchive.git import Store
    from gitarchive.model import CumulativeView, Playlist

FOLDERS = (PRETTY_DIR, PLAIN_DIR)


def source_paths(playlist_id: str) -> tuple[str, str, str]:
    """The paths a version may be read from, best first (json, pretty, plain)."""
    paths = archive_paths(playlist_id)
    return (paths.json, paths.pretty, paths.plain)


def _best(blobs: tuple[str | None, ...]) -> tuple[int, str] | None:
    for index, blob in enumerate(blobs):
        if blob is not None:
            return index, blob
    return None


def list_versions(store: Store, playlist_id: str, *, start: str | None = None) -> list[Version]:
    """Every version of one playlist in which its best source changed, oldest first.

    Commits where all its files are gone (the playlist was deleted from the
    archive) produce no version: tracking pauses, and a later version is
    compared with the last one before the deletion.
    """
    paths = source_paths(playlist_id)
    with git.unverified_reads():
        return _versions_of_changes(
            store, playlist_id, paths, git.walk_paths(store, paths, start=start)
        )


def _versions_of_changes(
    store: Store, playlist_id: str, paths: tuple[str, str, str], changes: list[git.PathsChange]
) -> list[Version]:
    reader = VersionReader(store)
    versions: list[Version] = []
    last: tuple[int, str] | None = None
    for change in changes:
        best = _best(change.blobs)
        if best is None or best == last:
            continue
        last = best
        index, blob = best
        playlist = reader.read(
            SOURCE_KINDS[index], blob, playlist_id, paths[index], commit=change.commit
        )
        versions.append(
            Version(
                commit=change.commit,
                date=change.date,
                playlist=playlist,
                source=SOURCE_KINDS[index],
            )
        )
    return versions


def versions_of_sources(
    store: Store, sources: Iterable[tuple[str, str, int, str, str]]
) -> Iterator[Version]:
    """The versions the change index located (``ChangeIndex.version_sources``), read by blob id.

    Each row is (playlist id, commit, commit time, source kind, blob id); the
    blobs are read as the walk reads them, so the versions are the walk's.
    """
    reader = VersionReader(store)
    # no hashing of each blob read (git.unverified_reads); held across the yields:
    # the consumer reads no objects of its own meanwhile
    with git.unverified_reads():
        for playlist_id, commit, seconds, source, blob in sources:
            path = source_paths(playlist_id)[SOURCE_KINDS.index(source)]
            yield Version(
                commit=commit,
                date=datetime.fromtimestamp(seconds, tz=UTC),
                playlist=reader.read(source, blob, playlist_id, path, commit=commit),
                source=source,
            )


def _split_path(path: str) -> tuple[str, int] | None:
    """An archive path to (playlist id, source index), None for other files."""
    found = classify(path)
    if found.playlist_id is None or found.kind not in SOURCE_KINDS:
        return None
    return found.playlist_id, SOURCE_KINDS.index(found.kind)


def iter_all_versions(
    store: Store, *, start: str | None = None, shard: tuple[int, int] = (0, 1)
) -> Iterator[Version]:
    """Versions of every playlist in one pass over the log, in commit order.

    ``shard=(k, n)`` keeps only the playlists of shard k of n (see ``_shard_of``),
    so that n processes can share the reading and folding.
    """
    shard_index, shard_count = shard
    reader = VersionReader(store)
    current: dict[str, list[str | None]] = {}
    last: dict[str, tuple[int, str]] = {}
    splits: dict[str, tuple[str, int] | None] = {}
    paths: dict[str, tuple[str, str, str]] = {}
    # no hashing of each blob read, held across the yields (see versions_of_sources)
    with git.unverified_reads():
        for change in git.walk_folders(store, FOLDERS, start=start):
            touched: set[str] = set()
            for path, blob in change.changes.items():
                if path in splits:
                    split = splits[path]
                else:
                    split = splits[path] = _split_path(path)
                if split is None:
                    continue
                playlist_id, index = split
                if shard_count > 1 and _shard_of(playlist_id, shard_count) != shard_index:
                    continue
                current.setdefault(playlist_id, [None, None, None])[index] = blob
                touched.add(playlist_id)
            for playlist_id in sorted(touched):
                best = _best(tuple(current[playlist_id]))
                if best is None or best == last.get(playlist_id):
                    continue
                last[playlist_id] = best
                index, blob = best
                playlist_paths = paths.get(playlist_id)
                if playlist_paths is None:
                    playlist_paths = paths[playlist_id] = source_paths(playlist_id)
                playlist = reader.read(
                    SOURCE_KINDS[index],
                    blob,
                    playlist_id,
                    playlist_paths[index],
                    commit=change.commit,
                )
                yield Version(
                    commit=change.commit,
                    date=change.date,
                    playlist=playlist,
                    source=SOURCE_KINDS[index],
                )


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
    import multiprocessing
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
    collecting = gc.isenabled()
    gc.disable()
    try:
        for version in iter_all_versions(store, start=start, shard=shard):
            playlist = version.playlist
            fold = folds.get(playlist.id)
            if fold is None:
                fold = folds[playlist.id] = CumulativeFold()
            fold.add(playlist, version.date.date())
    finally:
        if collecting:
            gc.enable()
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
    if at is None:
        commit = git.head_id(store)
        if commit is None:
            raise RevisionNotFound("the archive has no commits yet")
    else:
        moment = parse_moment(at, end_of_day=True)
        if moment is not None:
            # the change index answers without walking the log (same result)
            found = commit_at(moment) if commit_at else git.commit_at(store, moment)
            if found is None:
                raise RevisionNotFound(f"no commit at or before {at}")
            commit = found
        else:
            commit = git.resolve(store, at)
    paths = source_paths(playlist_id)
    for index, path in enumerate(paths):
        data = git.read_file(store, commit, path)
        if data is not None:
            return commit, read_source(SOURCE_KINDS[index], data, playlist_id, path, commit=commit)
    raise PlaylistNotFound(
        f"playlist {playlist_id} is not in the archive at {commit[:12]}", playlist=playlist_id
    )


def parse_moment(text: str, *, end_of_day: bool, now: datetime | None = None) -> datetime | None:
    """A date as git's ``--since`` takes it; None if it is none of these forms.

    ``YYYY-MM-DD``, an ISO 8601 time (UTC unless it says otherwise; a space may
    stand for the ``T``), ``now``, ``today``, ``yesterday``, and ``N <unit>[s] ago``
    (seconds to years; git's ``2.weeks.ago`` too). A bare date (and today,
    yesterday) means its first second (``end_of_day=False``) or its last one.
    """
    value = text.strip()
    relative = _relative_moment(value.lower(), now or datetime.now(UTC), end_of_day=end_of_day)
    if relative is not None:
        return relative
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        if len(value) == 10:
            day = datetime.strptime(value, "%Y-%m-%d").date()
            return datetime.combine(day, time.max if end_of_day else time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise UsageError(f"{text!r} is outside the years 1 to 9999 in UTC") from None


_AGO = re.compile(r"(\d+)[ .]+(second|minute|hour|day|week|month|year)s?[ .]+ago")
_UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}


def _relative_moment(value: str, now: datetime, *, end_of_day: bool) -> datetime | None:
    now = now.astimezone(UTC)
    if value == "now":
        return now
    if value in ("today", "yesterday"):
        day = now.date() - timedelta(days=1 if value == "yesterday" else 0)
        return datetime.combine(day, time.max if end_of_day else time.min, tzinfo=UTC)
    match = _AGO.fullmatch(value)
    if match is None:
        return None
    try:
        count, unit = int(match.group(1)), match.group(2)
        if unit in _UNIT_SECONDS:
            return now - timedelta(seconds=count * _UNIT_SECONDS[unit])
        months = count * (12 if unit == "year" else 1)
        year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
        last_day = calendar.monthrange(year, month + 1)[1]
        return now.replace(year=year, month=month + 1, day=min(now.day, last_day))
    except (OverflowError, ValueError):
        raise UsageError(f"{value!r} is before the year 1, where dates begin") from None


# ------------------------------------------------------------------ names


def resolve_playlist(store: Store, argument: str) -> str:
    """What a user typed (id, URL, URI or name) to a playlist id.

    Names are matched against HEAD: the unique names of ``index.md``, the
    aliases in ``registry/``, and the names in the JSON snapshots. Exact
    matches win over case-insensitive ones; an ambiguous name is an error that
    lists the candidates.
    """
    try:
        return parse_playlist_id(argument)
    except UsageError:
        pass
    head = git.head_id(store)
    if head is None:
        raise PlaylistNotFound(
            f"no playlist named {_shorten(argument)!r}: the archive has no commits"
        )
    wanted = argument.strip()
    names = _names_at(store, head, snapshots=False)
    found = _match_name(names, wanted)
    if found is None:
        names |= _names_at(store, head, snapshots=True)
        found = _match_name(names, wanted)
    if found is None:
        raise PlaylistNotFound(
            f"no playlist named {_shorten(wanted)!r} "
            "(give an id, URL or URI, or a name from index.md)"
        )
    return found


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _match_name(names: set[tuple[str, str]], wanted: str) -> str | None:
    folded = wanted.casefold()
    exact = sorted({(pid, name) for pid, name in names if name == wanted})
    loose = sorted({(pid, name) for pid, name in names if name.casefold() == folded})
    for matches in (exact, loose):
        ids = {pid for pid, _ in matches}
        if len(ids) == 1:
            return ids.pop()
        if len(ids) > 1:
            candidates = ", ".join(f"{pid} ({name})" for pid, name in matches)
            raise UsageError(
                f"the name {wanted!r} matches several playlists: {candidates}; pass the id instead"
            )
    return None


def _names_at(store: Store, commit: str, *, snapshots: bool) -> set[tuple[str, str]]:
    """(id, name) pairs at a commit: index and registry, or the JSON snapshots' names."""
    names: set[tuple[str, str]] = set()
    if snapshots:
        return _snapshot_names(store, commit)
    index = git.read_file(store, commit, formats.INDEX_PATH)
    if index is not None:
        # a broken index must not hide the other sources of names
        with contextlib.suppress(FormatError, UnicodeDecodeError):
            names.update(formats.read_index(index.decode("utf-8"), path=formats.INDEX_PATH))
    for name, blob in git.list_dir(store, commit, REGISTRY_DIR).items():
        if not is_playlist_id(name):
            continue
        alias = git.read_blob(store, blob).decode("utf-8", "replace").strip()
        if alias:
            names.add((name, alias))
    return names


def _snapshot_names(store: Store, commit: str) -> set[tuple[str, str]]:
    names: set[tuple[str, str]] = set()
    for name, blob in git.list_dir(store, commit, PRETTY_DIR).items():
        path = f"{PRETTY_DIR}/{name}"
        found = classify(path)
        if found.kind != JSON or found.playlist_id is None:
            continue
        try:
            snapshot = read_source(
                JSON, git.read_blob(store, blob), found.playlist_id, path, commit=commit
            )
        except FormatError:
            continue
        for value in (snapshot.unique_name, snapshot.original_name):
            if value:
                names.add((snapshot.id, value))
    return names
