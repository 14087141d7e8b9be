"""The cumulative page, ``playlists/cumulative/<id>.md``: every track ever seen.

spotify-playlist-archive's layout: header links, title, description,
"N songs - total", the table Title | Artist(s) | Album | Length | Added |
Removed (Added is YYYY-MM-DD, followed by ``\\*`` when the track was in the
first archived version and Spotify did not know when it was added; Removed is
empty while the track is in the playlist), then the line
``\\*This playlist was first scraped on YYYY-MM-DD. Prior content cannot be
recovered.`` The reader gives back every field shown; lengths are floored to
whole seconds and tracks carry no added_at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from gitarchive.errors import FormatError
from gitarchive.formats.durations import (
    format_duration_english,
    format_songs,
    parse_duration,
    parse_songs,
    shown_total_ms,
)
from gitarchive.formats.early import early_head, is_early_page, raw_cells, raw_track
from gitarchive.formats.markdown import inline_text, parse
from gitarchive.formats.page import (
    Block,
    cell_album,
    cell_artists,
    cell_plain,
    cell_title,
    find_table,
    header_lines,
    is_divider,
    nav_prefix,
    read_head,
    scan_blocks,
    split_row,
    table_divider,
    table_row,
    track_cells,
)
from gitarchive.model import CumulativeTrack, CumulativeView, Track

if TYPE_CHECKING:
    from markdown_it.token import Token

COLUMNS = ("Title", "Artist(s)", "Album", "Length", "Added", "Removed")
_FOOTNOTE_RE = re.compile(r"\*This playlist was first scraped on (\d{4}-\d{2}-\d{2})\.")
_ADDED_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(\*?)$")
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BACKSLASH_ESCAPE_RE = re.compile(r"\\(.)")
_ASTERISK = "\\*"  # Added: the track was there before the first scrape


def parse_day(text: str) -> date | None:
    """A ``YYYY-MM-DD`` date as the page shows it; None for anything else."""
    if not _DAY_RE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_added(text: str) -> tuple[date, bool] | None:
    """``(date, asterisk)`` of an Added cell's text (``YYYY-MM-DD`` or ``YYYY-MM-DD*``)."""
    match = _ADDED_RE.match(text)
    day = parse_day(match.group(1)) if match else None
    return None if match is None or day is None else (day, bool(match.group(2)))


@dataclass(frozen=True, slots=True)
class CumulativeDoc:
    """A cumulative page scanned line by line (line numbers 1-based; None when missing).

    A line scan, not a markdown parse: every sync commit changes one cumulative
    page per changed playlist, and the pre-push check of them must stay cheap.
    Cells are the source text as written (:func:`cell_text` removes the escapes).
    """

    lines: list[str]
    title: tuple[int, str] | None
    summary: tuple[int, int | None] | None  # (line, song count or None when unreadable)
    header: int | None
    divider_ok: bool
    rows: list[tuple[int, list[str] | None]]
    first_scraped: date | None

    def starts_with_nav(self, playlist_id: str) -> bool:
        return self.lines[0].startswith(nav_prefix(playlist_id, current="cumulative"))


def cell_text(cell: str) -> str:
    """A raw cell's text with its backslash escapes removed (``2024-07-12\\*`` -> ``...*``)."""
    return _BACKSLASH_ESCAPE_RE.sub(r"\1", cell) if "\\" in cell else cell


def scan_cumulative(text: str) -> CumulativeDoc:
    """Any text as a cumulative page's parts; never fails."""
    lines = text.split("\n")
    header = next((n for n, line in enumerate(lines) if split_row(line) == list(COLUMNS)), None)
    before = lines if header is None else lines[:header]
    title = next(((n + 1, line) for n, line in enumerate(before) if line.startswith("### ")), None)
    summary = None
    for number, line in enumerate(before):
        count, dash, _total = line.partition(" - ")
        if dash and count[:1].isdigit():
            summary = (number + 1, parse_songs(count))
            break
    rows: list[tuple[int, list[str] | None]] = []
    divider_ok = False
    end = len(lines)
    if header is not None:
        divider = split_row(lines[header + 1]) if header + 1 < len(lines) else None
        divider_ok = divider is not None and len(divider) == len(COLUMNS) and is_divider(divider)
        end = header + 2
        while end < len(lines) and lines[end].strip():
            cells = split_row(lines[end])
            rows.append((end + 1, cells))
            end += 1
    scraped = next((m for line in lines[end:] if (m := _FOOTNOTE_RE.search(line))), None)
    return CumulativeDoc(
        lines=lines,
        title=title,
        summary=summary,
        header=None if header is None else header + 1,
        divider_ok=divider_ok,
        rows=rows,
        first_scraped=parse_day(scraped.group(1)) if scraped else None,
    )


