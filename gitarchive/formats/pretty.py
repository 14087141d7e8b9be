"""The pretty page, ``playlists/pretty/<id>.md``: render, and read back every field it shows.

The page shows one name (``unique_name``); the reader returns it as both
``original_name`` and ``unique_name``. The description is shown stripped. Track
lengths are whole seconds, so ``duration_ms`` reads back floored to the second
(None for an empty Length cell); ``added_at`` is not shown and reads back None.
"""

from __future__ import annotations

from dataclasses import dataclass

from gitarchive.errors import FormatError
from gitarchive.formats.durations import (
    format_duration_english,
    format_likes,
    format_songs,
    parse_duration,
    parse_likes,
    parse_songs,
    shown_total_ms,
)
from gitarchive.formats.early import (
    early_head,
    is_early_page,
    raw_cells,
    raw_track,
    track_of_cells,
    track_of_usual_row,
    usual_row_cells,
)
from gitarchive.formats.markdown import code_span, escape, link, linked_text, parse, parser
from gitarchive.formats.page import (
    Block,
    cell_album,
    cell_artists,
    cell_plain,
    cell_title,
    find_table,
    header_lines,
    read_head,
    scan_blocks,
    split_row,
    table_divider,
    table_row,
    title_position,
    track_cells,
)
from gitarchive.formats.sanitize import clean_count, clean_link, read_duration
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
    lines += [
        f"| {number} | {track_cells(track)} |"  # table_row of the number and the cells
        for number, track in enumerate(playlist.tracks, start=1)
    ]
    lines += ["", f"{SNAPSHOT_LABEL} {code_span(playlist.snapshot_id)}"]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class Summary:
    """The line ``[Owner](url) - N likes - N songs - total``, split into its parts."""

    owner_source: str
    likes_text: str
    songs_text: str
    total_text: str

    @property
    def likes(self) -> tuple[bool, int | None]:
        return parse_likes(self.likes_text.strip())

    @property
    def songs(self) -> int | None:
        return parse_songs(self.songs_text.strip())

    def owner(self) -> Owner:
        inline = parser().parseInline(self.owner_source)
        owner = linked_text(list(inline[0].children or ()) if inline else [])
        return Owner(name=owner.text, url=clean_link(owner.url) or "")


def parse_summary(content: str) -> Summary | None:
    """The owner line's parts; None when it does not have four ``" - "``-separated parts."""
    parts = content.rsplit(" - ", 3)
    return Summary(*parts) if len(parts) == 4 else None


@dataclass(slots=True)
class PrettyDoc:
    """A pretty page as scanned: its blocks and the parts found among them (None if missing)."""

    lines: list[str]
    blocks: list[Block]
    nav: Block | None
    title: Block | None
    summary: Block | None
    table: Block | None
    snapshot: Block | None

    def snapshot_well_formed(self) -> bool:
        """Whether the snapshot line holds a code span (two backticks for an empty id)."""
        if self.snapshot is None:
            return False
        shown = self.snapshot.content[len(SNAPSHOT_LABEL) :].strip()
        return len(shown) >= 2 and shown[0] == shown[-1] == "`"

    def snapshot_id(self) -> str:
        if self.snapshot is None:
            return ""
        for child in self.snapshot.children:
            if child.type == "code_inline":
                return child.content
        return self.snapshot.content[len(SNAPSHOT_LABEL) :].strip().strip("`")


def scan_pretty(text: str) -> PrettyDoc:
    """Any text as a pretty page's parts; never fails (missing parts are None)."""
    blocks = scan_blocks(parse(text))
    position = title_position(blocks)
    rest = blocks if position is None else blocks[position + 1 :]
    if rest and rest[0].kind == "blockquote":
        rest = rest[1:]
    summary = None
    if rest and rest[0].kind == "paragraph" and not rest[0].content.startswith(SNAPSHOT_LABEL):
        summary = rest[0]
    tables = [block for block in rest if block.kind == "table"]
    table = next((t for t in tables if all(c in t.header for c in COLUMNS[1:])), None)
    return PrettyDoc(
        lines=text.split("\n"),
        blocks=blocks,
        nav=next(
            (b for b in blocks if b.kind == "paragraph" and b.content.startswith("pretty - ")),
            None,
        ),
        title=None if position is None else blocks[position],
        summary=summary,
        table=table or (tables[0] if tables else None),
        snapshot=next(
            (b for b in rest if b.kind == "paragraph" and b.content.startswith(SNAPSHOT_LABEL)),
            None,
        ),
    )


def _read_owner_line(block: Block, path: str | None) -> tuple[Owner, int | None, int | None]:
    """``(owner, likes, songs)`` from ``[Owner](url) - N likes - N songs - total``."""
    summary = parse_summary(block.content)
    if summary is None:
        raise FormatError(
            "owner line is not 'owner - N likes - N songs - length'", path=path, line=block.line
        )
    ok, likes = summary.likes
    if not ok:
        raise FormatError(f"cannot read likes {summary.likes_text!r}", path=path, line=block.line)
    songs = summary.songs
    if songs is None:
        what = f"cannot read song count {summary.songs_text!r}"
        raise FormatError(what, path=path, line=block.line)
    # out of the grammar's bounds: unknown, never handed on (validate reports it: GA027)
    return summary.owner(), clean_count(likes), songs


