"""The data model: playlist ids from what users paste, track identity."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from gitarchive.errors import GitArchiveError, InvalidPlaylistId, UsageError
from gitarchive.formats.plain import track_from_line
from gitarchive.model import (
    Album,
    Artist,
    Owner,
    Playlist,
    Track,
    is_playlist_id,
    parse_playlist_id,
    playlist_url,
    with_contents,
    with_tracks,
)

ID = "37i9dQZF1DX5LEXW9eXA0n"


@pytest.mark.parametrize(
    "value",
    [
        ID,
        f"  {ID}\n",
        f"https://open.spotify.com/playlist/{ID}",
        f"https://open.spotify.com/playlist/{ID}?si=a1b2c3d4e5f6g7h8",
        f"https://open.spotify.com/playlist/{ID}/",
        f"http://open.spotify.com/playlist/{ID}",
        f"open.spotify.com/playlist/{ID}",
        f"https://open.spotify.com/intl-de/playlist/{ID}",
        f"https://open.spotify.com/intl-pt-BR/playlist/{ID}?si=x&pi=y",
        f"https://open.spotify.com/embed/playlist/{ID}",
        f"https://open.spotify.com/user/spotify/playlist/{ID}",
        f"spotify:playlist:{ID}",
        f"spotify:user:someone:playlist:{ID}",
    ],
)
def test_parse_playlist_id_accepts(value: str) -> None:
    assert parse_playlist_id(value) == ID


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        ID[:-1],
        ID + "x",
        ID[:-1] + "-",
        f"https://open.spotify.com/album/{ID}",
        f"https://open.spotify.com/track/{ID}",
        f"https://example.com/playlist/{ID}",
        f"https://open.spotify.com.evil.example/playlist/{ID}",
        f"https://open.spotify.com/playlist/{ID[:-1]}",
        f"spotify:album:{ID}",
        f"spotify:playlist:{ID}x",
        "x" * 500,
    ],
)
def test_parse_playlist_id_rejects(value: str) -> None:
    with pytest.raises(InvalidPlaylistId) as caught:
        parse_playlist_id(value)
    message = str(caught.value)
    assert "\n" not in message
    assert len(message) < 300  # long input is shortened, the message stays one line
    assert isinstance(caught.value, UsageError)
    assert isinstance(caught.value, GitArchiveError)


def test_is_playlist_id() -> None:
    assert is_playlist_id(ID)
    assert not is_playlist_id(f"spotify:playlist:{ID}")
    assert not is_playlist_id(ID + "\n")


def test_playlist_url() -> None:
    assert playlist_url(ID) == f"https://open.spotify.com/playlist/{ID}"
    assert Playlist(id=ID).url == playlist_url(ID)


def test_track_id_and_key() -> None:
    spotify = Track(
        "Song", (Artist("A"),), Album("B"), url="https://open.spotify.com/track/" + "1" * 22
    )
    assert spotify.id == "1" * 22
    assert spotify.key == "1" * 22
    episode = Track("Ep", (), Album("Show"), url="https://open.spotify.com/episode/" + "2" * 22)
    assert episode.id == "2" * 22
    local = Track("Demo", (Artist("Me"), Artist("You")), Album("Tape"))
    assert local.id is None
    assert local.plain_line == "Demo -- Me, You -- Tape"
    assert local.key == "line:demo -- me, you -- tape"
    # the same line with different artist boundaries is the same local track
    assert local.key == Track("DEMO", (Artist("me, you"),), Album("tape")).key


def test_playlist_display_name_and_duration() -> None:
    tracks = (
        Track("a", (), Album(""), duration_ms=1500),
        Track("b", (), Album(""), duration_ms=None),
    )
    assert Playlist(id=ID, tracks=tracks).duration_ms == 1500
    assert Playlist(id=ID).display_name == ID
    assert Playlist(id=ID, original_name="O").display_name == "O"
    assert Playlist(id=ID, original_name="O", unique_name="O (2)").display_name == "O (2)"


def test_tracks_are_hashable_for_multisets() -> None:
    track = Track("a", (Artist("x"),), Album("y"))
    assert len({track, Track("a", (Artist("x"),), Album("y"))}) == 1


def test_a_track_s_key_is_made_once_and_does_not_change_its_equality_hash_or_pickle() -> None:
    def track() -> Track:
        return Track("a", (Artist("b"),), Album("c"), f"https://open.spotify.com/track/{ID}")

    asked, fresh = track(), track()
    assert asked.key == ID and asked.key is asked.key
    assert asked == fresh and hash(asked) == hash(fresh)  # one asked its key, one did not
    assert pickle.loads(pickle.dumps(asked)).key == ID
    assert repr(asked) == repr(fresh)
    local = Track("Song", (Artist("X"),), Album("Y"))
    assert local.key == "line:song -- x -- y" == local.key


def test_a_playlist_given_other_tracks_keeps_every_other_field() -> None:
    """``with_tracks`` and ``with_contents`` are ``dataclasses.replace`` built field by
    field (for speed): a field added to Playlist must be added there too."""
    playlist = Playlist("p", "Name", "Name (2)", "d", (), "snap", 7, Owner("Curator", "u"))
    tracks = (track_from_line("a -- b -- c"),)
    assert with_tracks(playlist, tracks) == dataclasses.replace(playlist, tracks=tracks)
    assert with_contents(playlist, "A", "A (2)", "e", tracks) == dataclasses.replace(
        playlist, original_name="A", unique_name="A (2)", description="e", tracks=tracks
    )
    assert {f.name for f in dataclasses.fields(Playlist)} == {
        "id",
        "original_name",
        "unique_name",
        "description",
        "tracks",
        "snapshot_id",
        "num_followers",
        "owner",
    }
