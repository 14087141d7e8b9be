"""Spotify out of reach: a bounded wait, one message naming the host and the fix, no commit.

Connection refused is real (a port on 127.0.0.1 that nobody listens on); a name
that does not resolve comes from an httpx transport raising what httpx raises for
it, so no test asks a real DNS server.
"""

from __future__ import annotations

import asyncio
import socket
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from gitarchive.errors import Unreachable
from gitarchive.formats.paths import STATUS_PATH
from gitarchive.git import Store
from gitarchive.spotify import Auth, SpotifyClient, session
from gitarchive.spotify.doctor import diagnose
from gitarchive.sync import SyncOptions, run_sync
from tests.support.api import api_playlist, fake_id
from tests.support.builder import init_archive
from tests.support.cli import run_cli_captured
from tests.support.clients import fake_client
from tests.support.fakespotify import FakeSpotify
from tests.support.gitcli import git

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from gitarchive.settings import Settings

DAY0 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
DAY1 = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
DAY2 = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
ME = "fake-user"
IDS = [fake_id("outage", "playlist", n) for n in range(6)]
#: An unreachable host ends the run within about 30 s (a CI job must not hang on it).
RUN_BOUND = 30.0
MARGIN = 15.0  # a loaded 2-core machine
FIX_WORDS = ("network", "DNS", "HTTPS_PROXY", "GITARCHIVE_API_URL")
NO_SUCH_NAME = "[Errno -2] Name or service not known"


def refused_port() -> int:
    """A loopback port that nobody listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def commits(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD"))


@pytest.fixture
def archive(tmp_path: Path, fake_spotify: FakeSpotify) -> Path:
    """Six playlists archived once while Spotify answered."""
    root = tmp_path / "archive"
    init_archive(root, *IDS)
    for playlist_id in IDS:
        fake_spotify.add_playlist(api_playlist(playlist_id, 3, owner_id=ME))
    result = run_sync(
        Store.discover(root),
        SyncOptions(now=DAY0),
        client_factory=lambda settings: fake_client(fake_spotify),
    )
    assert result.commit is not None and not result.unavailable
    return root


@pytest.fixture
def refused(monkeypatch: pytest.MonkeyPatch, fake_spotify: FakeSpotify) -> str:
    """The environment's credentials, with both Spotify hosts refusing connections."""
    fake_spotify.setenv(monkeypatch, refresh_token=True)
    host = f"127.0.0.1:{refused_port()}"
    monkeypatch.setenv("GITARCHIVE_API_URL", f"http://{host}/v1")
    monkeypatch.setenv("GITARCHIVE_ACCOUNTS_URL", f"http://{host}")
    return host


