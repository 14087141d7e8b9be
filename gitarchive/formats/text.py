"""A file's bytes as text, and JSON text as data: what every reader of the archive starts from."""

from __future__ import annotations

import json
from typing import Any

from gitarchive.errors import FormatError


def decode(data: bytes, path: str | None = None) -> str:
    """A file's text: UTF-8 (a BOM is dropped); FormatError naming the file otherwise."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise FormatError(
            f"not UTF-8 text (byte {exc.start}: {data[exc.start : exc.start + 1]!r})", path=path
        ) from None


def load_json(text: str | bytes) -> Any:
    """``json.loads`` for a file of the archive, which anyone may have written.

    json's decoder recurses once per level of nesting, so 100,000 brackets raise
    RecursionError: that is a malformed file like any other, reported as a
    ``json.JSONDecodeError`` ("nested too deeply") wherever such errors are handled.
    """
    try:
        return json.loads(text)
    except RecursionError:
        document = text if isinstance(text, str) else ""
        raise json.JSONDecodeError("nested too deeply", document, 0) from None
