"""`gitarchive track`: every playlist that held a track, its stays and positions.

The work is done by :mod:`gitarchive.tracks`; the versions read are those of the
playlists the change index finds holding the track (:mod:`gitarchive.index.track_terms`),
where it located them, else every version from a walk of the log (as `site` reads them).
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
    from collections.abc import Callable, Iterable

    from gitarchive.git import Store
    from gitarchive.history import Version
    from gitarchive.index import ChangeIndex, VersionSource
    from gitarchive.model import Track


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
    merge_duplicates: Annotated[
        bool,
        typer.Option(
            "--merge-duplicates",
            help="Also find the track's other ids (same title and artists, durations within "
            "2 s) and merge them into one; each merge is named on stderr.",
        ),
    ] = False,
) -> None:
    """Every playlist that held a track: first and last dates, each stay, best and last place."""
    from gitarchive.track_query import track_matcher
    from gitarchive.tracks import find_track, tracks_document, tracks_text

    wanted = track_matcher(query)  # a malformed query is refused before the history is read
    store = open_history_store()
    found = find_track(
        _versions(store, query, wanted, merge_duplicates), query, merge_duplicates=merge_duplicates
    )
    if found.merges:
        # lazy: the duplicates' module (~2 ms) is only for reporting merges
        from gitarchive.history.duplicates import merge_report

        for line in merge_report(found.merges):
            sys.stderr.write(clean(line, newlines=False) + "\n")
    if output_format is OutputFormat.json:
        json.dump(tracks_document(query, found), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(clean(tracks_text(found)))


def _versions(
    store: Store, query: str, wanted: Callable[[Track], bool], namesakes: bool
) -> Iterable[Version]:
    """The versions of the playlists the change index finds under the query's term (with
    ``namesakes``, or under the title of a track it names), where the index located them;
    without an index that can be kept, every version from one walk."""
    from gitarchive import versions
    from gitarchive.index.track_terms import term, title_term
    from gitarchive.track_query import query_key

    def located(index: ChangeIndex) -> list[VersionSource] | None:
        if not index.persistent:
            return None
        terms = [term(query_key(query))]
        holding = index.playlists_holding(terms)
        if namesakes:  # a namesake has the title of a wanted track, which an id does not say
            views = (index.cumulative(playlist_id) for playlist_id in holding)
            every = (entry.track for view in views if view for entry in view.tracks)
            terms += {title_term(track.name) for track in every if wanted(track)}
            holding = index.playlists_holding(terms)
        return index.version_sources(holding) if holding else []

    sources = index_call(store, located)
    if sources is None:
        return versions.iter_all_versions(store)
    return versions.versions_of_sources(store, sources)
