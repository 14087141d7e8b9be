"""`gitarchive track`: every playlist that held a track, its stays and positions.

The work is done by :mod:`gitarchive.tracks`; the versions are read where the
change index located them, else from a walk of the log (as `site` reads them).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from gitarchive.cli.common import (
    FORMAT_HELP,
    OutputFormat,
    app,
    handle_errors,
    index_call,
    open_history_store,
)
from gitarchive.cli.terminal import clean

if TYPE_CHECKING:
    from collections.abc import Iterable

    from gitarchive.git import Store
    from gitarchive.history import Version


@app.command()
@handle_errors
def track(
    query: Annotated[
        str,
        typer.Argument(
            help="A Spotify track id, URL or URI, or 'title — artist' (' - ' works too)."
        ),
    ],
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help=FORMAT_HELP)
    ] = OutputFormat.text,
) -> None:
    """Every playlist that held a track: first and last dates, each stay, best and last place."""
    from gitarchive.tracks import find_track, track_matcher, tracks_document, tracks_text

    track_matcher(query)  # a malformed query is refused before the history is read
    store = open_history_store()
    found = find_track(_versions(store), query)
    if output_format is OutputFormat.json:
        json.dump(tracks_document(query, found), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(clean(tracks_text(found)))


def _versions(store: Store) -> Iterable[Version]:
    from gitarchive import versions

    sources = index_call(store, lambda index: index.version_sources() if index.persistent else None)
    if sources is None:
        return versions.iter_all_versions(store)
    return versions.versions_of_sources(store, sources)
