"""The keys of a stored cumulative view, read without building it, are its tracks' keys."""

from __future__ import annotations

from datetime import date

from gitarchive.index.stored import encode_view, view_keys
from gitarchive.model import Album, Artist, CumulativeTrack, CumulativeView, Track
from tests.support.models import PID, model_track, plain_track

DAY = date(2026, 11, 1)


def test_a_stored_views_keys_are_its_tracks_keys_ids_lines_and_odd_links() -> None:
    odd = [
        Track("Local", (Artist("Me"),), Album("Home"), None),  # a local file: its line
        Track("Episode", (), Album("Show"), "https://open.spotify.com/episode/" + "E" * 22),
        Track("Short id", (Artist("A"),), Album("B"), "https://open.spotify.com/track/short"),
        Track("Link as name", (), Album(""), "https://open.spotify.com/album/" + "A" * 22),
        Track("https://open.spotify.com/track/" + "N" * 22, (Artist("<x>"),), Album("Ü")),
    ]
    tracks = [model_track(1), plain_track(model_track(2)), *odd]
    view = CumulativeView(
        PID, "Mix", "", tuple(CumulativeTrack(track, DAY, False, None) for track in tracks), DAY
    )
    assert view_keys(encode_view(view)) == {track.key for track in tracks}
    assert len(view_keys(encode_view(view))) == len(tracks)
