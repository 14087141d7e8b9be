"""The command line: thin typer commands over the core modules.

``app`` and the options every command shares live in :mod:`.common`; each
command group is a module that registers its commands on ``app`` when it is
imported: :mod:`.archive` (init, add, remove, list, sync), :mod:`.access`
(doctor), :mod:`.history`, :mod:`.cumulative` and :mod:`.show` (one read command
each: typer builds the parameters of every imported command at each start), :mod:`.site`,
:mod:`.importing` (import), :mod:`.restore`, :mod:`.check` (validate, hooks, hook),
:mod:`.login`, :mod:`.demo` and :mod:`.index` (index, export).

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

A process imports only the module of the command it runs (:func:`main` reads
the command's name in its arguments, :data:`COMMANDS`): typer builds every
imported command's parameters from its signature at each start, and the
command modules import asyncio and the like. ``--version`` imports none;
``--help``, completion and a name that is no command import them all. Reading
``app`` (``from gitarchive.cli import app``: docgen, tests) imports them all too.
Importing every module at start cost ``--version`` ~60 ms (0.08 s against 0.14 s,
medians of 11 alternating runs, load ~3 on 2 cores).

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
import os
import sys
from typing import TYPE_CHECKING, Any

from gitarchive.cli.common import fail, handle_errors, state
from gitarchive.cli.terminal import BROKEN_PIPE_EXIT, stdout_closed

if TYPE_CHECKING:
    import typer

    app: typer.Typer  # every command loaded: __getattr__ below

# Each module registers its commands on `app` when imported; this order is --help's.
COMMAND_MODULES = (
    "archive",
    "access",
    "history",
    "cumulative",
    "show",
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
# Every command (and command group) by name, and the module that registers it
# (tests/test_cli_startup.py checks this against what the modules register).
COMMANDS = {
    **dict.fromkeys(("init", "add", "remove", "list", "sync"), "archive"),
    "doctor": "access",
    "history": "history",
    "cumulative": "cumulative",
    "show": "show",
    "changes": "changes",
    "site": "site",
    "track": "track",
    "import": "importing",
    "restore": "restore",
    **dict.fromkeys(("validate", "hooks", "hook"), "check"),
    "login": "login",
    "demo": "demo",
    **dict.fromkeys(("index", "export"), "index"),
}
# the options before the command: those that take a value, and the flags
_VALUE_OPTIONS = frozenset({"-C"})
_FLAGS = frozenset({"-v", "--verbose", "--no-pager"})


def command_modules(args: list[str]) -> tuple[str, ...]:
    """The command modules a run with these arguments needs (none for ``--version``)."""
    if "_GITARCHIVE_COMPLETE" in os.environ:  # shell completion lists every command
        return COMMAND_MODULES
    rest = iter(args)
    for arg in rest:
        if arg in _VALUE_OPTIONS:
            next(rest, None)
        elif arg == "--version":  # eager: it prints and exits before any command is read
            return ()
        elif arg not in _FLAGS and not (arg.startswith("-C") and len(arg) > 2):
            module = COMMANDS.get(arg)
            return COMMAND_MODULES if module is None else (module,)
    return COMMAND_MODULES  # no command: the help


def load_commands(modules: tuple[str, ...] = COMMAND_MODULES) -> typer.Typer:
    """``app`` with (at least) these modules' commands registered, in --help's order."""
    from gitarchive.cli.common import app

    count = len(app.registered_commands)
    for module in modules:
        importlib.import_module(f"{__name__}.{module}")
    if len(app.registered_commands) != count:
        # modules loaded one at a time (a process of tests runs many commands)
        # register out of order; --help and docs/cli.md list them in this order
        rank = {f"{__name__}.{name}": place for place, name in enumerate(COMMAND_MODULES)}
        app.registered_commands.sort(
            key=lambda info: rank.get(getattr(info.callback, "__module__", ""), len(rank))
        )
    return app


def __getattr__(name: str) -> Any:
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return load_commands()


# Commands whose process holds nothing to release once they return: their
# process ends without Python's finalization, which frees every object a read
# built and libgit2's caches one by one (20-25 ms of CPU after the first
# `history` of a fresh clone, a tenth of its work; bench/reads_cold.py;
# ~20 ms of a warm `track`, bench/track.py).
_QUICK_EXIT = frozenset({("history",), ("cumulative",), ("show",), ("track",), ("changes",)})


def main(argv: list[str] | None = None) -> Any:
    """Console entry point (``gitarchive``); ``argv`` lets tests call it in-process."""
    modules = command_modules(sys.argv[1:] if argv is None else argv)
    app = load_commands(modules)
    try:
        return app(args=argv, prog_name="gitarchive")
    except SystemExit as exc:
        if argv is None and modules in _QUICK_EXIT and isinstance(exc.code, int | None):
            _flush_stdout()
            sys.stderr.flush()
            os._exit(exc.code or 0)
        raise
    finally:
        _flush_stdout()


def _flush_stdout() -> None:
    # what is still buffered is written here, not at interpreter exit, where
    # a closed pipe would print "Exception ignored ... BrokenPipeError"
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        stdout_closed()
        raise SystemExit(BROKEN_PIPE_EXIT) from None


__all__ = ["COMMAND_MODULES", "app", "fail", "handle_errors", "main", "state"]
