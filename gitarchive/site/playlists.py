"""Writing playlists' pages as they are read: each playlist folded, written, and let go.

A batch of versions comes grouped by playlist (the change index's order, or
one playlist's walk) or interleaved (one walk of the whole log). Grouped, each
playlist's history is folded, its page and feed written and its memory freed
before the next playlist is read, so what a batch holds is one playlist's
history, not the archive's. What outlives a playlist is small and bounded:
its index summary, the newest changes of the batch (at most what the changes
page shows), and its shared tracks' stays, appended to a file on disk.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from itertools import groupby
from typing import TYPE_CHECKING

from gitarchive.changes import Change, newest, playlist_changes
from gitarchive.site.changes_page import CHANGES_PAGE_ENTRIES
from gitarchive.site.data import PlaylistHistory, Summary
from gitarchive.site.feeds import feed_href, playlist_feed
from gitarchive.site.output import write_file
from gitarchive.site.pages import playlist_href, playlist_page
from gitarchive.site.tracks import stay_rows, track_href
from gitarchive.tracks import PlaylistStaysFold

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping
    from datetime import datetime
    from pathlib import Path

    from gitarchive.formats.status import Failure
    from gitarchive.history import Version
    from gitarchive.site.scratch import PageOffsets, SharedTracks, StaysFile


@dataclass(slots=True)
class Part:
    """What one batch of playlists wrote: their summaries, the bytes, its newest changes
    (at most :data:`CHANGES_PAGE_ENTRIES`), and the file of its shared tracks' stays."""

    summaries: list[Summary] = field(default_factory=list)
    written: int = 0
    changes: list[Change] = field(default_factory=list)
    stays: tuple[Path, PageOffsets] | None = None

    def keep_newest(self, changes: Iterable[Change]) -> None:
        self.changes.extend(changes)
        if len(self.changes) > 2 * CHANGES_PAGE_ENTRIES:
            self.changes = newest(self.changes, CHANGES_PAGE_ENTRIES)


@dataclass(frozen=True, slots=True)
class Job:
    """What every batch needs besides its versions (picklable: sent to worker processes)."""

    out: Path
    since: datetime | None
    github: str | None
    generated: str
    failures: Mapping[str, Failure]
    shared: SharedTracks | None  # None: no track pages


def write_playlists(
    job: Job, stream: Iterable[Version], *, grouped: bool, stays: StaysFile | None
) -> Part:
    """Fold ``stream`` into each playlist's history and write its page and feed.

    ``grouped``: the versions come playlist by playlist, each written as soon
    as its last version is read; else every playlist is folded before any is
    written. ``stays``: where the shared tracks' stays go (with ``job.shared``).
    """
    part = Part()
    for history, fold in _histories(stream, job, grouped=grouped):
        _write_one(job, part, history, fold, stays)
        del history, fold  # not held while the next playlist is folded
    part.changes = newest(part.changes, CHANGES_PAGE_ENTRIES)
    return part


def _histories(
    stream: Iterable[Version], job: Job, *, grouped: bool
) -> Iterator[tuple[PlaylistHistory, PlaylistStaysFold | None]]:
    if grouped:
        for _playlist_id, versions in groupby(stream, key=lambda version: version.playlist.id):
            yield from _fold(versions, job).values()
    else:
        yield from _fold(stream, job).values()


def _fold(
    stream: Iterable[Version], job: Job
) -> dict[str, tuple[PlaylistHistory, PlaylistStaysFold | None]]:
    """Every playlist's history in ``stream``, and its stays when track pages are written.

    The fold allocates many small acyclic objects that live until its end;
    the cyclic collector would traverse them again and again, so it is paused.
    """
    found: dict[str, tuple[PlaylistHistory, PlaylistStaysFold | None]] = {}
    collecting = gc.isenabled()
    gc.disable()
    try:
        for version in stream:
            playlist_id = version.playlist.id
            pair = found.get(playlist_id)
            if pair is None:
                stays = PlaylistStaysFold(playlist_id) if job.shared is not None else None
                pair = found[playlist_id] = (PlaylistHistory(playlist_id, since=job.since), stays)
            pair[0].add(version)
            if pair[1] is not None:
                pair[1].add(version.playlist, version.date.date(), pair[0].keys)
    finally:
        if collecting:
            gc.enable()
    return found


def _write_one(
    job: Job,
    part: Part,
    history: PlaylistHistory,
    stays: PlaylistStaysFold | None,
    stays_file: StaysFile | None,
) -> None:
    summary = history.summary()
    if summary is None:
        return
    shared = _shared_keys(job, history, stays)
    document = history.document(
        github=job.github,
        track_pages=lambda key: f"../{track_href(key)}" if key in shared else None,
    )
    html = playlist_page(
        document, name=history.name, description=history.description, generated=job.generated
    )
    playlist_id = history.playlist_id
    part.written += write_file(job.out, playlist_href(playlist_id), html)
    changes = playlist_changes(playlist_id, history.entries)
    feed = playlist_feed(playlist_id, history.name, changes, job.failures.get(playlist_id))
    part.written += write_file(job.out, feed_href(playlist_id), feed)
    part.keep_newest(changes)
    part.summaries.append(summary)
    if stays is not None and stays_file is not None and shared:
        lives = stays.result(key for key in stays.track_keys() if key in shared)
        stays_file.add(stay_rows(life for life in lives if life.track.key in shared))


def _shared_keys(
    job: Job, history: PlaylistHistory, stays: PlaylistStaysFold | None
) -> frozenset[str]:
    """Which tracks of this playlist two or more of the site's playlists held."""
    if job.shared is None:
        return frozenset()
    view = history.cumulative_view()
    keys = {entry.track.key for entry in view.tracks} if view is not None else set()
    if stays is not None:
        keys.update(stays.track_keys())
    return job.shared.among(keys)
