"""Whole playlists, one or many at once, each within its budget: the reader sync uses.

A playlist's error is its result (one bad playlist never stops the others);
only the run-ending errors (:data:`.session.RUN_ENDING`) are raised. Playlists
whose turn comes after the run's budget is spent get :class:`Skipped`, without
a request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive.errors import Skipped, SpotifyError
from gitarchive.model import LIKED_SONGS_ID
from gitarchive.spotify.library import LikedSongsReader
from gitarchive.spotify.pages import PlaylistReader
from gitarchive.spotify.session import RUN_ENDING, run_workers

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from gitarchive.model import Playlist
    from gitarchive.spotify.session import Session


async def read_playlist(
    session: Session, playlist_id: str, *, previous_name: str | None = None
) -> Playlist:
    """One playlist, complete; raises a SpotifyError subclass naming the playlist.

    ``previous_name`` stands in for a blank name from Spotify (else the id).
    """
    deadline = session.budget_deadline()
    reader_class = LikedSongsReader if playlist_id == LIKED_SONGS_ID else PlaylistReader
    try:
        playlist, stats = await reader_class(session, playlist_id, deadline).read(
            name_fallback=previous_name
        )
    except SpotifyError as exc:
        if exc.playlist is None and not isinstance(exc, RUN_ENDING):
            exc.playlist = playlist_id
        raise
    if stats.unavailable:
        session.stats.unavailable_items[playlist_id] = stats.unavailable
    if stats.unknown_durations:
        session.stats.unknown_durations[playlist_id] = stats.unknown_durations
    if stats.blank_name:
        session.stats.blank_names.append(playlist_id)
    return playlist


async def read_playlists(
    session: Session,
    ids: Sequence[str],
    *,
    on_result: Callable[[str, Playlist | SpotifyError], None] | None = None,
    previous_names: Mapping[str, str] | None = None,
) -> dict[str, Playlist | SpotifyError]:
    """Many playlists at once, ``concurrency`` in progress; each playlist's outcome, in order."""
    names = previous_names or {}
    results: dict[str, Playlist | SpotifyError] = {}
    queue = list(dict.fromkeys(ids))
    queue.reverse()

    async def worker() -> None:
        while queue:
            playlist_id = queue.pop()
            result: Playlist | SpotifyError
            try:
                if session.run_budget_spent:
                    raise _skip(session, playlist_id)
                result = await read_playlist(
                    session, playlist_id, previous_name=names.get(playlist_id)
                )
            except RUN_ENDING:
                raise
            except SpotifyError as exc:
                result = exc
            results[playlist_id] = result
            if on_result is not None:
                on_result(playlist_id, result)

    # Playlists in progress are bounded too, so that a playlist's time budget starts
    # when its first request can start, not when it was queued behind thousands.
    await run_workers(worker, min(len(queue), session.concurrency))
    return {playlist_id: results[playlist_id] for playlist_id in dict.fromkeys(ids)}


def _skip(session: Session, playlist_id: str) -> Skipped:
    session.skipped.append(playlist_id)
    return Skipped(
        f"not fetched: the run's time budget ({session.run_budget:g} s) was spent on "
        "persistent failures; its files are kept and the next sync tries again",
        playlist=playlist_id,
    )
