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

from gitarchive.errors import FormatError
from gitarchive.formats.markdown import escape, linked_text, markdown_safe, parse
from gitarchive.formats.paths import pretty_path

_TARGET_RE = re.compile(r"(?:^|/)playlists/pretty/([0-9A-Za-z]{22})\.md$")


def render_index(entries: Iterable[tuple[str, str]]) -> str:
    shown = [(playlist_id, markdown_safe(name)) for playlist_id, name in entries]
    ordered = sorted(shown, key=lambda entry: (entry[1].casefold(), entry[1], entry[0]))
    lines = [f"## Playlists ({len(ordered)})", ""]
    lines += [f"- [{escape(name)}](/{pretty_path(playlist_id)})" for playlist_id, name in ordered]
    return "\n".join(lines) + "\n"


def read_index(text: str, *, path: str | None = None) -> list[tuple[str, str]]:
    tokens = parse(text)
    entries: list[tuple[str, str]] = []
    in_item = 0
    for token in tokens:
        if token.type == "list_item_open":
            in_item += 1
        elif token.type == "list_item_close":
            in_item -= 1
        elif token.type == "inline" and in_item:
            item = linked_text(list(token.children or ()))
            match = _TARGET_RE.search(item.url or "")
            if match:
                entries.append((match.group(1), item.text))
    if not entries and "playlists/pretty/" in text:
        line = text[: text.index("playlists/pretty/")].count("\n") + 1
        raise FormatError("playlist links found outside a list", path=path, line=line)
    return entries
