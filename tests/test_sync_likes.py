"""``likes_every``: which syncs record the likes of a playlist whose tracks did not change.

The real sync against the fake Spotify API, in real repositories. Dates: DAY0
is Friday 2026-11-20; the next ISO week starts on Monday 2026-11-23.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from gitarchive import formats
from gitarchive import git as gitrepo
from gitarchive.errors import SettingsError
from gitarchive.git import Store
from gitarchive.settings import DEFAULT_LIKES_EVERY, parse_settings
from gitarchive.sync import SyncOptions, run_sync
from gitarchive.sync.likes import likes_due
from tests.support.api import fake_id, playlist_with_tracks
from tests.support.builder import init_archive
from tests.support.fakespotify import FakeSpotify

if TYPE_CHECKING:
    from pathlib import Path

DAY0 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)  # a Friday
A = fake_id("likes-test", "a")
B = fake_id("likes-test", "b")


@pytest.fixture
def archive(tmp_path: Path, fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch) -> Path:
    fake_spotify.setenv(monkeypatch)
    root = tmp_path / "archive"
    init_archive(root, A, B)
    return root


def serve(fake: FakeSpotify, likes: int, *, a_tracks: list[int], name: str = "Alpha") -> None:
    fake.add_playlist(playlist_with_tracks(A, a_tracks, name=name, followers=likes))
    fake.add_playlist(playlist_with_tracks(B, [10, 11], name="Beta", followers=likes + 1))


def sync_on(root: Path, when: datetime, likes_every: str | None) -> str | None:
    if likes_every is not None:
        (root / "gitarchive.toml").write_text(f'likes_every = "{likes_every}"\n')
    result = run_sync(Store.discover(root), SyncOptions(now=when))
    assert result.exit_code == 0, result.to_dict()
    return result.commit


def committed_likes(root: Path, playlist_id: str) -> int | None:
    store = Store.discover(root)
    head = gitrepo.head_id(store)
    assert head is not None
    data = gitrepo.read_file(store, head, formats.json_path(playlist_id))
    assert data is not None
    likes: int | None = json.loads(data)["num_followers"]
    page = gitrepo.read_file(store, head, formats.pretty_path(playlist_id))
    assert page is not None
    assert f" - {formats.format_likes(likes)} - ".encode() in page  # the page says the same
    return likes


def test_daily_records_every_move(archive: Path, fake_spotify: FakeSpotify) -> None:
    serve(fake_spotify, 100, a_tracks=[0, 1])
    assert sync_on(archive, DAY0, "daily") is not None
    serve(fake_spotify, 105, a_tracks=[0, 1])
    assert sync_on(archive, DAY0 + timedelta(days=1), "daily") is not None
    assert committed_likes(archive, A) == 105
    assert committed_likes(archive, B) == 106


def test_weekly_records_likes_on_the_first_sync_of_each_iso_week(
    archive: Path, fake_spotify: FakeSpotify
) -> None:
    serve(fake_spotify, 100, a_tracks=[0, 1])
    assert sync_on(archive, DAY0, "weekly") is not None  # the first sync records everything
    serve(fake_spotify, 105, a_tracks=[0, 1])
    assert sync_on(archive, DAY0 + timedelta(days=1), "weekly") is None  # Saturday: same week
    assert committed_likes(archive, A) == 100
    serve(fake_spotify, 107, a_tracks=[0, 1, 2])  # A's tracks change on Sunday
    assert sync_on(archive, DAY0 + timedelta(days=2), "weekly") is not None
    assert committed_likes(archive, A) == 107  # written with its track change
    assert committed_likes(archive, B) == 101  # B's tracks did not change: likes held
    serve(fake_spotify, 110, a_tracks=[0, 1, 2])
    # Tuesday, the first sync of the new week (none ran on Monday): every playlist's likes
    assert sync_on(archive, DAY0 + timedelta(days=4), "weekly") is not None
    assert committed_likes(archive, A) == 110
    assert committed_likes(archive, B) == 111
    serve(fake_spotify, 120, a_tracks=[0, 1, 2])
    assert sync_on(archive, DAY0 + timedelta(days=5), "weekly") is None


def test_on_track_change_keeps_likes_until_the_tracks_change(
    archive: Path, fake_spotify: FakeSpotify
) -> None:
    serve(fake_spotify, 100, a_tracks=[0, 1])
    assert sync_on(archive, DAY0, "on-track-change") is not None
    serve(fake_spotify, 200, a_tracks=[0, 1])
    assert sync_on(archive, DAY0 + timedelta(days=7), "on-track-change") is None
    serve(fake_spotify, 300, a_tracks=[0, 1], name="Alpha renamed")
    assert sync_on(archive, DAY0 + timedelta(days=8), "on-track-change") is not None
    assert committed_likes(archive, A) == 100  # a new name, but the likes are held
    head = gitrepo.head_id(Store.discover(archive))
    assert head is not None
    page = gitrepo.read_file(Store.discover(archive), head, formats.pretty_path(A))
    assert page is not None and b"Alpha renamed" in page
    serve(fake_spotify, 400, a_tracks=[1, 2])
    assert sync_on(archive, DAY0 + timedelta(days=9), "on-track-change") is not None
    assert committed_likes(archive, A) == 400
    assert committed_likes(archive, B) == 101


def test_the_default_is_weekly(archive: Path, fake_spotify: FakeSpotify) -> None:
    assert DEFAULT_LIKES_EVERY == "weekly"
    serve(fake_spotify, 100, a_tracks=[0, 1])
    assert sync_on(archive, DAY0, None) is not None
    serve(fake_spotify, 105, a_tracks=[0, 1])
    assert sync_on(archive, DAY0 + timedelta(days=1), None) is None
    assert sync_on(archive, DAY0 + timedelta(days=3), None) is not None  # Monday
    assert committed_likes(archive, A) == 105


@pytest.mark.parametrize(
    ("now", "base", "due"),
    [
        (datetime(2026, 11, 22, 23, 59, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=UTC), False),
        (
            datetime(2026, 11, 23, 0, 0, tzinfo=UTC),
            datetime(2026, 11, 22, 23, 59, tzinfo=UTC),
            True,
        ),
        # ISO weeks cross the new year: Thursday 2026-12-31 and Friday 2027-01-01 share one
        (datetime(2027, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC), False),
        (datetime(2027, 11, 20, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC), True),
    ],
)
def test_weekly_is_due_in_a_new_iso_week(now: datetime, base: datetime, due: bool) -> None:
    assert likes_due("weekly", now, base) is due
    assert likes_due("daily", now, base) is True
    assert likes_due("on-track-change", now, base) is False
    assert likes_due("on-track-change", now, None) is True  # nothing committed yet


def test_likes_every_setting_is_checked() -> None:
    assert parse_settings('likes_every = "on-track-change"\n').likes_every == "on-track-change"
    with pytest.raises(SettingsError, match="likes_every must be one of 'daily', 'weekly'"):
        parse_settings('likes_every = "hourly"\n')
    with pytest.raises(SettingsError, match="likes_every must be a str"):
        parse_settings("likes_every = 7\n")
