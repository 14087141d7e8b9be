"""The page grammar reads what spotify-playlist-archive's name-keyed writer (2019-2021) wrote.

Those pages escape nothing, show a track under a minute as bare seconds, and carry no
owner, snapshot or "first scraped" line (tests/support/early_layout.py writes them as
that writer did).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from gitarchive.errors import FormatError
from gitarchive.formats.cumulative import read_cumulative
from gitarchive.formats.durations import parse_duration
from gitarchive.formats.pretty import read_pretty
from gitarchive.model import Album, Artist, Playlist, Track
from tests.support.archive_files import make_playlist
from tests.support.early_layout import early_cumulative, early_length, early_pretty

DAY = date(2021, 3, 1)


def short_tracks(playlist: Playlist) -> Playlist:
    """The playlist with tracks of 49 s and 5 s among the others."""
    tracks = list(playlist.tracks)
    tracks[0] = replace(tracks[0], duration_ms=49_900)
    tracks[1] = replace(tracks[1], duration_ms=5_000)
    return replace(playlist, tracks=tuple(tracks))


def floored(playlist: Playlist) -> list[Track]:
    return [
        replace(track, added_at=None, duration_ms=(track.duration_ms or 0) // 1000 * 1000)
        for track in playlist.tracks
    ]


def test_bare_seconds_read_as_a_length_under_a_minute() -> None:
    assert early_length(49_000) == "49" and early_length(5_000) == "5"
    assert parse_duration("49") == 49_000
    assert parse_duration("5") == 5_000
    assert parse_duration("3:05") == 185_000
    assert parse_duration("60") is None and parse_duration("123") is None


def test_an_early_name_keyed_pretty_page_reads_every_track_with_links_and_lengths() -> None:
    playlist = short_tracks(make_playlist(1))
    read = read_pretty(early_pretty(playlist), playlist.id)
    assert read.unique_name == playlist.unique_name
    assert read.description == playlist.description
    assert list(read.tracks) == floored(playlist)
    assert read.tracks[0].duration_ms == 49_000 and read.tracks[1].duration_ms == 5_000


def test_a_2019_page_that_begins_with_its_title_reads_the_same() -> None:
    playlist = short_tracks(make_playlist(8))
    tracks = list(playlist.tracks)
    tracks[3] = replace(tracks[3], name="B \\(x\\) AC\\/DC")  # literal: nothing escaped
    playlist = replace(playlist, tracks=tuple(tracks))
    read = read_pretty(early_pretty(playlist, year=2019), playlist.id)
    assert read.unique_name == playlist.unique_name
    assert list(read.tracks) == floored(playlist)


def test_an_early_cumulative_page_reads_its_first_scrape_from_the_added_dates() -> None:
    playlist = short_tracks(make_playlist(2))
    removed = [replace(make_playlist(3).tracks[0], name="Gone | away")]
    view = read_cumulative(early_cumulative(playlist, DAY, removed), playlist.id)
    assert view.first_scraped == DAY
    assert len(view.tracks) == len(playlist.tracks) + 1
    gone = next(entry for entry in view.tracks if entry.removed is not None)
    assert gone.track.name == "Gone | away" and gone.removed == date(2021, 3, 2)
    lengths = {entry.track.name: entry.track.duration_ms for entry in view.tracks}
    assert lengths[playlist.tracks[0].name] == 49_000


def test_an_unescaped_pipe_in_a_name_is_recovered_from_the_row_links() -> None:
    playlist = make_playlist(4)
    tracks = list(playlist.tracks)
    tracks[2] = replace(
        tracks[2],
        name="Intro | Skit",
        artists=(
            Artist("A | B", "https://open.spotify.com/artist/" + "a" * 22),
            Artist("C", "https://open.spotify.com/artist/" + "c" * 22),
        ),
        album=Album("Live | Loud", "https://open.spotify.com/album/" + "b" * 22),
    )
    playlist = replace(playlist, tracks=tuple(tracks))
    read = read_pretty(early_pretty(playlist), playlist.id)
    assert list(read.tracks) == floored(playlist)
    view = read_cumulative(early_cumulative(playlist, DAY), playlist.id)
    assert {entry.track for entry in view.tracks} == set(floored(playlist))


def test_markdown_characters_in_early_names_are_literal() -> None:
    playlist = make_playlist(5)
    tracks = list(playlist.tracks)
    tracks[0] = replace(tracks[0], name="*NSYNC* and _Hits_ AC\\/DC \\(live\\)")
    playlist = replace(playlist, tracks=tuple(tracks))
    read = read_pretty(early_pretty(playlist), playlist.id)
    assert read.tracks[0].name == "*NSYNC* and _Hits_ AC\\/DC \\(live\\)"


def test_a_row_its_links_cannot_tell_apart_is_an_error_naming_its_line() -> None:
    playlist = make_playlist(6)
    tracks = list(playlist.tracks)
    # a local file: no links, so nothing tells where its title ends
    tracks[1] = Track(name="Demo | take 2", artists=(Artist("Me"),), album=Album("Tapes"))
    tracks[1] = replace(tracks[1], duration_ms=61_000)
    playlist = replace(playlist, tracks=tuple(tracks))
    with pytest.raises(FormatError) as caught:
        read_pretty(early_pretty(playlist), playlist.id, path="playlists/pretty/P.md")
    assert caught.value.line == 10
    assert "cannot be told apart" in caught.value.message


def test_an_early_page_gives_its_name_and_description_as_written() -> None:
    playlist = replace(
        make_playlist(9, name="Hits_of *2020* \\ [live]"),
        description="Line one\n\nLine *two* - with a [link](x)\n",
    )
    for year in (2019, 2021):
        read = read_pretty(early_pretty(playlist, year=year), playlist.id)
        assert read.unique_name == "Hits_of *2020* \\ [live]"
        assert read.description == "Line one\n\nLine *two* - with a [link](x)"
        assert list(read.tracks) == floored(playlist)
    view = read_cumulative(early_cumulative(playlist, DAY), playlist.id)
    assert view.name == "Hits_of *2020* \\ [live]"
    assert view.description == "Line one\n\nLine *two* - with a [link](x)"
