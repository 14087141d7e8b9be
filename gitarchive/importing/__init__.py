"""``gitarchive import``: other archives' past, in date order, in one pass.

The source is any spotify-playlist-archive-style repository (docs/import.md):

- :mod:`.source` reads it: every playlist's versions in one walk of its log,
  each file that does not parse recorded and skipped (it costs one version);
- :mod:`.plan` reads this archive (one walk, no file read) and decides what is
  taken: versions older than everything here, or between the last imported
  version and the first of this archive's own (a second source joined on);
- :mod:`.steps` lays the taken versions among the existing commits in date
  order, one commit per source commit, and replays every later commit once
  (carrying the imported files and an index that lists them);
- :mod:`.run` checks before the first write (``--strict``, uncommitted
  changes, commits a remote already has), rewrites, then brings the
  cumulative pages up to date; :mod:`.report` is what it did.

Backups of other tools (:mod:`gitarchive.backups`) come in as one version
through :func:`import_playlist`, by the same rules.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from gitarchive.errors import PlaylistNotFound
from gitarchive.importing.report import ImportReport, ImportResult, Skip
from gitarchive.importing.run import import_archive
from gitarchive.importing.source import (
    SourceRead,
    is_url,
    open_source,
    read_source,
    source_label,
)
from gitarchive.importing.steps import Writing

if TYPE_CHECKING:
    from gitarchive.git import Identity, Store
    from gitarchive.history import Version

__all__ = [
    "ImportReport",
    "ImportResult",
    "Skip",
    "SourceRead",
    "Writing",
    "import_archive",
    "import_playlist",
    "is_url",
    "open_source",
    "read_source",
    "source_label",
]


def import_playlist(
    store: Store,
    source: Store | list[Version],
    playlist_id: str,
    *,
    label: str,
    identity: Identity,
    github: str | None,
    branch: str,
    allow_pushed: bool = False,
    now: datetime | None = None,
) -> ImportResult:
    """Bring ``playlist_id``'s source versions this archive lacks into this branch.

    ``source`` is another archive, or versions already read (a backup file's).
    """
    if isinstance(source, list):
        read = SourceRead(versions={playlist_id: source} if source else {})
    else:
        read = read_source(source, [playlist_id])
    if not read.versions.get(playlist_id):
        raise PlaylistNotFound(
            f"playlist {playlist_id} has no version in {label}", playlist=playlist_id
        )
    writing = Writing(label, identity, github, branch)
    report = import_archive(store, read, writing, allow_pushed=allow_pushed, now=now)
    return report.playlists[0]
