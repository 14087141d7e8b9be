"""A file's bytes as text, and JSON text as data: what every reader of the archive starts from."""

from __future__ import annotations

import json
import re
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

    Three things ``json.loads`` lets through or raises otherwise are a malformed file
    like any other, reported as a ``json.JSONDecodeError`` wherever such errors are
    handled: nesting past the decoder's recursion (100,000 brackets: RecursionError); a
    number of more digits than Python converts (ValueError); and a ``\\udXXX`` escape
    that leaves a lone surrogate, which is no text, as a byte that is not UTF-8 is none
    (:func:`decode`): no writer can encode it, and it would fail there instead, far from
    the file that held it.
    """
    try:
        value = json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", _document(text), 0) from None
    except json.JSONDecodeError:
        raise
    except ValueError:  # Python's limit on the digits of an int (4,300 by default)
        raise json.JSONDecodeError("a number too long to read", _document(text), 0) from None
    if lone_surrogate_in(text, value):
        document = _document(text)
        raise json.JSONDecodeError(
            "a lone surrogate (a \\ud800-\\udfff escape not in a pair), which is no text",
            document,
            _lone_escape_at(document),
        )
    return value


_SURROGATE_ESCAPE_RE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_HIGH_THEN_LOW_RE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _may_escape_a_surrogate(text: str | bytes) -> bool:
    """Whether ``text`` may hold a ``\\udXXX`` escape (two searches in C: a JSON read of
    20 KB takes ~1 us more, where a regular expression took 6 of its ~80)."""
    if isinstance(text, str):
        return "\\ud" in text or "\\uD" in text
    return b"\\ud" in text or b"\\uD" in text


def _document(text: str | bytes) -> str:
    return text if isinstance(text, str) else text.decode("utf-8", "replace")


def lone_surrogate_in(text: str | bytes, value: Any) -> bool:
    """Whether ``value``, decoded from the JSON ``text``, holds a lone surrogate (which
    :func:`load_json` refuses): for readers that decode a file's parts themselves."""
    return _may_escape_a_surrogate(text) and holds_lone_surrogate(value)


def holds_lone_surrogate(value: Any) -> bool:
    """Whether a string anywhere in the decoded document holds a lone surrogate (a pair
    of escapes decodes to one character: only a lone one is left as a surrogate)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE_RE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _lone_escape_at(document: str) -> int:
    """Where the first escape that is not half of a pair starts (for the error's line)."""
    for match in _SURROGATE_ESCAPE_RE.finditer(document):
        start = match.start()
        pair = _HIGH_THEN_LOW_RE.match(document, start)
        after_high = start >= 6 and _HIGH_THEN_LOW_RE.match(document, start - 6)
        if not pair and not after_high:
            return start
    return 0