def read_pretty(text: str, playlist_id: str, *, path: str | None = None) -> Playlist:
    return read_pretty_doc(scan_pretty(text), playlist_id, path=path)


# The table heads of the pages whose rows read_pretty reads as written (early pages:
# is_early_page), with the columns markdown finds in them
_RAW_ROW_HEADS = {
    "| No. | Title | Artist(s) | Album | Length |\n|---|---|---|---|---|": (
        "No.", "Title", "Artist(s)", "Album", "Length"),
    "| Title | Artist(s) | Album | Length |\n|---|---|---|---|": (
        "Title", "Artist(s)", "Album", "Length"),
}  # fmt: skip


# the places of the title, artists, album and length cells under each of those heads
_RAW_ROW_CELLS = {
    head: tuple(columns.index(name) for name in ("Title", "Artist(s)", "Album", "Length"))
    for head, columns in _RAW_ROW_HEADS.items()
}


def read_early_row(table_head: str, row: str) -> Track | None:
    """The track ``read_pretty`` reads from ``row`` of an early page under ``table_head``
    (its names as written), without parsing markdown; None when only a full read can
    say (another table head, a row it cannot split, a length it rejects)."""
    columns = _RAW_ROW_HEADS.get(table_head)
    if columns is None or not row.startswith("|"):
        return None
    usual = usual_row_cells(row, columns[0] == "No.")
    if usual is not None:  # nearly every row: one match, not a split and two link matches
        duration = parse_duration(length) if (length := usual[5]) else None
        if duration is not None or not length:
            return track_of_usual_row(usual, read_duration(duration))
    return _read_early_row_cells(columns, table_head, row)


def _read_early_row_cells(columns: tuple[str, ...], table_head: str, row: str) -> Track | None:
    """:func:`read_early_row` of any row, its cells split by :func:`raw_cells`."""
    cells = raw_cells(row, columns)
    if cells is None:
        return None
    title, artists, album, length_at = _RAW_ROW_CELLS[table_head]
    duration = parse_duration(length) if (length := cells[length_at]) else None
    if length and duration is None:
        return None
    return track_of_cells(cells[title], cells[artists], cells[album], read_duration(duration))


def _length(text: str, path: str | None, line: int) -> int | None:
    duration = parse_duration(text) if text else None
    if text and duration is None:
        raise FormatError(f"cannot read length {text!r}", path=path, line=line)
    return read_duration(duration)  # beyond 48 h: unknown


def _read_rows(doc: PrettyDoc, table: Block, path: str | None) -> list[Track]:
    columns = {name: position for position, name in enumerate(table.header)}
    early = is_early_page(doc.lines[0])
    tracks: list[Track] = []
    for line, cells in table.rows:
        raw = doc.lines[line - 1] if 0 < line <= len(doc.lines) else ""
        if early or _cell_count(raw) not in (None, len(table.header)):
            # names as written (early pages escape nothing), cells told apart by their links
            found = raw_cells(raw, table.header)
            if found is None:
                what = "a row with an unescaped '|' in a name whose cells cannot be told apart"
                raise FormatError(what, path=path, line=line)
            duration = _length(found[columns["Length"]], path, line)
            tracks.append(raw_track(found, table.header, duration))
            continue
        title = cell_title(cells[columns["Title"]])
        tracks.append(
            Track(
                name=title.text,
                artists=cell_artists(cells[columns["Artist(s)"]]),
                album=cell_album(cells[columns["Album"]]),
                url=title.url,
                duration_ms=_length(cell_plain(cells[columns["Length"]]), path, line),
            )
        )
    return tracks


def _cell_count(line: str) -> int | None:
    cells = split_row(line)
    return None if cells is None else len(cells)


def read_pretty_doc(doc: PrettyDoc, playlist_id: str, *, path: str | None = None) -> Playlist:
    """The playlist a scanned page shows; FormatError naming the line when it cannot be read."""
    head = read_head(doc.blocks, playlist_id, path)
    owner = Owner(name="", url="")
    likes: int | None = None
    songs: int | None = None
    name, description = head.name, head.description
    if is_early_page(doc.lines[0]):  # no owner line; name and description as written
        early_name, early_description = early_head(doc.lines)
        name, description = early_name or name, early_description or description
    elif doc.summary is not None:
        owner, likes, songs = _read_owner_line(doc.summary, path)
    table = find_table(head.rest, COLUMNS[1:], path)
    tracks = _read_rows(doc, table, path)
    if songs is not None and songs != len(tracks):
        raise FormatError(
            f"the page says {songs} songs but its table has {len(tracks)} rows", path=path
        )
    return Playlist(
        id=playlist_id,
        original_name=name,
        unique_name=name,
        description=description,
        tracks=tuple(tracks),
        snapshot_id=doc.snapshot_id(),
        num_followers=likes,
        owner=owner,
    )
