"""Commands about Spotify access: ``doctor`` (``add --mine`` builds on :func:`mine_to_add`).

Thin: the work is in :mod:`gitarchive.spotify.doctor` and :mod:`gitarchive.spotify.probe`.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from gitarchive.cli.common import (
    FORMAT_HELP,
    OutputFormat,
    app,
    handle_errors,
    open_store,
    out,
    warn,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from gitarchive.git import Store
    from gitarchive.spotify.access import PlaylistSummary
    from gitarchive.spotify.client import SpotifyClient
    from gitarchive.spotify.doctor import DoctorResult

T = TypeVar("T")

LEVEL_WORDS = {"entries": "reads tracks", "metadata": "metadata only", "nothing": "nothing"}


def _client() -> SpotifyClient:
    from gitarchive import settings
    from gitarchive.spotify import SpotifyClient, auth_from_env

    return SpotifyClient(
        auth_from_env(), api_url=settings.api_url(), accounts_url=settings.accounts_url()
    )


def _with_client(work: Callable[[SpotifyClient], Awaitable[T]]) -> T:
    """Run ``work`` in one session; then say where a refresh token Spotify rotated went."""
    client = _client()

    async def go() -> T:
        async with client:
            return await work(client)

    done = asyncio.run(go())  # an error already carries the notice (the session adds it)
    if client.token_rotation is not None:
        warn(client.token_rotation.notice())
    return done


def _registered(store: Store) -> list[str]:
    from gitarchive.registry import read_registry

    return read_registry(store).ids


def run_doctor(store: Store) -> DoctorResult:
    """Probe the environment's credentials and every playlist registered in ``store``."""
    from gitarchive.spotify.doctor import diagnose

    ids = _registered(store)
    return _with_client(lambda client: diagnose(client, ids))


def mine_to_add(store: Store, *, include_followed: bool = False) -> list[PlaylistSummary]:
    """The user's owned and collaborative playlists that are not registered yet."""
    registered = set(_registered(store))
    found = _with_client(lambda client: client.my_playlists(include_followed=include_followed))
    return [p for p in found if p.id not in registered]


def render_doctor(result: DoctorResult) -> list[str]:
    from gitarchive.errors import redact

    if result.user is not None:
        who = f"a user's token ({result.user.display_name or result.user.id}, id {result.user.id})"
    elif result.grant == "refresh_token":
        who = "a user's token"
    else:
        who = "client credentials (no user: development-mode apps read no playlist's tracks)"
    lines = [f"credentials: {who}"]
    if result.credentials_error is not None:
        return [*lines, redact(f"credentials refused: {result.credentials_error}")]
    for report in result.reports.values():
        name = f"  {report.name}" if report.name else ""
        lines.append(f"{report.playlist_id}  {LEVEL_WORDS[report.level]:<13}{name}")
    if not result.reports:
        lines.append("no playlists registered (gitarchive add <playlist URL>)")
    lines += [f"- {group.line()}" for group in result.groups]
    return lines


@app.command()
@handle_errors
def doctor(
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help=FORMAT_HELP)
    ] = OutputFormat.text,
) -> None:
    """Say what the configured Spotify access can read of each registered playlist.

    Per playlist: its tracks, its metadata only, or nothing, with the cause and the
    fix. Exit status 1 when the credentials fail or any playlist is not fully readable.
    """
    from gitarchive.errors import redact

    result = run_doctor(open_store())
    if output_format is OutputFormat.json:
        sys.stdout.write(redact(json.dumps(result.to_dict(), ensure_ascii=False, indent=2)) + "\n")
    else:
        for line in render_doctor(result):
            out.print(line, markup=False)
    raise typer.Exit(result.exit_code)
