"""What to restore, read out of the archive: the one place restore uses the read side.

A version is what ``show --at`` shows (:func:`gitarchive.versions.version_at`); the
cumulative view is every track the playlist ever held, in the view's order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gitarchive import git, versions
from gitarchive.errors import RevisionNotFound

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date, datetime

    from gitarchive.git import Store
    from gitarchive.model import CumulativeView, Track


@dataclass(frozen=True, slots=True)
class RestoreSource:
    playlist_id: str
    name: str
    tracks: tuple[Track, ...]
    commit: str
    date: date
    cumulative: bool = False

    @property
    def marker(self) -> str:
        """Words of the new playlist's description that find it again after a cut-short run."""
        what = "Every track playlist" if self.cumulative else "Playlist"
        held = " ever held," if self.cumulative else ""
        return f"{what} {self.playlist_id}{held} as archived in commit {self.commit[:12]}"


def version_source(
    store: Store,
    playlist_id: str,
    at: str | None,
    *,
    commit_at: Callable[[datetime], str | None] | None = None,
) -> RestoreSource:
    """The version ``show --at AT`` shows (the latest without ``at``)."""
    commit, playlist = versions.version_at(store, playlist_id, at, commit_at=commit_at)
    name = playlist.original_name or playlist.unique_name or playlist_id
    when = git.commit_info(store, commit).date.date()
    return RestoreSource(playlist_id, name, playlist.tracks, commit, when)


def cumulative_source(store: Store, view: CumulativeView) -> RestoreSource:
    """Every track of the cumulative view, in its order, as of the archive's HEAD."""
    commit = git.head_id(store)
    if commit is None:
        raise RevisionNotFound("the archive has no commits yet")
    when = git.commit_info(store, commit).date.date()
    tracks = tuple(entry.track for entry in view.tracks)
    return RestoreSource(view.id, view.name or view.id, tracks, commit, when, cumulative=True)
