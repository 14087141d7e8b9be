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
    t/<ending>.html       the tracks two or more playlists held, by id ending (site/tracks.py)
    .nojekyll             GitHub Pages serves the folder as it is
    .gitarchive-site      marks the folder as gitarchive's, so a rebuild may replace it

The pages are written as they are built, a batch of playlists at a time
(:mod:`gitarchive.site.playlists`), so memory does not grow with the number
of playlists: what spans them all (which tracks are shared, their stays) is
kept in scratch files on disk (:mod:`gitarchive.site.scratch`), and the
changes page and the whole-archive feed keep only the newest changes.

Only relative links: the site works from ``file://`` and under any sub-path.
Every file is written to a temporary name and renamed into place, never
through a link (:mod:`gitarchive.site.output`); pages of playlists no longer in
the site are removed.
"""

from __future__ import annotations

import logging
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gitarchive import git, versions
from gitarchive.changes import Change, newest
from gitarchive.errors import UsageError
from gitarchive.formats.paths import STATUS_PATH
from gitarchive.formats.status import Failure, read_status_file
from gitarchive.index import using_index
from gitarchive.site.changes_page import CHANGES_PAGE_ENTRIES, changes_page
from gitarchive.site.data import Summary
from gitarchive.site.feeds import archive_feed
from gitarchive.site.output import (
    MARKER,
    TRACK_PAGES,
    check_output_folder,
    disk_error,
    remove_stale_pages,
    write_file,
)
from gitarchive.site.pages import index_page
from gitarchive.site.playlists import Job, KeptStays, Part, write_playlists
from gitarchive.site.scratch import (
    PageOffsets,
    SharedTracks,
    StaysFile,
    pages_of_stays,
    view_keys,
    write_held,
)
from gitarchive.site.stays_cache import digests, keep_rows, kept_rows
from gitarchive.site.tracks import page_ranges, write_track_pages
from gitarchive.site.workers import Workers

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
    from datetime import datetime

    from gitarchive.git import Store
    from gitarchive.history import Version
    from gitarchive.index import ChangeIndex, VersionSource

logger = logging.getLogger(__name__)

# A batch of playlists is read, folded and written by one process (about this many
# versions): large enough that a worker's start and its readers' caches pay off, small
# enough that many batches share the work evenly and memory stays that of one batch.
BATCH_VERSIONS = 2000


@dataclass(slots=True)
class SiteResult:
    out: Path
    summaries: list[Summary] = field(default_factory=list)
    bytes_written: int = 0
    shared_tracks: int = 0
    track_files: int = 0

    @property
    def pages(self) -> int:
        return len(self.summaries) + 1 + self.track_files


@dataclass(frozen=True, slots=True)
class Batch:
    """Playlists one process reads, folds and writes: the versions the change index
    located (``sources``), these playlists' walks (``selected``), or one shard of a walk of
    the whole log (``shard``: k of n)."""

    number: int
    sources: Sequence[VersionSource] = ()
    selected: Sequence[str] = ()
    shard: tuple[int, int] | None = None
    kept: KeptStays | None = None  # the track pages' rows an earlier build kept

    def versions(self, store: Store) -> Iterable[Version]:
        if self.shard is not None:
            return versions.iter_all_versions(store, shard=self.shard)
        if self.selected:
            return _selected_versions(store, self.selected)
        return versions.versions_of_sources(store, self.sources)


def _selected_versions(store: Store, playlist_ids: Sequence[str]) -> Iterator[Version]:
    for playlist_id in playlist_ids:
        found = versions.list_versions(store, playlist_id)
        if not found:
            raise UsageError(f"playlist {playlist_id} has no archived version in this history")
        yield from found


def _run_batch(store: Store, job: Job, batch: Batch, scratch: Path) -> Part:
    stays = StaysFile(scratch / f"stays-{batch.number}") if job.shared else None
    stream = batch.versions(store)
    part = write_playlists(job, stream, grouped=batch.shard is None, stays=stays, kept=batch.kept)
    if stays is not None:
        part.stays = (stays.path, stays.close())
    return part


def _log_warning(message: str) -> None:
    # a worker's warning (a damaged index rebuilt): logged, as the readers' are
    logger.warning("%s", message)


def _held_part(store: Store, playlist_ids: Sequence[str], path: Path) -> Path:
    """In a worker: these playlists' keys, from its own reader of the change index."""

    def write(index: ChangeIndex) -> Path:
        return write_held(path, index.cumulative_keys(playlist_ids))

    return using_index(store, _log_warning, write)


