"""Commands over the change index: index (its state, --rebuild) and export sqlite."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gitarchive.cli.common import (
    FORMAT_HELP,
    OutputFormat,
    app,
    deprecated_json_flag,
    handle_errors,
    index_call,
    open_store,
)

if TYPE_CHECKING:
    from gitarchive.index import ChangeIndex


@app.command("index")
@handle_errors
def index_command(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Rebuild it from the log.")] = False,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help=FORMAT_HELP)
    ] = OutputFormat.text,
    json_output: Annotated[bool, typer.Option("--json", hidden=True)] = False,
) -> None:
    """Show the change index's state (a cache under .git/), catching it up first."""
    from gitarchive import git

    deprecated_json_flag(json_output)
    store = open_store()
    git.require_full_history(store)

    def act(index: ChangeIndex) -> dict[str, Any]:
        if rebuild:
            index.rebuild()
        else:
            index.catch_up_all()
        return index.status()

    status = index_call(store, act)
    if json_output or output_format is OutputFormat.json:
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


@app.command("export")
@handle_errors
def export_command(
    kind: Annotated[str, typer.Argument(help="Export format: sqlite.")],
    file: Annotated[Path, typer.Argument(help="The database file to write (replaced).")],
    playlist: Annotated[
        list[str] | None, typer.Option("--playlist", help="Only this playlist (repeatable).")
    ] = None,
) -> None:
    """Export the archive's history as a Datasette-ready SQLite database."""
    from gitarchive import git, versions
    from gitarchive.errors import UsageError
    from gitarchive.index.export import export_sqlite

    if kind != "sqlite":
        raise UsageError(f"export {kind!r}: the only format is sqlite")
    store = open_store()
    git.require_full_history(store)
    wanted = [versions.resolve_playlist(store, item) for item in playlist or []]
    counts = index_call(store, lambda index: export_sqlite(index, file, wanted or None))
    sys.stdout.write(
        f"wrote {file}: {counts['playlists']} playlists, {counts['versions']} versions, "
        f"{counts['events']} changes\n"
    )
