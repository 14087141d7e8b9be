"""Writing the site: versions from the log (through :mod:`gitarchive.versions`) to files.

The versions come from the change index when the caller has one (``sources``:
where each version was read from, so no walk of the log is needed; the blobs
are read by id), else from a walk of the log. Both give the same versions,
so the same bytes.

Layout of ``OUT/``::

    index.html            every playlist: name, tracks, last change, likes sparkline, filter
    changes.html          what changed everywhere, newest first, by day, filter
    feed.atom             the newest changes of every playlist, and failed syncs (Atom)
    p/<id>.html           one playlist: version viewer, likes chart, cumulative table
    p/<id>.atom           one playlist's changes, and its failed sync (Atom)
    t/<id>.html           a track two or more playlists held: its stays in each (site/tracks.py)
    .nojekyll             GitHub Pages serves the folder as it is
    .gitarchive-site      marks the folder as gitarchive's, so a rebuild may replace it

Only relative links: the site works from ``file://`` and under any sub-path.
Every file is written to a temporary name and renamed into place, never
through a link (:mod:`gitarchive.site.output`); pages of playlists no longer in
the site are removed.
"""

from __future__ import annotations

import gc
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gitarchive import git, versions
from gitarchive.changes import Change, newest, playlist_changes
from gitarchive.errors import UsageError
from gitarchive.formats.paths import STATUS_PATH
from gitarchive.formats.status import Failure, read_status_file
from gitarchive.site.changes_page import CHANGES_PAGE_ENTRIES, changes_page
from gitarchive.site.data import PlaylistHistory, Summary
from gitarchive.site.feeds import archive_feed, feed_href, playlist_feed
from gitarchive.site.output import (
    MARKER,
    check_output_folder,
    disk_error,
    remove_stale_pages,
    write_file,
)
from gitarchive.site.pages import index_page, playlist_href, playlist_page
from gitarchive.site.tracks import track_href, write_track_pages
from gitarchive.tracks import PlaylistStays, PlaylistStaysFold

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from datetime import datetime

    from gitarchive.git import Store
    from gitarchive.history import Version
    from gitarchive.index import VersionSource


@dataclass(slots=True)
class SiteResult:
    out: Path
    summaries: list[Summary] = field(default_factory=list)
    bytes_written: int = 0
    track_pages: int = 0

    @property
    def pages(self) -> int:
        return len(self.summaries) + 1 + self.track_pages


@dataclass(slots=True)
class Part:
    """What one pass (or one worker) wrote: its playlists' summaries, the bytes, its newest
    changes, and the stays of the shared tracks."""

    summaries: list[Summary] = field(default_factory=list)
    written: int = 0
    changes: list[Change] = field(default_factory=list)
    stays: list[PlaylistStays] = field(default_factory=list)


def pages_from_versions(
    stream: Iterable[Version],
    out: Path,
    *,
    since: datetime | None,
    github: str | None,
    generated: str,
    failures: Mapping[str, Failure] | None = None,
    shared: frozenset[str] = frozenset(),
) -> Part:
    """Fold every version into its playlist's history, then write one page and feed per playlist.

    ``shared``: the keys of the tracks that have a track page; their rows in
    the cumulative tables link to it, and their stays are folded too.
    """
    histories, stays = _fold_histories(stream, since, shared)
    part = Part()
    recent: list[Change] = []
    for playlist_id, history in histories.items():
        summary = history.summary()
        if summary is None:
            continue
        document = history.document(
            github=github,
            track_pages=lambda key: f"../{track_href(key)}" if key in shared else None,
        )
        html = playlist_page(
            document, name=history.name, description=history.description, generated=generated
        )
        part.written += write_file(out, playlist_href(playlist_id), html)
        changes = playlist_changes(playlist_id, history.entries)
        failure = (failures or {}).get(playlist_id)
        feed = playlist_feed(playlist_id, history.name, changes, failure)
        part.written += write_file(out, feed_href(playlist_id), feed)
        recent.extend(changes)
        part.summaries.append(summary)
        if playlist_id in stays:
            wanted = [key for key in stays[playlist_id].track_keys() if key in shared]
            part.stays.extend(stays[playlist_id].result(wanted))
    part.changes = newest(recent, CHANGES_PAGE_ENTRIES)
    return part


