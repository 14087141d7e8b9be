"""`gitarchive login` end to end against the fake accounts service; the test plays the browser."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import webbrowser
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest

from gitarchive.cli import main
from gitarchive.errors import AuthError
from gitarchive.settings import load_settings
from gitarchive.spotify import Auth, SpotifyClient, login
from tests.support.api import api_playlist
from tests.support.fakespotify import FakeSpotify

if TYPE_CHECKING:
    from collections.abc import Callable

A = "A" * 22


def browser(url: str) -> bool:
    """What a user's browser does: open the authorize page, consent, follow the redirect."""
    query = parse_qs(urlsplit(url).query)
    assert query["redirect_uri"][0].startswith("http://127.0.0.1:")
    assert query["code_challenge_method"] == ["S256"]
    response = httpx.get(url, follow_redirects=True, timeout=10)
    assert response.status_code == 200
    assert "authorized" in response.text
    return True


def can_fetch_with(fake: FakeSpotify, refresh_token: str) -> int:
    async def go() -> int:
        auth = Auth(fake.client_id, None, refresh_token)  # PKCE: no secret
        async with SpotifyClient(auth, api_url=fake.api_url, accounts_url=fake.accounts_url) as c:
            return len((await c.get_playlist(A)).tracks)

    return asyncio.run(go())


