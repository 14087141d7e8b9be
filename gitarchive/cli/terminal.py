"""Text from the archive or a server, made safe for a terminal.

Playlist names, aliases, paths, commit messages and whatever a server answers are
hostile: rich would read ``[bold]`` as markup and ``:x:`` as an emoji code, and
an escape sequence (``ESC [ 2 J``, a title change, a hyperlink) would reach the
terminal itself. :func:`safe` is the one place that neutralises all three; the
consoles of :mod:`gitarchive.cli.console` pass every string they print through it,
and writers that bypass rich use :func:`clean`.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

BROKEN_PIPE_EXIT = 141  # what a shell reports for a process ended by SIGPIPE (git's case)

# C0 controls but the line feed, DEL, C1 controls, the Unicode line and paragraph
# separators and the bidirectional overrides and isolates (which reorder what
# follows them on screen: "Trojan Source").
_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\t": "\\t", "\n": "\\n"}
# What rich itself strips from a Text (bell, backspace, vertical tab, form feed, carriage
# return): dropped here too, so that a string and a Text of it print the same.
_DROPPED = frozenset("\x07\x08\x0b\x0c\r")


def _shown(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in _DROPPED:
        return ""
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str, *, newlines: bool = True) -> str:
    """``text`` with every control character shown as its escape (``\\x1b``, ``\\t``...) or,
    for those rich drops itself, dropped; line feeds are kept when ``newlines`` (a message of
    several lines), else shown too."""
    if not newlines:
        text = text.replace("\n", "\\n")
    if _UNSAFE.search(text) is None:  # nearly always
        return text
    return _UNSAFE.sub(_shown, text)


def safe(text: str, *, newlines: bool = True, style: str = "") -> Text:
    """``text`` as rich prints it literally: no markup, no emoji codes, no control characters."""
    from rich.text import Text

    return Text(clean(text, newlines=newlines), style=style)


def safe_renderable(value: object) -> object:
    """What a console prints for ``value``: strings made :func:`safe`, a plain styled Text
    cleaned; anything else (a table, a progress bar: our own renderables) as it is."""
    from rich.text import Text

    if isinstance(value, str):
        return safe(value)
    if isinstance(value, Text) and not value.spans and _UNSAFE.search(value.plain):
        return Text(clean(value.plain), style=value.style, end=value.end)
    return value


def stdout_closed() -> int:
    """The reader of stdout went away: stop writing, quietly, and give the exit status.

    Pointing stdout at /dev/null keeps Python's final flush of what is still
    buffered from failing again on the closed pipe at exit.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)
    return BROKEN_PIPE_EXIT
