"""The user's Liked Songs (``GET /me/tracks``), read as a playlist under a reserved id.

Spotify's reference still documents ``GET /me/tracks`` for a user's token with
the ``user-library-read`` scope (the 2026 migration replaced only the writing
endpoints). The saved-track objects carry ``added_at`` and ``track``, the shape
the playlist parser already reads; the metadata is made up here (name, the user
as owner), since the library has none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gitarchive.errors import Forbidden
from gitarchive.model import LIKED_SONGS_ID, LIKED_SONGS_NAME
from gitarchive.spotify import access
from gitarchive.spotify.pages import PAGE_LIMIT, PlaylistReader
from gitarchive.spotify.user import current_user

if TYPE_CHECKING:
    from gitarchive.spotify.access import SpotifyUser

LIBRARY_PATH = "/me/tracks"
SCOPE = "user-library-read"


class LikedSongsReader(PlaylistReader):
    """Every page of ``/me/tracks``; a token without a user reads nothing."""

    max_items = None  # a library has no size limit

    async def _meta_and_entries(self) -> tuple[Any, tuple[int, list[Any]]]:
        user = await current_user(self.session)
        if user is None:
            raise Forbidden(
                access.cause_message(access.NO_USER), playlist=LIKED_SONGS_ID, cause=access.NO_USER
            )
        first = await self._page(0)
        return liked_songs_meta(user), await self._rest(first)

    def _page_request(self, offset: int) -> tuple[str, dict[str, str]]:
        params = {"offset": str(offset), "limit": str(PAGE_LIMIT), **self.session.market_params()}
        return LIBRARY_PATH, params


def liked_songs_meta(user: SpotifyUser) -> dict[str, Any]:
    name = user.display_name or user.id
    return {
        "id": LIKED_SONGS_ID,
        "name": LIKED_SONGS_NAME,
        "description": f"The tracks {name} saved on Spotify",
        "snapshot_id": "",
        "owner": {"id": user.id, "display_name": name},
    }
