"""Commands that read history: history, cumulative, show."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from gitarchive.cli.common import (
    app,
    date_option,
    handle_errors,
    link_settings,
    not_archived,
    open_playlist,
    print_paged,
)

if TYPE_CHECKING:
    from gitarchive.history import Change
    from gitarchive.model import Track


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
    reverse: Annotated[bool, typer.Option(help="Newest first.")] = False,
    likes: Annotated[bool, typer.Option(help="Show likes over time.")] = False,
) -> None:
    """A timeline of tracks added, removed and updated, rebuilt from the commit log."""
    from gitarchive import history as core
    from gitarchive import versions
    from gitarchive.likes import with_followers

    store, playlist_id = open_playlist(playlist)
    found = with_followers(store, playlist_id, versions.list_versions(store, playlist_id))
    if not found:
        raise not_archived(playlist_id)
    changes = core.select_changes(
        core.timeline(found, likes=likes),
        since=date_option("--since", since, end_of_day=False),
        until=date_option("--until", until, end_of_day=True),
        limit=limit,
        reverse=reverse,
    )
    name = found[-1].playlist.display_name
    if output_format is HistoryFormat.json:
        sys.stdout.write(core.dump_json(core.history_document(playlist_id, name, changes)))
    elif output_format is HistoryFormat.markdown:
        sys.stdout.write(core.timeline_markdown(name, playlist_id, changes, likes=likes))
    else:
        print_paged(_timeline_text(name, playlist_id, changes, likes=likes))


@app.command()
@handle_errors
def cumulative(
    playlist: Annotated[str, typer.Argument(help="Playlist id, URL, URI or name.")],
    output_format: Annotated[
        CumulativeFormat, typer.Option("--format", help="Output format.")
    ] = CumulativeFormat.markdown,
) -> None:
    """Every track the playlist ever held, with Added / Removed dates."""
    from gitarchive import formats, versions
    from gitarchive import history as core

    store, playlist_id = open_playlist(playlist)
    view = core.fold_cumulative(versions.list_versions(store, playlist_id))
    if view is None:
        raise not_archived(playlist_id)
    if output_format is CumulativeFormat.json:
        sys.stdout.write(core.dump_json(core.cumulative_document(view)))
    elif output_format is CumulativeFormat.csv:
        sys.stdout.write(core.cumulative_csv(view))
    else:
        github, branch = link_settings(store)
        sys.stdout.write(formats.render_cumulative(view, github=github, branch=branch))


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
    from gitarchive import formats, git, versions
    from gitarchive.likes import playlist_with_followers

    store, playlist_id = open_playlist(playlist)
    commit, version = versions.version_at(store, playlist_id, at)
    version = playlist_with_followers(store, version, git.commit_info(store, commit).date)
    if output_format is ShowFormat.json:
        sys.stdout.write(formats.render_json(version))
    elif output_format is ShowFormat.plain:
        sys.stdout.write(formats.render_plain(version))
    else:
        github, branch = link_settings(store)
        sys.stdout.write(formats.render_pretty(version, github=github, branch=branch))


def _track_text(track: Track) -> str:
    artists = ", ".join(artist.name for artist in track.artists)
    return f"{track.name} — {artists} — {track.album.name}"


def _timeline_text(
    name: str, playlist_id: str, changes: list[Change], *, likes: bool
) -> list[Text]:
    from gitarchive.history import format_likes_plain

    lines: list[Text] = [Text(f"{name} ({playlist_id})", style="bold"), Text("")]
    for change in changes:
        version = change.version
        playlist = change.playlist
        lines.append(Text(f"commit {version.commit}", style="yellow"))
        lines.append(Text(f"Date:   {version.date:%Y-%m-%d %H:%M:%S} UTC"))
        if change.previous is None:
            lines.append(Text(f"    First archived version: {len(playlist.tracks)} tracks"))
        if change.name_changed and change.previous is not None:
            lines.append(
                Text(f"    Renamed: {change.previous.display_name} → {playlist.display_name}")
            )
        if change.description_changed:
            lines.append(Text(f"    Description: {playlist.description}"))
        if likes:
            delta = ""
            before = change.previous.num_followers if change.previous else None
            if before is not None and playlist.num_followers is not None:
                delta = f" ({playlist.num_followers - before:+,})"
            lines.append(Text(f"    Likes: {format_likes_plain(playlist.num_followers)}{delta}"))
        for track in change.diff.added:
            lines.append(Text(f"    + {_track_text(track)}", style="green"))
        for track in change.diff.removed:
            lines.append(Text(f"    - {_track_text(track)}", style="red"))
        for update in change.diff.updated:
            lines.append(
                Text(
                    f"    ~ {_track_text(update.before)} → {_track_text(update.after)}",
                    style="cyan",
                )
            )
        lines.append(Text(""))
    return lines
