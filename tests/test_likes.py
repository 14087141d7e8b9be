"""Likes from spotify-playlist-archive's followers/<id>.json where pages lack them."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from gitarchive.formats.paths import followers_path
from gitarchive.history import Version
from gitarchive.likes import fill_likes
from tests.support.archive_files import make_playlist
from tests.support.builder import RepoBuilder
from tests.support.cli import run_cli_captured

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def test_fill_likes_uses_the_versions_own_day_only() -> None:
    playlist = make_playlist(1)
    unknown = dataclasses.replace(playlist, num_followers=None)
    versions = [
        Version("a", datetime(2025, 11, 19, 6, tzinfo=UTC), unknown),
        Version("b", datetime(2025, 11, 20, 6, tzinfo=UTC), playlist),
        Version("c", datetime(2025, 11, 22, 6, tzinfo=UTC), unknown),
    ]
    by_day = {date(2025, 11, 19): 636, date(2025, 11, 20): 1, date(2025, 11, 21): 700}
    filled = fill_likes(versions, by_day)
    assert [v.playlist.num_followers for v in filled] == [636, playlist.num_followers, None]


def test_history_likes_come_from_followers_when_pages_lack_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    builder = RepoBuilder(tmp_path / "spa")
    first = dataclasses.replace(make_playlist(1, tracks=3), num_followers=None)
    second = dataclasses.replace(make_playlist(1, tracks=4), num_followers=None)
    builder.commit_playlists([first], date="2025-11-19T06:00:00Z", kinds=("pretty", "plain"))
    builder.commit_playlists(
        [second],
        date="2025-11-20T06:00:00Z",
        kinds=("pretty", "plain"),
        extra={followers_path(first.id): '{"2025-11-19": 636, "2025-11-20": 635}\n'},
    )
    code, out, err = run_cli_captured(
        capsys,
        "-C",
        str(tmp_path / "spa"),
        "history",
        first.id,
        "--likes",
        "--format",
        "json",
        "--reverse",
    )
    assert code == 0, err
    document = json.loads(out)
    assert [change["likes"] for change in document["versions"]] == [636, 635]
    code, out, _ = run_cli_captured(
        capsys, "-C", str(tmp_path / "spa"), "history", first.id, "--likes"
    )
    assert "636 likes" in out and "635 likes" in out
    code, out, _ = run_cli_captured(
        capsys, "-C", str(tmp_path / "spa"), "show", first.id, "--at", "2025-11-19"
    )
    assert code == 0 and "636 likes" in out


def test_a_broken_followers_file_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    builder = RepoBuilder(tmp_path / "spa")
    playlist = dataclasses.replace(make_playlist(1, tracks=3), num_followers=None)
    builder.commit_playlists(
        [playlist],
        date="2025-11-19T06:00:00Z",
        kinds=("pretty", "plain"),
        extra={followers_path(playlist.id): '{"2025-11-19": "many"}\n'},
    )
    code, _, err = run_cli_captured(
        capsys, "-C", str(tmp_path / "spa"), "history", playlist.id, "--likes"
    )
    assert code == 1
    assert followers_path(playlist.id) in err and len(err.strip().splitlines()) == 1
