"""The ``gitarchive site`` command: the static site of the archive (see docs/site.md).

Kept apart from cli.py so that it can be registered on the app with one call;
the work is done by :mod:`gitarchive.site`.
"""

from __future__ import annotations

import functools
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add the ``site`` command to ``app``."""
    from gitarchive import cli

    @app.command()
    @cli.handle_errors
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
    ) -> None:
        """Write a static web site of the archive: timelines, likes, cumulative tables."""
        from gitarchive import versions
        from gitarchive.gitstore import Store
        from gitarchive.site import build_site

        store = Store.discover(cli.state.directory)
        ids = (
            sorted({versions.resolve_playlist(store, argument) for argument in playlist})
            if playlist
            else None
        )
        github, _branch = cli._link_settings(store)
        target = out if out.is_absolute() else cli.state.directory / out
        result = build_site(
            store,
            target,
            playlist_ids=ids,
            since=cli._date_option("--since", since, end_of_day=False),
            github=github,
            title=title,
            generated=f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            jobs=jobs or min(os.cpu_count() or 1, 4),
            open_store=functools.partial(Store.open, str(store.git_dir)),
        )
        cli.out.print(
            f"Wrote {result.pages} page{'' if result.pages == 1 else 's'} "
            f"({len(result.summaries)} playlists, "
            f"{result.bytes_written / 1_000_000:.1f} MB) to {out}; open {out / 'index.html'} "
            "in a browser (it needs no server), or publish the folder (docs/site.md).",
            markup=False,
        )
