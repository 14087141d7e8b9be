"""The hostile answers corpus (tests/hostile_answers.py) against the real client, over sockets.

Each case ends in a typed outcome: a correct playlist (the expected number of
tracks, rendering through every writer and reading back) or a failed fetch of
the expected class with its reason. Never an exception outside gitarchive's
error tree, never an emptied or garbled playlist, never a secret in a message.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from gitarchive import errors
from gitarchive.model import Playlist
from tests.support.api import api_playlist
from tests.support.archive_roundtrip import check_round_trip
from tests.support.clients import fake_client
from tests.support.fakespotify import FakeSpotify
from tests.support.hostile_answers import HOSTILE_CASES, HOSTILE_ID, HostileCase

OTHER = "O" * 22
PLAYLIST_BUDGET = 2.0


async def _fetch(fake: FakeSpotify, ids: list[str]) -> dict[str, Playlist | errors.SpotifyError]:
    client = fake_client(
        fake,
        backoff_cap=0.1,
        playlist_budget=PLAYLIST_BUDGET,
        run_budget=30.0,
        concurrency=1,  # the case's playlist first, then a healthy one
    )
    async with client:
        try:
            return await client.get_playlists(ids)
        except errors.QuotaExceeded as stop:
            return {ids[0]: stop}


def test_the_corpus_counts_its_cases() -> None:
    kinds: dict[str, int] = {}
    for case in HOSTILE_CASES.values():
        kinds[case.expect] = kinds.get(case.expect, 0) + 1
    assert len(HOSTILE_CASES) >= 60
    assert kinds["ok"] >= 20 and kinds["IncompleteResponse"] >= 10
    assert {"RetriesExhausted", "InvalidResponse", "QuotaExceeded", "BadRequest"} <= set(kinds)


@pytest.mark.parametrize("case", HOSTILE_CASES.values(), ids=HOSTILE_CASES.keys())
def test_hostile_answer(fake_spotify: FakeSpotify, case: HostileCase) -> None:
    case.apply(fake_spotify, HOSTILE_ID)
    fake_spotify.add_playlist(api_playlist(OTHER, 3))
    started = time.monotonic()
    results = asyncio.run(_fetch(fake_spotify, [HOSTILE_ID, OTHER]))
    elapsed = time.monotonic() - started
    outcome = results[HOSTILE_ID]
    assert elapsed < PLAYLIST_BUDGET + 8, f"took {elapsed:.1f} s: a retry storm or a long wait"
    if case.expect == "ok":
        assert isinstance(outcome, Playlist), f"expected a playlist, got {outcome!r}"
        assert len(outcome.tracks) == case.tracks
        assert case.check is None or case.check(outcome), "the playlist is not as expected"
        check_round_trip(outcome)
    else:
        expected = getattr(errors, case.expect)
        assert type(outcome) is expected, f"expected {case.expect}, got {outcome!r}"
        message = str(outcome)
        assert case.reason in message
        assert "\n" not in message and len(message) < 600
        if case.expect != "QuotaExceeded":
            assert message.startswith(f"playlist {HOSTILE_ID}: ")
    if not isinstance(outcome, errors.QuotaExceeded | errors.RetriesExhausted):
        # One playlist's bad answer never spoils another's (the budget cases may, by design).
        healthy = results[OTHER]
        assert isinstance(healthy, Playlist) and len(healthy.tracks) == 3
    for secret in fake_spotify.secrets_seen():
        assert secret not in str(outcome)
