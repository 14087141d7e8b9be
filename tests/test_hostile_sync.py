"""The hostile answers corpus end to end through today's sync (no sync change needed).

For each case: a playlist archived from a good answer, then a sync against the
spoiled answer. A failed fetch leaves every file of the playlist byte-identical
and commits nothing for it; an ok case records a version that validates. The
healthy neighbour is archived either way (except when the quota stops the run).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from gitarchive import formats
from gitarchive.git import Store
from gitarchive.spotify import SpotifyClient
from gitarchive.sync import SyncOptions, run_sync
from gitarchive.validate import validate_worktree
from tests.support.api import api_playlist, fake_id
from tests.support.builder import init_archive
from tests.support.cli import run_cli
from tests.support.clients import fake_client
from tests.support.fakespotify import FakeSpotify
from tests.support.gitcli import git
from tests.support.hostile_answers import HOSTILE_CASES, HOSTILE_ID, HostileCase

if TYPE_CHECKING:
    from pathlib import Path

    from gitarchive.settings import Settings

DAY0 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
DAY1 = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
NEIGHBOUR = fake_id("hostile-sync", "neighbour")


def factory(fake: FakeSpotify) -> Any:
    def make(settings: Settings) -> SpotifyClient:
        return fake_client(fake, backoff_cap=0.1, playlist_budget=2.0, concurrency=1)

    return make


def playlist_files(root: Path, playlist_id: str) -> dict[str, bytes]:
    paths = [
        formats.plain_path(playlist_id),
        formats.pretty_path(playlist_id),
        formats.json_path(playlist_id),
        formats.cumulative_path(playlist_id),
    ]
    return {path: (root / path).read_bytes() for path in paths}


@pytest.fixture
def archive(tmp_path: Path, fake_spotify: FakeSpotify) -> Path:
    root = tmp_path / "archive"
    init_archive(root, HOSTILE_ID, NEIGHBOUR)
    fake_spotify.add_playlist(api_playlist(HOSTILE_ID, 45, name="Before"))
    fake_spotify.add_playlist(api_playlist(NEIGHBOUR, 3, snapshot_id="n0"))
    result = run_sync(
        Store.discover(root), SyncOptions(now=DAY0), client_factory=factory(fake_spotify)
    )
    assert result.commit is not None and not result.unavailable
    return root


@pytest.mark.parametrize("case", HOSTILE_CASES.values(), ids=HOSTILE_CASES.keys())
def test_hostile_answer_through_sync(
    archive: Path, fake_spotify: FakeSpotify, case: HostileCase
) -> None:
    before = playlist_files(archive, HOSTILE_ID)
    head = git(archive, "rev-parse", "HEAD").strip()
    case.apply(fake_spotify, HOSTILE_ID)
    fake_spotify.add_playlist(api_playlist(NEIGHBOUR, 4, snapshot_id="n1"))
    store = Store.discover(archive)
    if case.expect == "QuotaExceeded":
        with pytest.raises(Exception) as stopped:
            run_sync(store, SyncOptions(now=DAY1), client_factory=factory(fake_spotify))
        assert type(stopped.value).__name__ == "QuotaExceeded"
        assert git(archive, "rev-parse", "HEAD").strip() == head
        assert playlist_files(archive, HOSTILE_ID) == before
        return
    result = run_sync(store, SyncOptions(now=DAY1), client_factory=factory(fake_spotify))
    assert result.commit is not None  # the neighbour changed
    if case.expect == "ok" and (45 - (case.tracks or 0)) * 2 > 45:
        # a real answer that loses more than half the tracks: kept back until confirmed
        assert [(u.id, u.kind) for u in result.unavailable] == [(HOSTILE_ID, "dropped")]
        assert playlist_files(archive, HOSTILE_ID) == before
        result = run_sync(
            store,
            SyncOptions(now=DAY1, accept_drops=True),
            client_factory=factory(fake_spotify),
        )
    if case.expect == "ok":
        assert not result.unavailable, result.unavailable
        after = formats.read_json(
            (archive / formats.json_path(HOSTILE_ID)).read_text(encoding="utf-8"), HOSTILE_ID
        )
        assert len(after.tracks) == case.tracks
    else:
        assert [u.id for u in result.unavailable] == [HOSTILE_ID]
        assert case.reason in result.unavailable[0].reason
        assert playlist_files(archive, HOSTILE_ID) == before
        changed = git(archive, "diff", "--name-only", head, "HEAD").split()
        assert not any(HOSTILE_ID in path for path in changed)
    assert validate_worktree(Store.discover(archive)) == []


def test_quota_exceeded_through_the_cli_is_one_line(
    archive: Path,
    fake_spotify: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_spotify.setenv(monkeypatch)
    fake_spotify.inject("quota", match=f"{HOSTILE_ID}/items")
    head = git(archive, "rev-parse", "HEAD").strip()
    assert run_cli("-C", str(archive), "sync", "--date", "2026-11-21T06:00:00Z") == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "QUOTA_EXCEEDED" in error[0]
    assert git(archive, "rev-parse", "HEAD").strip() == head