def _track_pages_part(
    _store: Store,
    job: Job,
    stays: Sequence[tuple[Path, PageOffsets]],
    pages: tuple[str, str | None],
) -> tuple[int, set[str], int]:
    return write_track_pages(job.out, pages_of_stays(stays, pages), generated=job.generated)


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
    index: ChangeIndex | None = None,
    track_pages: bool = False,
) -> SiteResult:
    """Write the whole site into ``out``.

    ``playlist_ids``: only these, else every playlist ever archived. ``index``:
    the caught-up change index; a persistent one locates the versions of a
    batch of playlists at a time, else the log is walked (each selected
    playlist, or all in one pass). With ``jobs > 1`` and ``open_store`` (the
    same repository opened in a worker) the work goes to that many processes.
    ``track_pages``: a section per track two or more of these playlists held.
    """
    failures = _prepare_output(store, out)
    located = index if index is not None and index.persistent else None
    if playlist_ids is not None and located is not None:
        _check_selected(located, playlist_ids)
    walk_selected = located is None and playlist_ids is not None  # one batch, read here
    with (
        tempfile.TemporaryDirectory(prefix="gitarchive-site-") as folder,
        Workers(store, open_store, 1 if walk_selected else jobs) as workers,
    ):
        scratch = Path(folder)
        shared = _shared_tracks(workers, index, playlist_ids, scratch) if track_pages else None
        job = Job(out, since, github, generated, failures, shared)
        keeping = located if shared is not None else None  # the rows kept for the next build
        batches = (
            _walk_batches(playlist_ids, workers.jobs)
            if located is None
            else _located_batches(located, playlist_ids, keeping)
        )
        result, recent = _write_pages(workers, job, batches, scratch, keeping)
    result.summaries.sort(key=lambda summary: (summary.name.casefold(), summary.id))
    page = index_page(result.summaries, title=title, generated=generated)
    result.bytes_written += write_file(out, "index.html", page)
    changes = _write_changes(out, result.summaries, recent, failures, title, generated)
    result.bytes_written += changes
    remove_stale_pages(out, {summary.id for summary in result.summaries})
    return result


def _write_pages(
    workers: Workers,
    job: Job,
    batches: Iterator[Batch],
    scratch: Path,
    keeping: ChangeIndex | None,
) -> tuple[SiteResult, list[Change]]:
    """Every batch's playlist pages and feeds, then the track pages; the newest changes.
    ``keeping``: the index where the track pages' rows of the playlists folded are kept."""
    result = SiteResult(out=job.out)
    recent: list[Change] = []
    stays: list[tuple[Path, PageOffsets]] = []
    for part in workers.run(_run_batch, ((job, batch, scratch) for batch in batches)):
        result.summaries.extend(part.summaries)
        result.bytes_written += part.written
        recent = newest([*recent, *part.changes], CHANGES_PAGE_ENTRIES)
        if part.stays is not None:
            stays.append(part.stays)
        if keeping is not None and not _keep(keeping, part.kept):
            keeping = None  # one warning and one busy wait, not one per batch
    kept: set[str] = set()
    ranges = page_ranges(workers.jobs * 2 if workers.parallel else 1)
    for tracks, pages, written in workers.run(
        _track_pages_part, ((job, stays, pages) for pages in ranges)
    ):
        result.shared_tracks += tracks
        result.track_files += len(pages)
        result.bytes_written += written
        kept.update(pages)
    remove_stale_pages(job.out, kept, TRACK_PAGES)
    return result, recent