def test_login_returns_a_working_refresh_token(fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(api_playlist(A, 7))
    result = login(
        fake_spotify.client_id, port=0, accounts_url=fake_spotify.accounts_url, show_url=browser
    )
    assert result.refresh_token in fake_spotify.valid_refresh_tokens()
    assert result.redirect_uri.startswith("http://127.0.0.1:")
    assert "playlist-read-private" in result.scope
    assert result.refresh_token not in repr(result)
    assert can_fetch_with(fake_spotify, result.refresh_token) == 7
    token_call = next(r for r in fake_spotify.requests if r.path == "/api/token")
    assert token_call.status == 200


def test_cli_login_opens_the_browser_and_prints_the_token(
    fake_spotify: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)  # not an archive: nothing recorded anywhere
    fake_spotify.add_playlist(api_playlist(A, 3))
    fake_spotify.setenv(monkeypatch, secret=False)
    opened: list[str] = []

    def open_browser(url: str, *args: object, **kwargs: object) -> bool:
        opened.append(url)
        return browser(url)

    monkeypatch.setattr(webbrowser, "open", open_browser)
    with pytest.raises(SystemExit) as exited:
        main(["login", "--port", "0"])
    assert exited.value.code == 0
    captured = capsys.readouterr()
    token = captured.out.strip()
    assert token in fake_spotify.valid_refresh_tokens()
    assert "gh secret set SPOTIFY_REFRESH_TOKEN" in captured.err
    assert "six months" in captured.err
    assert len(opened) == 1
    assert can_fetch_with(fake_spotify, token) == 3
    assert "authorized_on" in captured.err and not (tmp_path / "gitarchive.toml").exists()


def test_cli_login_records_the_authorization_date_in_the_archive(
    fake_spotify: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    archive = tmp_path / "archive"
    assert main_code(["init", str(archive)]) == 0
    fake_spotify.setenv(monkeypatch, secret=False)
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: browser(url) or True)
    assert main_code(["-C", str(archive), "login", "--port", "0"]) == 0
    today = datetime.now(UTC).date()
    assert load_settings(archive).authorized_on == today
    captured = capsys.readouterr()
    assert f"authorized_on = {today.isoformat()}" in captured.err
    token = captured.out.strip().splitlines()[-1]
    assert token not in (archive / "gitarchive.toml").read_text()


def main_code(args: list[str]) -> int:
    try:
        main(args)
    except SystemExit as done:
        return int(done.code or 0)
    return 0


def test_cli_login_no_browser_prints_the_url(fake_spotify: FakeSpotify, tmp_path: Path) -> None:
    env = {**os.environ, **fake_spotify.env(secret=False)}
    env.pop("BROWSER", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "gitarchive", "login", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert process.stderr is not None
        for line in process.stderr:
            if line.startswith(fake_spotify.accounts_url + "/authorize?"):
                browser(line.strip())
                break
        else:
            pytest.fail("login printed no authorize URL")
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert out.strip() in fake_spotify.valid_refresh_tokens()


def test_cli_login_without_client_id(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["login", "--no-browser"])
    assert exited.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "SPOTIFY_CLIENT_ID" in err and "127.0.0.1:8888/callback" in err


def test_denied_consent_is_an_auth_error(fake_spotify: FakeSpotify) -> None:
    def deny(url: str) -> None:
        query = parse_qs(urlsplit(url).query)
        target = f"{query['redirect_uri'][0]}?error=access_denied&state={query['state'][0]}"
        assert httpx.get(target, timeout=10).status_code == 400

    with pytest.raises(AuthError, match="access_denied"):
        login(fake_spotify.client_id, port=0, accounts_url=fake_spotify.accounts_url, show_url=deny)


def test_forged_state_is_refused(fake_spotify: FakeSpotify) -> None:
    def forge(url: str) -> None:
        query = parse_qs(urlsplit(url).query)
        httpx.get(f"{query['redirect_uri'][0]}?code=stolen&state=other", timeout=10)

    with pytest.raises(AuthError, match="state"):
        login(
            fake_spotify.client_id, port=0, accounts_url=fake_spotify.accounts_url, show_url=forge
        )
    assert not any(r.path == "/api/token" for r in fake_spotify.requests)


def test_busy_port_is_reported(fake_spotify: FakeSpotify) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(AuthError, match=f"127.0.0.1:{port}"):
            login(
                fake_spotify.client_id,
                port=port,
                accounts_url=fake_spotify.accounts_url,
                show_url=browser,
            )


def test_no_callback_times_out(fake_spotify: FakeSpotify) -> None:
    with pytest.raises(AuthError, match="no answer"):
        login(
            fake_spotify.client_id,
            port=0,
            accounts_url=fake_spotify.accounts_url,
            show_url=lambda url: None,
            timeout=0.2,
        )


HOSTILE_SCOPE = (
    "[bold] playlist-read-private [/bold] :x: \x1b]0;owned\x07 \x1b[2J user-library-read"
)


def _consenting_browser(fake: FakeSpotify, answer: Callable[[str], tuple[int, bytes]]) -> Any:
    """A browser that consents, then arms the token endpoint to answer ``answer(code)``."""

    def open_browser(url: str, *args: object, **kwargs: object) -> bool:
        response = httpx.get(url, follow_redirects=True, timeout=10)
        location = response.history[0].headers["location"]
        code = parse_qs(urlsplit(location).query)["code"][0]
        status, body = answer(code)
        fake.inject("raw", match="/api/token", status=status, body=body)
        return True

    return open_browser


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(
            lambda code: (500, json.dumps({"error": "server_error", "error_description": code})),
            id="500-echoing-the-code",
        ),
        pytest.param(
            lambda code: (400, json.dumps({"error": "invalid_grant", "error_description": code})),
            id="400-echoing-the-code",
        ),
        pytest.param(
            lambda code: (
                200,
                json.dumps({"refresh_token": "r" * 40, "scope": f"{code} {HOSTILE_SCOPE}"}),
            ),
            id="200-with-hostile-scope",
        ),
    ],
)
def test_login_never_echoes_the_code_or_a_servers_markup(
    fake_spotify: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    answer: Callable[[str], tuple[int, str]],
) -> None:
    monkeypatch.chdir(tmp_path)
    fake_spotify.setenv(monkeypatch, secret=False)
    codes: list[str] = []

    def remembered(code: str) -> tuple[int, bytes]:
        codes.append(code)
        status, body = answer(code)
        return status, body.encode()

    monkeypatch.setattr(webbrowser, "open", _consenting_browser(fake_spotify, remembered))
    code = main_code(["login", "--port", "0"])
    captured = capsys.readouterr()
    printed = captured.out + captured.err
    assert codes and codes[0] not in printed
    assert "\x1b" not in printed and "\x07" not in printed and "❌" not in printed
    if code == 0:
        assert "(scopes: playlist-read-private user-library-read)" in captured.err
    else:
        assert code == 1
        assert captured.err.strip().splitlines()[-1].startswith("gitarchive: error: ")


def test_a_hostile_callback_error_reaches_the_terminal_as_plain_text(
    fake_spotify: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    fake_spotify.setenv(monkeypatch, secret=False)

    def deny(url: str, *args: object, **kwargs: object) -> bool:
        query = parse_qs(urlsplit(url).query)
        error = quote("\x1b]0;owned\x07\x1b[2J[bold]:x:")
        target = f"{query['redirect_uri'][0]}?error={error}&state={query['state'][0]}"
        assert httpx.get(target, timeout=10).status_code == 400
        return True

    monkeypatch.setattr(webbrowser, "open", deny)
    assert main_code(["login", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert "did not authorize" in err
    assert "\x1b" not in err and "\x07" not in err and "❌" not in err and "[bold]" not in err
