"""``gitarchive import``: a playlist's past from another archive."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from gitarchive.cli.common import (
    FORMAT_HELP,
    OutputFormat,
    app,
    handle_errors,
    link_settings,
    open_store,
    out,
)

if TYPE_CHECKING:
    from gitarchive.importer import ImportResult


@app.command("import")
@handle_errors
def import_(
    source: Annotated[
        str, typer.Argument(help="Another archive: a local path or a git URL.", metavar="SOURCE")
    ],
    playlist: Annotated[
        list[str],
        typer.Option(
            "--playlist", "-p", help="Playlist id, URL or URI to import (repeatable).", min=1
        ),
    ],
    rewrite_pushed: Annotated[
        bool,
        typer.Option(
            help="Rewrite commits a remote already has (then force-push: docs/import.md)."
        ),
    ] = False,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help=FORMAT_HELP)
    ] = OutputFormat.text,
) -> None:
    """Bring playlists' versions from before their history here, in date order."""
    import tempfile
    from pathlib import Path

    from gitarchive import git, importer
    from gitarchive.cli.archive import _identity
    from gitarchive.model import parse_playlist_id

    store = open_store()
    ids = [parse_playlist_id(value) for value in playlist]
    github, branch = link_settings(store)
    identity = _identity(store)
    label = importer.source_label(source)
    results = []
    with tempfile.TemporaryDirectory(prefix="gitarchive-import-") as scratch:
        source_store = importer.open_source(source, Path(scratch))
        with git.ArchiveLock(store):
            for playlist_id in ids:
                result = importer.import_playlist(
                    store,
                    source_store,
                    playlist_id,
                    label=label,
                    identity=identity,
                    github=github,
                    branch=branch,
                    allow_pushed=rewrite_pushed,
                )
                results.append(result)
                if output_format is OutputFormat.text:
                    _report(result)
    if output_format is OutputFormat.json:
        _report_json(label, results)


def _report_json(label: str, results: list[ImportResult]) -> None:
    import json
    import sys

    from gitarchive.history import iso_utc

    playlists = [
        {
            "id": r.playlist_id,
            "name": r.name,
            "imported": [iso_utc(date) for date in r.imported],
            "newer_skipped": r.newer_skipped,
            "replayed": r.replayed,
            "tip": r.tip,
            "cumulative_commit": r.cumulative_commit,
            "merges_replayed_with_first_parent_only": list(r.flattened),
        }
        for r in results
    ]
    document = {"source": label, "playlists": playlists}
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def _report(result: ImportResult) -> None:
    if not result.imported:
        out.print(
            f"{result.playlist_id}  nothing to import: no source version is older than "
            f"its history here ({result.newer_skipped} newer skipped)",
            markup=False,
        )
        return
    first, last = result.imported[0], result.imported[-1]
    out.print(
        f"{result.playlist_id}  imported {len(result.imported)} versions of {result.name} "
        f"({first:%Y-%m-%d} .. {last:%Y-%m-%d}); {result.replayed} later commits replayed"
        + (
            f", {result.newer_skipped} newer source versions skipped"
            if result.newer_skipped
            else ""
        ),
        markup=False,
    )
    if result.flattened:
        shown = ", ".join(commit[:12] for commit in result.flattened)
        out.print(
            f"  merges replayed with their first parent only (their other parent reaches the "
            f"rewritten commits; docs/import.md): {shown}",
            markup=False,
        )
    if result.tip:
        out.print(f"  branch now at {result.tip[:12]}", markup=False)
