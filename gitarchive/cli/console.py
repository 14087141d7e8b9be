"""The rich consoles the commands print messages through, made on first use.

Importing rich costs every process ~20 ms at start (``python -X importtime``,
2 cores, load ~3), which ``--version`` and the read commands never need: their
data is written straight to stdout (:mod:`.output`). :mod:`.common` makes these
consoles when a command first prints a message through ``out`` or ``err``.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console

from gitarchive.cli.terminal import safe_renderable, stdout_closed


class SafeConsole(Console):
    """Prints every string literally (see :mod:`gitarchive.cli.terminal`): names, paths and
    server answers in a message are hostile, and no message of ours uses markup."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        super().print(*(safe_renderable(value) for value in objects), **kwargs)

    def on_broken_pipe(self) -> None:
        # rich would exit 1, which reads as a failure; end as every other closed pipe does
        raise SystemExit(stdout_closed())


def make_console(*, stderr: bool) -> SafeConsole:
    return SafeConsole(stderr=stderr, highlight=False, soft_wrap=True)
