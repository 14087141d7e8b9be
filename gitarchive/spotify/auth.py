"""Credentials: which OAuth grant to use, and how to read the token endpoint's answer.

Two ways in:

* client credentials (``SPOTIFY_CLIENT_ID`` + ``SPOTIFY_CLIENT_SECRET``): public
  playlists only;
* a user's refresh token (``SPOTIFY_REFRESH_TOKEN``, from ``gitarchive login``):
  also private and collaborative playlists. With a client secret the token
  endpoint is called with Basic auth; without one (a PKCE token) the client id
  goes in the body. Spotify may rotate the refresh token; the session stores
  the new one in ``GITARCHIVE_REFRESH_TOKEN_FILE`` (:mod:`.tokenfile`).

Secrets are kept out of ``repr`` and out of every message.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gitarchive.errors import AuthError, redacted_excerpt, remember_secret
from gitarchive.spotify.tokenfile import ENV_TOKEN_FILE, check_token_file

if TYPE_CHECKING:
    from collections.abc import Mapping

ENV_CLIENT_ID = "SPOTIFY_CLIENT_ID"
ENV_CLIENT_SECRET = "SPOTIFY_CLIENT_SECRET"
ENV_REFRESH_TOKEN = "SPOTIFY_REFRESH_TOKEN"
TOKEN_PATH = "/api/token"
_STORE_NEW_TOKEN = (
    f"run `gitarchive login` again and store the new token in {ENV_REFRESH_TOKEN} (in GitHub "
    f"Actions: the repository's Settings > Secrets and variables > Actions > {ENV_REFRESH_TOKEN} "
    "> Update)"
)
EXPIRED_REFRESH_TOKEN = f"refresh token expired (they last six months): {_STORE_NEW_TOKEN}"
REFUSED_REFRESH_TOKEN = (
    "Spotify did not accept the refresh token ({detail}): it was revoked, or it was not "
    f"issued to the app {ENV_CLIENT_ID} names; {_STORE_NEW_TOKEN}"
)
MISSING_CREDENTIALS = (
    f"Spotify credentials missing: run `gitarchive login`, then set {ENV_CLIENT_ID} and the "
    f"{ENV_REFRESH_TOKEN} it prints ({ENV_CLIENT_SECRET} instead reads playlists only for an "
    "app with extended quota; docs/auth.md)"
)


@dataclass(frozen=True, slots=True)
class Auth:
    """App credentials, plus a user's refresh token when there is one."""

    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    #: Where a rotated refresh token is stored (GITARCHIVE_REFRESH_TOKEN_FILE); None: nowhere.
    token_file: str | None = None

    @property
    def grant(self) -> str:
        return "refresh_token" if self.refresh_token else "client_credentials"

    def token_request(self) -> tuple[dict[str, str], dict[str, str]]:
        """(form body, headers) for ``POST {accounts}/api/token``."""
        headers: dict[str, str] = {}
        if self.client_secret:
            pair = f"{self.client_id}:{self.client_secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        if self.refresh_token:
            form = {"grant_type": "refresh_token", "refresh_token": self.refresh_token}
            if not self.client_secret:
                form["client_id"] = self.client_id
        else:
            form = {"grant_type": "client_credentials"}
        return form, headers

    def __post_init__(self) -> None:
        # Every error message is redacted against these (servers echo them back).
        remember_secret(self.client_secret)
        remember_secret(self.refresh_token)

    def with_refresh_token(self, token: str) -> Auth:
        return Auth(self.client_id, self.client_secret, token, self.token_file)


def auth_from_env(env: Mapping[str, str] | None = None) -> Auth:
    """Credentials from the environment; AuthError naming the variables that are missing."""
    env = os.environ if env is None else env
    client_id = (env.get(ENV_CLIENT_ID) or "").strip()
    secret = (env.get(ENV_CLIENT_SECRET) or "").strip() or None
    refresh = (env.get(ENV_REFRESH_TOKEN) or "").strip() or None
    if not client_id:
        if refresh:
            raise AuthError(
                f"{ENV_CLIENT_ID} is not set: a refresh token needs the client id it was issued to"
            )
        raise AuthError(MISSING_CREDENTIALS)
    if secret is None and refresh is None:
        raise AuthError(
            f"{ENV_REFRESH_TOKEN} is not set: run `gitarchive login` and set the token it prints "
            f"next to {ENV_CLIENT_ID} ({ENV_CLIENT_SECRET} instead reads playlists only for an "
            "app with extended quota; docs/auth.md)"
        )
    token_file = (env.get(ENV_TOKEN_FILE) or "").strip() or None
    if refresh is not None and token_file is not None:
        check_token_file(token_file)  # before a refresh can use up the token it would keep
    return Auth(client_id, secret, refresh, token_file if refresh is not None else None)


def token_error(status: int, data: Any, grant: str) -> AuthError:
    """The AuthError for a token endpoint refusal (4xx), without echoing any secret."""
    error = ""
    description = ""
    if isinstance(data, dict):
        error = redacted_excerpt(str(data.get("error") or ""), 60)
        description = redacted_excerpt(str(data.get("error_description") or ""), 120)
    if error == "invalid_grant" and grant == "refresh_token":
        if "expired" in description.lower():
            return AuthError(EXPIRED_REFRESH_TOKEN)
        detail = f"invalid_grant: {description}" if description else "invalid_grant"
        return AuthError(REFUSED_REFRESH_TOKEN.format(detail=detail))
    if error == "invalid_grant" and grant == "authorization_code":
        return AuthError(f"Spotify refused the authorization code ({description or error})")
    if error == "invalid_client":
        return AuthError(
            f"Spotify rejected the app credentials (invalid_client: {description}): "
            f"check {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET}"
        )
    detail = f"{error}: {description}" if description else (error or "no details")
    return AuthError(f"Spotify's token endpoint refused the request (HTTP {status}, {detail})")
