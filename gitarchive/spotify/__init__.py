"""The Spotify Web API: credentials, the async client, API JSON → model, and login.

Public API::

    auth_from_env(env=os.environ) -> Auth
    SpotifyClient(auth, *, api_url=None, accounts_url=None, concurrency=DEFAULT_CONCURRENCY,
                  market=None, transport=None, ...)    # async context manager
        await client.get_playlist(id, *, previous_name=None) -> Playlist
        await client.get_playlists(ids, *, on_result=None, previous_names=None)
            -> dict[id, Playlist | SpotifyError]      # raises AuthError, QuotaExceeded
        await client.probe(id) -> AccessReport; await client.probe_many(ids) -> dict
        await client.current_user() -> SpotifyUser | None
        await client.my_playlists(*, include_followed=False) -> list[PlaylistSummary]
        client.rotated_refresh_token, client.skipped, client.stats, client.has_user
    parse_playlist(meta, entries) -> Playlist
    login(client_id, *, port, show_url, ...) -> LoginResult       # PKCE, for `gitarchive login`
"""

from __future__ import annotations

from gitarchive.spotify.access import CAUSES, AccessReport, PlaylistSummary, SpotifyUser
from gitarchive.spotify.auth import Auth, auth_from_env
from gitarchive.spotify.client import ClientStats, SpotifyClient
from gitarchive.spotify.login import LoginResult, login
from gitarchive.spotify.parse import ParseStats, parse_playlist, parse_playlist_with_stats

__all__ = [
    "CAUSES",
    "AccessReport",
    "Auth",
    "ClientStats",
    "LoginResult",
    "ParseStats",
    "PlaylistSummary",
    "SpotifyClient",
    "SpotifyUser",
    "auth_from_env",
    "login",
    "parse_playlist",
    "parse_playlist_with_stats",
]
