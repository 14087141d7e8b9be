"""``show``: a playlist as it was at a date or revision.

A version shown before is kept in the change index, so showing it again reads
no git object.

One command per module, as :mod:`.history` says why.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from gitarchive.cli.common import (
    PlaylistArgument,
    app,
    handle_errors,
    index_call,
    link_settings,
    open_playlist,
)
from gitarchive.cli.terminal import clean

if TYPE_CHECKING:
    from gitarchive.index import ChangeIndex
    from gitarchive.model import Playlist


class ShowFormat(StrEnum):
    markdown = "markdown"
    json = "json"
    plain = "plain"


@app.command()
@handle_errors
def show(
    playlist: PlaylistArgument,
    at: Annotated[
        str | None, typer.Option(help="A date (as --since takes it) or a git revision.")
    ] = None,
    output_format: Annotated[
        ShowFormat, typer.Option("--format", help="Output format.")
    ] = ShowFormat.markdown,
) -> None:
    """The playlist as it was at a date or revision."""
    from gitarchive import formats

    store, playlist_id = open_playlist(playlist)
    version: Playlist = index_call(store, lambda index: _version_shown(index, playlist_id, at))
    if output_format is ShowFormat.json:
        sys.stdout.write(formats.render_json(version))
    elif output_format is ShowFormat.plain:
        sys.stdout.write(clean(formats.render_plain(version)))
    else:
        github, branch = link_settings(store)
        sys.stdout.write(clean(formats.render_pretty(version, github=github, branch=branch)))


def _version_shown(index: ChangeIndex, playlist_id: str, at: str | None) -> Playlist:
    """``show``'s version: one it read before is kept in the change index, so showing it
    again reads no git object (and loads no libgit2)."""
    from gitarchive.likes import playlist_with_followers
    from gitarchive.revision import commit_named

    commit = commit_named(index.store, at, commit_at=index.commit_at)
    kept = index.shown_version(playlist_id, commit)
    if kept is None:
        from gitarchive import git, show_version

        warnings: list[str] = []

        def warn(message: str) -> None:
            warnings.append(message)
            show_version.log_warning(message)

        # read as git reads (no object hashed against its id): an archive whose repository
        # is not open yet is read from its files, without loading libgit2 (git.commit_files)
        with git.unverified_reads():
            version = show_version.version_in(index.store, playlist_id, commit, warn)
            when = git.commit_info(index.store, commit).date
        if not warnings:  # a version read with a warning warns each time it is shown
            index.keep_shown(playlist_id, commit, version, when)
    else:
        version, when = kept
    return playlist_with_followers(index.store, version, when, index.followers_blob)
