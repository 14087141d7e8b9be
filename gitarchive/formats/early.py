"""Table rows of the pages spotify-playlist-archive's early writers produced.

Until the project named its pages by playlist id, its writer (2019-2021) put
names into the pages as they were: nothing was escaped, so a ``|`` in a name
splits its row into extra cells, and ``*``, ``_`` or ``\\`` mean nothing. Such
a page is recognised by its first line. The 2019 writer began with the title,
``### [Name](https://open.spotify.com/playlist/<id>) ([<id>](https://github.com/.../plain/<id>))``,
and had no cumulative page; from 2020 a links line came first, where ``pretty`` and
``cumulative`` link to ``<Name>.md`` (not ``<id>.md``) and the githistory link
stands in parentheses::

    pretty - [cumulative](/playlists/cumulative/Top%20Hits.md) - [plain](/playlists/plain/<id>)
      ([githistory](...))          (one line in the page)

Its rows are read from the raw line, cells as literal text. A row with more
cells than columns is recovered from its link structure: the title and album
link to ``https://open.spotify.com/track|album/<id>`` and the artists are
``[name](https://open.spotify.com/artist/<id>)`` joined by ", ", so the
cells' boundaries are where those links end. A row whose boundaries cannot be
told apart that way (a ``|`` in a name without a link) cannot be read.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from gitarchive.formats.page import split_row
from gitarchive.formats.sanitize import clean_link
from gitarchive.model import Album, Artist, Track, is_playlist_id

if TYPE_CHECKING:
    from collections.abc import Sequence

_ID = r"[0-9A-Za-z]+"
_SPOTIFY = r"https://open\.spotify\.com/"


def _linked(kind: str) -> str:
    # greedy text: the one link of its kind in a row ends the cell
    return rf"\[.*\]\({_SPOTIFY}{kind}/{_ID}\)|[^|]*"


_ARTIST_LINK = rf"\[.*?\]\({_SPOTIFY}artist/{_ID}\)"
_CELL_PATTERNS = {
    "No.": r"\d+",
    "Title": _linked("(?:track|episode)"),
    "Artist(s)": rf"{_ARTIST_LINK}(?:, {_ARTIST_LINK})*|[^|]*",
    "Album": _linked("(?:album|show)"),
    "Length": r"[0-9:]*",
    "Added": r"[0-9-]*(?:\\\*)?",
    "Removed": r"[0-9-]*",
}
_ROW_RES: dict[tuple[str, ...], re.Pattern[str]] = {}
_LINK_RE = re.compile(r"\[(.*)\]\((\S*)\)")
_ARTISTS_RE = re.compile(rf"\[(.*?)\]\(({_SPOTIFY}artist/{_ID})\)")
_ARTIST_LINK_LENGTH = len("https://open.spotify.com/artist/") + 22
_NAV_TARGET_RE = re.compile(r"\]\(\S*/playlists/(?:pretty|cumulative)/([^)/]*)\.md\)")
# A cell's text without a pipe, a backslash or a line end
_BARE = r"[^|\\\n]*"


def _usual_row_re(numbered: bool) -> re.Pattern[str]:
    """The row nearly every early page's rows are: one space inside each border, a title
    and an album each one link to an id (names without ``|`` or ``\\``), under a
    ``| No. |`` head or without one."""
    number = rf"\|{_BARE}" if numbered else ""
    return re.compile(
        rf"{number}\| \[({_BARE})\]\(({_SPOTIFY}(?:track|episode)/[0-9A-Za-z]{{22}})\) "
        rf"\| ({_BARE}) \| \[({_BARE})\]\(({_SPOTIFY}(?:album|show)/[0-9A-Za-z]{{22}})\) "
        rf"\| ({_BARE}) \|"
    )


_USUAL_ROWS = {numbered: _usual_row_re(numbered) for numbered in (True, False)}


def is_early_page(first_line: str) -> bool:
    """Whether a page's first line is the early writer's (names unescaped in the page)."""
    if first_line.startswith("### ") or ") ([githistory](" in first_line:
        return True
    target = _NAV_TARGET_RE.search(first_line)
    return target is not None and not is_playlist_id(target.group(1))


_TITLE_RE = re.compile(rf"### \[(.*)\]\({_SPOTIFY}playlist/{_ID}\)")
_TABLE_START = ("| No. |", "| Title |")


def early_head(lines: Sequence[str]) -> tuple[str | None, str | None]:
    """The name and description as an early page wrote them (None where not found).

    Read from the raw lines: the name is unescaped in the title, and the description
    (``> `` and then the text as Spotify gave it) runs until the table, line breaks and
    blank lines included; the page's markdown would read neither back as written.
    """
    title = next((n for n, line in enumerate(lines[:3]) if line.startswith("### ")), None)
    if title is None:
        return None, None
    match = _TITLE_RE.match(lines[title])
    name = match.group(1) if match else None
    quote = title + 2
    table = next((n for n in range(quote, len(lines)) if lines[n].startswith(_TABLE_START)), None)
    if table is None or quote >= len(lines) or not lines[quote].startswith(">"):
        return name, None
    text = "\n".join(lines[quote:table])
    return name, text[2:].rstrip("\n") if text.startswith("> ") else text[1:].rstrip("\n")


def _row_re(columns: tuple[str, ...]) -> re.Pattern[str] | None:
    if any(column not in _CELL_PATTERNS for column in columns):
        return None
    if columns not in _ROW_RES:
        cells = r"\|".join(rf" *({_CELL_PATTERNS[column]}) *" for column in columns)
        _ROW_RES[columns] = re.compile(rf"\|{cells}\|")
    return _ROW_RES[columns]


def raw_cells(line: str, columns: Sequence[str]) -> list[str] | None:
    """A row's cells as written, recovered from the links where names hold ``|``.

    None when the row cannot be split into ``columns`` cells.
    """
    cells = split_row(line)
    if cells is not None and len(cells) == len(columns):
        return cells
    pattern = _row_re(tuple(columns))
    match = pattern.fullmatch(line.strip()) if pattern else None
    return None if match is None else [cell.strip() for cell in match.groups()]


def row_readable(line: str, columns: Sequence[str]) -> bool:
    """Whether :func:`raw_cells` can split the row (checked without splitting it when its
    pipes are exactly the columns' borders, as nearly every row's are)."""
    if line.count("|") == len(columns) + 1 and "\\|" not in line:
        return True
    return raw_cells(line, columns) is not None


def _linked_cell(cell: str) -> tuple[str, str | None]:
    match = _LINK_RE.fullmatch(cell)
    if match is None:
        return cell, None
    return match.group(1), clean_link(match.group(2))


def _artists(cell: str) -> tuple[Artist, ...]:
    found = _ARTISTS_RE.findall(cell)
    if found:
        # a link found here is https://open.spotify.com/artist/ and letters and digits:
        # clean_link keeps it exactly when those are an id's 22
        return tuple(
            [Artist(name, url if len(url) == _ARTIST_LINK_LENGTH else None) for name, url in found]
        )
    return (Artist(name=cell),) if cell else ()


def raw_track(cells: Sequence[str], columns: Sequence[str], duration: int | None) -> Track:
    """The track a raw row shows (``cells`` from :func:`raw_cells`), its texts literal."""
    at = {name: position for position, name in enumerate(columns)}
    return track_of_cells(cells[at["Title"]], cells[at["Artist(s)"]], cells[at["Album"]], duration)


def usual_row_cells(row: str, numbered: bool) -> tuple[str, str, str, str, str, str] | None:
    """A usual row's (title, its link, artists cell, album, its link, length cell), each
    as :func:`raw_cells` and :func:`track_of_cells` read them, cut by one match instead
    of a split and two link matches; None for any other row.

    Why they read the same: without a pipe inside a cell or a backslash, ``split_row``
    cuts at every ``|`` and strips each cell (here one space, the artists and length
    cells stripped again); a title cell ``[name](link)`` with no ``|`` in it is the
    greedy link pattern's name and link, the link being the one ``](`` followed by a
    link to its end; an id link of those kinds is one ``clean_link`` keeps.
    """
    match = _USUAL_ROWS[numbered].fullmatch(row)
    if match is None:
        return None
    title, url, artists, album, album_url, length = match.groups()
    return title, url, artists.strip(), album, album_url, length.strip()


def track_of_usual_row(cells: tuple[str, str, str, str, str, str], duration: int | None) -> Track:
    """The track of :func:`usual_row_cells`' cells: :func:`track_of_cells`' track."""
    title, url, artists, album, album_url, _ = cells
    return _track(title, url, artists, album, album_url, duration)


def _track(
    title: str,
    url: str | None,
    artists_cell: str,
    album: str,
    album_url: str | None,
    duration: int | None,
) -> Track:
    return Track(
        name=title,
        artists=_artists(artists_cell),
        album=Album(name=album, url=album_url),
        url=url,
        duration_ms=duration,
    )


def track_of_cells(
    title_cell: str, artists_cell: str, album_cell: str, duration: int | None
) -> Track:
    """The track of a raw row's title, artists and album cells (:func:`raw_track`)."""
    title, url = _linked_cell(title_cell)
    album, album_url = _linked_cell(album_cell)
    return _track(title, url, artists_cell, album, album_url, duration)
