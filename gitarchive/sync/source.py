"""Where a sync's playlists come from: the playlist source protocol and the fetch step's I/O."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, Self

from gitarchive.settings import accounts_url, api_url

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from types import TracebackType

    from gitarchive.errors import SpotifyError
    from gitarchive.model import Playlist
    from gitarchive.settings import Settings
    from gitarchive.spotify.tokenfile import TokenRotation

OnResult = Callable[[str, "Playlist | SpotifyError"], None]


class PlaylistSource(Protocol):
    """What sync needs from a Spotify client (``gitarchive.spotify.SpotifyClient`` is one).

    Used as ``async with source:``; a playlist that cannot be read is an error
    in the answer, not an exception, so one bad playlist never stops a sync.
    """

    @property
    def token_rotation(self) -> TokenRotation | None:
        """Whether Spotify rotated the refresh token, and where the new one was stored."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def get_playlists(
        self,
        ids: Sequence[str],
        *,
        on_result: OnResult | None = None,
        previous_names: Mapping[str, str] | None = None,
    ) -> dict[str, Playlist | SpotifyError]:
        """Each playlist or its error; ``previous_names`` stand in for a blank name."""
        ...


SourceFactory = Callable[["Settings"], PlaylistSource]


def default_source(settings: Settings) -> PlaylistSource:
    """The real Spotify client, configured from the environment and gitarchive.toml."""
    # lazy: the Spotify client (httpx, ssl) costs 190 ms at import (python -X importtime,
    # min of 9, load 9 on 2 cores); `list` imports this package and never fetches
    from gitarchive.spotify import SpotifyClient, auth_from_env

    return SpotifyClient(
        auth_from_env(),
        api_url=api_url(),
        accounts_url=accounts_url(),
        concurrency=settings.concurrency,
        market=settings.market,
    )


async def fetch_playlists(
    source: PlaylistSource,
    ids: Sequence[str],
    on_result: OnResult | None,
    previous_names: Mapping[str, str] | None = None,
) -> tuple[dict[str, Playlist | SpotifyError], TokenRotation | None]:
    """Every playlist's outcome, and what became of the refresh token if Spotify rotated it."""
    async with source:
        results = await source.get_playlists(
            ids, on_result=on_result, previous_names=previous_names
        )
    return results, source.token_rotation
