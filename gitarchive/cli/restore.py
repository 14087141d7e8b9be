"""`gitarchive restore`: an archived version back into a Spotify playlist.

Thin: the work is in :mod:`gitarchive.restore`; the write requests in
:mod:`gitarchive.spotify.writes`.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from gitarchive.cli.common import (
    FORMAT_HELP,
    OutputFormat,
    app,
    err,
    fail,
    handle_errors,
    index_call,
    not_archived,
    open_playlist,
    out,
)

if TYPE_CHECKING:
    from datetime import datetime

    from gitarchive.git import Store
    from gitarchive.model import CumulativeView
    from gitarchive.restore import Diff, RestoreOptions, RestoreResult, RestoreSource

SHOWN = 10  # names listed per kind of change; the rest are counted


def _source(store: Store, playlist_id: str, at: str | None, cumulative: bool) -> RestoreSource:
    from gitarchive.restore import cumulative_source, version_source

    if cumulative:
        view: CumulativeView | None = index_call(store, lambda index: index.cumulative(playlist_id))
        if view is None:
            raise not_archived(playlist_id)
        return cumulative_source(store, view)

    def commit_at(when: datetime) -> str | None:
        found: str | None = index_call(store, lambda index: index.commit_at(when))
        return found

    return version_source(store, playlist_id, at, commit_at=commit_at)


def _names(sign: str, names: tuple[str, ...]) -> list[str]:
    lines = [f"  {sign} {name}" for name in names[:SHOWN]]
    if len(names) > SHOWN:
        lines.append(f"  {sign} ... and {len(names) - SHOWN} more")
    return lines


def _diff_lines(diff: Diff) -> list[str]:
    head = f"{len(diff.added)} added, {len(diff.removed)} removed, {len(diff.moved)} moved"
    if diff.empty:
        return ["no difference: the playlist already holds this version"]
    return [
        head,
        *_names("+", diff.added),
        *_names("-", diff.removed),
        *_names("~", diff.moved),
    ]


def _ask(diff: Diff) -> bool:
    for line in _diff_lines(diff):
        err.print(line, markup=False)
    return typer.confirm("Change the playlist to this version?", default=False, err=True)


def _report(result: RestoreResult, *, asked: bool) -> None:
    for skip in result.wanted.skipped:
        err.print(f"not restorable: {skip.line()}", markup=False)
    for name in result.unavailable:
        err.print(f"Spotify no longer serves: {name}", markup=False)
    if not asked:
        for line in _diff_lines(result.diff):
            out.print(line, markup=False)
    target = result.target
    items = len(result.wanted.uris)
    if result.dry_run:
        where = f"{target.name} ({target.id})" if target else "a new private playlist"
        out.print(f"dry run: {items} items would go into {where}; nothing written", markup=False)
        return
    assert target is not None
    verb = "Created the private playlist" if result.created else "Restored"
    requests = f"{result.writes} write request" + ("" if result.writes == 1 else "s")
    out.print(f"{verb} {target.name}: {items} items, {requests}", markup=False)
    out.print(f"id  {target.id}\nurl {target.url}", markup=False)
    if result.edited_meanwhile:
        err.print("warning: the playlist changed again after the restore wrote it", markup=False)


def _options(
    into: str | None, name: str | None, dry_run: bool, strict: bool, *, ask: bool
) -> RestoreOptions:
    from gitarchive.model import parse_playlist_id
    from gitarchive.restore import RestoreOptions

    return RestoreOptions(
        into=parse_playlist_id(into) if into is not None else None,
        name=name,
        dry_run=dry_run,
        strict=strict,
        confirm=_ask if ask else None,
    )


def _check(at: str | None, cumulative: bool, new: bool, into: str | None, name: str | None) -> None:
    if new == (into is not None):
        raise fail("restore needs exactly one of --new and --into TARGET")
    if at is not None and cumulative:
        raise fail("--at and --cumulative exclude each other")
    if name is not None and not new:
        raise fail("--name names a new playlist: use it with --new")


@app.command()
@handle_errors
def restore(
    playlist: Annotated[str, typer.Argument(help="Playlist id, URL, URI or name in the archive.")],
    at: Annotated[
        str | None, typer.Option(help="The version at a date or revision (as `show --at`).")
    ] = None,
    cumulative: Annotated[
        bool, typer.Option("--cumulative", help="Every track the playlist ever held.")
    ] = False,
    new: Annotated[
        bool, typer.Option("--new", help="Create a private playlist in your account.")
    ] = False,
    into: Annotated[
        str | None,
        typer.Option(help="Make this playlist (yours or collaborative) hold the version."),
    ] = None,
    name: Annotated[str | None, typer.Option(help="The new playlist's name.")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the difference; write nothing.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before changing TARGET.")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 if any track cannot be restored.")
    ] = False,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help=FORMAT_HELP)
    ] = OutputFormat.text,
) -> None:
    """Put an archived version back into Spotify: a new playlist, or one you can change.

    Needs a token from `gitarchive login --allow-restore`. Order and duplicates are
    kept; tracks that cannot be restored (local files, tracks without an id) are listed.
    """
    from gitarchive.restore import restore as run_restore
    from gitarchive.spotify import SpotifyClient, auth_from_env

    _check(at, cumulative, new, into, name)
    ask = into is not None and not yes and not dry_run
    if ask and not sys.stdin.isatty():
        raise fail("restore --into changes a playlist: confirm on a terminal, or pass --yes")
    store, playlist_id = open_playlist(playlist)
    source = _source(store, playlist_id, at, cumulative)
    options = _options(into, name, dry_run, strict, ask=ask)

    async def go() -> RestoreResult:
        async with SpotifyClient(auth_from_env()) as client:
            return await run_restore(client, source, options)

    _print(asyncio.run(go()), output_format, asked=ask)


def _print(result: RestoreResult, output_format: OutputFormat, *, asked: bool) -> None:
    if output_format is OutputFormat.json:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        _report(result, asked=asked)
