"""Warm reads served by the change index without loading libgit2 (pygit2).

Importing pygit2 costs a read command ~40 ms, more than a warm read's own work;
these pin the reads that must not need it once the index holds what they print.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from gitarchive import formats
from gitarchive.formats import paths
from gitarchive.formats.paths import followers_path
from gitarchive.git import Store
from gitarchive.index import ChangeIndex, db, stored
from tests.support.archive_files import make_playlist
from tests.support.builder import RepoBuilder
from tests.support.cli import imported_after
from tests.support.cli import invoke_in as invoke
from tests.support.gitcli import git as git_cli
from tests.support.legacy_archive import page_path, plain_2021
from tests.support.models import PID, model_playlist, model_track
from tests.test_git_objects import versions_repo
from tests.test_index import assert_same_every_way, version_series

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from gitarchive.model import Playlist


def loaded_modules(repo: Path, *args: str) -> list[str]:
    """Which of libgit2's and the readers' modules a new process running the command loads."""
    names = ("pygit2", "gitarchive.versions", "gitarchive.version_reader")
    return imported_after(["-C", str(repo), *args], names, succeeds=True)


def unliked(number: int, tracks: int) -> Playlist:
    """A playlist whose pages say nothing of its likes, as spotify-playlist-archive's 2021 ones."""
    return dataclasses.replace(make_playlist(number, tracks=tracks), num_followers=None)


def test_showing_a_version_again_loads_no_libgit2(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    version_series(RepoBuilder(repo))
    assert invoke(repo, "index")[0] == 0
    for args in (["show", PID], ["show", PID, "--at", "2026-01-02", "--format", "json"]):
        first = invoke(repo, *args)
        assert first[0] == 0
        assert loaded_modules(repo, *args) == []
        assert invoke(repo, *args) == first


def test_a_playlist_without_a_followers_record_is_read_warm_without_libgit2(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "spa"
    builder = RepoBuilder(repo)
    alone, followed = unliked(1, 3), unliked(2, 4)
    kinds = ("pretty", "plain")
    builder.commit_playlists([alone, followed], date="2025-11-19T06:00:00Z", kinds=kinds)
    record = {followers_path(followed.id): '{"2025-11-19": 636, "2025-11-20": 635}\n'}
    builder.commit_playlists(
        [unliked(1, 4), unliked(2, 5)], date="2025-11-20T06:00:00Z", kinds=kinds, extra=record
    )
    assert invoke(repo, "index")[0] == 0
    assert loaded_modules(repo, "history", alone.id, "--likes") == []
    assert invoke(repo, "show", alone.id)[0] == 0
    assert loaded_modules(repo, "show", alone.id) == []
    code, out, _ = invoke(repo, "history", followed.id, "--likes")
    assert code == 0 and "635 likes" in out  # the record that is there is read


def test_a_followers_record_committed_later_reaches_a_warm_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "spa"
    builder = RepoBuilder(repo)
    kinds = ("pretty", "plain")
    builder.commit_playlists([unliked(1, 3)], date="2025-11-19T06:00:00Z", kinds=kinds)
    playlist_id = unliked(1, 3).id
    assert invoke(repo, "show", playlist_id, "--at", "2025-11-19")[0] == 0
    code, out, _ = invoke(repo, "history", playlist_id, "--likes")
    assert code == 0 and "636 likes" not in out
    record = {followers_path(playlist_id): '{"2025-11-19": 636, "2025-11-20": 635}\n'}
    builder.commit_playlists(
        [unliked(1, 4)], date="2025-11-20T06:00:00Z", kinds=kinds, extra=record
    )
    walked = assert_same_every_way(repo, [playlist_id], monkeypatch)
    assert "636 likes" in walked[f"history {playlist_id} --likes"][1]
    code, out, _ = invoke(repo, "show", playlist_id, "--at", "2025-11-19")
    assert code == 0 and "636 likes" in out  # a version shown before, with HEAD's record


def test_a_version_read_with_a_warning_warns_each_time_it_is_shown(tmp_path: Path) -> None:
    repo = tmp_path / "spa"
    mix = model_playlist(model_track(1), name="Mix")
    page = formats.render_pretty(mix, github=None).replace("| 3:00 |", "| soon |")
    plain = {formats.plain_path(PID): plain_2021(mix), page_path("Mix"): page}
    RepoBuilder(repo).commit(plain, date="2026-01-01T06:00:00")
    first = invoke(repo, "show", PID)
    assert first[0] == 0 and page_path("Mix") in first[2]
    assert invoke(repo, "show", PID) == first


def test_the_versions_show_keeps_are_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    version_series(RepoBuilder(repo))
    monkeypatch.setattr(stored, "SHOWN_KEPT", 2)
    for day in ("2026-01-01", "2026-01-02", "2026-01-03"):
        assert invoke(repo, "show", PID, "--at", day)[0] == 0
    with ChangeIndex(Store.discover(repo)) as index:
        kept = index.connection.execute("SELECT commit_id FROM shown ORDER BY rowid").fetchall()
        assert [commit for (commit,) in kept] == [
            index.commit_at(datetime.fromisoformat(f"{day}T23:59:59").replace(tzinfo=UTC))
            for day in ("2026-01-02", "2026-01-03")
        ]
    assert db.SCHEMA.count("CREATE TABLE shown") == 1


def test_the_index_names_the_followers_folder_of_the_layout() -> None:
    assert stored.FOLLOWERS_DIR == paths.FOLLOWERS_DIR


def test_a_warm_track_of_a_json_archive_loads_no_libgit2_hashlib_or_renderers(
    tmp_path: Path,
) -> None:
    """Its blobs are read from the pack (gitarchive.git.objects), the index opened without
    hashing a plain repository's fingerprint, and no timeline or CSV module is loaded."""
    repo = versions_repo(tmp_path / "repo")
    git_cli(repo, "gc", "--quiet")
    track_id = f"{5:022d}"  # model_track(5)'s, in the first six versions
    assert invoke(repo, "index")[0] == 0
    names = ("pygit2", "hashlib", "gitarchive.timeline", "gitarchive.history.documents", "csv")
    argv = ["-C", str(repo), "track", track_id]
    assert imported_after(argv, names, succeeds=True) == []
    code, out, err = invoke(repo, "track", track_id)
    assert (code, err) == (0, "")
    assert "first 2026-01-01, last 2026-01-06" in out, out
