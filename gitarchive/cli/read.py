"""Commands that read history: history, cumulative, show.

They read the change index (gitarchive.index, a cache under .git/), caught up
with HEAD first; their outputs are written by :mod:`.output` straight to
stdout, rich only colouring and paging on a terminal.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from gitarchive.cli.common import (
    app,
    date_option,
    handle_errors,
    index_call,
    link_settings,
    not_archived,
    open_playlist,
)
from gitarchive.cli.terminal import clean
from gitarchive.timeline import DEFAULT_MOVE_THRESHOLD

if TYPE_CHECKING:
    from gitarchive.index import ChangeIndex
    from gitarchive.model import CumulativeView, Playlist
    from gitarchive.timeline import Entry


MovesOption = Annotated[
    bool,
    typer.Option("--moves", help="Show tracks that moved by at least --move-threshold places."),
]
MoveThresholdOption = Annotated[
    int,
    typer.Option(
        help="With --moves: the places a track must move by, among the tracks in both versions.",
        min=2,  # timeline.MIN_MOVE: smaller moves are not kept
    ),
]


class HistoryFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


class CumulativeFormat(StrEnum):
    markdown = "markdown"
    json = "json"
    csv = "csv"


class ShowFormat(StrEnum):
    markdown = "markdown"
    json = "json"
    plain = "plain"


@app.command()
@handle_errors
def history(
    playlist: Annotated[str, typer.Argument(help="Playlist id, URL, URI or name.")],
    output_format: Annotated[
        HistoryFormat, typer.Option("--format", help="Output format.")
    ] = HistoryFormat.text,
    since: Annotated[
        str | None,
        typer.Option(
            help="Only versions on or after DATE (as git's --since: 2026-11-01, "
            "yesterday, '2 weeks ago')."
        ),
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Only versions on or before DATE (same forms as --since).")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="At most N versions.", min=1)] = None,
    reverse: Annotated[
        bool, typer.Option("--reverse", help="Oldest first (as git log --reverse).")
    ] = False,
    likes: Annotated[bool, typer.Option(help="Show likes over time.")] = False,
    moves: MovesOption = False,
    move_threshold: MoveThresholdOption = DEFAULT_MOVE_THRESHOLD,
) -> None:
    """A timeline of tracks added, removed, updated and moved, rebuilt from the commit log."""
    from gitarchive import timeline
    from gitarchive.cli import output
    from gitarchive.likes import with_followers

    store, playlist_id = open_playlist(playlist)

    def read(index: ChangeIndex) -> list[Entry]:
        return with_followers(store, playlist_id, index.entries(playlist_id), index.followers_blob)

    found: list[Entry] = index_call(store, read)
    if not found:
        raise not_archived(playlist_id)
    listed = timeline.select(
        found,
        likes=likes,
        since=date_option("--since", since, end_of_day=False),
        until=date_option("--until", until, end_of_day=True),
        limit=limit,
        reverse=not reverse,  # newest first unless --reverse, as git log lists commits
        moves=move_threshold if moves else None,
    )
    output.write_history(output_format.value, found[-1].name, playlist_id, listed, likes=likes)


@app.command()
@handle_errors
def cumulative(
    playlist: Annotated[str, typer.Argument(help="Playlist id, URL, URI or name.")],
    output_format: Annotated[
        CumulativeFormat, typer.Option("--format", help="Output format.")
    ] = CumulativeFormat.markdown,
    merge_duplicates: Annotated[
        bool,
        typer.Option(
            "--merge-duplicates",
            help="One row for a track under several ids (same title and artists, durations "
            "within 2 s); each merge is named on stderr.",
        ),
    ] = False,
) -> None:
    """Every track the playlist ever held, with Added / Removed dates."""
    from gitarchive import formats
    from gitarchive.cli import output

    store, playlist_id = open_playlist(playlist)
    view: CumulativeView | None = index_call(store, lambda index: index.cumulative(playlist_id))
    if view is None:
        raise not_archived(playlist_id)
    if merge_duplicates:
        from gitarchive.history.duplicates import (
            merge_cumulative,
            merge_report,
            merged_cumulative_document,
        )

        merged = merge_cumulative(view)
        for line in merge_report(merged.merges):
            sys.stderr.write(clean(line, newlines=False) + "\n")
        view = merged.view
        if output_format is CumulativeFormat.json:
            document = merged_cumulative_document(merged)
            sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
            return
    if output_format is CumulativeFormat.json:
        output.write_cumulative_json(view)
    elif output_format is CumulativeFormat.csv:
        from gitarchive.history import cumulative_csv

        sys.stdout.write(cumulative_csv(view))
    else:
        github, branch = link_settings(store)
        sys.stdout.write(clean(formats.render_cumulative(view, github=github, branch=branch)))


@app.command()
@handle_errors
def show(
    playlist: Annotated[str, typer.Argument(help="Playlist id, URL, URI or name.")],
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

        version = show_version.version_in(index.store, playlist_id, commit, warn)
        when = git.commit_info(index.store, commit).date
        if not warnings:  # a version read with a warning warns each time it is shown
            index.keep_shown(playlist_id, commit, version, when)
    else:
        version, when = kept
    return playlist_with_followers(index.store, version, when, index.followers_blob)
