"""CLI side of the change index: the read commands' bodies, ``index`` and ``export``.

The read commands (``history``, ``cumulative``, ``show --at DATE``) go through
the change index; their outputs are written by :mod:`gitarchive.output`
straight to stdout, rich only colouring and paging on a terminal.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from datetime import datetime

    from gitarchive.gitstore import Store
    from gitarchive.model import CumulativeView
    from gitarchive.timeline import Entry


def _warn(message: str) -> None:
    sys.stderr.write(f"gitarchive: warning: {message}\n")


def _index_call(store: Store, action: Any) -> Any:
    from gitarchive.index import using_index

    return using_index(store, _warn, action)


def history_entries(store: Store, playlist_id: str) -> list[Entry]:
    return list(_index_call(store, lambda index: index.entries(playlist_id)))


def cumulative_view(store: Store, playlist_id: str) -> CumulativeView | None:
    view: CumulativeView | None = _index_call(store, lambda index: index.cumulative(playlist_id))
    return view


def commit_at(store: Store, when: datetime) -> str | None:
    found: str | None = _index_call(store, lambda index: index.commit_at(when))
    return found


def write_history(
    output_format: str, name: str, playlist_id: str, listed: list[Entry], *, likes: bool
) -> None:
    from gitarchive import output

    write = sys.stdout.write
    if output_format == "json":
        output.write_chunks(output.history_json(playlist_id, name, listed), write)
    elif output_format == "markdown":
        output.write_chunks(output.timeline_markdown(name, playlist_id, listed, likes=likes), write)
    else:
        lines = output.timeline_text(name, playlist_id, listed, likes=likes)
        from gitarchive.cli import out

        if out.is_terminal:
            _print_terminal(out, lines)
        else:
            output.write_chunks(
                (output.terminal_safe(line) + "\n" for line, _style in lines), write
            )


def _print_terminal(console: Any, lines: Any) -> None:
    """Like git log on a terminal: coloured and paged."""
    from rich.text import Text

    os.environ.setdefault("LESS", "FRX")  # what git sets: quit if one screen, keep colours
    with console.pager(styles=True):
        for line, style in lines:
            console.print(Text(line, style=style or ""))


def write_cumulative_json(view: CumulativeView) -> None:
    from gitarchive import output

    output.write_chunks(output.cumulative_json(view), sys.stdout.write)


# ---------------------------------------------------------------- commands


def register(app: typer.Typer) -> None:
    app.command("index")(index_command)
    app.command("export")(export_command)


def index_command(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Rebuild it from the log.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the change index's state (a cache under .git/), catching it up first."""
    from gitarchive import cli
    from gitarchive.gitstore import Store

    @cli.handle_errors
    def run() -> None:
        store = Store.discover(cli.state.directory)

        def act(index: Any) -> dict[str, Any]:
            if rebuild:
                index.rebuild()
            else:
                index.catch_up_all()
            status: dict[str, Any] = index.status()
            return status

        status = _index_call(store, act)
        if json_output:
            import json

            sys.stdout.write(json.dumps(status, indent=2) + "\n")
            return
        where = status["path"] or "not written (read-only repository or GITARCHIVE_NO_INDEX)"
        sys.stdout.write(
            f"index:     {where}\n"
            f"commits:   {status['commits']} (tip {status['tip'] or '-'})\n"
            f"playlists: {status['playlists']}\n"
            f"versions:  {status['versions']}\n"
        )

    run()


def export_command(
    kind: Annotated[str, typer.Argument(help="Export format: sqlite.")],
    file: Annotated[Path, typer.Argument(help="The database file to write (replaced).")],
    playlist: Annotated[
        list[str] | None, typer.Option("--playlist", help="Only this playlist (repeatable).")
    ] = None,
) -> None:
    """Export the archive's history as a Datasette-ready SQLite database."""
    from gitarchive import cli
    from gitarchive.gitstore import Store

    @cli.handle_errors
    def run() -> None:
        from gitarchive import versions
        from gitarchive.errors import UsageError
        from gitarchive.index.export import export_sqlite

        if kind != "sqlite":
            raise UsageError(f"export {kind!r}: the only format is sqlite")
        store = Store.discover(cli.state.directory)
        wanted = [versions.resolve_playlist(store, item) for item in playlist or []]
        counts = _index_call(store, lambda index: export_sqlite(index, file, wanted or None))
        sys.stdout.write(
            f"wrote {file}: {counts['playlists']} playlists, {counts['versions']} versions, "
            f"{counts['events']} changes\n"
        )

    run()
