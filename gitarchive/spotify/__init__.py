"""The Spotify Web API: credentials, the async client, API JSON → model, and login.

Public API::

    auth_from_env(env=os.environ) -> Auth
    SpotifyClient(auth, *, api_url=None, accounts_url=None, concurrency=DEFAULT_CONCURRENCY,
                  market=None, transport=None, ...)    # async context manager
        await client.get_playlist(id) -> Playlist
        await client.get_playlists(ids, on_result=None) -> dict[id, Playlist | SpotifyError]
        client.rotated_refresh_token, client.stats
    parse_playlist(meta, entries) -> Playlist
    login(client_id, *, port, show_url, ...) -> LoginResult       # PKCE, for `gitarchive login`
"""

from __future__ import annotations

from gitarchive.spotify.auth import Auth, auth_from_env
from gitarchive.spotify.client import ClientStats, SpotifyClient
from gitarchive.spotify.login import LoginResult, login
from gitarchive.spotify.parse import ParseStats, parse_playlist, parse_playlist_with_stats

__all__ = [
    "Auth",
    "ClientStats",
    "LoginResult",
    "ParseStats",
    "SpotifyClient",
    "auth_from_env",
    "login",
    "parse_playlist",
    "parse_playlist_with_stats",
]
