"""The index, ``playlists/index.md``: one link per playlist, sorted by name.

Exactly::

    ## Playlists (N)

    - [Name](/playlists/pretty/<id>.md)
    ...

sorted by the name case-folded, then the name, then the id. Nothing else is in the file (a
README can link to it). The reader accepts anything around the list (e.g.
spotify-playlist-archive's README, whose heading reads ``## Playlists \\(N\\)``)
and takes every list item whose link points at ``/playlists/pretty/<id>.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from gitarchive.errors import FormatError
from gitarchive.formats.markdown import escape, linked_text, markdown_safe, parse
from gitarchive.formats.paths import PRETTY_DIR, pretty_path

_TARGET_RE = re.compile(rf"(?:^|/){PRETTY_DIR}/([0-9A-Za-z]{{22}})\.md$")
_HEADING_RE = re.compile(r"^## Playlists \\?\((\d+)\\?\)", re.MULTILINE)
_EXACT_ITEM_RE = re.compile(rf"^- \[(?P<name>.*)\]\(/{PRETTY_DIR}/(?P<id>[0-9A-Za-z]{{22}})\.md\)$")


@dataclass(frozen=True, slots=True)
class IndexEntry:
    line: int | None
    playlist_id: str
    name: str


@dataclass(frozen=True, slots=True)
class IndexDoc:
    """The index as scanned: its entries, the heading's count, and whether names are escaped."""

    entries: list[IndexEntry]
    heading: tuple[int, int] | None  # (line, the count it says)
    names_escaped: bool
    problem: tuple[int, str] | None = None  # (line, what) when the links cannot be read


def _heading(text: str) -> tuple[int, int] | None:
    match = _HEADING_RE.search(text)
    if match is None:
        return None
    return text.count("\n", 0, match.start()) + 1, int(match.group(1))


def scan_index_exact(text: str) -> IndexDoc | None:
    """The index exactly as :func:`render_index` writes it, names left escaped; else None.

    The index of a large archive is thousands of links: reading the common
    layout line by line keeps the pre-push check of it cheap.
    """
    lines = text.split("\n")
    heading = _HEADING_RE.match(lines[0]) if lines else None
    if heading is None or len(lines) < 2 or lines[1] != "" or lines[-1] != "":
        return None
    entries: list[IndexEntry] = []
    for number, line in enumerate(lines[2:-1], start=3):
        match = _EXACT_ITEM_RE.match(line)
        if match is None:
            return None
        entries.append(IndexEntry(number, match.group("id"), match.group("name")))
    if int(heading.group(1)) != len(entries):
        return None
    return IndexDoc(entries, (1, len(entries)), names_escaped=True)


def scan_index(text: str) -> IndexDoc:
    """Any text as an index: the list items that link to a pretty page (names unescaped)."""
    entries: list[IndexEntry] = []
    in_item = 0
    line: int | None = None
    for token in parse(text):
        if token.type == "list_item_open":
            in_item += 1
            line = token.map[0] + 1 if token.map else None
        elif token.type == "list_item_close":
            in_item -= 1
        elif token.type == "inline" and in_item:
            item = linked_text(list(token.children or ()))
            match = _TARGET_RE.search(item.url or "")
            if match:
                entries.append(IndexEntry(line, match.group(1), item.text))
    problem = None
    if not entries and f"{PRETTY_DIR}/" in text:
        problem_line = text[: text.index(f"{PRETTY_DIR}/")].count("\n") + 1
        problem = (problem_line, "playlist links found outside a list")
    return IndexDoc(entries, _heading(text), names_escaped=False, problem=problem)


def render_index(entries: Iterable[tuple[str, str]]) -> str:
    shown = [(playlist_id, markdown_safe(name)) for playlist_id, name in entries]
    ordered = sorted(shown, key=lambda entry: (entry[1].casefold(), entry[1], entry[0]))
    lines = [f"## Playlists ({len(ordered)})", ""]
    lines += [f"- [{escape(name)}](/{pretty_path(playlist_id)})" for playlist_id, name in ordered]
    return "\n".join(lines) + "\n"


def read_index(text: str, *, path: str | None = None) -> list[tuple[str, str]]:
    doc = scan_index(text)
    if doc.problem is not None:
        raise FormatError(doc.problem[1], path=path, line=doc.problem[0])
    return [(entry.playlist_id, entry.name) for entry in doc.entries]
