"""Edits of ``gitarchive.toml`` that keep what the user wrote: comments, order, layout.

The file is the user's: ``login`` sets one key in it, and everything else, down to a
comment at the end of a line, stays byte for byte. tomlkit parses the file into a
document that remembers its formatting; tomllib (in :mod:`gitarchive.settings`) stays
the reader, and is run on the result before it is written.
"""

from __future__ import annotations

from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

from gitarchive.errors import SettingsError


def set_top_level(text: str, key: str, value: Any, *, comment: str, path: str) -> str:
    """``text`` with the top-level ``key`` set to ``value``.

    An existing key keeps its place and its comment; a new one goes after the other
    top-level keys (before the first table, where TOML needs it) with ``comment``.
    """
    try:
        document = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise SettingsError(f"is not valid TOML ({exc}); fix it by hand first", path=path) from None
    if key in document:
        document[key] = value
    else:
        item = tomlkit.item(value)
        item.comment(comment)
        document[key] = item
    return tomlkit.dumps(document)
