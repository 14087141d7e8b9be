"""Timeline entries computed from versions, as a walk or the index's fold finds them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive.history.delta import (
    Delta,
    MovedTrack,
    Tracker,
    diff_of,
    moved_of,
)
from gitarchive.history.diff import TrackDiff, Version
from gitarchive.timeline import Entry, MovedDoc, track_document

if TYPE_CHECKING:
    from collections.abc import Iterable

    from gitarchive.model import Playlist

PLAIN_SOURCE = "plain"  # Version.source of a plain file, whose tracks are sorted by line


def entry_of(
    version: Version,
    previous: Playlist | None,
    tracker: Tracker | None = None,
    previous_source: str | None = None,
) -> Entry:
    """The entry of ``version``, diffed against the previous version's playlist
    (read from ``previous_source``: a plain file lists tracks sorted, so no move is
    found where either side is one). ``tracker``: the playlist's, which saw the
    previous version's tracks last (a new one otherwise)."""
    _, diff, moved = track_changes(version, previous, tracker or Tracker(), previous_source)
    return entry_of_diff(version, previous, diff, moved_documents(moved))


def track_changes(
    version: Version,
    previous: Playlist | None,
    tracker: Tracker,
    previous_source: str | None = None,
) -> tuple[Delta, TrackDiff, tuple[MovedTrack, ...]]:
    """What :func:`entry_of` shows of the tracks, as track objects: the tracker's
    delta, the diff and the moves."""
    delta = tracker.step(previous.tracks if previous else None, version.playlist.tracks)
    diff = diff_of(delta)
    moved: tuple[MovedTrack, ...] = ()
    if PLAIN_SOURCE not in (version.source, previous_source):
        moved = moved_of(delta, diff)
    return delta, diff, moved


def moved_documents(moved: Iterable[MovedTrack]) -> tuple[MovedDoc, ...]:
    return tuple((track_document(track), old, new, n) for track, old, new, n in moved)


def entry_of_diff(
    version: Version, previous: Playlist | None, diff: TrackDiff, moved: tuple[MovedDoc, ...] = ()
) -> Entry:
    """The entry of ``version`` whose diff against ``previous`` the caller already has."""
    playlist = version.playlist
    return Entry(
        commit=version.commit,
        date=version.date,
        name=playlist.display_name,
        description=playlist.description,
        likes=playlist.num_followers,
        track_count=len(playlist.tracks),
        first=previous is None,
        previous_name=previous.display_name if previous else None,
        previous_likes=previous.num_followers if previous else None,
        name_changed=previous is not None and previous.display_name != playlist.display_name,
        description_changed=previous is not None and previous.description != playlist.description,
        added=tuple(track_document(track) for track in diff.added),
        removed=tuple(track_document(track) for track in diff.removed),
        updated=tuple(
            (track_document(update.before), track_document(update.after)) for update in diff.updated
        ),
        moved=moved,
    )


def entries(versions: Iterable[Version]) -> list[Entry]:
    """Every version's entry, oldest first (the listed ones: :func:`select`)."""
    result: list[Entry] = []
    previous: Version | None = None
    tracker = Tracker()
    for version in versions:
        if previous is None:
            result.append(entry_of(version, None, tracker))
        else:
            result.append(entry_of(version, previous.playlist, tracker, previous.source))
        previous = version
    return result
