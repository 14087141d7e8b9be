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
from datetime import date

from gitarchive.errors import FormatError
from gitarchive.formats.durations import (
    format_duration,
    format_duration_english,
    format_songs,
    parse_duration,
    parse_songs,
    shown_total_ms,
)
from gitarchive.formats.markdown import inline_text, link, parse
from gitarchive.formats.page import (
    artists_cell,
    cell_album,
    cell_artists,
    cell_plain,
    cell_title,
    find_table,
    header_lines,
    read_head,
    scan_blocks,
    table_divider,
    table_row,
)
from gitarchive.model import CumulativeTrack, CumulativeView, Track

COLUMNS = ("Title", "Artist(s)", "Album", "Length", "Added", "Removed")
_FOOTNOTE_RE = re.compile(r"\*This playlist was first scraped on (\d{4}-\d{2}-\d{2})\.")
_ADDED_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(\*?)$")


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
    for entry in view.tracks:
        track = entry.track
        lines.append(
            table_row(
                (
                    link(track.name, track.url),
                    artists_cell(track.artists),
                    link(track.album.name, track.album.url),
                    format_duration(track.duration_ms) if track.duration_ms is not None else "",
                    entry.added.isoformat() + ("\\*" if entry.added_asterisk else ""),
                    entry.removed.isoformat() if entry.removed else "",
                )
            )
        )
    lines += [
        "",
        f"\\*This playlist was first scraped on {view.first_scraped.isoformat()}. "
        "Prior content cannot be recovered.",
    ]
    return "\n".join(lines) + "\n"


def _date(text: str, what: str, path: str | None, line: int) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FormatError(f"{what} is not a date: {text!r}", path=path, line=line) from None


def read_cumulative(text: str, playlist_id: str, *, path: str | None = None) -> CumulativeView:
    blocks = scan_blocks(parse(text))
    head = read_head(blocks, playlist_id, path)
    songs: int | None = None
    if head.rest and head.rest[0].kind == "paragraph":
        count_text = head.rest[0].content.split(" - ", 1)[0]
        songs = parse_songs(count_text.strip())
    table = find_table(head.rest, COLUMNS, path)
    columns = {name: position for position, name in enumerate(table.header)}
    entries: list[CumulativeTrack] = []
    for line, cells in table.rows:
        length_text = cell_plain(cells[columns["Length"]])
        duration = parse_duration(length_text) if length_text else None
        if length_text and duration is None:
            raise FormatError(f"cannot read length {length_text!r}", path=path, line=line)
        added_text = cell_plain(cells[columns["Added"]])
        added_match = _ADDED_RE.match(added_text)
        if added_match is None:
            raise FormatError(f"cannot read Added {added_text!r}", path=path, line=line)
        removed_text = cell_plain(cells[columns["Removed"]])
        title = cell_title(cells[columns["Title"]])
        track = Track(
            name=title.text,
            artists=cell_artists(cells[columns["Artist(s)"]]),
            album=cell_album(cells[columns["Album"]]),
            url=title.url,
            duration_ms=duration,
        )
        entries.append(
            CumulativeTrack(
                track=track,
                added=_date(added_match.group(1), "Added", path, line),
                added_asterisk=bool(added_match.group(2)),
                removed=_date(removed_text, "Removed", path, line) if removed_text else None,
            )
        )
    if songs is not None and songs != len(entries):
        raise FormatError(
            f"the page says {songs} songs but its table has {len(entries)} rows", path=path
        )
    first_scraped: date | None = None
    for block in head.rest:
        if block.kind == "paragraph":
            match = _FOOTNOTE_RE.search(inline_text(block.children))
            if match:
                first_scraped = _date(match.group(1), "first scraped", path, block.line)
    if first_scraped is None:
        raise FormatError("no line 'This playlist was first scraped on YYYY-MM-DD.'", path=path)
    return CumulativeView(
        id=playlist_id,
        name=head.name,
        description=head.description,
        tracks=tuple(entries),
        first_scraped=first_scraped,
    )
