"""A stored cumulative view is written as text directly: the very bytes of its document's
compact JSON, read back as the view it was; its terms are the same whether or not the
fold hands over the tracks' keys."""

from __future__ import annotations

import zlib
from array import array
from dataclasses import replace
from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from gitarchive.history.keys import LINE_KEY_PREFIX
from gitarchive.index import track_terms
from gitarchive.index.stored import compact, decode_view, encode_view, view_document
from gitarchive.model import Album, Artist, CumulativeTrack, CumulativeView, Track
from tests.support.strategies import PROPERTY, cumulative_views, tracks

DAY = date(2026, 11, 1)


def _with_added_at(view: CumulativeView, added: list[Track]) -> CumulativeView:
    """The view with tracks that carry Spotify's added_at (cumulative_views' have none)."""
    more = tuple(CumulativeTrack(track, DAY, False, None) for track in added)
    return replace(view, tracks=view.tracks + more)


@PROPERTY
@given(cumulative_views(), st.lists(tracks, max_size=3))
def test_a_stored_view_is_its_documents_compact_json_and_reads_back_as_it_was(
    view: CumulativeView, added: list[Track]
) -> None:
    view = _with_added_at(view, added)
    stored = encode_view(view)
    assert stored == zlib.compress(compact(view_document(view)).encode(), 1)
    assert decode_view(stored) == view


def test_a_stored_view_writes_odd_values_as_compact_does() -> None:
    odd = [
        Track('"quoted" \\ back\nslash\t\x00\x1f', (), Album("", None)),
        Track(
            "\u2028 line separator 🎵 שלום",
            (Artist("", None), Artist("x\x7f", "u")),
            Album("\ud7ff"),
        ),
        Track("no duration", (Artist("A"),), Album("B"), None, None, None),
        Track("zero", (Artist("A"),), Album("B"), "u", 0, datetime(1971, 1, 1, tzinfo=UTC)),
    ]
    view = CumulativeView(
        "",
        "",
        "",
        tuple(CumulativeTrack(t, DAY, n % 2 == 0, None if n else DAY) for n, t in enumerate(odd)),
        DAY,
    )
    assert encode_view(view) == zlib.compress(compact(view_document(view)).encode(), 1)
    empty = CumulativeView("id", "n", "d", (), DAY)
    assert zlib.decompress(encode_view(empty)) == b'["id","n","d","2026-11-01",[]]'


@PROPERTY
@given(cumulative_views(), st.lists(tracks, max_size=3))
def test_a_views_terms_are_its_titles_and_ids_whether_or_not_the_keys_are_handed_over(
    view: CumulativeView, added: list[Track]
) -> None:
    view = _with_added_at(view, added)
    expected: set[int] = set()
    for entry in view.tracks:
        expected.add(track_terms.title_term(entry.track.name))
        if entry.track.id is not None:
            expected.add(track_terms.term(entry.track.id))
    stored = array("I", sorted(expected)).tobytes()
    keys = [entry.track.key for entry in view.tracks]
    assert track_terms.view_terms(view, keys) == stored == track_terms.view_terms(view)


def test_the_terms_line_key_prefix_is_historys() -> None:
    assert track_terms.LINE_KEY_PREFIX == LINE_KEY_PREFIX
