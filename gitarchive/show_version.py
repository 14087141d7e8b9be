"""One playlist's version at one commit (``show``), and a playlist's versions (the walk).

Apart from :mod:`gitarchive.versions` so that ``show`` imports neither the fold
of a whole walk (:mod:`gitarchive.version_fold`, :mod:`gitarchive.history`) nor
the readers of every playlist: it reads one blob, and a plain file's page.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from gitarchive import formats, git
from gitarchive.errors import PlaylistNotFound
from gitarchive.formats.paths import SOURCE_KINDS, source_paths
from gitarchive.formats.plain import split_plain
from gitarchive.version_reader import PLAIN, VersionReader, read_source

if TYPE_CHECKING:
    from collections.abc import Callable

    from gitarchive.git import Store
    from gitarchive.history import Version
    from gitarchive.model import Playlist

logger = logging.getLogger(__name__)


def log_warning(message: str) -> None:
    # without a handler of the caller's, Python prints a warning on stderr
    logger.warning("%s", message)


def list_versions(
    store: Store,
    playlist_id: str,
    *,
    start: str | None = None,
    warn: Callable[[str], None] = log_warning,
) -> list[Version]:
    """Every version of one playlist in which its best source changed, oldest first.

    Commits where all its files are gone (the playlist was deleted from the
    archive) produce no version: tracking pauses, and a later version is
    compared with the last one before the deletion. A version none of whose
    files parses is skipped, and ``warn`` told (see :mod:`gitarchive.version_fold`).
    """
    # lazy: the fold and the history package cost `show` ~4.5 ms of CPU at start
    # (python -c, medians of 7, load 5); it needs them only for a plain file whose
    # header a merge sorted in among its tracks (version_in)
    from gitarchive.version_fold import VersionFold

    paths = source_paths(playlist_id)
    with git.unverified_reads():
        fold = VersionFold(VersionReader(store, warn=warn), warn)
        found = (
            fold.step(playlist_id, change.blobs, change.commit, change.date)
            for change in git.walk_paths(store, paths, start=start)
        )
        return [version for version in found if version is not None]


def version_in(
    store: Store, playlist_id: str, commit: str, warn: Callable[[str], None] = log_warning
) -> Playlist:
    """The playlist at ``commit``, read from its best source there; ``warn`` is told of
    what could not be read as it should (the page of a plain version, see VersionReader)."""
    paths = source_paths(playlist_id)
    for index, path in enumerate(paths):
        data = git.read_file(store, commit, path)
        if data is None:
            continue
        if SOURCE_KINDS[index] != PLAIN:
            return read_source(SOURCE_KINDS[index], data, playlist_id, path, commit=commit)
        return _plain_at(store, playlist_id, commit, data, path, warn)
    raise PlaylistNotFound(
        f"playlist {playlist_id} is not in the archive at {commit[:12]}", playlist=playlist_id
    )


def _plain_at(
    store: Store,
    playlist_id: str,
    commit: str,
    data: bytes,
    path: str,
    warn: Callable[[str], None],
) -> Playlist:
    """The version a walk finds at ``commit`` when its plain file is the best source.

    The file is read with its commit's page; a header that a merge sorted in
    among the tracks needs the versions before it (VersionReader), so then
    the walk up to that commit is the answer.
    """
    if split_plain(formats.decode(data, path)).name is None:
        found = list_versions(store, playlist_id, start=commit, warn=warn)
        if found and found[-1].source == PLAIN:
            return found[-1].playlist
    blob = git.blob_id_of(data)
    reader = VersionReader(store, warn=warn)
    return reader.read(PLAIN, blob, playlist_id, path, commit=commit)
