"""The fast renderers and readers give exactly what the reference paths give.

``render_json`` builds the snapshot from C-encoded leaves: byte-identical to
``json.dumps(indent=2, sort_keys=True)`` on hostile strings, numbers and nulls.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from test_formats import seed_playlist
from test_formats_properties import PROPERTY, ids, playlists, texts

from gitarchive.formats import render_json
from gitarchive.formats.snapshot import render_json_reference
from gitarchive.model import Album, Artist, Owner, Playlist, Track

# any text where a URL goes: the API's external_urls are hostile input too
any_url = st.none() | texts
loose_tracks = st.builds(
    Track,
    name=texts,
    artists=st.lists(st.builds(Artist, name=texts, url=any_url), max_size=3).map(tuple),
    album=st.builds(Album, name=texts, url=any_url),
    url=any_url,
    duration_ms=st.none() | st.integers(0, 10**12),
)


@PROPERTY
@given(playlists())
def test_render_json_equals_the_reference_encoder(playlist: Playlist) -> None:
    assert render_json(playlist) == render_json_reference(playlist)


@PROPERTY
@given(ids, texts, st.lists(loose_tracks, max_size=4), texts, st.none() | st.integers(0, 10**15))
def test_render_json_hostile_urls_and_empty_lists(
    playlist_id: str, name: str, tracks: list[Track], owner_url: str, likes: int | None
) -> None:
    playlist = Playlist(
        id=playlist_id,
        original_name=name,
        unique_name=name + " (2)",
        description=name,
        tracks=tuple(tracks),
        snapshot_id="",
        num_followers=likes,
        owner=Owner(name=name, url=owner_url),
    )
    assert render_json(playlist) == render_json_reference(playlist)


def test_render_json_seed_and_empty_playlist() -> None:
    seed = seed_playlist()
    assert render_json(seed) == render_json_reference(seed)
    empty = Playlist(id="37i9dQZF1DX5LEXW9eXA0n")
    assert render_json(empty) == render_json_reference(empty)
