"""A row of an early page reads without markdown exactly as read_pretty reads it."""

from __future__ import annotations

import pytest

from gitarchive import formats
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
