"""``gitarchive import``: playlists' past from another archive, or a backup file."""

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
    open_history_store,
    out,
    phase_progress,
)
from gitarchive.errors import ArchiveError, UsageError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from gitarchive.importing import ImportReport, ImportResult


@app.command("import")
@handle_errors
def import_(
    source: Annotated[
        str, typer.Argument(help="An archive (path, git URL) or a backup file.", metavar="SOURCE")
    ],
    playlist: Annotated[
        list[str] | None,
        typer.Option("--playlist", "-p", help="Playlist id, URL or URI to import (repeatable)."),
    ] = None,
    all_playlists: Annotated[
        bool, typer.Option("--all", help="Every playlist the source ever held, in one pass.")
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(help="Exit 1, writing nothing, if any source file cannot be read."),
    ] = False,
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

    chosen = playlist or []
    if all_playlists == bool(chosen):
        raise UsageError("name the playlists to import with --playlist, or pass --all")
    if date is not None or backups.is_backup_file(source):
        if all_playlists:
            raise UsageError("a backup file becomes the version of one playlist: not --all")
        _import_backup(source, chosen, date, rewrite_pushed, output_format)
        return
    text = output_format is OutputFormat.text
    report = _import_archive(source, None if all_playlists else chosen, rewrite_pushed, strict)
    if text:
        _report_text(report, summary_only=all_playlists)
    else:
        _report_json(report)


def _import_archive(
    source: str, playlists: list[str] | None, rewrite_pushed: bool, strict: bool
) -> ImportReport:
    """Every chosen playlist (None: all) imported in one pass under the archive lock."""
    from gitarchive import git, importing
    from gitarchive.cli.archive import _identity
    from gitarchive.errors import PlaylistNotFound
    from gitarchive.model import parse_playlist_id

    store = open_history_store()  # a shallow chain's rewrite would drop what it lacks
    ids = None if playlists is None else [parse_playlist_id(value) for value in playlists]
    github, branch = link_settings(store)
    label = importing.source_label(source)
    writing = importing.Writing(label, _identity(store), github, branch)
    with _scratch_folder() as scratch, phase_progress() as progress:
        source_store = importing.open_source(source, scratch)
        read = importing.read_source(source_store, ids, progress=progress)
        missing = [playlist_id for playlist_id in ids or [] if playlist_id not in read.versions]
        if missing:
            raise PlaylistNotFound(
                f"playlist {missing[0]} has no version in {label}", playlist=missing[0]
            )
        if not read.versions:
            raise PlaylistNotFound(f"{label} holds no playlist's version")
        with git.ArchiveLock(store):
            return importing.import_archive(
                store,
                read,
                writing,
                allow_pushed=rewrite_pushed,
                strict=strict,
                progress=progress,
            )


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


def _report_json(report: ImportReport) -> None:
    import json
    import sys

    from gitarchive.history import iso_utc

    playlists = [
        {
            "id": r.playlist_id,
            "name": r.name,
            "imported": [iso_utc(date) for date in r.imported],
            "newer_skipped": r.newer_skipped,
            "already_here": r.already_here,
            "replayed": r.replayed,
            "tip": r.tip,
            "cumulative_commit": r.cumulative_commit,
            "merges_replayed_with_first_parent_only": list(r.flattened),
        }
        for r in report.playlists
    ]
    summary = {
        "playlists": sum(1 for r in report.playlists if r.imported),
        "versions": report.versions,
        "commits": report.commits,
        "replayed": report.replayed,
        "tip": report.tip,
        "cumulative_commit": report.cumulative_commit,
        "merges_replayed_with_first_parent_only": list(report.flattened),
        "skipped": [
            {
                "commit": skip.commit,
                "path": skip.path,
                "line": skip.line,
                "reason": skip.reason,
                "playlist": skip.playlist,
                "read_instead": skip.instead,
            }
            for skip in report.skipped
        ],
    }
    document = {"source": report.source, "playlists": playlists, "summary": summary}
    sys.stdout.write(json.dumps(_json_safe(document), ensure_ascii=False, indent=2) + "\n")


def _json_safe(value: object) -> object:
    """``value`` with every string's undecodable bytes escaped as ``\\xNN``: a git tree
    entry's name may be any bytes (read with surrogate escapes), and the document must
    be UTF-8."""
    if isinstance(value, str):
        return _escaped(value, "backslashreplace")
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    return value


def _escaped(text: str, errors: str) -> str:
    """``text`` as valid UTF-8: its surrogate-escaped bytes (and any lone surrogate)
    written as ``errors`` writes an undecodable byte."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte
        raw = text.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", errors)


def _report_text(report: ImportReport, *, summary_only: bool) -> None:
    if not summary_only:
        for result in report.playlists:
            _report_playlist(result)
    imported = sum(1 for r in report.playlists if r.imported)
    already = sum(r.already_here for r in report.playlists)
    out.print(
        f"imported {report.versions} versions of {imported} of the source's "
        f"{len(report.playlists)} playlists in {report.commits} commits; "
        f"{report.replayed} later commits replayed"
        + (f"; {already} source versions were already here" if already else ""),
        markup=False,
    )
    if report.flattened:
        shown = ", ".join(commit[:12] for commit in report.flattened)
        out.print(
            f"  merges replayed with their first parent only (their other parent reaches the "
            f"rewritten commits; docs/import.md): {shown}",
            markup=False,
        )
    if report.skipped:
        out.print(
            f"skipped {len(report.skipped)} source files that could not be read "
            "(each cost one version at most):",
            markup=False,
        )
        for skip in report.skipped:
            instead = f" (read {skip.instead} instead)" if skip.instead else ""
            line = f"  {skip.where()}: {skip.reason}{instead}"
            out.print(_escaped(line, "replace"), markup=False)
    if report.tip and report.commits:
        out.print(f"branch now at {report.tip[:12]}", markup=False)


def _report_playlist(result: ImportResult) -> None:
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
        f"({first:%Y-%m-%d} .. {last:%Y-%m-%d})"
        + (
            f", {result.newer_skipped} newer source versions skipped"
            if result.newer_skipped
            else ""
        ),
        markup=False,
    )


def _import_backup(
    source: str,
    playlist: list[str],
    date: str | None,
    rewrite_pushed: bool,
    output_format: OutputFormat,
) -> None:
    """``import FILE --playlist ID --date DATE``: another tool's backup as one version."""
    from gitarchive import backups, git
    from gitarchive.cli.archive import _identity
    from gitarchive.cli.common import date_option
    from gitarchive.importing import ImportReport
    from gitarchive.model import parse_playlist_id

    if not backups.is_backup_file(source):
        raise UsageError(f"--date is for a backup file: {source} is not a file")
    when = date_option("--date", date, end_of_day=False)
    if when is None:
        raise UsageError(f"importing the backup {source} needs --date: the day it was made")
    if len(playlist) != 1:
        raise UsageError("a backup file becomes the version of one playlist: give one --playlist")
    store = open_history_store()  # a shallow chain's rewrite would drop what it lacks
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
    report = ImportReport(
        Path(source).name,
        (result,),
        len(result.imported),
        result.replayed,
        result.tip,
        result.cumulative_commit,
        result.flattened,
        (),
    )
    if output_format is OutputFormat.json:
        _report_json(report)
    else:
        _report_text(report, summary_only=False)
