"""The render step's shortcuts against committed files that gitarchive did not write as such.

A committed snapshot or cumulative page that is not byte for byte gitarchive's
rendering is read in full, as before the shortcuts: a re-indented snapshot, a
cumulative page with another table layout, a malformed snapshot (an error naming
the file and the commit, as before).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from gitarchive import formats, history
from gitarchive import git as gitrepo
from gitarchive.errors import FormatError
from gitarchive.git import Identity, Store
from gitarchive.spotify import parse_playlist
from gitarchive.sync import SyncOptions, run_sync
from tests.support.api import fake_id, playlist_with_tracks
from tests.support.builder import init_archive
from tests.support.fakespotify import FakeSpotify

if TYPE_CHECKING:
    from pathlib import Path

DAY0 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
A = fake_id("render-test", "a")


@pytest.fixture
def archive(tmp_path: Path, fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch) -> Path:
    fake_spotify.setenv(monkeypatch)
    root = tmp_path / "archive"
    init_archive(root, A)
    (root / "gitarchive.toml").write_text('likes_every = "daily"\n')
    return root


def serve_and_sync(root: Path, fake: FakeSpotify, lineup: list[int], likes: int, day: int) -> None:
    fake.add_playlist(playlist_with_tracks(A, lineup, followers=likes))
    result = run_sync(Store.discover(root), SyncOptions(now=DAY0 + timedelta(days=day)))
    assert result.exit_code == 0, result.to_dict()


def rewrite(root: Path, files: dict[str, bytes | None], day: float) -> None:
    gitrepo.commit_changes(
        Store.discover(root),
        files,
        message="edited elsewhere",
        identity=Identity("T", "t@x"),
        when=DAY0 + timedelta(days=day),
    )


def head_file(root: Path, path: str) -> bytes:
    store = Store.discover(root)
    head = gitrepo.head_id(store)
    assert head is not None
    data = gitrepo.read_file(store, head, path)
    assert data is not None
    return data


def expected_cumulative(lineups: list[tuple[int, list[int], int]]) -> str:
    view = None
    for day, lineup, likes in lineups:
        data = playlist_with_tracks(A, lineup, followers=likes)
        meta = {k: v for k, v in data.items() if k != "items"}
        version = parse_playlist(meta, data["items"]["items"])
        view = history.update_cumulative(view, version, (DAY0 + timedelta(days=day)).date())
    assert view is not None
    return formats.render_cumulative(view, github=None, branch="main")


def test_a_reindented_snapshot_and_a_relaid_cumulative_page_are_read_in_full(
    archive: Path, fake_spotify: FakeSpotify
) -> None:
    serve_and_sync(archive, fake_spotify, [0, 1, 2], 10, 0)
    serve_and_sync(archive, fake_spotify, [1, 2, 3], 11, 1)
    snapshot = json.loads(head_file(archive, formats.json_path(A)))
    page = head_file(archive, formats.cumulative_path(A)).decode()
    rewrite(
        archive,
        {
            formats.json_path(A): json.dumps(snapshot, indent=4).encode(),  # same data
            formats.cumulative_path(A): page.replace("|---|---|", "| --- | --- |").encode(),
        },
        1.5,
    )
    serve_and_sync(archive, fake_spotify, [1, 2, 3], 12, 2)  # likes only
    assert json.loads(head_file(archive, formats.json_path(A)))["num_followers"] == 12
    assert head_file(archive, formats.json_path(A)).decode() == formats.render_json(
        formats.read_json(head_file(archive, formats.json_path(A)).decode(), A)
    )
    expected = expected_cumulative([(0, [0, 1, 2], 10), (1, [1, 2, 3], 11), (2, [1, 2, 3], 12)])
    assert head_file(archive, formats.cumulative_path(A)).decode() == expected


def test_a_malformed_snapshot_with_todays_tracks_is_still_an_error(
    archive: Path, fake_spotify: FakeSpotify
) -> None:
    serve_and_sync(archive, fake_spotify, [0, 1], 10, 0)
    snapshot = json.loads(head_file(archive, formats.json_path(A)))
    snapshot["num_followers"] = "many"  # tracks untouched: only the header is wrong
    rewrite(archive, {formats.json_path(A): json.dumps(snapshot).encode()}, 0.5)
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1], followers=11))
    with pytest.raises(FormatError) as caught:
        run_sync(Store.discover(archive), SyncOptions(now=DAY0 + timedelta(days=1)))
    assert caught.value.path == formats.json_path(A)
    assert caught.value.commit == gitrepo.head_id(Store.discover(archive))
    assert "num_followers" in str(caught.value)


def test_track_counts_when_only_likes_moved(archive: Path, fake_spotify: FakeSpotify) -> None:
    serve_and_sync(archive, fake_spotify, [0, 1, 2], 10, 0)
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1, 2], followers=20))
    result = run_sync(Store.discover(archive), SyncOptions(now=DAY0 + timedelta(days=1)))
    (change,) = result.changed
    assert (change.added, change.removed, change.new) == (0, 0, False)
    expected = expected_cumulative([(0, [0, 1, 2], 10), (1, [0, 1, 2], 20)])
    assert head_file(archive, formats.cumulative_path(A)).decode() == expected
