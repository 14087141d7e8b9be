"""The pretty page, ``playlists/pretty/<id>.md``: render, and read back every field it shows.

The page shows one name (``unique_name``); the reader returns it as both
``original_name`` and ``unique_name``. The description is shown stripped. Track
lengths are whole seconds, so ``duration_ms`` reads back floored to the second
(None for an empty Length cell); ``added_at`` is not shown and reads back None.
"""

from __future__ import annotations

from gitarchive.errors import FormatError
from gitarchive.formats.durations import (
    format_duration,
    format_duration_english,
    format_likes,
    format_songs,
    parse_duration,
    parse_likes,
    parse_songs,
    shown_total_ms,
)
from gitarchive.formats.markdown import PARSER, code_span, escape, link, linked_text, parse
from gitarchive.formats.page import (
    Block,
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
from gitarchive.model import Owner, Playlist, Track

COLUMNS = ("No.", "Title", "Artist(s)", "Album", "Length")
SNAPSHOT_LABEL = "Snapshot ID:"


def _owner_link(owner: Owner) -> str:
    if not owner.name and not owner.url:
        return "[]()"  # an empty owner must not leave the line starting with " - "
    return link(owner.name, owner.url) if owner.url else escape(owner.name)


def render_pretty(playlist: Playlist, *, github: str | None, branch: str = "main") -> str:
    lines = header_lines(
        playlist.id,
        playlist.unique_name,
        playlist.description,
        current="pretty",
        github=github,
        branch=branch,
    )
    lines.append(
        " - ".join(
            (
                _owner_link(playlist.owner),
                format_likes(playlist.num_followers),
                format_songs(len(playlist.tracks)),
                format_duration_english(
                    shown_total_ms(track.duration_ms for track in playlist.tracks)
                ),
            )
        )
    )
    lines += ["", table_row(COLUMNS), table_divider(len(COLUMNS))]
    for number, track in enumerate(playlist.tracks, start=1):
        lines.append(
            table_row(
                (
                    str(number),
                    link(track.name, track.url),
                    artists_cell(track.artists),
                    link(track.album.name, track.album.url),
                    format_duration(track.duration_ms) if track.duration_ms is not None else "",
                )
            )
        )
    lines += ["", f"{SNAPSHOT_LABEL} {code_span(playlist.snapshot_id)}"]
    return "\n".join(lines) + "\n"


def _read_owner_line(block: Block, path: str | None) -> tuple[Owner, int | None, int | None]:
    """``(owner, likes, songs)`` from ``[Owner](url) - N likes - N songs - total``."""
    parts = block.content.rsplit(" - ", 3)
    if len(parts) != 4:
        raise FormatError(
            "owner line is not 'owner - N likes - N songs - length'", path=path, line=block.line
        )
    owner_source, likes_text, songs_text, _total = parts
    ok, likes = parse_likes(likes_text.strip())
    if not ok:
        raise FormatError(f"cannot read likes {likes_text!r}", path=path, line=block.line)
    songs = parse_songs(songs_text.strip())
    if songs is None:
        raise FormatError(f"cannot read song count {songs_text!r}", path=path, line=block.line)
    inline = PARSER.parseInline(owner_source)
    owner = linked_text(list(inline[0].children or ()) if inline else [])
    return Owner(name=owner.text, url=owner.url or ""), likes, songs


def _read_snapshot(blocks: list[Block]) -> str:
    for block in blocks:
        if block.kind == "paragraph" and block.content.startswith(SNAPSHOT_LABEL):
            for child in block.children:
                if child.type == "code_inline":
                    return child.content
            return block.content[len(SNAPSHOT_LABEL) :].strip().strip("`")
    return ""


def read_pretty(text: str, playlist_id: str, *, path: str | None = None) -> Playlist:
    blocks = scan_blocks(parse(text))
    head = read_head(blocks, playlist_id, path)
    owner = Owner(name="", url="")
    likes: int | None = None
    songs: int | None = None
    if head.rest and head.rest[0].kind == "paragraph":
        first = head.rest[0]
        if not first.content.startswith(SNAPSHOT_LABEL):
            owner, likes, songs = _read_owner_line(first, path)
    table = find_table(head.rest, COLUMNS[1:], path)
    columns = {name: position for position, name in enumerate(table.header)}
    tracks: list[Track] = []
    for line, cells in table.rows:
        length_text = cell_plain(cells[columns["Length"]])
        duration = parse_duration(length_text) if length_text else None
        if length_text and duration is None:
            raise FormatError(f"cannot read length {length_text!r}", path=path, line=line)
        title = cell_title(cells[columns["Title"]])
        tracks.append(
            Track(
                name=title.text,
                artists=cell_artists(cells[columns["Artist(s)"]]),
                album=cell_album(cells[columns["Album"]]),
                url=title.url,
                duration_ms=duration,
            )
        )
    if songs is not None and songs != len(tracks):
        raise FormatError(
            f"the page says {songs} songs but its table has {len(tracks)} rows", path=path
        )
    return Playlist(
        id=playlist_id,
        original_name=head.name,
        unique_name=head.name,
        description=head.description,
        tracks=tuple(tracks),
        snapshot_id=_read_snapshot(head.rest),
        num_followers=likes,
        owner=owner,
    )
