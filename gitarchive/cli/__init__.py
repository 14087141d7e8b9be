"""The command line: thin typer commands over the core modules.

``app`` and the options every command shares live in :mod:`.common`; each
command group is a module that registers its commands on ``app`` when it is
imported: :mod:`.archive` (init, add, remove, list, sync), :mod:`.access`
(doctor), :mod:`.read` (history, cumulative, show), :mod:`.site`, :mod:`.importing`
(import), :mod:`.restore`, :mod:`.check` (validate, hooks, hook), :mod:`.login`,
:mod:`.demo` and :mod:`.index` (index, export).

To add a command, write a new module here that does::

    from gitarchive.cli.common import app, handle_errors

    @app.command()
    @handle_errors
    def mycommand(...) -> None:
        "One line of help: --help and docs/cli.md show it."

and add its name to ``COMMAND_MODULES`` below. That order is the order of
``gitarchive --help`` and of docs/cli.md (regenerate it with
``python -m gitarchive.docgen > docs/cli.md``).
Commands stay thin: parse options, call the core, print; domain errors are
mapped to exit codes by ``handle_errors`` only.

A command imports the core it uses inside its function, on first use: importing
every command's core at start (sync, the Spotify client, the readers, the index,
site, validate, restore, exports, markdown-it) makes every start 0.50 s slower
(0.15 s against 0.65 s, medians of 11 alternating runs of ``python -c "import
gitarchive.cli"`` with and without them, load 2.9 on 2 cores), ``--version`` and a
warm ``history`` included. That is the one place imports inside functions are the
rule rather than an exception (tests/test_architecture.py).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from gitarchive.cli.common import BROKEN_PIPE_EXIT, app, fail, handle_errors, state, stdout_closed

# Each module registers its commands on `app` when imported, in this order.
COMMAND_MODULES = (
    "archive",
    "access",
    "read",
    "changes",
    "site",
    "track",
    "importing",
    "restore",
    "check",
    "login",
    "demo",
    "index",
)
for _module in COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_module}")


def main(argv: list[str] | None = None) -> Any:
    """Console entry point (``gitarchive``); ``argv`` lets tests call it in-process."""
    try:
        return app(args=argv, prog_name="gitarchive")
    finally:
        # what is still buffered is written here, not at interpreter exit, where
        # a closed pipe would print "Exception ignored ... BrokenPipeError"
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            stdout_closed()
            raise SystemExit(BROKEN_PIPE_EXIT) from None


__all__ = ["COMMAND_MODULES", "app", "fail", "handle_errors", "main", "state"]
