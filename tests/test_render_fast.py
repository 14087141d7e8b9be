"""The fast renderers and readers give exactly what the reference paths give.

``render_json`` builds the snapshot from C-encoded leaves: byte-identical to
``json.dumps(indent=2, sort_keys=True)`` on hostile strings, numbers and nulls.
``read_cumulative_fast`` reads a cumulative page line by line: the view the
markdown reader gives, or None (then sync uses the markdown reader).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from gitarchive.formats import read_cumulative, render_cumulative, render_json
from gitarchive.formats.cumulative_fast import read_cumulative_fast
from gitarchive.formats.markdown import escape, escape_slow
from gitarchive.formats.snapshot import format_added_at, render_json_reference
from gitarchive.model import (
    Album,
    Artist,
    CumulativeTrack,
    CumulativeView,
    Owner,
    Playlist,
    Track,
)
from tests.support.strategies import PROPERTY, cumulative_views, ids, playlists, texts
from tests.test_formats import seed_playlist

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


# ------------------------------------------------------------------ cumulative


@PROPERTY
@given(cumulative_views(), st.none() | st.just("owner/repo"))
def test_fast_cumulative_reader_equals_the_markdown_reader(
    view: CumulativeView, github: str | None
) -> None:
    page = render_cumulative(view, github=github)
    fast = read_cumulative_fast(page, view.id)
    assert fast is not None  # every page gitarchive renders is read without markdown-it
    assert fast == read_cumulative(page, view.id)


@PROPERTY
@given(cumulative_views(), st.data())
def test_fast_cumulative_reader_on_edited_pages_is_exact_or_declines(
    view: CumulativeView, data: st.DataObject
) -> None:
    """A page edited anywhere (by hand, by another tool) is read exactly or left to markdown."""
    lines = render_cumulative(view, github="owner/repo").split("\n")
    line = data.draw(st.integers(0, len(lines) - 1))
    edit = data.draw(st.sampled_from(["replace", "insert", "delete"]))
    text = data.draw(texts | st.sampled_from(HOSTILE_CELLS))
    if edit == "replace":
        lines[line] = text
    elif edit == "insert":
        lines.insert(line, text)
    else:
        del lines[line]
    page = "\n".join(lines)
    fast = read_cumulative_fast(page, view.id)
    if fast is None:
        return
    assert fast == read_cumulative(page, view.id)


HOSTILE_CELLS = [
    "| [a](https://x/y) | b | c | 1:00 | 2026-01-01 |  |",
    "| [a](https://x/(y)) | b | c | 1:00 | 2026-01-01 |  |",
    "| [a](https://x/y z) | b | c | 1:00 | 2026-01-01 |  |",
    "| a \\| b | c | d | 1:00 | 2026-01-01\\* | 2026-01-02 |",
    "| &#1; | b | c | 1:00 | 2026-01-01 |  |",
    "| &#99999999; | b | c | 99:99 | 2026-13-01 |  |",
    "| a<br/>b | [c](https://open.spotify.com/artist/x), d\\, e | f | | 2026-01-01 |  |",
    "\\*This playlist was first scraped on 2026-02-30. Prior content cannot be recovered.",
    "> ",
    "### [x](https://open.spotify.com/playlist/37i9dQZF1DX5LEXW9eXA0n)",
]


@PROPERTY
@given(cumulative_views(), st.lists(st.sampled_from(HOSTILE_CELLS), max_size=3), st.data())
def test_fast_cumulative_reader_on_hostile_rows(
    view: CumulativeView, rows: list[str], data: st.DataObject
) -> None:
    lines = render_cumulative(view, github=None).split("\n")
    for row in rows:
        lines.insert(data.draw(st.integers(10, len(lines) - 3)), row)
    page = "\n".join(lines)
    fast = read_cumulative_fast(page, view.id)
    if fast is not None:
        assert fast == read_cumulative(page, view.id)


def test_fast_cumulative_reader_hostile_urls() -> None:
    """URLs markdown would not read as written (spaces, parens, entities) are left to markdown."""
    for url in ("https://x/a b", "https://x/(a)", "https://x/&amp;", "https://x/a\\b", "x:y"):
        track = Track(name="T", artists=(Artist("A", url),), album=Album("B", url), url=url)
        view = CumulativeView(
            id="37i9dQZF1DX5LEXW9eXA0n",
            name="N",
            description="",
            tracks=(CumulativeTrack(track, date(2026, 1, 1), False, None),),
            first_scraped=date(2026, 1, 1),
        )
        assert read_cumulative_fast(render_cumulative(view, github=None), view.id) is None


# ------------------------------------------------------------------ escaping


@PROPERTY
@given(texts, st.booleans())
def test_escape_shortcut_equals_the_full_escape(text: str, commas: bool) -> None:
    assert escape(text, commas=commas) == escape_slow(text, commas=commas)


@PROPERTY
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=20), st.booleans())
def test_escape_shortcut_on_any_characters(text: str, commas: bool) -> None:
    assert escape(text, commas=commas) == escape_slow(text, commas=commas)


@PROPERTY
@given(
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=9)), timezone(-timedelta(hours=5))]
        ),
    )
    | st.datetimes()
)
def test_added_at_format_is_strftimes_with_a_four_digit_year(value: datetime) -> None:
    utc = value.astimezone(UTC) if value.tzinfo else value
    # strftime's %Y does not pad a year below 1000, which parse_added_at would not read back
    assert format_added_at(value) == f"{utc.year:04d}-{utc:%m-%d %H:%M:%S}"
