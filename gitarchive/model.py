"""The data model: what a playlist is, independent of where it came from.

Frozen dataclasses with slots: cheap to build by the hundred thousand when a
history walk reads every version, hashable so tracks can be counted as a
multiset, and free of any dependency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit

from gitarchive.errors import InvalidPlaylistId

SPOTIFY_WEB = "https://open.spotify.com"
_ID = r"[0-9A-Za-z]{22}"
_ID_RE = re.compile(rf"^{_ID}\Z")  # \Z: "$" would accept a trailing newline
_URI_RE = re.compile(rf"^spotify:(?:user:[^:]+:)?playlist:({_ID})$")
# /playlist/<id>, /intl-xx/playlist/<id>, /embed/playlist/<id>, /user/<u>/playlist/<id>
_URL_PATH_RE = re.compile(rf"^/(?:[A-Za-z-]+/|user/[^/]+/)?playlist/({_ID})/?$")
ITEM_URL_RE = re.compile(rf"^{re.escape(SPOTIFY_WEB)}/(track|episode)/({_ID})\Z")


#: The user's saved tracks ("Liked Songs", ``GET /me/tracks``) archived as a playlist under
#: this reserved id. Spotify's ids are random base-62: no real playlist has this one.
LIKED_SONGS_ID = "LikedSongs000000000000"
LIKED_SONGS_NAME = "Liked Songs"
LIKED_SONGS_URL = "https://open.spotify.com/collection/tracks"
_LIKED_WORDS = frozenset({"liked", "liked-songs", "liked songs", LIKED_SONGS_URL})


def is_playlist_id(value: str) -> bool:
    return bool(_ID_RE.match(value))


def parse_playlist_id(value: str) -> str:
    """Accept a bare id, an open.spotify.com URL or a spotify: URI; return the id."""
    text = value.strip()
    if _ID_RE.match(text):
        return text
    if text.lower() in _LIKED_WORDS or re.fullmatch(r"spotify:user:[^:]+:collection", text):
        return LIKED_SONGS_ID
    match = _URI_RE.match(text)
    if match:
        return match.group(1)
    if text.startswith(("http://", "https://", "open.spotify.com/")):
        parts = urlsplit(text if "://" in text else f"https://{text}")
        if parts.hostname == "open.spotify.com":
            match = _URL_PATH_RE.match(parts.path)
            if match:
                return match.group(1)
    shown = text if len(text) <= 80 else text[:77] + "..."
    raise InvalidPlaylistId(
        f"not a Spotify playlist id, URL or URI: {shown!r} "
        "(expected 22 letters/digits, https://open.spotify.com/playlist/<id>, "
        "spotify:playlist:<id>, or `liked` for your Liked Songs)"
    )


def playlist_url(playlist_id: str) -> str:
    if playlist_id == LIKED_SONGS_ID:
        return LIKED_SONGS_URL
    return f"{SPOTIFY_WEB}/playlist/{playlist_id}"


@dataclass(frozen=True, slots=True)
class Owner:
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class Artist:
    name: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Album:
    name: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Track:
    """One entry of a playlist.

    ``url`` is None for local files (and for tracks read from plain files,
    which carry no links); ``duration_ms`` is None when unknown (plain files);
    ``added_at`` is a timezone-aware UTC datetime, None when Spotify does not
    know it (null or 1970-01-01 on old playlists).
    """

    name: str
    artists: tuple[Artist, ...]
    album: Album
    url: str | None = None
    duration_ms: int | None = None
    added_at: datetime | None = None
    # the plain line, made once: diffs, keys, renderers and the page merge ask for it
    # millions of times in a pass over a long archive (30 s of a 250-playlist import)
    _line: str = field(init=False, repr=False, compare=False)
    # the key, made the first time it is asked: a track object is shared by the versions
    # that hold it, and the diff, the folds and the site's pages each ask it (its id's
    # regex match was ~3% of a site build)
    _key: str | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        artists = ", ".join([artist.name for artist in self.artists])  # a list: joined faster
        object.__setattr__(self, "_line", f"{self.name} -- {artists} -- {self.album.name}")

    @property
    def id(self) -> str | None:
        """Spotify's id for the track or episode; None for local files."""
        if self.url is None:
            return None
        match = ITEM_URL_RE.match(self.url)
        return match.group(2) if match else None

    @property
    def plain_line(self) -> str:
        """The line of a plain file: ``Title -- Artist1, Artist2 -- Album``."""
        return self._line

    @property
    def key(self) -> str:
        """Identity across versions: the Spotify id, else the plain line, case-folded.

        Local files and tracks read from plain files have no id; the plain line
        is all that identifies them (as in spotify-playlist-archive).
        """
        key = self._key
        if key is None:
            track_id = self.id
            key = track_id if track_id is not None else "line:" + self._line.casefold()
            object.__setattr__(self, "_key", key)
        return key


@dataclass(frozen=True, slots=True)
class Playlist:
    """One version of a playlist, as the JSON snapshot stores it.

    ``original_name`` is the registered alias, else Spotify's name;
    ``unique_name`` is that name made unique among the archive's playlists
    (" (2)", " (3)", ...). ``num_followers`` is None when unknown.
    """

    id: str
    original_name: str = ""
    unique_name: str = ""
    description: str = ""
    tracks: tuple[Track, ...] = ()
    snapshot_id: str = ""
    num_followers: int | None = None
    owner: Owner = field(default_factory=lambda: Owner(name="", url=""))

    @property
    def url(self) -> str:
        return playlist_url(self.id)

    @property
    def display_name(self) -> str:
        return self.unique_name or self.original_name or self.id

    @property
    def duration_ms(self) -> int:
        return sum(track.duration_ms or 0 for track in self.tracks)


def with_tracks(playlist: Playlist, tracks: tuple[Track, ...]) -> Playlist:
    """``dataclasses.replace(playlist, tracks=tracks)`` in a fifth of its time (a read's
    last step, once per version)."""
    return with_contents(
        playlist, playlist.original_name, playlist.unique_name, playlist.description, tracks
    )


def with_contents(
    playlist: Playlist, original: str, unique: str, description: str, tracks: tuple[Track, ...]
) -> Playlist:
    """``dataclasses.replace`` of the playlist's names, description and tracks, built
    directly (5 us a call less). Every field is listed: one added to Playlist is added
    here (tests/test_model.py checks it)."""
    return Playlist(
        id=playlist.id,
        original_name=original,
        unique_name=unique,
        description=description,
        tracks=tracks,
        snapshot_id=playlist.snapshot_id,
        num_followers=playlist.num_followers,
        owner=playlist.owner,
    )


@dataclass(frozen=True, slots=True)
class CumulativeTrack:
    """A track as the cumulative view lists it: latest metadata plus its dates.

    ``added`` is the earliest of the day it was first archived and Spotify's
    added_at; ``added_asterisk`` marks a track that was already in the first
    archived version with no added_at known (it may be older); ``removed`` is
    the day of its last removal, None while it is in the playlist.
    """

    track: Track
    added: date
    added_asterisk: bool
    removed: date | None


@dataclass(frozen=True, slots=True)
class CumulativeView:
    """Every track a playlist ever held, as of its latest archived version."""

    id: str
    name: str
    description: str
    tracks: tuple[CumulativeTrack, ...]
    first_scraped: date

    @property
    def url(self) -> str:
        return playlist_url(self.id)
