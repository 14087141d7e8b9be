"""Writers of the read commands' outputs on stdout, rich only for a terminal.

The outputs themselves are made by :mod:`gitarchive.history.documents`; this
module writes them in batches (printing a long timeline line by line through
rich's console cost ~70% of a ``history`` run), and colours and pages them
only on a terminal.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from gitarchive.cli.terminal import clean
from gitarchive.history.documents import (
    cumulative_json,
    history_json,
    timeline_markdown,
    timeline_text,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from gitarchive.model import CumulativeView
    from gitarchive.timeline import Entry


def write_chunks(chunks: Iterable[str], write: Callable[[str], Any]) -> None:
    """Write chunks in batches: one write per ~64 KB instead of one per line."""
    batch: list[str] = []
    size = 0
    for chunk in chunks:
        batch.append(chunk)
        size += len(chunk)
        if size >= 65536:
            write("".join(batch))
            batch, size = [], 0
    if batch:
        write("".join(batch))


def write_history(
    output_format: str, name: str, playlist_id: str, listed: list[Entry], *, likes: bool
) -> None:
    """``history``'s output on stdout: coloured and paged on a terminal, like git log."""
    write = sys.stdout.write
    if output_format == "json":
        write_chunks(history_json(playlist_id, name, listed), write)
    elif output_format == "markdown":
        write_chunks(timeline_markdown(name, playlist_id, listed, likes=likes), write)
    else:
        write_lines(timeline_text(name, playlist_id, listed, likes=likes))


def write_lines(lines: Iterable[tuple[str, str | None]]) -> None:
    """(line, style) pairs on stdout: coloured and paged on a terminal, plain otherwise."""
    from gitarchive.cli import common

    if _may_be_terminal() and common.out.is_terminal:
        _print_terminal(common.out, lines, page=common.state.pager)
    else:
        write_chunks((clean(line) + "\n" for line, _style in lines), sys.stdout.write)


def _may_be_terminal() -> bool:
    """False when rich's console would not take stdout for a terminal either (no tty, none of
    the variables that force one): a pipe's output then never imports rich (~20 ms)."""
    if "TTY_COMPATIBLE" in os.environ or "FORCE_COLOR" in os.environ:
        return True
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed file
        return False


def _print_terminal(console: Any, lines: Iterable[tuple[str, str | None]], *, page: bool) -> None:
    from rich.text import Text

    if not page:  # --no-pager: coloured, straight to the terminal
        for line, style in lines:
            console.print(Text(line, style=style or ""))
        return
    os.environ.setdefault("LESS", "FRX")  # what git sets: quit if one screen, keep colours
    with console.pager(styles=True):
        for line, style in lines:
            console.print(Text(line, style=style or ""))


def write_cumulative_json(view: CumulativeView) -> None:
    write_chunks(cumulative_json(view), sys.stdout.write)
