"""Render -> read round trips with hostile text (hypothesis).

What each format cannot hold is normalised identically here and in the
renderers (see docs/formats.md): pages turn unrepresentable control characters
into U+FFFD and show descriptions stripped; lengths are whole seconds; the
plain file writes line breaks as spaces and keeps the artists as one text.
"""

from __future__ import annotations

import re
import string
from datetime import UTC, date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitarchive.formats import (
    read_cumulative,
    read_index,
    read_json,
    read_plain,
    read_pretty,
    render_cumulative,
    render_index,
    render_json,
    render_plain,
    render_pretty,
)
from gitarchive.formats.markdown import markdown_safe
from gitarchive.formats.plain import one_line
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


added_ats = st.none() | st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
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
        num_followers=draw(st.none() | st.integers(0, 10**12)),
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


@PROPERTY
@given(playlists())
def test_json_round_trip_is_exact(playlist: Playlist) -> None:
    assert read_json(render_json(playlist), playlist.id) == playlist


@PROPERTY
@given(playlists(), st.none() | st.just("owner/repo"))
def test_pretty_round_trip_every_shown_field(playlist: Playlist, github: str | None) -> None:
    page = render_pretty(playlist, github=github)
    back = read_pretty(page, playlist.id)
    assert back.unique_name == markdown_safe(playlist.unique_name)
    assert back.original_name == back.unique_name
    assert back.description == markdown_safe(playlist.description.strip())
    assert back.owner == Owner(markdown_safe(playlist.owner.name), playlist.owner.url)
    assert back.num_followers == playlist.num_followers
    assert back.snapshot_id == shown_snapshot(playlist.snapshot_id)
    assert back.tracks == tuple(shown_track(track) for track in playlist.tracks)
    # reading is stable: the page of what was read is the same page
    assert render_pretty(back, github=github) == page


@PROPERTY
@given(playlists())
def test_plain_round_trip(playlist: Playlist) -> None:
    text = render_plain(playlist)
    back = read_plain(text, playlist.id)
    assert back.unique_name == one_line(playlist.unique_name)
    assert back.description == one_line(playlist.description)
    expected = sorted((one_line(track.plain_line) for track in playlist.tracks), key=str.lower)
    assert [track.plain_line for track in back.tracks] == expected
    for track in back.tracks:
        # never invents artists: the artists text stays one name
        assert len(track.artists) <= 1
        assert track.url is None
    assert render_plain(back) == text


@PROPERTY
@given(st.lists(texts, min_size=1, max_size=4))
def test_plain_artists_with_commas_are_not_split(names: list[str]) -> None:
    track = Track(name="T", artists=tuple(Artist(n) for n in names), album=Album("A"))
    playlist = Playlist(id="37i9dQZF1DX5LEXW9eXA0n", tracks=(track,))
    (back,) = read_plain(render_plain(playlist), playlist.id).tracks
    assert back.plain_line == one_line(track.plain_line)
    if not any(char in track.plain_line for char in "\n\r\x00"):  # what one_line rewrites
        assert back.key == track.key


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


@PROPERTY
@given(cumulative_views(), st.none() | st.just("owner/repo"))
def test_cumulative_round_trip(view: CumulativeView, github: str | None) -> None:
    page = render_cumulative(view, github=github)
    back = read_cumulative(page, view.id)
    assert back.name == markdown_safe(view.name)
    assert back.description == markdown_safe(view.description.strip())
    assert back.first_scraped == view.first_scraped
    assert [(e.added, e.added_asterisk, e.removed) for e in back.tracks] == [
        (e.added, e.added_asterisk, e.removed) for e in view.tracks
    ]
    assert [e.track for e in back.tracks] == [shown_track(e.track) for e in view.tracks]
    assert render_cumulative(back, github=github) == page


@PROPERTY
@given(st.dictionaries(ids, texts, max_size=8))
def test_index_round_trip(names: dict[str, str]) -> None:
    text = render_index(names.items())
    back = read_index(text)
    assert sorted(back) == sorted((i, markdown_safe(n)) for i, n in names.items())
    assert text.startswith(f"## Playlists ({len(names)})\n\n")
    keys = [(name.casefold(), name, i) for i, name in back]
    assert keys == sorted(keys)
