"""What the pretty and cumulative pages share: the header, the table, the block scan."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gitarchive.errors import FormatError
from gitarchive.formats.durations import format_duration
from gitarchive.formats.markdown import Linked, escape, inline_text, link, linked_list, linked_text
from gitarchive.formats.paths import cumulative_path, plain_path, pretty_path
from gitarchive.formats.sanitize import clean_link
from gitarchive.model import Album, Artist, Track, is_playlist_id, playlist_url

if TYPE_CHECKING:
    from markdown_it.token import Token

GITHISTORY = "https://github.githistory.xyz"
_GITHISTORY_RE = re.compile(
    re.escape(GITHISTORY)
    + r"/(?P<slug>[^/()]+/[^/()]+)/blob/(?P<branch>[^()]+)/"
    + re.escape(plain_path(""))
)
# A table cell ends at a pipe that is not backslash-escaped.
_UNESCAPED_PIPE_RE = re.compile(r"(?<!\\)\|")


def nav_target(text: str) -> tuple[str | None, str]:
    """The GitHub slug and branch a page's githistory link was rendered with."""
    match = _GITHISTORY_RE.search(text.split("\n", 1)[0])
    if match is None:
        return None, "main"
    return match.group("slug"), match.group("branch")


def nav_prefix(playlist_id: str, *, current: str) -> str:
    """The start of the links line that every page of ``current``'s kind begins with."""
    return nav_line(playlist_id, current=current, github=None, branch="main")


def nav_line(playlist_id: str, *, current: str, github: str | None, branch: str) -> str:
    """``pretty - [cumulative](...) - [plain](...) - [githistory](...)``, ``current`` unlinked."""
    parts = []
    for name, target in (
        ("pretty", "/" + pretty_path(playlist_id)),
        ("cumulative", "/" + cumulative_path(playlist_id)),
        ("plain", "/" + plain_path(playlist_id)),
    ):
        parts.append(name if name == current else f"[{name}]({target})")
    if github:
        history = f"{GITHISTORY}/{github}/blob/{branch}/{plain_path(playlist_id)}"
        parts.append(f"[githistory]({history})")
    return " - ".join(parts)


def header_lines(
    playlist_id: str,
    name: str,
    description: str,
    *,
    current: str,
    github: str | None,
    branch: str,
) -> list[str]:
    return [
        nav_line(playlist_id, current=current, github=github, branch=branch),
        "",
        f"### {link(name, playlist_url(playlist_id))}",
        "",
        # Some descriptions end with newlines: the page shows them stripped
        f"> {escape(description.strip())}",
        "",
    ]


def artists_cell(artists: Sequence[Artist]) -> str:
    shown = [artist for artist in artists if artist.url or artist.name]
    return ", ".join(link(artist.name, artist.url, commas=True) for artist in shown)


# A track's cells "title | artists | album | length", by what they show. The pretty page
# and the cumulative page of a playlist show the same tracks, and sync renders the
# cumulative page twice (to check a fast read, then the next view): each row's
# escaping is done once per process. Bounded like markdown's inline cache.
_CELLS_CACHE: dict[tuple[object, ...], str] = {}
_CELLS_CACHE_LIMIT = 200_000


# and by the track object itself: the readers hand the same Track objects to every version
# that holds them, and hashing the content key (nested dataclasses) was most of a
# long import's page rendering. An entry keeps its track alive, so its id is not reused.
_CELLS_BY_TRACK: dict[int, tuple[Track, str]] = {}


def track_cells(track: Track) -> str:
    """``title | artists | album | length`` of a table row (pretty and cumulative pages)."""
    known = _CELLS_BY_TRACK.get(id(track))
    if known is not None and known[0] is track:
        return known[1]
    cells = _cells_by_content(track)
    if len(_CELLS_BY_TRACK) >= _CELLS_CACHE_LIMIT:
        _CELLS_BY_TRACK.clear()
    _CELLS_BY_TRACK[id(track)] = (track, cells)
    return cells


def _cells_by_content(track: Track) -> str:
    duration = track.duration_ms
    seconds = None if duration is None else max(duration, 0) // 1000  # what the page shows
    key = (track.name, track.url, track.artists, track.album, seconds)
    cells = _CELLS_CACHE.get(key)
    if cells is None:
        cells = " | ".join(
            (
                link(track.name, track.url),
                artists_cell(track.artists),
                link(track.album.name, track.album.url),
                format_duration(duration) if duration is not None else "",
            )
        )
        if len(_CELLS_CACHE) >= _CELLS_CACHE_LIMIT:
            _CELLS_CACHE.clear()
        _CELLS_CACHE[key] = cells
    return cells


def table_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def table_divider(count: int) -> str:
    return "|" + "---|" * count


def split_row(line: str) -> list[str] | None:
    """The raw cells of a table row written as ``| a | b |`` (None when it is not one).

    Read from the source line, not from markdown: markdown pads short rows and
    drops extra cells silently, which hides an unescaped ``|`` in a name.
    """
    text = line.strip()
    if not (text.startswith("|") and text.endswith("|")) or len(text) < 2:
        return None
    if "\\" not in text:  # every | a border: str.split's cut, the pattern's dearer one
        return [cell.strip() for cell in text[1:-1].split("|")]
    return [cell.strip() for cell in _UNESCAPED_PIPE_RE.split(text[1:-1])]


def is_divider(cells: Sequence[str]) -> bool:
    return all(re.fullmatch(r":?-+:?", cell) for cell in cells)


