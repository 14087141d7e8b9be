"""`gitarchive login`: authorize with Spotify (PKCE) and print a refresh token."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from gitarchive.cli.common import (
    app,
    err,
    handle_errors,
    out,
    state,
)


def _record_authorization() -> None:
    """authorized_on in the archive's gitarchive.toml: syncs warn before the token expires."""
    from datetime import UTC, datetime

    from gitarchive.errors import GitArchiveError
    from gitarchive.git import Store
    from gitarchive.settings import record_authorization

    today = datetime.now(UTC).date()
    try:
        root = Store.discover(state.directory).workdir
        if root is None:
            raise GitArchiveError("a bare repository")
        if not (root / "gitarchive.toml").is_file():  # `gitarchive init` writes it
            raise GitArchiveError(f"{root} has no gitarchive.toml")
        written = record_authorization(root, today)
    except (GitArchiveError, OSError) as exc:
        err.print(
            f"Not in an archive ({exc}): add `authorized_on = {today.isoformat()}` to its "
            "gitarchive.toml so that syncs warn before the token expires.",
            markup=False,
        )
        return
    err.print(
        f"Recorded authorized_on = {today.isoformat()} in {written} (not a secret; commit it): "
        "syncs warn from 30 days before the token expires.",
        markup=False,
    )


@app.command()
@handle_errors
def login(
    port: Annotated[int, typer.Option(help="Port of the local callback server.")] = 8888,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print the URL instead of opening a browser.")
    ] = False,
    allow_restore: Annotated[
        bool,
        typer.Option(
            "--allow-restore",
            help="Also ask to change your playlists (for `gitarchive restore`); "
            "keep that token out of CI.",
        ),
    ] = False,
) -> None:
    """Authorize gitarchive with your Spotify account (PKCE) and print a refresh token."""
    import webbrowser

    from gitarchive.errors import AuthError
    from gitarchive.spotify.login import login as run_login

    client_id = os.environ.get("SPOTIFY_CLIENT_ID", "").strip()
    if not client_id:
        raise AuthError(
            "SPOTIFY_CLIENT_ID is not set: create an app at https://developer.spotify.com/dashboard"
            f" with the redirect URI http://127.0.0.1:{port}/callback and export its client id"
        )

    def show_url(url: str) -> None:
        if not no_browser and webbrowser.open(url):
            err.print("Opened the browser to authorize gitarchive. If nothing happened, open:")
        else:
            err.print("Open this URL in a browser to authorize gitarchive:")
        err.print(url, markup=False)
        err.print("Waiting for Spotify to redirect to the local callback...")

    result = run_login(client_id, port=port, show_url=show_url, allow_restore=allow_restore)
    err.print(f"Logged in (scopes: {result.scope or 'none'}). Your refresh token:")
    out.print(result.refresh_token, markup=False)
    _record_authorization()
    err.print(
        "Keep it secret. It lasts six months; run `gitarchive login` again when syncs say it"
        " expired.\nStore it where the sync runs, e.g. as GitHub Actions secrets:\n"
        "  gh secret set SPOTIFY_REFRESH_TOKEN    (paste the token when asked; or run\n"
        "  `gitarchive login | gh secret set SPOTIFY_REFRESH_TOKEN`: stdout is the token alone)\n"
        f"  gh secret set SPOTIFY_CLIENT_ID --body {client_id}\n"
        "or locally: export SPOTIFY_REFRESH_TOKEN=<token>",
        markup=False,
    )
