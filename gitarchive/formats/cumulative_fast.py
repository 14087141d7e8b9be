"""Reading a cumulative page that gitarchive wrote, without markdown-it.

Every sync steps each changed playlist's committed cumulative view forward, so
it reads that page first: through markdown-it that costs ~27 ms for a 100-row
page (cold), the bulk of a daily sync where every playlist's likes moved.

:func:`read_cumulative_fast` scans the page line by line as
:func:`~gitarchive.formats.cumulative.render_cumulative` writes it, then
renders what it read and keeps it only when that gives the very same text.
Why that is exact: the page is then ``render(view)`` for the view read, and
reading a rendered view gives the view back (the render -> read property of
docs/formats.md, tested with hostile text); the view read here is already in
the form a page can show (whole seconds, no control characters, URLs of a
plain character set that markdown reads as written). Anything else (a page
written by hand, by spotify-playlist-archive, by an older gitarchive) gives
None, and the caller reads it with the full reader.
"""

from __future__ import annotations

import re

from gitarchive.formats.cumulative import _FOOTNOTE_RE, parse_added, parse_day, render_cumulative
from gitarchive.formats.durations import parse_duration
from gitarchive.formats.page import nav_target
from gitarchive.formats.sanitize import clean_link
from gitarchive.model import Album, Artist, CumulativeTrack, CumulativeView, Track, playlist_url

# Parsing may be loose: whatever it reads is kept only if rendering it gives the page
# back. What must hold is that the view read is in the form a page shows, so that
# the markdown reader would read the same: URLs of this character set (markdown
# reads them as written: no spaces, parentheses, brackets, escapes or entities).
_URL_RE = re.compile(r"https?://[A-Za-z0-9:/._~%?=+@,;!*-]+")
_TEXT = r"(?>[^\\\[\]|]+|\\.)*"  # atomic: no backtracking on hostile rows
_LINK_RE = re.compile(rf"\[({_TEXT})\]\(([^()\s]*)\)")
_PLAIN_ARTIST_RE = re.compile(r"(?>[^\\\[\]|,]+|\\.)*")
_UNESCAPE_RE = re.compile(r"\\(.)|<br/>|&#(\d{1,7});")


def _unescape_match(match: re.Match[str]) -> str:
    if match.group(1) is not None:
        return match.group(1)
    if match.group(2) is not None:
        return chr(int(match.group(2)))  # the render check rejects what it cannot write
    return "\n"


def _unescape(text: str) -> str:
    if "\\" not in text and "<" not in text and "&" not in text:
        return text
    try:
        return _UNESCAPE_RE.sub(_unescape_match, text)
    except (ValueError, OverflowError):
        return "\ufffd\x00"  # never equal to a rendering: the check fails


def _url(url: str) -> str | None:
    # a link outside the grammar: the full reader drops it, so this page is not "as written"
    return url if _URL_RE.fullmatch(url) and clean_link(url) else None


def _linked(cell: str) -> tuple[str, str | None] | None:
    """``[text](url)`` or escaped text alone; None for anything else."""
    if cell.startswith("[") and cell.endswith(")"):
        middle = cell.rfind("](")  # brackets in the text are escaped: \]\(
        url = _url(cell[middle + 2 : -1]) if middle > 0 else None
        return None if url is None else (_unescape(cell[1:middle]), url)
    return _unescape(cell), None


def _artists(cell: str) -> tuple[Artist, ...] | None:
    if cell.startswith("[") and cell.count("[") == 1:  # one linked artist: the usual cell
        linked = _linked(cell)
        if linked is not None and linked[1] is not None:
            return (Artist(linked[0], linked[1]),)
    artists: list[Artist] = []
    position = 0
    while position < len(cell):
        if artists:
            if not cell.startswith(", ", position):
                return None
            position += 2
        link = _LINK_RE.match(cell, position)
        if link is not None:
            url = _url(link.group(2))
            if url is None:
                return None
            artists.append(Artist(_unescape(link.group(1)), url))
            position = link.end()
            continue
        plain = _PLAIN_ARTIST_RE.match(cell, position)
        if plain is None or plain.end() == position:
            return None
        artists.append(Artist(_unescape(plain.group(0)), None))
        position = plain.end()
    return tuple(artists)


def _row(line: str) -> CumulativeTrack | None:
    if not (line.startswith("| ") and line.endswith(" |")):
        return None
    cells = line[2:-2].split(" | ")  # a pipe within a cell is escaped
    if len(cells) != 6:
        return None
    title_cell, artists_cell, album_cell, length, added_text, removed_text = cells
    title = _linked(title_cell)
    album = _linked(album_cell)
    artists = _artists(artists_cell)
    added = parse_added(added_text.replace("\\*", "*"))
    duration = parse_duration(length) if length else None
    removed = parse_day(removed_text) if removed_text else None
    if title is None or album is None or artists is None or added is None:
        return None
    if (length and duration is None) or (removed_text and removed is None):
        return None
    track = Track(
        name=title[0],
        artists=artists,
        album=Album(album[0], album[1]),
        url=title[1],
        duration_ms=duration,
    )
    return CumulativeTrack(track=track, added=added[0], added_asterisk=added[1], removed=removed)


def read_cumulative_fast(text: str, playlist_id: str) -> CumulativeView | None:
    """The view of a page exactly as gitarchive renders it; None for any other text."""
    lines = text.split("\n")
    if len(lines) < 13 or lines[-1] or lines[-3]:
        return None
    title_line = lines[2]
    title_tail = f"]({playlist_url(playlist_id)})"
    if not (title_line.startswith("### [") and title_line.endswith(title_tail)):
        return None
    if not lines[4].startswith("> "):
        return None
    footnote = _FOOTNOTE_RE.search(lines[-2])
    first_scraped = parse_day(footnote.group(1)) if footnote else None
    if first_scraped is None:
        return None
    entries = []
    for line in lines[10:-3]:
        entry = _row(line)
        if entry is None:
            return None
        entries.append(entry)
    view = CumulativeView(
        id=playlist_id,
        name=_unescape(title_line[len("### [") : -len(title_tail)]),
        description=_unescape(lines[4][2:]),
        tracks=tuple(entries),
        first_scraped=first_scraped,
    )
    github, branch = nav_target(text)
    if render_cumulative(view, github=github, branch=branch) != text:
        return None
    return view
