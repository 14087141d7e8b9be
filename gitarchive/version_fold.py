"""The rule that turns a walk of commits into versions, written once.

A playlist's version is read from its best source file: the JSON snapshot,
else the pretty page, else the plain file (``formats.paths.SOURCE_KINDS``).
A commit makes a new version when the best (kind, blob) differs from the one
of the last version; a commit where all of them are gone makes none: tracking
pauses, and the next version is compared with the last one before.

:mod:`gitarchive.versions` (one playlist's walk, every playlist's walk) and
the change index's fold (:mod:`gitarchive.index.fold`) apply the rule through
:func:`next_best` and read the version through :func:`read_best`, so they
find the same versions by construction.

A source that cannot be read (a malformed file committed once and repaired
later) costs that one version, never the walk: the next-best source of the
same commit is read instead, else the version is skipped; either way ``warn``
is told, with the commit and the path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive import git
from gitarchive.errors import FormatError, RevisionNotFound
from gitarchive.formats.paths import SOURCE_KINDS, source_paths
from gitarchive.history import Version

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime

    from gitarchive.model import Playlist
    from gitarchive.version_reader import VersionReader

Best = tuple[int, str]  # (place in SOURCE_KINDS, blob id) of the best source present


def next_best(blobs: Sequence[str | None], last: Best | None) -> Best | None:
    """The best source of a commit's files when it makes a new version, else None.

    ``blobs``: the blob id of each source file, best first (None: absent);
    ``last``: the best source of the last version (None: no version yet).
    """
    for index, blob in enumerate(blobs):
        if blob is not None:
            best = (index, blob)
            return None if best == last else best
    return None  # every file is gone: tracking pauses


def read_best(
    reader: VersionReader,
    playlist_id: str,
    blobs: Sequence[str | None],
    best: Best,
    *,
    commit: str,
    warn: Callable[[str], None],
    complete: bool = True,
    previous: Playlist | None = None,
) -> tuple[Best, Playlist] | None:
    """The version's playlist, and the source it was read from (its place and blob).

    The best source first; if it does not parse, the next-best source present
    at the same commit (with a warning), else None (with a warning).
    ``complete=False``: the walk left the sources after the best one unread
    (None), so the fallback looks them up in the commit. ``previous``: the
    playlist's last version (a plain file's reading may need it: VersionReader).
    """
    index, blob = best
    paths = source_paths(playlist_id)
    try:
        return best, reader.read(
            SOURCE_KINDS[index], blob, playlist_id, paths[index], commit=commit, previous=previous
        )
    except FormatError as exc:
        failure = exc
    for other in range(index + 1, len(blobs)):
        other_blob = blobs[other]
        if other_blob is None and not complete:
            other_blob = git.entry_id(reader.store, commit, paths[other])
        if other_blob is None:
            continue
        try:
            playlist = reader.read(
                SOURCE_KINDS[other],
                other_blob,
                playlist_id,
                paths[other],
                commit=commit,
                previous=previous,
            )
        except (FormatError, RevisionNotFound):  # not a blob: a folder by that name
            continue
        warn(f"cannot read a version: {failure}; read {paths[other]} of that commit instead")
        return (other, other_blob), playlist
    warn(f"cannot read a version: {failure}; that version is skipped")
    return None


class VersionFold:
    """The walks' side of the rule: the last best source of each playlist, and the reader."""

    def __init__(self, reader: VersionReader, warn: Callable[[str], None]) -> None:
        self.reader = reader
        self.warn = warn
        self._last: dict[str, Best] = {}
        self._previous: dict[str, Playlist] = {}

    def step(
        self, playlist_id: str, blobs: Sequence[str | None], commit: str, date: datetime
    ) -> Version | None:
        """The version a commit made, given its source blobs; None if it made none."""
        best = next_best(blobs, self._last.get(playlist_id))
        if best is None:
            return None
        self._last[playlist_id] = best
        read = read_best(
            self.reader,
            playlist_id,
            blobs,
            best,
            commit=commit,
            warn=self.warn,
            previous=self._previous.get(playlist_id),
        )
        if read is None:
            return None
        (index, _), playlist = read
        self._previous[playlist_id] = playlist
        return Version(commit=commit, date=date, playlist=playlist, source=SOURCE_KINDS[index])
