"""The session's public ``request``: what a writer (not only a reader) can rely on."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from gitarchive.errors import RetriesExhausted
from gitarchive.spotify import Auth, Session

if TYPE_CHECKING:
    from collections.abc import Callable

Answer = httpx.Response | Exception


def session_with(answers: list[Answer], sent: list[httpx.Request]) -> Session:
    """A session whose token endpoint answers, and whose API gives ``answers`` in turn."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == "accounts.test":
            return httpx.Response(200, json={"access_token": "at", "expires_in": 3600})
        sent.append(request)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return Session(
        Auth("client-id", "client-secret"),
        api_url="https://api.test/v1",
        accounts_url="https://accounts.test",
        transport=httpx.MockTransport(handle),
        backoff_base=0.01,
        backoff_cap=0.02,
        playlist_budget=2.0,
    )


def run(answers: list[Answer], work: Callable[[Session], Any]) -> tuple[Any, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    async def go() -> Any:
        async with session_with(answers, sent) as session:
            return await work(session)

    return asyncio.run(go()), sent


def test_request_sends_json_and_returns_what_spotify_created() -> None:
    body = {"uris": ["spotify:track:" + "a" * 22]}
    result, sent = run(
        [httpx.Response(201, json={"snapshot_id": "s1"})],
        lambda s: s.request("POST", "/playlists/x/items", json=body),
    )
    assert result == {"snapshot_id": "s1"}
    assert sent[0].method == "POST" and sent[0].url.path == "/v1/playlists/x/items"
    assert json.loads(sent[0].content) == body
    assert sent[0].headers["Authorization"] == "Bearer at"


@pytest.mark.parametrize("status", [200, 204])
def test_an_empty_answer_to_a_write_is_none(status: int) -> None:
    result, sent = run([httpx.Response(status)], lambda s: s.request("PUT", "/playlists/x"))
    assert result is None and len(sent) == 1


def test_a_post_is_not_sent_again_after_a_server_error() -> None:
    # Spotify may have applied it: sending it again could add the tracks twice.
    with pytest.raises(RetriesExhausted, match="not sent again"):
        run([httpx.Response(503)] * 3, lambda s: s.request("POST", "/playlists/x/items"))


def test_a_post_is_sent_again_when_it_never_reached_spotify() -> None:
    refused = httpx.ConnectError("[Errno 111] Connection refused")
    result, sent = run(
        [refused, httpx.Response(201, json={"snapshot_id": "s2"})],
        lambda s: s.request("POST", "/playlists/x/items", json={}),
    )
    assert result == {"snapshot_id": "s2"} and len(sent) == 2


def test_an_empty_answer_to_a_read_is_retried() -> None:
    result, sent = run(
        [httpx.Response(200), httpx.Response(200, json={"id": "me"})],
        lambda s: s.get_json("/me", {}, deadline=s.budget_deadline()),
    )
    assert result == {"id": "me"} and len(sent) == 2
