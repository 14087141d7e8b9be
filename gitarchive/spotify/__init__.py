"""The Spotify Web API: credentials, a session, the readers on it, API JSON → model, and login.

The floors, top first; a module imports only from floors below its own (checked by
tests/test_architecture.py, SPOTIFY_FLOORS)::

    client     SpotifyClient: the session with the readers' entry points as methods
    doctor     diagnose(): the credentials, then every playlist's access, by cause
    ---------------------------------------------------------------------- readers
    probe      probe_playlist(s), my_playlists: what this access can read
    playlists  read_playlist(s): whole playlists, each within its budget
    library    LikedSongsReader: /me/tracks read as a playlist
    pages      PlaylistReader: metadata and every page, trusting nothing
    user       current_user(): GET /me
    ---------------------------------------------------------------------- session
    session    Session: tokens, request(), retries, the 429 gate, budgets, and
               the stops (quota, unreachable host). Readers and writers send
               through Session.request / get_json and nothing else.
    answers    an answer → its body, a retry, or the domain error; Retry-After
    auth       Auth, auth_from_env, token endpoint refusals      (login: PKCE, beside)
    outage     connection failures per host: how long, and the one message
    tokenfile  a rotated refresh token kept in GITARCHIVE_REFRESH_TOKEN_FILE
    transport  ShardedPool, the connection pools under httpx
    ---------------------------------------------------------------------- grammar
    access     causes of refusals and their words (shared with sync and doctor)
    parse      API JSON → model

Public API::

    auth_from_env(env=os.environ) -> Auth
    SpotifyClient(auth, *, api_url=None, accounts_url=None, concurrency=DEFAULT_CONCURRENCY,
                  market=None, transport=None, ...)    # async context manager, a Session
        await client.get_playlist(id, *, previous_name=None) -> Playlist
        await client.get_playlists(ids, *, on_result=None, previous_names=None)
            -> dict[id, Playlist | SpotifyError]  # raises AuthError, QuotaExceeded, Unreachable
        await client.probe(id) -> AccessReport; await client.probe_many(ids) -> dict
        await client.current_user() -> SpotifyUser | None
        await client.my_playlists(*, include_followed=False) -> list[PlaylistSummary]
        await client.request(method, path, *, params=None, json=None) -> JSON | None
        client.token_rotation, client.rotated_refresh_token, client.skipped, client.stats,
        client.has_user
    parse_playlist(meta, entries) -> Playlist
    login(client_id, *, port, show_url, ...) -> LoginResult       # PKCE, for `gitarchive login`
"""

from __future__ import annotations

from gitarchive.spotify.access import CAUSES, AccessReport, PlaylistSummary, SpotifyUser
from gitarchive.spotify.auth import Auth, auth_from_env
from gitarchive.spotify.client import SpotifyClient
from gitarchive.spotify.login import LoginResult, login
from gitarchive.spotify.parse import ParseStats, parse_playlist, parse_playlist_with_stats
from gitarchive.spotify.session import ClientStats, Session
from gitarchive.spotify.tokenfile import TokenRotation

__all__ = [
    "CAUSES",
    "AccessReport",
    "Auth",
    "ClientStats",
    "LoginResult",
    "ParseStats",
    "PlaylistSummary",
    "Session",
    "SpotifyClient",
    "SpotifyUser",
    "TokenRotation",
    "auth_from_env",
    "login",
    "parse_playlist",
    "parse_playlist_with_stats",
]
