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
    from gitarchive.index import ChangeIndex
    from gitarchive.site import SiteResult


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
            "--track-pages/--no-track-pages",
            help="Write the tracks two or more playlists held, a section each on a page per "
            "id ending (docs/site.md); --no-track-pages leaves them out.",
        ),
    ] = True,
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
    tracks = f"{plural(result.shared_tracks, 'shared track')}, " if result.shared_tracks else ""
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

    def build(index: ChangeIndex) -> SiteResult:
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
            # where no index can be written, the site walks the log itself, split over
            # its processes, rather than have the index built in memory by that very walk
            index=index,
            # without track pages, none is kept: pages an earlier build wrote are removed
            track_pages=track_pages,
        )

    result: SiteResult = index_call(store, build)
    return result
