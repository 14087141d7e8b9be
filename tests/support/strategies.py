"""Hypothesis strategies for archive data with hostile text (pipes, brackets, backslashes,
newlines, emoji, right-to-left text, empty strings): playlists and cumulative views."""

from __future__ import annotations

import re
import string
from datetime import UTC, date, datetime

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from gitarchive.formats.markdown import markdown_safe
from gitarchive.formats.sanitize import MAX_COUNT
from gitarchive.model import (
    Album,
    Artist,
    CumulativeTrack,
    CumulativeView,
    Owner,
    Playlist,
    Track,
)

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ID_ALPHABET = string.ascii_letters + string.digits
HOSTILE = [
    *"|[]()\\*_`#~.-+>!<&,:= \n\r\t",
    ". ",
    " -- ",
    "1. ",
    "&amp;",
    "<br/>",
    "🎵",
    "שלום",
    "\u200f",
    "\u3000",
    "\x00",
    "\x0b",
    "\x85",
]

ids = st.text(alphabet=ID_ALPHABET, min_size=22, max_size=22)
hostile = st.lists(st.sampled_from(HOSTILE) | st.text(max_size=3), max_size=12).map("".join)
texts = st.one_of(
    hostile,
    st.text(),
    st.builds(lambda piece, times: piece * times, hostile, st.integers(10, 40)),
)


def spotify_url(kind: str) -> st.SearchStrategy[str]:
    return ids.map(lambda i: f"https://open.spotify.com/{kind}/{i}")


def maybe_url(kind: str) -> st.SearchStrategy[str | None]:
    return st.none() | spotify_url(kind)


# any year a datetime holds (years below 1000 are where strftime's %Y stops padding), but
# not 1970-01-01, which reads as unknown (what Spotify sends for an old playlist's entries)
added_ats = st.none() | (
    st.datetimes(max_value=datetime(1969, 12, 31), timezones=st.just(UTC))
    | st.datetimes(
        min_value=datetime(1970, 1, 2), max_value=datetime(9999, 1, 1), timezones=st.just(UTC)
    )
).map(lambda value: value.replace(microsecond=0))
tracks = st.builds(
    Track,
    name=texts,
    artists=st.lists(st.builds(Artist, name=texts, url=maybe_url("artist")), max_size=3).map(tuple),
    album=st.builds(Album, name=texts, url=maybe_url("album")),
    url=maybe_url("track"),
    duration_ms=st.none() | st.integers(0, 10**8),
    added_at=added_ats,
)
owners = st.builds(Owner, name=texts, url=st.just("") | spotify_url("user"))


@st.composite
def playlists(draw: st.DrawFn) -> Playlist:
    name = draw(texts)
    return Playlist(
        id=draw(ids),
        original_name=draw(st.just(name) | texts),
        unique_name=name,
        description=draw(texts),
        tracks=tuple(draw(st.lists(tracks, max_size=6))),
        snapshot_id=draw(texts),
        num_followers=draw(st.none() | st.integers(0, MAX_COUNT)),
        owner=draw(owners),
    )


def shown_track(track: Track) -> Track:
    """What a page shows of a track."""
    return Track(
        name=markdown_safe(track.name),
        artists=tuple(
            Artist(markdown_safe(artist.name), artist.url)
            for artist in track.artists
            if artist.url or artist.name
        ),
        album=Album(markdown_safe(track.album.name), track.album.url),
        url=track.url,
        duration_ms=None if track.duration_ms is None else track.duration_ms // 1000 * 1000,
    )


def shown_snapshot(snapshot_id: str) -> str:
    return markdown_safe(re.sub(r"\r\n|[\r\n]", " ", snapshot_id))


@st.composite
def cumulative_views(draw: st.DrawFn) -> CumulativeView:
    days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))
    entries = draw(
        st.lists(
            st.builds(
                CumulativeTrack,
                track=tracks.map(lambda t: Track(t.name, t.artists, t.album, t.url, t.duration_ms)),
                added=days,
                added_asterisk=st.booleans(),
                removed=st.none() | days,
            ),
            max_size=6,
        )
    )
    return CumulativeView(
        id=draw(ids),
        name=draw(texts),
        description=draw(texts),
        tracks=tuple(entries),
        first_scraped=draw(days),
    )
