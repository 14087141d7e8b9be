"""What ``gitarchive track QUERY`` looks for: a Spotify track id, URL or URI, or
"title — artist" (pure)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from gitarchive.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from gitarchive.model import Track

_ID = r"[0-9A-Za-z]{22}"
_ID_RE = re.compile(rf"^({_ID})\Z")
_URI_RE = re.compile(rf"^spotify:track:({_ID})\Z")
_URL_RE = re.compile(
    rf"^https?://open\.spotify\.com/(?:intl-[A-Za-z-]+/)?track/({_ID})/?(?:\?.*)?\Z"
)
_SEPARATORS = (" — ", " – ", " - ")


def track_matcher(query: str) -> Callable[[Track], bool]:
    """What ``gitarchive track QUERY`` looks for: an id, URL or URI, or "title — artist".

    A title (and artist) match case-insensitively, whole: the artist is any of
    the track's artists. A title alone matches every track of that title.
    """
    text = query.strip()
    track_id = _named_id(text)
    if track_id is not None:
        return lambda track: track.id == track_id
    if text.startswith(("spotify:", "http://", "https://")):
        raise UsageError(
            f"{query!r} is not a Spotify track link: give an id, "
            "https://open.spotify.com/track/<id>, spotify:track:<id>, or 'title — artist'"
        )
    title, artist = _split(text)
    if not title:
        raise UsageError("give a track: an id, URL or URI, or 'title — artist'")

    def matches(track: Track) -> bool:
        if track.name.casefold() != title:
            return False
        return artist is None or any(each.name.casefold() == artist for each in track.artists)

    return matches


def query_key(query: str) -> str:
    """What the change index looks ``query`` up by (a query :func:`track_matcher` took):
    the track id it names, else its title, trimmed and casefolded."""
    text = query.strip()
    track_id = _named_id(text)
    return _split(text)[0] if track_id is None else track_id


def _named_id(text: str) -> str | None:
    """The track id a bare id, URI or URL names; None for anything else."""
    for pattern in (_ID_RE, _URI_RE, _URL_RE):
        match = pattern.match(text)
        if match:
            return match.group(1)
    return None


def _split(text: str) -> tuple[str, str | None]:
    for separator in _SEPARATORS:
        if separator in text:
            title, artist = text.rsplit(separator, 1)
            return title.strip().casefold(), artist.strip().casefold()
    return text.casefold(), None