def _keep(index: ChangeIndex, rows: Sequence[tuple[str, bytes, bytes]]) -> bool:
    """Keep the rows; False (and a warning) where the index would not take them."""
    try:
        keep_rows(index.connection, rows)
    except sqlite3.OperationalError as exc:
        # a cache: a busy index or a full disk costs the next build a fold, not this one
        logger.warning("the track pages' rows were not kept in the change index: %s", exc)
        return False
    return True


def _check_selected(index: ChangeIndex, playlist_ids: Sequence[str]) -> None:
    for playlist_id in playlist_ids:
        if not index.version_sources([playlist_id]):
            raise UsageError(f"playlist {playlist_id} has no archived version in this history")


def _shared_tracks(
    workers: Workers, index: ChangeIndex | None, playlist_ids: Sequence[str] | None, scratch: Path
) -> SharedTracks | None:
    """The tracks two or more of the site's playlists held, from their cumulative views,
    read one at a time (split over the workers when they can open the index); None without
    an index (no track pages)."""
    if index is None:
        return None
    ids = index.playlist_ids() if playlist_ids is None else playlist_ids
    if not index.persistent:  # folded in memory by this process
        views = ((playlist_id, index.cumulative(playlist_id)) for playlist_id in ids)
        parts = [write_held(scratch / "held.sqlite", view_keys(views))]
    elif not workers.parallel:
        parts = [write_held(scratch / "held.sqlite", index.cumulative_keys(ids))]
    else:
        step = -(-len(ids) // workers.jobs)
        shards = [ids[start : start + step] for start in range(0, len(ids), step)]
        tasks = ((shard, scratch / f"held-{number}.sqlite") for number, shard in enumerate(shards))
        parts = list(workers.run(_held_part, tasks))
    return SharedTracks.combine(scratch / "shared.sqlite", parts)


def _located_batches(
    index: ChangeIndex, playlist_ids: Sequence[str] | None, keeping: ChangeIndex | None
) -> Iterator[Batch]:
    """Batches of about :data:`BATCH_VERSIONS` versions, each playlist whole in one; with
    ``keeping``, the track pages' rows kept for them."""
    ids = index.playlist_ids() if playlist_ids is None else sorted(set(playlist_ids))
    sources: list[VersionSource] = []
    number = 0
    for playlist_id in ids:
        sources.extend(index.version_sources([playlist_id]))
        if len(sources) >= BATCH_VERSIONS:
            yield _batch(number, sources, keeping)
            number, sources = number + 1, []
    if sources:
        yield _batch(number, sources, keeping)


def _batch(number: int, sources: list[VersionSource], keeping: ChangeIndex | None) -> Batch:
    if keeping is None:
        return Batch(number, sources=sources)
    wanted = digests(sources)
    return Batch(
        number, sources=sources, kept=KeptStays(wanted, kept_rows(keeping.connection, wanted))
    )


def _walk_batches(playlist_ids: Sequence[str] | None, jobs: int) -> Iterator[Batch]:
    """Without an index: the selected playlists' walks in one batch, else the whole log's
    walk, in one shard per process."""
    if playlist_ids is not None:
        yield Batch(0, selected=sorted(set(playlist_ids)))
        return
    for number in range(jobs):
        yield Batch(number, shard=(number, jobs))


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
    changes = newest(recent, CHANGES_PAGE_ENTRIES)  # already the newest: ordered only
    names = {summary.id: summary.name for summary in summaries}
    failed = {pid: (names[pid], failure) for pid, failure in failures.items() if pid in names}
    written = write_file(out, "feed.atom", archive_feed(changes, failed, title=title))
    page = changes_page(changes, title=title, generated=generated)
    return written + write_file(out, "changes.html", page)
