"""A row of an early page reads without markdown exactly as read_pretty reads it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitarchive import formats
from gitarchive.formats import early, pretty
from gitarchive.model import Track

HEAD = "| No. | Title | Artist(s) | Album | Length |\n|---|---|---|---|---|"
URL = "https://open.spotify.com"
TRACK, ARTIST, ALBUM = (f"{URL}/{kind}/{'a1' * 11}" for kind in ("track", "artist", "album"))
OTHER = f"{URL}/artist/{'b2' * 11}"
ROWS = [
    f"| 1 | [Velvet]({TRACK}) | [Riven]({ARTIST}) | [Flower Shadow]({ALBUM}) | 2:45 |",
    f"| 1 | [A \\| B (feat. C)]({TRACK}) | [C]({ARTIST}), [D_E*]({OTHER})"
    f" | [X & Y]({ALBUM}) | 1:02:03 |",
    "| 1 | Local | Someone | Somewhere | |",
    f"| 1 | [Pipe | inside]({TRACK}) | [R]({ARTIST}) | [Al]({ALBUM}) | 49 |",
]


def read_as_page(row: str) -> Track:
    page = f"### [x]({URL}/playlist/{'0' * 22})\n\n{HEAD}\n{row}\n"
    (track,) = formats.read_pretty(page, "0" * 22).tracks
    return track


@pytest.mark.parametrize("row", ROWS)
def test_an_early_row_reads_as_its_page_reads_it(row: str) -> None:
    assert formats.read_early_row(HEAD, row) == read_as_page(row)


def test_a_row_only_markdown_can_judge_is_left_to_it() -> None:
    assert formats.read_early_row(HEAD, "| 1 | a | b | c | three minutes |") is None
    assert formats.read_early_row("| Name | Length |\n|---|---|", ROWS[0]) is None


NO_NUMBER_HEAD = "| Title | Artist(s) | Album | Length |\n|---|---|---|---|"
ID = "Ab3" * 7 + "z"  # 22 letters and digits
# the characters that decide how a row is cut: borders, escapes, links, spaces, line ends
NAME = st.text(alphabet=" ab[]()|\\\t\r\u00a0*_-:,", max_size=8)
USUAL_NAME = st.text(alphabet=" ab[]()\t\r\u00a0*_-:,", max_size=8)


def _link(kind: str) -> st.SearchStrategy[str]:
    return st.sampled_from(
        [f"{URL}/{kind}/{ID}", f"{URL}/{kind}/{ID[:-1]}", f"{URL}/{kind}/{ID}x", "x", ""]
    )


def _linked_cell(kinds: tuple[str, ...]) -> st.SearchStrategy[str]:
    linked = st.builds(
        lambda name, url: f"[{name}]({url})", NAME, st.one_of(*(_link(kind) for kind in kinds))
    )
    return st.one_of(linked, NAME)


ARTISTS = st.one_of(
    st.lists(
        st.builds(lambda name, url: f"[{name}]({url})", NAME, _link("artist")), max_size=3
    ).flatmap(
        lambda cells: st.sampled_from([", ", ",", " & ", ""]).map(lambda sep: sep.join(cells))
    ),
    NAME,
)
LENGTH = st.sampled_from(["3:56", "49", "", "1:02:03", "3:5", "abc", "0:00", " 2:45", "99:99"])
BORDER = st.sampled_from([" | ", " | ", " | ", "|", "  | ", " |\t", "\u00a0| "])


@st.composite
def early_rows(draw: st.DrawFn, numbered: bool) -> str:
    """A row of an early page: mostly a usual one (names without pipes or backslashes,
    id links, one space inside each border), else anything those pieces make, then
    maybe one character of the cut's alphabet put anywhere."""
    if draw(st.booleans()):
        linked = st.builds(lambda name, url: f"[{name}]({url})", USUAL_NAME, st.just(TRACK))
        album = st.builds(lambda name, url: f"[{name}]({url})", USUAL_NAME, st.just(ALBUM))
        artist = st.builds(lambda name: f"[{name}]({ARTIST})", USUAL_NAME)
        artists = st.lists(artist, max_size=3).map(", ".join)
        cells = [draw(linked), draw(artists), draw(album), draw(LENGTH)]
        border = st.just(" | ")
    else:
        cells = [
            draw(_linked_cell(("track", "episode", "album"))),
            draw(ARTISTS),
            draw(_linked_cell(("album", "show", "track"))),
            draw(LENGTH),
        ]
        border = BORDER
    if numbered:
        cells.insert(0, draw(st.sampled_from(["1", "12", " 3", "x", ""])))
    row = "| " + "".join(cell + draw(border) for cell in cells[:-1]) + cells[-1] + " |"
    if draw(st.booleans()):
        at = draw(st.integers(0, len(row)))
        row = row[:at] + draw(st.sampled_from(list("|\\[]() \t\r\n\u00a0"))) + row[at:]
    return row


@settings(max_examples=600, deadline=None)
@given(st.data())
def test_a_usual_row_reads_as_its_cells_read(data: st.DataObject) -> None:
    """The one-match cut of a usual row gives the track the split into cells gives,
    whatever the row holds: pipes or backslashes in names, links of other kinds or
    lengths, other spaces around the borders, a bad length, a CR."""
    numbered = data.draw(st.booleans())
    head = HEAD if numbered else NO_NUMBER_HEAD
    columns = ("No.",) * numbered + ("Title", "Artist(s)", "Album", "Length")
    row = data.draw(early_rows(numbered))
    # a line that does not start with a pipe is left to the full read, as before the cut
    expected = pretty._read_early_row_cells(columns, head, row) if row.startswith("|") else None
    assert formats.read_early_row(head, row) == expected


def test_the_usual_rows_are_cut_by_one_match() -> None:
    assert early.usual_row_cells(ROWS[0], numbered=True) is not None
    assert early.usual_row_cells(ROWS[0].removeprefix("| 1 "), numbered=False) is not None
    # a pipe or a backslash in a name: the split into cells judges the row
    assert early.usual_row_cells(ROWS[1], numbered=True) is None
    assert early.usual_row_cells(ROWS[3], numbered=True) is None
