"""A page's numbered rows are cut as splitting the page into lines cuts them.

The version reader cuts an early page's rows out of its text with one split at each
numbered row's start; this specification compares that cut with the page read line
by line (the rows are the ``|`` lines after the divider; each is a number cell and
the key after it; the page without them is what the page's header is read from) on
texts of every quirk around the rows: numbers as words, other digits, tabs, CR, no-break
spaces, a missing final newline, a line after the table, ``|`` lines that are not rows.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from gitarchive.formats.early_table import _numbered_rows

_HEAD = "### [N](https://open.spotify.com/playlist/PPPPPPPPPPPPPPPPPPPPPP)\n\n" + (
    "| No. | Title | Artist(s) | Album | Length |\n|---|---|---|---|---|\n"
)
_NUMBER_CELL = re.compile(r"\| *\d+ *(\|.*)", re.DOTALL)


def _cut_line_by_line(text: str, start: int) -> tuple[list[str], str] | None:
    """The rows from ``start`` read line by line: the lines up to the first one not
    starting with ``|``, each a number cell and its key (else None, as when there
    are no rows at all)."""
    lines = text[start:].split("\n")
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        rows.append(line)
    matches = [_NUMBER_CELL.fullmatch(row) for row in rows]
    if not rows or any(match is None for match in matches):
        return None
    keys = [match.group(1) for match in matches if match is not None]
    if len(rows) == len(lines):  # rows up to the end, without a final line end
        return keys, text[: start - 1]
    stop = start + sum(len(row) + 1 for row in rows)
    return keys, text[:start] + text[stop:]


_PIECES = st.sampled_from(
    ["\n", "|", " ", "1", "23", "x", "\r", "\t", "\u0663", "\xa0", "a", "\\", "\n\n",
     "| 1 |", "\n| 2 | a |", "\n| 3 ", "\n|4|", "\n|  | b |", "\nA note."]
)  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(st.lists(_PIECES, max_size=14).map("".join))
def test_numbered_rows_are_cut_as_the_lines_read_them(rows: str) -> None:
    text = _HEAD + rows
    found = _numbered_rows(text, len(_HEAD))
    assert found is None or found == _cut_line_by_line(text, len(_HEAD))


def test_a_page_of_numbered_rows_is_cut_in_one_split() -> None:
    rows = "| 1 | a | b |\n| 2 | c |\r\n|10|d|"
    for ending, skeleton in [("", _HEAD[:-1]), ("\n", _HEAD), ("\n\nA note.", _HEAD + "\nA note.")]:
        found = _numbered_rows(_HEAD + rows + ending, len(_HEAD))
        assert found == (["| a | b |", "| c |\r", "|d|"], skeleton)
