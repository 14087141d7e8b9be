"""Commands over the change index: index (its state, --rebuild) and export."""

from __future__ import annotations

import sys
from enum import StrEnum
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
    open_history_store,
    phase_progress,
)

if TYPE_CHECKING:
    from gitarchive.git import Store
    from gitarchive.index import ChangeIndex


@app.command("index")
@handle_errors
def index_command(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Rebuild it from the log.")] = False,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help=FORMAT_HELP)
    ] = OutputFormat.text,
    json_output: Annotated[bool, typer.Option("--json", hidden=True)] = False,
    jobs: Annotated[
        str | None,
        typer.Option(
            "--jobs",
            metavar="N",
            help="Fold in at most N processes (default: GITARCHIVE_INDEX_JOBS, else one per "
            "CPU; 1: this one only).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Show the change index's state (a cache under .git/), catching it up first."""
    from gitarchive.index.workers import parse_jobs

    deprecated_json_flag(json_output)
    processes = None if jobs is None else parse_jobs(jobs, "--jobs")
    store = open_history_store()

    status = _fold_with_progress(store, rebuild=rebuild, jobs=processes)
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


def _fold_with_progress(store: Store, *, rebuild: bool, jobs: int | None) -> dict[str, Any]:
    """Catch the index up (or rebuild it) and return its state; on a terminal, a
    transient bar per step of the fold on stderr (commits read, playlists folded)."""

    def act(index: ChangeIndex) -> dict[str, Any]:
        if rebuild:
            index.rebuild(on_progress, jobs)
        else:
            index.catch_up_all(on_progress, jobs)
        return index.status()

    with phase_progress() as on_progress:
        return index_call(store, act)


class ExportFormat(StrEnum):
    sqlite = "sqlite"
    csv = "csv"
    m3u8 = "m3u8"
    xspf = "xspf"
    json = "json"


@app.command("export")
@handle_errors
def export_command(
    kind: Annotated[
        ExportFormat,
        typer.Argument(
            help="csv, m3u8, xspf, json or sqlite.", metavar="FORMAT", show_default=False
        ),
    ],
    out: Annotated[
        Path,
        typer.Argument(
            help="The file to write (replaced in one rename); a folder of <id> files for "
            "several playlists. Never a link or a device.",
            metavar="OUT",
        ),
    ],
    playlist: Annotated[
        list[str] | None,
        typer.Option("--playlist", help="Only this playlist (repeatable; default: all)."),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(help="The versions at a date or revision, as show --at takes it."),
    ] = None,
    cumulative: Annotated[
        bool, typer.Option("--cumulative", help="Every track each playlist ever held.")
    ] = False,
) -> None:
    """Export playlists: csv (Exportify's columns), m3u8, xspf, json, or a sqlite database."""
    from gitarchive import lookup
    from gitarchive.errors import UsageError

    store = open_history_store()
    # each once, in the order given: one playlist named twice is still one file
    wanted = list(dict.fromkeys(lookup.resolve_playlist(store, item) for item in playlist or []))
    if kind is ExportFormat.sqlite:
        if at is not None or cumulative:
            raise UsageError("export sqlite holds every version: it takes no --at or --cumulative")
        _export_sqlite(store, out, wanted)
        return
    if at is not None and cumulative:
        raise UsageError("--at and --cumulative exclude each other")
    _export_files(store, kind, out, wanted, at, cumulative)


def _export_files(
    store: Store, kind: ExportFormat, out: Path, wanted: list[str], at: str | None, cumulative: bool
) -> None:
    from gitarchive.errors import UsageError
    from gitarchive.exports import source
    from gitarchive.exports.write import write

    found = index_call(
        store,
        lambda index: source.collect(store, index, wanted or None, at=at, cumulative=cumulative),
    )
    if not found:
        raise UsageError("the archive holds no playlist to export")
    # written outside the index's call: a failed write is never taken for a damaged index
    done = write(kind.value, found, out, one_file=len(wanted) == 1)
    left = f" ({done.left_out} without a Spotify link left out)" if done.left_out else ""
    sys.stdout.write(f"wrote {out}: {done.playlists} playlists, {done.tracks} tracks{left}\n")


def _export_sqlite(store: Store, out: Path, wanted: list[str]) -> None:
    from gitarchive.index.export import export_sqlite

    counts = index_call(store, lambda index: export_sqlite(index, out, wanted or None))
    sys.stdout.write(
        f"wrote {out}: {counts['playlists']} playlists, {counts['versions']} versions, "
        f"{counts['events']} changes\n"
    )
