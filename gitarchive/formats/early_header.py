"""An early page's header (the page without its rows) read without parsing markdown.

``read_pretty`` reads an early page's name and description from its raw lines
(``early.early_head``); markdown only decides where its title heading, quote and
table are, whether the title links to this playlist, and whether a snapshot line
follows. For a header laid out as the early writers wrote it, markdown can only
decide one way::

    pretty - [cumulative](...) - [plain](...) ([githistory](...))   (2020-2021; absent in 2019)

    ### [Name](https://open.spotify.com/playlist/<id>)

    > Description, then more lines, each quoted or blank

    | No. | Title | Artist(s) | Album | Length |
    |---|---|---|---|---|

so such a header reads here as ``read_pretty`` reads it, and markdown-it (~15 ms
to import) is not loaded for it. Anything else (another layout, a name markdown
could read as more than link text, no name, no quote, text after the table)
is None: ``read_pretty`` reads it. tests/test_early_header.py checks both readings
agree on generated headers with every character markdown treats specially.
"""

from __future__ import annotations

import re

from gitarchive.formats.early import early_head, is_early_page
from gitarchive.model import Playlist

# a name markdown reads as the link's text alone: no brackets, escapes, code spans,
# autolinks or HTML (the rest of markdown's inline syntax cannot reach past the link)
_TITLE = re.compile(r"### \[[^\[\]\\`<>]+\]\(https://open\.spotify\.com/playlist/([0-9A-Za-z]+)\)")
# the table heads whose zero rows read_pretty reads as this header's (early pages)
_HEADS = (
    ("| No. | Title | Artist(s) | Album | Length |", "|---|---|---|---|---|"),
    ("| Title | Artist(s) | Album | Length |", "|---|---|---|---|"),
)


def read_early_header(text: str, playlist_id: str) -> Playlist | None:
    """The playlist ``read_pretty(text, playlist_id)`` reads from an early page without
    rows, when its layout leaves markdown no choice; None otherwise (and whenever
    ``read_pretty`` would fail)."""
    # markdown-it reads \r as a line end and NUL as U+FFFD: left to it
    if "\r" in text or "\x00" in text:
        return None
    lines = text.split("\n")
    title = _title_line(lines)
    if title is None or lines[title + 1 : title + 2] != [""]:
        return None
    found = _TITLE.fullmatch(lines[title])
    if found is None or found.group(1) != playlist_id:
        return None
    table = _table_line(lines, title + 2)
    if table is None or lines[table + 2 :] not in ([], [""]):
        return None
    name, description = early_head(lines)
    # without a name read_pretty takes markdown's; an empty description (a bare "> " and
    # blank lines) is an empty quote to markdown too
    if not name or description is None:
        return None
    return Playlist(id=playlist_id, original_name=name, unique_name=name, description=description)


def _title_line(lines: list[str]) -> int | None:
    """Where the title is: the first line (2019), or the third after a links line and
    a blank one (a paragraph, whatever its links: it starts with a letter)."""
    if lines[0].startswith("### "):
        return 0
    nav = lines[0]
    if len(lines) > 2 and nav.startswith("pretty - ") and lines[1] == "" and is_early_page(nav):
        return 2
    return None


def _table_line(lines: list[str], quote: int) -> int | None:
    """The table head's line after the quote: quoted lines and blank ones up to a blank
    line before it (a quote is a block of its own whatever it holds; a table right under
    a quoted line would be read as part of the quote)."""
    if quote >= len(lines) or not lines[quote].startswith(">"):
        return None
    at = quote + 1
    while at < len(lines) and (lines[at] == "" or lines[at].startswith(">")):
        at += 1
    if at + 1 >= len(lines) or lines[at - 1] != "" or (lines[at], lines[at + 1]) not in _HEADS:
        return None
    return at
