"""What every command shares: the app, options before the command, error handling, output.

This is, with the command modules beside it, the only code that knows about
typer, rich, exit codes and the terminal. Domain errors (``GitArchiveError``)
are caught here and only here (:func:`handle_errors`), turned into one line on
stderr and exit status 1; anything unexpected is a bug and exits 3 with a short
"please report" line; Ctrl-C exits 130; a reader that stops reading
(``gitarchive history | head``) ends the command quietly with 141, as git does.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer

from gitarchive import __version__
from gitarchive.cli.terminal import stdout_closed
from gitarchive.errors import GitArchiveError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from datetime import datetime

    from gitarchive.cli.console import SafeConsole
    from gitarchive.git import Store
    from gitarchive.index import ChangeIndex

    # made on first use by __getattr__ below: messages on stderr, and stdout
    err: SafeConsole
    out: SafeConsole


P = ParamSpec("P")


R = TypeVar("R")
T = TypeVar("T")


ISSUES_URL = "https://github.com/gitarchive/gitarchive/issues"


app = typer.Typer(
    name="gitarchive",
    help="A git-native archive of Spotify playlists.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def __getattr__(name: str) -> SafeConsole:
    """``out`` and ``err``, the consoles, made on first use (rich is not imported before)."""
    if name not in ("out", "err"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from gitarchive.cli.console import make_console

    console = make_console(stderr=name == "err")
    globals()[name] = console
    return console


def _err() -> SafeConsole:
    console: SafeConsole = globals().get("err") or __getattr__("err")
    return console


class State:
    """Options given before the command, shared by every command."""

    def __init__(self) -> None:
        self.directory = Path()  # the working directory, resolved per invocation
        self.verbose = False
        self.pager = True


state = State()


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` as gitarchive's one-line error and return the Exit to raise."""
    _err().print(f"gitarchive: error: {message}", markup=False)
    return typer.Exit(code)


@contextlib.contextmanager
def phase_progress() -> Iterator[Callable[[str, int, int], None] | None]:
    """``progress(phase, done, total)`` for a long pass: a transient bar per phase on
    stderr when it is a terminal, else no callback (the core then reports nothing)."""
    if not _err().is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

    bar = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=_err(),
        transient=True,
    )  # fmt: skip
    tasks: dict[str, TaskID] = {}

    def update(phase: str, done: int, total: int) -> None:
        task = tasks.get(phase)
        if task is None:
            task = tasks[phase] = bar.add_task(phase, total=total)
        bar.update(task, completed=done, total=total)

    with bar:
        yield update


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Map domain errors to exit 1, Ctrl-C to 130 and bugs to exit 3, at the CLI edge.

    A command run with ``--format json`` also prints an error document on stdout
    (gitarchive/schemas/error.json), so that a script reading it always gets JSON.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        as_json = wants_json(kwargs)
        try:
            return func(*args, **kwargs)
        except GitArchiveError as exc:
            if as_json:
                error_document(type(exc).__name__, str(exc), 1)
            raise fail(str(exc)) from None
        except KeyboardInterrupt:
            _err().print("gitarchive: interrupted", markup=False)
            raise typer.Exit(130) from None
        except BrokenPipeError:
            raise typer.Exit(stdout_closed()) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as exc:
            if state.verbose:
                raise
            if as_json:
                error_document("InternalError", f"{type(exc).__name__}: {exc}", 3)
            _err().print(
                f"gitarchive: internal error: {type(exc).__name__}: {exc}\n"
                f"This is a bug; please report it at {ISSUES_URL} "
                "(run again with -v for the traceback).",
                markup=False,
            )
            raise typer.Exit(3) from None

    return wrapper


def wants_json(options: dict[str, object]) -> bool:
    """Whether a command's options ask for JSON: ``--format json`` (or the old ``--json``)."""
    chosen = options.get("output_format")
    return getattr(chosen, "value", chosen) == "json" or options.get("json_output") is True


def error_document(kind: str, message: str, exit_code: int) -> None:
    """The JSON a ``--format json`` command prints on stdout when it fails."""
    import json

    from gitarchive.errors import redact

    document = {"error": {"type": kind, "message": redact(message)}, "exit_code": exit_code}
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def deprecated_json_flag(used: bool) -> None:
    """The note a hidden ``--json`` alias prints (stderr: stdout stays pure JSON)."""
    if used:
        _err().print(
            "gitarchive: warning: --json is deprecated and will be removed; use --format json",
            markup=False,
        )


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"gitarchive {__version__}\n")
        raise typer.Exit()