def _fold_histories(
    stream: Iterable[Version], since: datetime | None, shared: frozenset[str]
) -> tuple[dict[str, PlaylistHistory], dict[str, PlaylistStaysFold]]:
    """Every playlist's history, and its stays when a track page may need them.

    The fold allocates many small acyclic objects that live until the end;
    the cyclic collector would traverse them again and again, so it is paused.
    """
    histories: dict[str, PlaylistHistory] = {}
    stays: dict[str, PlaylistStaysFold] = {}
    collecting = gc.isenabled()
    gc.disable()
    try:
        for version in stream:
            playlist_id = version.playlist.id
            history = histories.get(playlist_id)
            if history is None:
                history = histories[playlist_id] = PlaylistHistory(playlist_id, since=since)
                if shared:
                    stays[playlist_id] = PlaylistStaysFold(playlist_id)
            history.add(version)
            if shared:
                stays[playlist_id].add(version.playlist, version.date.date())
    finally:
        if collecting:
            gc.enable()
    return histories, stays


def _selected_versions(store: Store, playlist_ids: Sequence[str]) -> Iterable[Version]:
    for playlist_id in playlist_ids:
        found = versions.list_versions(store, playlist_id)
        if not found:
            raise UsageError(f"playlist {playlist_id} has no archived version in this history")
        yield from found


def _check_selected(playlist_ids: Sequence[str], sources: Sequence[VersionSource]) -> None:
    located = {source[0] for source in sources}
    for playlist_id in playlist_ids:
        if playlist_id not in located:
            raise UsageError(f"playlist {playlist_id} has no archived version in this history")


@dataclass(frozen=True, slots=True)
class _Job:
    """What every shard's worker needs besides its versions."""

    out: Path
    since: datetime | None
    github: str | None
    generated: str
    failures: Mapping[str, Failure]
    shared: frozenset[str]

    def pages(self, stream: Iterable[Version]) -> Part:
        return pages_from_versions(
            stream,
            self.out,
            since=self.since,
            github=self.github,
            generated=self.generated,
            failures=self.failures,
            shared=self.shared,
        )


def _shard_worker(
    open_store: Callable[[], Store],
    shard: tuple[int, int],
    job: _Job,
    sources: Sequence[VersionSource] | None,
) -> Part:
    # a worker opens its own repository: libgit2 handles do not cross processes
    store = open_store()
    if sources is not None:
        return job.pages(versions.versions_of_sources(store, sources))
    return job.pages(versions.iter_all_versions(store, shard=shard))


def build_site(
    store: Store,
    out: Path,
    *,
    playlist_ids: Sequence[str] | None = None,
    since: datetime | None = None,
    github: str | None = None,
    title: str = "Playlist archive",
    generated: str,
    jobs: int = 1,
    open_store: Callable[[], Store] | None = None,
    sources: Sequence[VersionSource] | None = None,
    shared: frozenset[str] = frozenset(),
) -> SiteResult:
    """Write the whole site into ``out``.

    ``playlist_ids``: only these playlists, else every playlist ever archived.
    ``sources``: where the change index located every version of them
    (``ChangeIndex.version_sources``); without it the log is walked (each
    selected playlist on its own, or all in one pass). With ``jobs > 1`` (and
    ``open_store``, which opens the same repository in a worker process) the
    playlists are split into shards, each read, folded and written in its own
    process, as ``versions.all_cumulative_views`` does. ``shared``: the keys
    of the tracks two or more of these playlists held
    (:func:`gitarchive.site.tracks.shared_keys`), each given a page.
    """
    failures = _prepare_output(store, out)
    job = _Job(out, since, github, generated, failures, shared)
    if playlist_ids is not None and sources is not None:
        _check_selected(playlist_ids, sources)
    result = SiteResult(out=out)
    recent: list[Change] = []
    stays: list[PlaylistStays] = []
    for part in _parts(store, job, playlist_ids, jobs, open_store, sources):
        result.summaries.extend(part.summaries)
        result.bytes_written += part.written
        recent.extend(part.changes)
        stays.extend(part.stays)
    result.track_pages, written = write_track_pages(out, stays, generated=generated, shared=shared)
    result.bytes_written += written
    result.summaries.sort(key=lambda summary: (summary.name.casefold(), summary.id))
    result.bytes_written += write_file(
        out, "index.html", index_page(result.summaries, title=title, generated=generated)
    )
    result.bytes_written += _write_changes(
        out, result.summaries, recent, failures, title, generated
    )
    remove_stale_pages(out, {summary.id for summary in result.summaries})
    return result


