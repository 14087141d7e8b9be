"""The Spotify client: the session (:mod:`.session`) with the readers as its methods.

``SpotifyClient`` is what the rest of gitarchive uses; it adds no policy of its
own. Each method is one reader's entry point, so the readers depend on the
session and never on this class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive.spotify import playlists, probe, user
from gitarchive.spotify.session import ClientStats, Session

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from gitarchive.errors import SpotifyError
    from gitarchive.model import Playlist
    from gitarchive.spotify import access

__all__ = ["ClientStats", "SpotifyClient"]


class SpotifyClient(Session):
    """Fetch playlists from the Spotify Web API. Use as ``async with SpotifyClient(auth) as c``."""

    async def get_playlist(self, playlist_id: str, *, previous_name: str | None = None) -> Playlist:
        """One playlist, complete (:func:`.playlists.read_playlist`)."""
        return await playlists.read_playlist(self, playlist_id, previous_name=previous_name)

    async def get_playlists(
        self,
        ids: Sequence[str],
        *,
        on_result: Callable[[str, Playlist | SpotifyError], None] | None = None,
        previous_names: Mapping[str, str] | None = None,
    ) -> dict[str, Playlist | SpotifyError]:
        """Many playlists at once; a playlist's error is its result (:mod:`.playlists`)."""
        return await playlists.read_playlists(
            self, ids, on_result=on_result, previous_names=previous_names
        )

    async def probe(self, playlist_id: str) -> access.AccessReport:
        """What this access can read of one playlist: entries, metadata only, or nothing."""
        return await probe.probe_playlist(self, playlist_id)

    async def probe_many(self, ids: Sequence[str]) -> dict[str, access.AccessReport]:
        """:meth:`probe` for each id, ``concurrency`` at a time, in the order of ``ids``."""
        return await probe.probe_playlists(self, ids)

    async def current_user(self) -> access.SpotifyUser | None:
        """The token's user (``GET /me``); None for a client-credentials token."""
        return await user.current_user(self)

    async def my_playlists(self, *, include_followed: bool = False) -> list[access.PlaylistSummary]:
        """The user's playlists (``GET /me/playlists``, every page): owned and collaborative.

        ``include_followed`` also returns the others the user follows (``readable`` False).
        """
        return await probe.my_playlists(self, include_followed=include_followed)
