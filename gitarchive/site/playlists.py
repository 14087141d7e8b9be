"""Writing playlists' pages as they are read: each playlist folded, written, and let go.

A batch of versions comes grouped by playlist (the change index's order, or
one playlist's walk) or interleaved (one walk of the whole log). Grouped, each
playlist's history is folded, its page and feed written and its memory freed
before the next playlist is read, so what a batch holds is one playlist's
history, not the archive's. What outlives a playlist is small and bounded:
its index summary, the newest changes of the batch (at most what the changes
page shows), and its shared tracks' stays, held with the batch's other rows until the
batch ends and then written to a file on disk, page by page.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from itertools import chain, groupby
from typing import TYPE_CHECKING

from gitarchive import collector
from gitarchive.changes import Change, newest, playlist_changes
from gitarchive.site.changes_page import CHANGES_PAGE_ENTRIES
from gitarchive.site.data import FEED_ENTRIES, PlaylistHistory, Summary
from gitarchive.site.feeds import ARCHIVE_FEED_ENTRIES, feed_href, playlist_feed
from gitarchive.site.output import write_file
from gitarchive.site.pages import playlist_href, playlist_page
from gitarchive.site.stays_cache import KeptRow, pack, unpack
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
    # the track pages' rows of the playlists folded, to keep: (id, digest, packed rows)
    kept: list[tuple[str, bytes, bytes]] = field(default_factory=list)

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


# Each playlist keeps as many of its newest changes as the longest site-wide list shows:
# the newest changes of the whole archive may all be one playlist's, and a playlist's own
# feed shows fewer (FEED_ENTRIES). Bounded, so a long history holds no more than this.
SITE_WIDE_ENTRIES = max(CHANGES_PAGE_ENTRIES, ARCHIVE_FEED_ENTRIES)

# a playlist's track-page rows as an earlier build kept them, else the fold of its stays
Stays = PlaylistStaysFold | list[KeptRow] | None


@dataclass(frozen=True, slots=True)
class KeptStays:
    """A batch's track-page rows kept by an earlier build: each playlist's digest of its
    versions (where the rows are to be kept), and the rows still valid (packed)."""

    digests: Mapping[str, bytes] = field(default_factory=dict)
    rows: Mapping[str, bytes] = field(default_factory=dict)


def write_playlists(
    job: Job,
    stream: Iterable[Version],
    *,
    grouped: bool,
    stays: StaysFile | None,
    kept: KeptStays | None = None,
) -> Part:
    """Fold ``stream`` into each playlist's history and write its page and feed.

    ``grouped``: the versions come playlist by playlist, each written as soon
    as its last version is read; else every playlist is folded before any is
    written. ``stays``: where the shared tracks' stays go (with ``job.shared``);
    ``kept``: the rows of the playlists whose stays need no fold.
    """
    part = Part()
    kept = KeptStays() if kept is None else kept
    for history, fold in _histories(stream, job, kept, grouped=grouped):
        _write_one(job, part, history, fold, stays, kept)
        del history, fold  # not held while the next playlist is folded
    part.changes = newest(part.changes, CHANGES_PAGE_ENTRIES)
    return part


def _histories(
    stream: Iterable[Version], job: Job, kept: KeptStays, *, grouped: bool
) -> Iterator[tuple[PlaylistHistory, Stays]]:
    if grouped:
        for _playlist_id, versions in groupby(stream, key=lambda version: version.playlist.id):
            yield from _fold(versions, job, kept).values()
    else:
        yield from _fold(stream, job, kept).values()


def _fold(
    stream: Iterable[Version], job: Job, kept: KeptStays
) -> dict[str, tuple[PlaylistHistory, Stays]]:
    """Every playlist's history in ``stream``, and its stays when track pages are written.

    The fold allocates many small acyclic objects that live until its end;
    the cyclic collector would traverse them again and again, so it is paused.
    """
    found: dict[str, tuple[PlaylistHistory, Stays]] = {}
    with collector.paused():
        for version in stream:
            playlist_id = version.playlist.id
            pair = found.get(playlist_id)
            if pair is None:
                stays = _stays_of(job, kept, playlist_id)
                history = PlaylistHistory(
                    playlist_id, since=job.since, entries=deque(maxlen=SITE_WIDE_ENTRIES)
                )
                pair = found[playlist_id] = (history, stays)
            pair[0].add(version)
            if isinstance(pair[1], PlaylistStaysFold):
                history = pair[0]
                pair[1].add(version.playlist, version.date.date(), history.keys, history.delta)
    return found


def _stays_of(job: Job, kept: KeptStays, playlist_id: str) -> Stays:
    """The rows an earlier build kept, else a fold of the stays (with track pages)."""
    if job.shared is None:
        return None
    packed = kept.rows.get(playlist_id)
    rows = None if packed is None else unpack(packed)
    return PlaylistStaysFold(playlist_id) if rows is None else rows


def _write_one(
    job: Job,
    part: Part,
    history: PlaylistHistory,
    stays: Stays,
    stays_file: StaysFile | None,
    kept: KeptStays,
) -> None:
    summary = history.summary()
    if summary is None:
        return
    rows, shared = _track_rows(job, part, history, stays, kept)
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
    feed = playlist_feed(
        playlist_id, history.name, changes[:FEED_ENTRIES], job.failures.get(playlist_id)
    )
    part.written += write_file(job.out, feed_href(playlist_id), feed)
    part.keep_newest(changes)
    part.summaries.append(summary)
    if stays_file is not None and shared:
        stays_file.add(row for key, own, row in rows if key in shared and own in shared)


def _track_rows(
    job: Job, part: Part, history: PlaylistHistory, stays: Stays, kept: KeptStays
) -> tuple[list[KeptRow], frozenset[str]]:
    """The playlist's track-page rows, each with its keys, and which of its tracks are
    shared. Rows kept by an earlier build, else folded: every track's where the index keeps
    them for the next build, else the shared tracks' only."""
    if job.shared is None or stays is None:
        return [], frozenset()
    if isinstance(stays, list):
        return stays, _shared_keys(job.shared, history, (key for key, _own, _row in stays))
    shared = _shared_keys(job.shared, history, stays.track_keys())
    playlist_id = history.playlist_id
    digest = kept.digests.get(playlist_id)
    keys = [k for k in stays.track_keys() if digest is not None or k in shared]
    lives = stays.result(keys)
    rows = stay_rows(lives)
    found = [(key, life.track.key, row) for key, life, row in zip(keys, lives, rows, strict=True)]
    if digest is not None:
        part.kept.append((playlist_id, digest, pack(found)))
    return found, shared


def _shared_keys(
    shared: SharedTracks, history: PlaylistHistory, folded: Iterable[str]
) -> frozenset[str]:
    """Which tracks of this playlist (of its cumulative view, and ``folded``: every key its
    stays knew) two or more of the site's playlists held."""
    return shared.among(chain(history.cumulative_keys(), folded))
