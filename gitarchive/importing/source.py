"""Reading an import's source: every playlist's versions in one pass over its log.

The source is any spotify-playlist-archive-style repository (a local path, or a
git URL cloned bare into a temporary folder). One walk of its first-parent log
over ``playlists/pretty`` and ``playlists/plain`` yields every changed file;
the id-keyed files (``pretty/<id>.json``, ``pretty/<id>.md``, ``plain/<id>``)
go through the same "best source changed" rule as ``history``
(:mod:`gitarchive.version_fold`), and a 2021 clone's name-keyed pages
(``pretty/<Name>.md``, found by the playlist link in their title) give a
playlist's versions until its first id-keyed file.

A file that does not parse costs that version only: it is recorded as a
:class:`~gitarchive.importing.report.Skip` (commit, path, line, reason) and the
version is read from the commit's next-best file, else left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitarchive import collector, git, version_reader
from gitarchive.errors import ArchiveError, FormatError, UsageError, redact_url
from gitarchive.formats.paths import (
    PLAIN_DIR,
    PRETTY_DIR,
    SOURCE_KINDS,
    classify,
    source_paths,
    split_source_path,
)
from gitarchive.history import Version
from gitarchive.importing.report import Skip
from gitarchive.name_keyed import title_playlist_id
from gitarchive.version_fold import VersionFold
from gitarchive.version_reader import VersionReader

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

    from gitarchive.git import FolderChange, Store
    from gitarchive.model import Playlist

    Progress = Callable[[str, int, int], None]

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^[\w.-]+@[\w.-]+:")


def is_url(spec: str) -> bool:
    return bool(_URL.match(spec))


def open_source(spec: str, scratch: Path) -> Store:
    """The source repository: a local path as it is, a URL cloned bare into ``scratch``."""
    if is_url(spec):
        source = git.clone_bare(spec, scratch / "source.git")
    else:
        path = Path(spec).expanduser()
        if not path.exists():
            raise UsageError(f"import source {source_label(spec)}: no such path (or a URL)")
        source = git.Store.discover(path)
    # a shallow source's boundary commit would pass for each playlist's first version
    boundary = git.shallow_boundary(source)
    if boundary:
        raise ArchiveError(
            f"import source {source_label(spec)} is a shallow clone (its history stops at "
            f"{boundary[0][:12]}): versions before that are missing; run "
            "`git fetch --unshallow` in it first"
        )
    return source


def source_label(spec: str) -> str:
    """The source as messages, commit messages and reports name it: never a URL's user,
    password or credential query parameters."""
    return redact_url(spec)


@dataclass
class SourceRead:
    """Every wanted playlist's versions in the source (oldest first), and what was skipped."""

    versions: dict[str, list[Version]] = field(default_factory=dict)
    skipped: list[Skip] = field(default_factory=list)
    order: dict[str, int] = field(default_factory=dict)  # source commit -> its place in the log


class _RecordingReader(VersionReader):
    """The version reader, keeping each failure so that the report can name it.

    Only a failure that leaves the outermost read costs the version; a name-keyed
    page that does not parse is kept apart (``page_failures``): the version is read
    from its plain file, without the page's links, lengths and order.
    """

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.failures: list[FormatError] = []
        self.page_failures: list[FormatError] = []
        self._depth = 0

    def _page_unreadable(self, exc: FormatError) -> None:
        self.page_failures.append(exc)

    def read(self, *args: Any, **kwargs: Any) -> Playlist:
        self._depth += 1
        try:
            return super().read(*args, **kwargs)
        except FormatError as exc:
            if self._depth == 1:
                self.failures.append(exc)
            raise
        finally:
            self._depth -= 1


def read_source(
    source: Store, wanted: Collection[str] | None = None, *, progress: Progress | None = None
) -> SourceRead:
    """The versions of every playlist in ``source`` (or of ``wanted`` ones), in one walk."""
    with git.unverified_reads(), collector.paused():
        changes = git.walk_folders(source, [PRETTY_DIR, PLAIN_DIR])
        walk = _Walk(source, None if wanted is None else frozenset(wanted))
        for done, change in enumerate(changes, 1):
            walk.found.order[change.commit] = done
            walk.step(change)
            if progress is not None:
                progress("reading", done, len(changes))
    return walk.found


class _Walk:
    def __init__(self, source: Store, wanted: frozenset[str] | None) -> None:
        self.source = source
        self.wanted = wanted
        self.reader = _RecordingReader(source)
        # the fold reports through the reader's failures, which name the file and line
        self.fold = VersionFold(self.reader, lambda message: None)
        self.found = SourceRead()
        self.current: dict[str, list[str | None]] = {}  # id-keyed blobs per playlist
        self.page_owner: dict[str, str] = {}  # name-keyed page path -> playlist id
        self.last_page: dict[str, str] = {}  # playlist id -> its last name-keyed page blob

    def step(self, change: FolderChange) -> None:
        touched: set[str] = set()
        pages: list[tuple[str, str]] = []
        for path, blob in change.changes.items():
            split = split_source_path(path)
            if split is None:
                if blob is not None and path.startswith(PRETTY_DIR + "/"):
                    pages.append((path, blob))
                continue
            playlist_id, place = split
            if self.wanted is None or playlist_id in self.wanted:
                self.current.setdefault(playlist_id, [None, None, None])[place] = blob
                touched.add(playlist_id)
        for playlist_id in sorted(touched):
            self._fold(playlist_id, change)
        for path, blob in sorted(pages):
            if classify(path).kind == "legacy":
                self._page(path, blob, change)

    def _fold(self, playlist_id: str, change: FolderChange) -> None:
        self.reader.failures.clear()
        self.reader.page_failures.clear()
        version = self.fold.step(playlist_id, self.current[playlist_id], change.commit, change.date)
        failures = self.reader.failures or self.reader.page_failures
        if failures:
            instead = None if version is None else _path_of(version)
            self.found.skipped.append(Skip.of(failures[0], playlist_id, instead))
        if version is not None:
            self.found.versions.setdefault(playlist_id, []).append(version)

    def _page(self, path: str, blob: str, change: FolderChange) -> None:
        """A name-keyed page: a version of the playlist it links to, until that playlist
        has id-keyed files (from then on they are its record, as in ``history``)."""
        owner = self.page_owner.get(path)
        if owner is not None and owner in self.current:
            return  # id-keyed files exist from now on: no page is read again
        if owner is not None and self.wanted is not None and owner not in self.wanted:
            # a selection's pass reads an unwanted playlist's page once: reading it at
            # every change cost more than the selection's own versions
            return
        data = git.read_blob(self.source, blob)
        owner = title_playlist_id(data)
        if owner is None:
            return
        playlist_id = self.page_owner[path] = owner
        if playlist_id in self.current or blob == self.last_page.get(playlist_id):
            return
        if self.wanted is not None and playlist_id not in self.wanted:
            return
        self.last_page[playlist_id] = blob
        try:
            playlist = version_reader.read_source(
                version_reader.PRETTY, data, playlist_id, path, commit=change.commit
            )
        except FormatError as exc:
            self.found.skipped.append(Skip.of(exc, playlist_id))
            return
        version = Version(change.commit, change.date, playlist, source=version_reader.PRETTY)
        self.found.versions.setdefault(playlist_id, []).append(version)


def _path_of(version: Version) -> str:
    return source_paths(version.playlist.id)[SOURCE_KINDS.index(version.source)]