@dataclass(slots=True)
class Block:
    """One top-level block of a page: its kind, inline tokens and first line (1-based)."""

    kind: str  # "paragraph" | "heading" | "blockquote" | "table" | "other"
    line: int
    children: list[Token] = field(default_factory=list)
    content: str = ""
    level: int = 0
    # tables: header texts, then for each row its line and cells' inline tokens
    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[list[Token]]]] = field(default_factory=list)
    # blockquotes: the texts of their paragraphs
    paragraphs: list[str] = field(default_factory=list)


def _line_of(token: Token, default: int = 0) -> int:
    return (token.map[0] + 1) if token.map else default


def _scan_blockquote(tokens: Sequence[Token], index: int) -> tuple[Block, int]:
    """The blockquote opening at ``index`` and the index after it."""
    block = Block("blockquote", _line_of(tokens[index]))
    depth = 0
    while index < len(tokens):
        inner = tokens[index]
        depth += inner.nesting if inner.type.startswith("blockquote") else 0
        if inner.type == "inline":
            block.paragraphs.append(inline_text(inner.children or ()))
        index += 1
        if depth == 0:
            break
    return block, index


def _scan_table(tokens: Sequence[Token], index: int) -> tuple[Block, int]:
    """The table opening at ``index`` and the index after it."""
    block = Block("table", _line_of(tokens[index]))
    row: list[list[Token]] = []
    row_line = block.line
    while index < len(tokens) and tokens[index].type != "table_close":
        inner = tokens[index]
        if inner.type == "tr_open":
            row = []
            row_line = _line_of(inner, block.line)
        elif inner.type == "inline":
            row.append(list(inner.children or ()))
        elif inner.type == "tr_close":
            if not block.header:
                block.header = [inline_text(cell).strip() for cell in row]
            else:
                block.rows.append((row_line, row))
        index += 1
    return block, index + 1


def _skip_container(tokens: Sequence[Token], index: int) -> int:
    """The index after the container (a list, ...) opening at ``index``."""
    depth = 0
    while index < len(tokens):
        depth += tokens[index].nesting
        index += 1
        if depth == 0:
            break
    return index


def scan_blocks(tokens: Sequence[Token]) -> list[Block]:
    """A page's top-level blocks, each with its first line."""
    blocks: list[Block] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        line = _line_of(token)
        if token.type in ("paragraph_open", "heading_open"):
            inline = tokens[index + 1]
            kind = "paragraph" if token.type == "paragraph_open" else "heading"
            level = int(token.tag[1:]) if kind == "heading" else 0
            children = list(inline.children or ())
            blocks.append(Block(kind, line, children, inline.content, level=level))
            index += 3
        elif token.type == "blockquote_open":
            block, index = _scan_blockquote(tokens, index)
            blocks.append(block)
        elif token.type == "table_open":
            block, index = _scan_table(tokens, index)
            blocks.append(block)
        elif token.nesting == 1:
            index = _skip_container(tokens, index)
            blocks.append(Block("other", line))
        else:
            if token.type in ("hr", "code_block", "fence", "html_block"):
                blocks.append(Block("other", line))
            index += 1
    return blocks


def links(children: Sequence[Token]) -> list[str]:
    """Every link target of an inline run, in order."""
    return [str(child.attrGet("href") or "") for child in children if child.type == "link_open"]


def first_link(children: Sequence[Token]) -> Linked | None:
    """The text and URL of the first link in an inline run; None without links."""
    for start, child in enumerate(children):
        if child.type == "link_open":
            end = start + 1
            while end < len(children) and children[end].type != "link_close":
                end += 1
            href = child.attrGet("href")
            return Linked(inline_text(children[start + 1 : end]), str(href) if href else None)
    return None


@dataclass(frozen=True, slots=True)
class PageHead:
    name: str
    description: str
    rest: list[Block]


def title_position(blocks: list[Block]) -> int | None:
    """Where the title heading is among a page's blocks."""
    return next((index for index, block in enumerate(blocks) if block.kind == "heading"), None)


def read_head(blocks: list[Block], playlist_id: str, path: str | None) -> PageHead:
    """The title heading and the description quote; ``rest`` is what follows them."""
    position = title_position(blocks)
    if position is None:
        raise FormatError("no playlist title heading (### [name](url))", path=path)
    block = blocks[position]
    # early spotify-playlist-archive titles: "### [name](url) ([id](/playlists/plain/id))"
    title = first_link(block.children) or linked_text(block.children)
    if title.url:
        tail = title.url.rstrip("/").rsplit("/", 1)[-1]
        if "/playlist/" in title.url and is_playlist_id(tail) and tail != playlist_id:
            raise FormatError(
                f"the page is for playlist {tail}, not {playlist_id}", path=path, line=block.line
            )
    rest = blocks[position + 1 :]
    description = ""
    if rest and rest[0].kind == "blockquote":
        description = "\n".join(rest[0].paragraphs)
        rest = rest[1:]
    return PageHead(title.text, description, rest)


def find_table(blocks: list[Block], required: Sequence[str], path: str | None) -> Block:
    for block in blocks:
        if block.kind == "table" and all(name in block.header for name in required):
            return block
    wanted = " | ".join(required)
    raise FormatError(f"no track table with the columns {wanted}", path=path)


# A link outside the grammar (``javascript:``, another host) is never handed on: the
# cell reads as its text alone (validate reports the link: GA027).


def cell_album(cell: list[Token]) -> Album:
    album = linked_text(cell)
    return Album(name=album.text, url=clean_link(album.url))


def cell_artists(cell: list[Token]) -> tuple[Artist, ...]:
    return tuple(Artist(name=item.text, url=clean_link(item.url)) for item in linked_list(cell))


def cell_title(cell: list[Token]) -> Linked:
    title = linked_text(cell)
    return Linked(title.text, clean_link(title.url))


def cell_plain(cell: list[Token]) -> str:
    return inline_text(cell).strip()
