"""``cumulative``: every track a playlist ever held, read from the change index.

One command per module, as :mod:`.history` says why.
"""

from __future__ import annotations

import json
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
    not_archived,
    open_playlist,
)
from gitarchive.cli.terminal import clean

if TYPE_CHECKING:
    from gitarchive.model import CumulativeView


class CumulativeFormat(StrEnum):
    markdown = "markdown"
    json = "json"
    csv = "csv"


@app.command()
@handle_errors
def cumulative(
    playlist: PlaylistArgument,
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