def _prepare_output(store: Store, out: Path) -> dict[str, Failure]:
    """Check and mark ``out``; the failed syncs the feeds report.

    Both checks come before any write: a refused folder or a malformed status
    file costs nothing.
    """
    check_output_folder(out)
    failures = committed_failures(store)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise disk_error(out, exc) from None
    write_file(out, MARKER, "written by gitarchive site; rebuilt in place\n")
    write_file(out, ".nojekyll", "")
    return failures


def committed_failures(store: Store) -> dict[str, Failure]:
    """The failed syncs ``playlists/status.json`` records at HEAD (none without the file)."""
    head = git.head_id(store)
    return read_status_file(None if head is None else git.read_file(store, head, STATUS_PATH))


def _write_changes(
    out: Path,
    summaries: Sequence[Summary],
    recent: Iterable[Change],
    failures: Mapping[str, Failure],
    title: str,
    generated: str,
) -> int:
    """``changes.html`` and ``feed.atom``: the newest changes of the playlists in the site."""
    changes = newest(recent, CHANGES_PAGE_ENTRIES)
    names = {summary.id: summary.name for summary in summaries}
    failed = {pid: (names[pid], failure) for pid, failure in failures.items() if pid in names}
    written = write_file(out, "feed.atom", archive_feed(changes, failed, title=title))
    page = changes_page(changes, title=title, generated=generated)
    return written + write_file(out, "changes.html", page)


def _parts(
    store: Store,
    job: _Job,
    playlist_ids: Sequence[str] | None,
    jobs: int,
    open_store: Callable[[], Store] | None,
    sources: Sequence[VersionSource] | None,
) -> list[Part]:
    if sources is None and playlist_ids is not None:
        return [job.pages(_selected_versions(store, playlist_ids))]
    if jobs > 1 and open_store is not None:
        return _in_workers(open_store, jobs, job, sources)
    if sources is not None:
        return [job.pages(versions.versions_of_sources(store, sources))]
    return [job.pages(versions.iter_all_versions(store))]


def _in_workers(
    open_store: Callable[[], Store],
    jobs: int,
    job: _Job,
    sources: Sequence[VersionSource] | None,
) -> list[Part]:
    shards: list[list[VersionSource] | None] = [None] * jobs
    if sources is not None:
        shards = list(_balanced(sources, jobs))
    # fork: workers need nothing but what is loaded, and start in milliseconds
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [
            pool.submit(_shard_worker, open_store, (index, jobs), job, shards[index])
            for index in range(jobs)
        ]
        return [future.result() for future in futures]


def _balanced(sources: Sequence[VersionSource], count: int) -> list[list[VersionSource]]:
    """``sources`` (grouped by playlist) in ``count`` shards of about as many versions each."""
    shards: list[list[VersionSource]] = [[] for _ in range(count)]
    start = 0
    while start < len(sources):
        end = start + 1
        while end < len(sources) and sources[end][0] == sources[start][0]:
            end += 1
        min(shards, key=len).extend(sources[start:end])  # a playlist stays in one shard
        start = end
    return shards
