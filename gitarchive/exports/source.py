"""What an export holds: the versions ``show --at`` reads and the views ``cumulative`` reads.

Everything this package asks of the read side goes through three small
functions: :func:`read_version` (``versions.version_at``, as ``show --at``),
:func:`_commit_of` (``dates.parse_moment``, the dates ``--at`` takes) and
:func:`read_view` (``ChangeIndex.cumulative``, as ``cumulative``), so that a
change there is one change here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive import dates, git, versions
from gitarchive.errors import PlaylistNotFound, RevisionNotFound
from gitarchive.exports.playlist import ExportedPlaylist, ExportedTrack
from gitarchive.formats.paths import PLAIN_DIR, PRETTY_DIR, SOURCE_KINDS, classify

if TYPE_CHECKING:
    from gitarchive.git import Store
    from gitarchive.index import ChangeIndex


def read_version(
    store: Store, index: ChangeIndex, playlist_id: str, at: str | None
) -> ExportedPlaylist:
    """The playlist as ``show --at`` reads it (None: HEAD's version)."""
    commit, playlist = versions.version_at(store, playlist_id, at, commit_at=index.commit_at)
    return ExportedPlaylist(
        id=playlist.id,
        name=playlist.display_name,
        description=playlist.description,
        url=playlist.url,
        tracks=tuple(ExportedTrack(track) for track in playlist.tracks),
        commit=commit,
        date=git.commit_info(store, commit).date,
    )


def read_view(index: ChangeIndex, playlist_id: str) -> ExportedPlaylist:
    """Every track the playlist ever held, as ``cumulative`` reads it."""
    view = index.cumulative(playlist_id)
    if view is None:
        raise PlaylistNotFound(
            "has no archived version in this repository's history",
            playlist=playlist_id,
        )
    return ExportedPlaylist(
        id=view.id,
        name=view.name,
        description=view.description,
        url=view.url,
        tracks=tuple(ExportedTrack(item.track, item.added, item.removed) for item in view.tracks),
    )


def _commit_of(store: Store, index: ChangeIndex, at: str | None) -> str:
    if at is None:
        head = git.head_id(store)
        if head is None:
            raise RevisionNotFound("the archive has no commits yet")
        return head
    moment = dates.parse_moment(at, end_of_day=True)
    if moment is None:
        return git.resolve(store, at)
    found = index.commit_at(moment)
    if found is None:
        raise RevisionNotFound(f"no commit at or before {at}")
    return found


def playlists_at(store: Store, index: ChangeIndex, at: str | None) -> tuple[str, list[str]]:
    """The commit ``at`` names and the playlists archived there, sorted by id."""
    commit = _commit_of(store, index, at)
    found: set[str] = set()
    for folder in (PRETTY_DIR, PLAIN_DIR):
        for name in git.list_dir(store, commit, folder):
            kind = classify(f"{folder}/{name}")
            if kind.playlist_id is not None and kind.kind in SOURCE_KINDS:
                found.add(kind.playlist_id)
    return commit, sorted(found)


def collect(
    store: Store,
    index: ChangeIndex,
    playlist_ids: list[str] | None,
    *,
    at: str | None,
    cumulative: bool,
) -> list[ExportedPlaylist]:
    """The playlists to export (None: every one), each a version or the cumulative view."""
    if cumulative:
        ids = playlist_ids if playlist_ids is not None else sorted(index.all_cumulative_views())
        return [read_view(index, playlist_id) for playlist_id in ids]
    if playlist_ids is None:
        at, playlist_ids = playlists_at(store, index, at)
    return [read_version(store, index, playlist_id, at) for playlist_id in playlist_ids]
