"""``gitarchive import``: a playlist's past from another archive."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
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
from gitarchive.errors import ArchiveError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from gitarchive.importer import ImportResult


@app.command("import")
@handle_errors
def import_(
    source: Annotated[
        str, typer.Argument(help="An archive (path, git URL) or a backup file.", metavar="SOURCE")
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
    date: Annotated[str | None, typer.Option(help="The date of a backup file's version.")] = None,
) -> None:
    """Bring playlists' versions from before their history here, in date order."""
    from gitarchive import backups

    if date is not None or backups.is_backup_file(source):
        _import_backup(source, playlist, date, rewrite_pushed, output_format)
        return
    text = output_format is OutputFormat.text
    label, results = _import_all(source, playlist, rewrite_pushed, _report if text else None)
    if output_format is OutputFormat.json:
        _report_json(label, results)


def _import_all(
    source: str,
    playlists: list[str],
    rewrite_pushed: bool,
    on_result: Callable[[ImportResult], None] | None,
) -> tuple[str, list[ImportResult]]:
    """The source's label, and each playlist imported in turn under the archive lock."""
    from gitarchive import git, importer
    from gitarchive.cli.archive import _identity
    from gitarchive.model import parse_playlist_id

    store = open_store()
    ids = [parse_playlist_id(value) for value in playlists]
    github, branch = link_settings(store)
    identity = _identity(store)
    label = importer.source_label(source)
    results = []
    with _scratch_folder() as scratch:
        source_store = importer.open_source(source, scratch)
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
                if on_result is not None:
                    on_result(result)
    return label, results


@contextlib.contextmanager
def _scratch_folder() -> Iterator[Path]:
    """Where the source is cloned; a disk where none can be made is one line."""
    try:
        folder = tempfile.TemporaryDirectory(prefix="gitarchive-import-")
    except OSError as exc:
        raise ArchiveError(
            f"cannot make a temporary folder to clone the source into (set TMPDIR to a "
            f"writable folder with free space): {exc.strerror or exc}"
        ) from None
    with folder as path:
        yield Path(path)


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


def _import_backup(
    source: str,
    playlist: list[str],
    date: str | None,
    rewrite_pushed: bool,
    output_format: OutputFormat,
) -> None:
    """``import FILE --playlist ID --date DATE``: another tool's backup as one version."""
    from pathlib import Path

    from gitarchive import backups, git
    from gitarchive.cli.archive import _identity
    from gitarchive.cli.common import date_option
    from gitarchive.errors import UsageError
    from gitarchive.model import parse_playlist_id

    if not backups.is_backup_file(source):
        raise UsageError(f"--date is for a backup file: {source} is not a file")
    when = date_option("--date", date, end_of_day=False)
    if when is None:
        raise UsageError(f"importing the backup {source} needs --date: the day it was made")
    if len(playlist) != 1:
        raise UsageError("a backup file becomes the version of one playlist: give one --playlist")
    store = open_store()
    github, branch = link_settings(store)
    with git.ArchiveLock(store):
        result = backups.import_backup(
            store,
            Path(source).expanduser(),
            parse_playlist_id(playlist[0]),
            when=when,
            identity=_identity(store),
            github=github,
            branch=branch,
            allow_pushed=rewrite_pushed,
        )
    if output_format is OutputFormat.json:
        _report_json(Path(source).name, [result])
    else:
        _report(result)