@app.callback()
def main_options(
    directory: Annotated[
        Path | None,
        typer.Option(
            "-C",
            help="Run as if started in PATH: act on the archive that contains it.",
            metavar="PATH",
            show_default=False,
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("-v", "--verbose", help="Log debug details (never secrets).")
    ] = False,
    no_pager: Annotated[
        bool, typer.Option("--no-pager", help="Never page output (like git --no-pager).")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """A git-native archive of Spotify playlists."""
    # set on every invocation: tests (and embedders) call the app more than once per process
    if directory is None or not directory.is_absolute():
        try:
            state.directory = Path.cwd()
        except FileNotFoundError:  # the working directory was deleted under the shell
            raise fail("the current directory no longer exists; cd to an existing one") from None
    if directory is not None:
        if not directory.is_dir():
            raise fail(f"-C {directory}: no such directory")
        state.directory = directory.resolve()
    state.verbose = verbose
    state.pager = not no_pager
    if verbose:
        logging.getLogger("gitarchive").removeHandler(_WARNINGS)
        # only our own loggers: markdown-it and httpx at debug would bury them
        logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
        logging.getLogger("gitarchive").setLevel(logging.DEBUG)
    else:
        # the core's logged warnings (e.g. a version that cannot be read) as ours
        logging.getLogger("gitarchive").addHandler(_WARNINGS)


def open_store() -> Store:
    from gitarchive.git import Store

    return Store.discover(state.directory)


def open_history_store() -> Store:
    """The repository of a command that reads history: refused when the clone is shallow.

    Every read command opens its repository here (history, cumulative, show,
    list, site, index, export): a shallow clone's missing versions would make
    each of them silently wrong.
    """
    from gitarchive import git

    store = git.Store.discover(state.directory)
    git.require_full_history(store)
    return store


def open_playlist(argument: str) -> tuple[Store, str]:
    from gitarchive.model import is_playlist_id

    store = open_history_store()
    if is_playlist_id(argument):  # spares importing the readers when the index answers
        return store, argument
    from gitarchive import lookup

    return store, lookup.resolve_playlist(store, argument)


def warn(message: str) -> None:
    """A warning on stderr that does not stop the command."""
    _err().print(f"gitarchive: warning: {message}", markup=False)


class _WarningHandler(logging.Handler):
    """The core's logged warnings, printed as the CLI's own (:func:`warn`)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        warn(record.getMessage())


_WARNINGS = _WarningHandler()


def index_call(store: Store, action: Callable[[ChangeIndex], T]) -> T:
    """``action`` on the caught-up change index (a damaged one is rebuilt with a warning)."""
    from gitarchive.index import using_index

    return using_index(store, warn, action)


def not_archived(playlist_id: str) -> GitArchiveError:
    from gitarchive.errors import PlaylistNotFound

    return PlaylistNotFound(
        f"playlist {playlist_id} has no archived version in this repository's history",
        playlist=playlist_id,
    )


def date_option(option: str, value: str | None, *, end_of_day: bool) -> datetime | None:
    if value is None:
        return None
    from gitarchive.dates import parse_moment
    from gitarchive.errors import UsageError

    moment = parse_moment(value, end_of_day=end_of_day)
    if moment is None:
        raise UsageError(
            f"{option} {value!r}: expected a date as git takes it: YYYY-MM-DD, "
            "YYYY-MM-DDTHH:MM[:SS][Z], yesterday, '2 weeks ago'"
        )
    return moment


def link_settings(store: Store) -> tuple[str | None, str]:
    """The githistory link settings sync uses: gitarchive.toml, else the origin remote."""
    from gitarchive import git
    from gitarchive.settings import SETTINGS_FILE, load_settings, parse_settings

    if store.workdir is not None:
        settings = load_settings(store.workdir)
    else:
        head = git.head_id(store)
        data = None if head is None else git.read_file(store, head, SETTINGS_FILE)
        settings = parse_settings(data.decode("utf-8")) if data is not None else load_settings(None)
    return settings.github or git.github_slug(store), settings.branch


class OutputFormat(StrEnum):
    """``--format`` of the commands that print data (schemas in gitarchive/schemas/)."""

    text = "text"
    json = "json"


FORMAT_HELP = "Output format (JSON: see gitarchive/schemas/)."
# the playlist a read command reads (history, cumulative, show)
PlaylistArgument = Annotated[str, typer.Argument(help="Playlist id, URL, URI or name.")]
