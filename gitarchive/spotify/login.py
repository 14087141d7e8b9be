"""`gitarchive login`: the OAuth authorization code flow with PKCE, for a refresh token.

A one-shot HTTP server on ``http://127.0.0.1:PORT/callback`` (Spotify no longer
accepts ``localhost`` redirect URIs) receives the browser's redirect; the code
is exchanged, with the PKCE verifier, for an access token and a refresh token.
No client secret is needed, so the secret never has to leave CI.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from gitarchive import settings
from gitarchive.errors import AuthError, remember_secret
from gitarchive.spotify.auth import TOKEN_PATH, token_error

if TYPE_CHECKING:
    from collections.abc import Callable

# user-library-read: the Liked Songs pseudo-playlist (`gitarchive add liked`, GET /me/tracks)
SCOPES = "playlist-read-private playlist-read-collaborative user-library-read"
# `login --allow-restore` only: the token that goes into CI stays read-only
RESTORE_SCOPES = "playlist-modify-private playlist-modify-public"
DEFAULT_PORT = 8888


@dataclass(frozen=True, slots=True)
class LoginResult:
    refresh_token: str = field(repr=False)
    scope: str
    redirect_uri: str


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge) as RFC 7636 defines them."""
    verifier = secrets.token_urlsafe(64)[:96]
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


class _Callback:
    """What the browser brought back to /callback."""

    def __init__(self) -> None:
        self.params: dict[str, str] | None = None
        self.done = threading.Event()


def _callback_handler(callback: _Callback) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # the query holds the authorization code: never print it

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path != "/callback":
                self.send_error(404)
                return
            callback.params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            ok = "code" in callback.params
            text = (
                "gitarchive is authorized. You can close this tab."
                if ok
                else "Authorization failed; see the terminal."
            )
            body = f"<!doctype html><title>gitarchive</title><p>{text}</p>".encode()
            self.send_response(200 if ok else 400)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            callback.done.set()

    return Handler


def login(
    client_id: str,
    *,
    port: int = DEFAULT_PORT,
    accounts_url: str | None = None,
    show_url: Callable[[str], object],
    timeout: float = 300.0,
    transport: httpx.BaseTransport | None = None,
    allow_restore: bool = False,
) -> LoginResult:
    """Run the PKCE flow; ``show_url`` opens (or prints) the authorization URL.

    ``port=0`` picks a free port (tests); Spotify only redirects to a URI that is
    registered for the app, so real use needs a fixed port.
    """
    accounts = (accounts_url or settings.accounts_url()).rstrip("/")
    callback = _Callback()
    server = _listen(port, callback)
    redirect_uri = f"http://127.0.0.1:{server.server_address[1]}/callback"
    verifier, challenge = pkce_pair()
    remember_secret(verifier)  # a server may echo it: no message repeats it
    state = secrets.token_urlsafe(16)
    stop = threading.Event()
    thread = threading.Thread(target=_serve_until_done, args=(server, callback, stop), daemon=True)
    thread.start()
    try:
        scope = f"{SCOPES} {RESTORE_SCOPES}" if allow_restore else SCOPES
        show_url(_authorize_url(accounts, client_id, redirect_uri, challenge, state, scope))
        if not callback.done.wait(timeout):
            raise AuthError(
                f"no answer on {redirect_uri} within {timeout:.0f} s: was the login finished "
                "in the browser, and is that redirect URI registered for the app?"
            )
    finally:
        stop.set()
        thread.join(timeout=2.0)
        server.server_close()
    code = _authorization_code(callback.params or {}, state)
    remember_secret(code)
    return _exchange_code(accounts, client_id, code, redirect_uri, verifier, transport=transport)


def _listen(port: int, callback: _Callback) -> HTTPServer:
    """The one-shot callback server on 127.0.0.1:``port``."""
    try:
        return HTTPServer(("127.0.0.1", port), _callback_handler(callback))
    except OSError as exc:
        raise AuthError(
            f"cannot listen on 127.0.0.1:{port} for the callback ({exc.strerror}): "
            "free the port or pass --port (and register that redirect URI for the app)"
        ) from None


def _authorize_url(
    accounts: str, client_id: str, redirect_uri: str, challenge: str, state: str, scope: str
) -> str:
    query = urlencode(
        {
            "client_id": client_id,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "code_challenge_method": "S256",
            "code_challenge": challenge,
            "state": state,
            "scope": scope,
        }
    )
    return f"{accounts}/authorize?{query}"


def _authorization_code(params: dict[str, str], state: str) -> str:
    """The code the callback carried, once its state matches this login."""
    if params.get("state") != state:
        raise AuthError("the callback's state does not match this login: try again")
    if "error" in params:
        raise AuthError(f"Spotify did not authorize gitarchive: {_word(params['error'])}")
    code = params.get("code")
    if not code:
        raise AuthError("the callback carried no authorization code")
    return code


def _exchange_code(
    accounts: str,
    client_id: str,
    code: str,
    redirect_uri: str,
    verifier: str,
    *,
    transport: httpx.BaseTransport | None,
) -> LoginResult:
    """The authorization code (and the PKCE verifier) for a refresh token."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": client_id,
        "code_verifier": verifier,
    }
    try:
        with httpx.Client(timeout=30.0, transport=transport) as http:
            response = http.post(f"{accounts}{TOKEN_PATH}", data=form)
    except httpx.HTTPError as exc:
        raise AuthError(f"cannot reach Spotify's token endpoint: {type(exc).__name__}") from None
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.status_code != 200:
        raise token_error(response.status_code, data, "authorization_code")
    if not isinstance(data, dict) or not isinstance(data.get("refresh_token"), str):
        raise AuthError("Spotify's token endpoint answered without a refresh token")
    return LoginResult(
        refresh_token=data["refresh_token"],
        scope=granted_scopes(data.get("scope"), (code, verifier)),
        redirect_uri=redirect_uri,
    )


# An OAuth error code and a Spotify scope are short words of letters, digits, "-" and "_".
_WORD = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def _word(value: str) -> str:
    """An OAuth ``error`` the browser brought back, if it is one (it is the caller's text)."""
    return value if _WORD.fullmatch(value) else "an error that is not an OAuth error code"


def granted_scopes(scope: object, secrets_sent: tuple[str, ...]) -> str:
    """The scopes the token endpoint says it granted, as words: whatever else its answer
    holds (markup, escape sequences, the code or verifier it was sent) is dropped."""
    if not isinstance(scope, str):
        return ""
    words = [
        word
        for word in scope.split()
        if _WORD.fullmatch(word) and not any(_overlaps(word, sent) for sent in secrets_sent)
    ]
    return " ".join(dict.fromkeys(words))


def _overlaps(word: str, secret: str) -> bool:
    return bool(secret) and (secret in word or (len(word) >= 8 and word in secret))


def _serve_until_done(server: HTTPServer, callback: _Callback, stop: threading.Event) -> None:
    # Browsers also ask for /favicon.ico and such: keep answering until /callback came.
    server.timeout = 0.1
    while not callback.done.is_set() and not stop.is_set():
        server.handle_request()
