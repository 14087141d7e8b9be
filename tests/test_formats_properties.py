"""Render -> read round trips with hostile text (hypothesis).

What each format cannot hold is normalised identically here and in the
renderers (see docs/formats.md): pages turn unrepresentable control characters
into U+FFFD and show descriptions stripped; lengths are whole seconds; the
plain file writes line breaks as spaces and keeps the artists as one text.
"""

from __future__ import annotations

from hypothesis import given
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
    CumulativeView,
    Owner,
    Playlist,
    Track,
)
from tests.support.strategies import (
    PROPERTY,
    cumulative_views,
    ids,
    playlists,
    shown_snapshot,
    shown_track,
    texts,
)


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