def render_cumulative(view: CumulativeView, *, github: str | None, branch: str = "main") -> str:
    lines = header_lines(
        view.id, view.name, view.description, current="cumulative", github=github, branch=branch
    )
    total = shown_total_ms(entry.track.duration_ms for entry in view.tracks)
    lines += [
        f"{format_songs(len(view.tracks))} - {format_duration_english(total)}",
        "",
        table_row(COLUMNS),
        table_divider(len(COLUMNS)),
    ]
    lines += [
        # table_row of the track's cells, Added and Removed
        f"| {track_cells(entry.track)} | {entry.added.isoformat()}"
        f"{_ASTERISK if entry.added_asterisk else ''} | "
        f"{entry.removed.isoformat() if entry.removed else ''} |"
        for entry in view.tracks
    ]
    lines += [
        "",
        f"\\*This playlist was first scraped on {view.first_scraped.isoformat()}. "
        "Prior content cannot be recovered.",
    ]
    return "\n".join(lines) + "\n"


def _date(text: str, what: str, path: str | None, line: int) -> date:
    day = parse_day(text)
    if day is None:
        raise FormatError(f"{what} is not a date: {text!r}", path=path, line=line)
    return day


def read_cumulative(text: str, playlist_id: str, *, path: str | None = None) -> CumulativeView:
    """The view a cumulative page shows; FormatError naming the line when it cannot be read.

    Early pages (name-keyed, :mod:`gitarchive.formats.early`) have no summary line and no
    "first scraped" line: their first scrape is the earliest Added date, since that writer
    dated every track of its first scrape with that day.
    """
    lines = text.split("\n")
    blocks = scan_blocks(parse(text))
    head = read_head(blocks, playlist_id, path)
    songs: int | None = None
    if head.rest and head.rest[0].kind == "paragraph":
        count_text = head.rest[0].content.split(" - ", 1)[0]
        songs = parse_songs(count_text.strip())
    table = find_table(head.rest, COLUMNS, path)
    early = is_early_page(lines[0])
    entries = [
        _cumulative_row(_raw_row(lines, line, table, early, path), cells, table, path, line)
        for line, cells in table.rows
    ]
    if songs is not None and songs != len(entries):
        raise FormatError(
            f"the page says {songs} songs but its table has {len(entries)} rows", path=path
        )
    first_scraped = _first_scraped(head.rest, path, required=not (early and entries))
    name, description = early_head(lines) if early else (None, None)
    return CumulativeView(
        id=playlist_id,
        name=name or head.name,
        description=head.description if description is None else description,
        tracks=tuple(entries),
        first_scraped=first_scraped or min(entry.added for entry in entries),
    )


def _raw_row(
    lines: list[str], line: int, table: Block, early: bool, path: str | None
) -> list[str] | None:
    """A row's raw cells where the markdown cells cannot be trusted (early pages, extra
    cells from an unescaped ``|``); None where they can."""
    raw = lines[line - 1] if 0 < line <= len(lines) else ""
    cells = split_row(raw)
    if not early and (cells is None or len(cells) == len(table.header)):
        return None
    found = raw_cells(raw, table.header)
    if found is None:
        what = "a row with an unescaped '|' in a name whose cells cannot be told apart"
        raise FormatError(what, path=path, line=line)
    return found


def _cumulative_row(
    found: list[str] | None, cells: list[list[Token]], table: Block, path: str | None, line: int
) -> CumulativeTrack:
    columns = {name: position for position, name in enumerate(table.header)}
    texts = {
        name: cell_text(found[at]) if found is not None else cell_plain(cells[at])
        for name, at in columns.items()
        if name in ("Length", "Added", "Removed")
    }
    length_text = texts["Length"]
    duration = parse_duration(length_text) if length_text else None
    if length_text and duration is None:
        raise FormatError(f"cannot read length {length_text!r}", path=path, line=line)
    added = parse_added(texts["Added"])
    if added is None:
        raise FormatError(f"cannot read Added {texts['Added']!r}", path=path, line=line)
    removed_text = texts["Removed"]
    if found is not None:
        track = raw_track(found, table.header, duration)
    else:
        title = cell_title(cells[columns["Title"]])
        track = Track(
            name=title.text,
            artists=cell_artists(cells[columns["Artist(s)"]]),
            album=cell_album(cells[columns["Album"]]),
            url=title.url,
            duration_ms=duration,
        )
    return CumulativeTrack(
        track=track,
        added=added[0],
        added_asterisk=added[1],
        removed=_date(removed_text, "Removed", path, line) if removed_text else None,
    )


def _first_scraped(rest: list[Block], path: str | None, *, required: bool) -> date | None:
    """The date of the page's 'first scraped' line (the last one, when there are several)."""
    first_scraped: date | None = None
    for block in rest:
        if block.kind == "paragraph":
            match = _FOOTNOTE_RE.search(inline_text(block.children))
            if match:
                first_scraped = _date(match.group(1), "first scraped", path, block.line)
    if first_scraped is None and required:
        raise FormatError("no line 'This playlist was first scraped on YYYY-MM-DD.'", path=path)
    return first_scraped
