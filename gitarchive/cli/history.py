"""``history``: a playlist's timeline, read from the change index.

The index (gitarchive.index, a cache under .git/) is caught up with HEAD
first; the output is written by :mod:`.output` straight to stdout, rich only
colouring and paging on a terminal.

Each read command has its own module: typer builds the parameters of every
command imported in a process from its signature at each start (~1-3 ms a
command), so a ``history`` process builds only ``history``'s.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from gitarchive.cli.common import (
    PlaylistArgument,
    app,
    date_option,
    handle_errors,
    index_call,
    not_archived,
    open_playlist,
)
from gitarchive.timeline import DEFAULT_MOVE_THRESHOLD

if TYPE_CHECKING:
    from gitarchive.index import ChangeIndex
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


@app.command()
@handle_errors
def history(
    playlist: PlaylistArgument,
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