def assert_one_line_naming(err: str, host: str, why: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    assert host in lines[0] and why in lines[0]
    assert all(word in lines[0] for word in FIX_WORDS)


def test_sync_against_a_refused_host_stops_within_the_bound_with_one_line(
    archive: Path, refused: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = head(archive)
    started = time.monotonic()
    code, _, err = run_cli_captured(capsys, "-C", str(archive), "sync", "--date", DAY1.isoformat())
    elapsed = time.monotonic() - started
    assert code == 1
    assert elapsed < RUN_BOUND + MARGIN
    assert_one_line_naming(err, refused, "connection was refused")
    assert head(archive) == before


def test_two_identical_outages_commit_nothing(
    archive: Path,
    refused: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(session, "CONNECT_BUDGET", 0.5)
    before, status = head(archive), (archive / STATUS_PATH).exists()
    for day in (DAY1, DAY2):
        code, _, err = run_cli_captured(
            capsys, "-C", str(archive), "sync", "--date", day.isoformat()
        )
        assert code == 1
        assert_one_line_naming(err, refused, "connection was refused")
    assert head(archive) == before
    assert (archive / STATUS_PATH).exists() == status
    assert git(archive, "status", "--porcelain") == ""


@pytest.mark.parametrize(
    "command", [["doctor"], ["add", "--mine", "--dry-run"]], ids=["doctor", "add-mine"]
)
def test_access_commands_against_a_refused_host_say_it_once(
    archive: Path,
    refused: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    monkeypatch.setattr(session, "CONNECT_BUDGET", 1.0)
    started = time.monotonic()
    code, out, err = run_cli_captured(capsys, "-C", str(archive), *command)
    elapsed = time.monotonic() - started
    assert code == 1
    assert elapsed < 1.0 + MARGIN  # the playlist budget (120 s) would be spent without the bound
    assert out == ""
    assert_one_line_naming(err, refused, "connection was refused")


# ------------------------------------------------------------------ a name that does not resolve


def unresolvable(*, except_accounts: bool = False) -> httpx.MockTransport:
    """A transport for which no Spotify host resolves (or only the accounts host does)."""

    def handle(request: httpx.Request) -> httpx.Response:
        if except_accounts and request.url.host == "accounts.spotify.invalid":
            return httpx.Response(200, json={"access_token": "at", "expires_in": 3600})
        raise httpx.ConnectError(NO_SUCH_NAME, request=request)

    return httpx.MockTransport(handle)


def dns_client(transport: httpx.AsyncBaseTransport, **options: Any) -> SpotifyClient:
    return SpotifyClient(
        Auth("client-id", "client-secret", options.pop("refresh_token", None)),
        api_url="https://api.spotify.invalid/v1",
        accounts_url="https://accounts.spotify.invalid",
        transport=transport,
        connect_budget=1.0,
        **options,
    )


@pytest.mark.parametrize(
    ("except_accounts", "host"),
    [(False, "accounts.spotify.invalid"), (True, "api.spotify.invalid")],
    ids=["token-host", "api-host"],
)
def test_sync_when_a_host_name_does_not_resolve_names_that_host_once(
    archive: Path, except_accounts: bool, host: str
) -> None:
    def factory(settings: Settings) -> SpotifyClient:
        return dns_client(unresolvable(except_accounts=except_accounts))

    count = commits(archive)
    for day in (DAY1, DAY2):
        started = time.monotonic()
        with pytest.raises(Unreachable) as raised:
            run_sync(Store.discover(archive), SyncOptions(now=day), client_factory=factory)
        assert time.monotonic() - started < 1.0 + MARGIN
        assert raised.value.host == host
        assert "does not resolve" in str(raised.value)
        assert all(word in str(raised.value) for word in FIX_WORDS)
    assert commits(archive) == count


@pytest.mark.parametrize("reader", ["doctor", "my_playlists"])
def test_access_readers_when_the_name_does_not_resolve_raise_one_unreachable(
    reader: str,
) -> None:
    async def go() -> None:
        async with dns_client(unresolvable(), refresh_token="refresh-token-0123") as client:
            work: Callable[[], Any] = {
                "doctor": lambda: diagnose(client, IDS),
                "my_playlists": lambda: client.my_playlists(),
            }[reader]
            await work()

    started = time.monotonic()
    with pytest.raises(Unreachable) as raised:
        asyncio.run(go())
    assert time.monotonic() - started < 1.0 + MARGIN
    assert raised.value.host == "accounts.spotify.invalid"


def test_a_host_that_answers_again_is_not_an_outage(fake_spotify: FakeSpotify) -> None:
    # A blip shorter than the budget: a refused connection, then answers.
    fake_spotify.add_playlist(api_playlist(IDS[0], 3))
    calls = 0
    real = httpx.AsyncHTTPTransport()

    class Blip(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            nonlocal calls
            calls += 1
            if calls <= 2:
                raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
            return await real.handle_async_request(request)

    async def go() -> int:
        async with fake_client(fake_spotify, transport=Blip(), connect_budget=5.0) as client:
            return len((await client.get_playlist(IDS[0])).tracks)

    assert asyncio.run(go()) == 3


# ------------------------------------------------------------------ a failing server, twice


def test_the_same_failure_twice_writes_the_same_status(
    archive: Path, fake_spotify: FakeSpotify
) -> None:
    """Attempt counts and seconds differ between runs; the recorded reason must not."""
    failing = IDS[0]
    fake_spotify.inject("status", status=503, match=failing, times=None)

    def sync(day: datetime, budget: float) -> str | None:
        def factory(settings: Settings) -> SpotifyClient:
            return fake_client(fake_spotify, playlist_budget=budget)

        result = run_sync(Store.discover(archive), SyncOptions(now=day), client_factory=factory)
        assert [u.id for u in result.unavailable] == [failing]
        return result.commit

    assert sync(DAY1, 0.3) is not None  # the status now records the failure
    status = (archive / STATUS_PATH).read_bytes()
    assert sync(DAY2, 0.6) is None
    assert (archive / STATUS_PATH).read_bytes() == status
