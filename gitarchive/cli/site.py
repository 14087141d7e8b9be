"""`gitarchive site`: the static site of the archive (see docs/site.md).

The work is done by :mod:`gitarchive.site`; this module parses the options and
prints where the site went.
"""

from __future__ import annotations

import functools
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gitarchive.cli.common import (
    app,
    date_option,
    handle_errors,
    index_call,
    link_settings,
    open_history_store,
    state,
)
from gitarchive.cli.common import out as console
from gitarchive.words import plural

if TYPE_CHECKING:
    from gitarchive.git import Store
    from gitarchive.index import ChangeIndex, VersionSource
    from gitarchive.site import SiteResult


def _located_versions(store: Store, ids: list[str] | None) -> list[VersionSource] | None:
    """Where the change index, caught up, located every version; None: walk the log.

    Where no index can be written it would be built in memory by that very
    walk, so the site walks the log itself, split over its processes.
    """
    return index_call(store, lambda index: index.version_sources(ids) if index.persistent else None)


def _shared_tracks(store: Store, ids: list[str] | None) -> frozenset[str]:
    """The tracks two or more of the site's playlists held, from their cumulative views."""
    from gitarchive.site.tracks import shared_keys

    def shared(index: ChangeIndex) -> frozenset[str]:
        if ids is None:
            return shared_keys(index.all_cumulative_views().values())
        return shared_keys(index.cumulative(playlist_id) for playlist_id in ids)

    found: frozenset[str] = index_call(store, shared)
    return found


@app.command()
@handle_errors
def site(
    out: Annotated[Path, typer.Argument(help="Folder to write the site into.")],
    playlist: Annotated[
        list[str] | None,
        typer.Option(
            "--playlist",
            help="Only this playlist (id, URL, URI or name); repeat for more.",
            show_default=False,
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Step through versions on or after DATE only.")
    ] = None,
    title: Annotated[str, typer.Option(help="The index page's title.")] = "Playlist archive",
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            help="Processes for the whole-archive pass (default: the CPUs, at most 4).",
            min=1,
            show_default=False,
        ),
    ] = None,
    track_pages: Annotated[
        bool,
        typer.Option(
            "--track-pages",
            help="Also write a page per track two or more playlists held (docs/site.md: "
            "on a large archive, many thousands of pages).",
        ),
    ] = False,
) -> None:
    """Write a static web site of the archive: timelines, likes, cumulative tables, feeds."""
    result = _build(
        out,
        playlist,
        since=date_option("--since", since, end_of_day=False),
        title=title,
        jobs=jobs or min(os.cpu_count() or 1, 4),
        track_pages=track_pages,
    )
    _print_written(result, out)


def _print_written(result: SiteResult, out: Path) -> None:
    tracks = f"{plural(result.track_pages, 'shared track')}, " if result.track_pages else ""
    console.print(
        f"Wrote {plural(result.pages, 'page')} "
        f"({plural(len(result.summaries), 'playlist')}, {tracks}"
        f"{result.bytes_written / 1_000_000:.1f} MB) to {out}; open {out / 'index.html'} "
        "in a browser (it needs no server), or publish the folder (docs/site.md).",
        markup=False,
    )


def _build(
    out: Path,
    playlist: list[str] | None,
    *,
    since: datetime | None,
    title: str,
    jobs: int,
    track_pages: bool,
) -> SiteResult:
    from gitarchive import lookup
    from gitarchive.git import Store
    from gitarchive.site import build_site
    from gitarchive.site.output import check_output_folder

    target = out if out.is_absolute() else state.directory / out
    check_output_folder(target)  # before the index's work: a refused folder costs nothing
    store = open_history_store()
    ids = (
        sorted({lookup.resolve_playlist(store, argument) for argument in playlist})
        if playlist
        else None
    )
    github, _branch = link_settings(store)
    return build_site(
        store,
        target,
        playlist_ids=ids,
        since=since,
        github=github,
        title=title,
        generated=f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        jobs=jobs,
        open_store=functools.partial(Store.open, str(store.git_dir)),
        sources=_located_versions(store, ids),
        # without track pages, none is kept: pages an earlier build wrote are removed
        shared=_shared_tracks(store, ids) if track_pages else frozenset(),
    )
