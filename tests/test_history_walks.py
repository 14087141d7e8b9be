"""gitarchive.git's history walks on repositories built with pygit2 (raw files, no formats)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pygit2
import pytest

from gitarchive import git as gitrepo
from gitarchive.git import Store
from tests.support.builder import RepoBuilder

if TYPE_CHECKING:
    from pathlib import Path

A = "playlists/plain/" + "A" * 22
B = "playlists/plain/" + "B" * 22
JA = "playlists/pretty/" + "A" * 22 + ".json"


@pytest.fixture(params=[False, True], ids=["worktree", "bare"])
def bare(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def test_walk_paths_yields_only_changes_oldest_first(tmp_path: Path, bare: bool) -> None:
    builder = RepoBuilder(tmp_path / "repo", bare=bare)
    c1 = builder.commit({A: "a1", B: "b1"}, date="2026-01-01T06:00:00")
    builder.commit({B: "b2"}, date="2026-01-02T06:00:00")  # A unchanged
    builder.commit({"README.md": "x"}, date="2026-01-03T06:00:00")  # playlists untouched
    c4 = builder.commit({A: "a2"}, date="2026-01-04T06:00:00")
    c5 = builder.commit({A: None}, date="2026-01-05T06:00:00")  # deleted
    builder.commit({B: "b3"}, date="2026-01-06T06:00:00")
    c7 = builder.commit({A: "a1"}, date="2026-01-07T06:00:00")  # back, old content
    store = Store(pygit2.Repository(str(tmp_path / "repo")))
    changes = gitrepo.walk_paths(store, [A])
    assert [c.commit for c in changes] == [c1, c4, c5, c7]
    assert changes[0].date == datetime(2026, 1, 1, 6, tzinfo=UTC)
    assert changes[2].blobs == (None,)
    assert changes[0].blobs == changes[3].blobs
    assert gitrepo.read_blob(store, changes[1].blobs[0] or "") == b"a2"


def test_walk_paths_several_paths_of_one_playlist(tmp_path: Path) -> None:
    builder = RepoBuilder(tmp_path / "repo")
    c1 = builder.commit({A: "a1"}, date="2026-01-01")
    c2 = builder.commit({JA: "{}"}, date="2026-01-02")
    builder.commit({B: "b"}, date="2026-01-03")
    store = Store(pygit2.Repository(str(tmp_path / "repo")))
    changes = gitrepo.walk_paths(store, [JA, A])
    assert [c.commit for c in changes] == [c1, c2]
    assert changes[0].blobs[0] is None and changes[1].blobs[0] is not None


def test_walks_follow_the_first_parent(tmp_path: Path) -> None:
    builder = RepoBuilder(tmp_path / "repo")
    base = builder.commit({A: "a1"}, date="2026-01-01")
    side = builder.commit({A: "side"}, date="2026-01-02", parents=[base], ref="refs/heads/side")
    main = builder.commit({A: "a2"}, date="2026-01-03")
    merge = builder.commit({A: "merged"}, date="2026-01-04", parents=[main, side])
    store = Store(pygit2.Repository(str(tmp_path / "repo")))
    assert [c.commit for c in gitrepo.walk_paths(store, [A])] == [base, main, merge]
    folder = gitrepo.walk_folders(store, ["playlists/plain"])
    assert [c.commit for c in folder] == [base, main, merge]
    assert side not in {c.commit for c in folder}


def test_walk_folders_reports_adds_changes_and_deletes(tmp_path: Path, bare: bool) -> None:
    builder = RepoBuilder(tmp_path / "repo", bare=bare)
    c1 = builder.commit({A: "a1", B: "b1", JA: "{}"}, date="2026-01-01")
    builder.commit({"other/file": "x"}, date="2026-01-02")
    c3 = builder.commit({A: "a2", B: None}, date="2026-01-03")
    c4 = builder.commit({A: None, JA: None}, date="2026-01-04")
    store = Store(pygit2.Repository(str(tmp_path / "repo")))
    changes = gitrepo.walk_folders(store, ["playlists/pretty", "playlists/plain"])
    assert [c.commit for c in changes] == [c1, c3, c4]
    assert set(changes[0].changes) == {A, B, JA}
    assert changes[1].changes[B] is None and changes[1].changes[A] is not None
    assert set(changes[1].changes) == {A, B}
    assert changes[2].changes == {A: None, JA: None}


def test_commit_at(tmp_path: Path) -> None:
    builder = RepoBuilder(tmp_path / "repo")
    c1 = builder.commit({A: "a1"}, date="2026-01-01T06:00:00")
    c2 = builder.commit({A: "a2"}, date="2026-01-02T06:00:00")
    store = Store(pygit2.Repository(str(tmp_path / "repo")))
    assert gitrepo.commit_at(store, datetime(2025, 12, 31, tzinfo=UTC)) is None
    assert gitrepo.commit_at(store, datetime(2026, 1, 1, 6, tzinfo=UTC)) == c1
    assert gitrepo.commit_at(store, datetime(2026, 1, 2, 5, tzinfo=UTC)) == c1
    assert gitrepo.commit_at(store, datetime(2027, 1, 1, tzinfo=UTC)) == c2


def test_empty_repository_has_no_history(tmp_path: Path) -> None:
    RepoBuilder(tmp_path / "repo")
    store = Store(pygit2.Repository(str(tmp_path / "repo")))
    assert gitrepo.walk_paths(store, [A]) == []
    assert gitrepo.walk_folders(store, ["playlists/plain"]) == []
