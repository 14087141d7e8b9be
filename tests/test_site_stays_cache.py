"""The track pages' rows kept in the change index: a rebuild folds again only the playlists
whose versions changed, and writes the pages a build from nothing writes."""

from __future__ import annotations

import re
import sqlite3
from typing import TYPE_CHECKING

import pygit2
import pytest

from gitarchive.git import Store
from gitarchive.index import db
from gitarchive.site import playlists
from gitarchive.site.stays_cache import unpack
from gitarchive.tracks import PlaylistStaysFold
from tests.support.builder import RepoBuilder
from tests.support.cli import run_cli
from tests.support.moving import EVENING, MORNING, MOVER, build_moving_archive, playlist

if TYPE_CHECKING:
    from pathlib import Path

PAGE = f"t/{MOVER[-2:]}.html"
_GENERATED = re.compile(r"on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")


def site(repo: Path, out: Path) -> str:
    """The track page of The Mover of a ``site --track-pages`` (its build time left out)."""
    assert run_cli("-C", str(repo), "site", str(out), "--track-pages", "-j", "1") == 0
    return _GENERATED.sub("", (out / PAGE).read_text(encoding="utf-8"))


def index_file(repo: Path) -> Path:
    return db.index_path(Store(pygit2.Repository(str(repo))))


def kept(repo: Path) -> dict[str, bytes]:
    with sqlite3.connect(index_file(repo)) as connection:
        return dict(connection.execute("SELECT playlist_id, sources FROM site_stays"))


class _NoFold(PlaylistStaysFold):
    def add(self, *args: object, **kwargs: object) -> None:
        raise AssertionError(f"the stays of {self.playlist_id} were folded again")


def test_a_rebuild_writes_the_same_track_pages_from_the_kept_rows_without_a_fold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = build_moving_archive(tmp_path / "archive")
    assert run_cli("-C", str(repo), "index") == 0
    first = site(repo, tmp_path / "first")
    assert set(kept(repo)) >= {MORNING, EVENING}
    monkeypatch.setattr(playlists, "PlaylistStaysFold", _NoFold)
    assert site(repo, tmp_path / "again") == first


def test_a_playlist_with_a_new_version_is_folded_again_and_the_others_are_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = build_moving_archive(tmp_path / "archive")
    assert run_cli("-C", str(repo), "index") == 0
    site(repo, tmp_path / "first")
    before = kept(repo)
    # The Mover leaves Evening on Nov 8: only Evening's versions change
    RepoBuilder(repo).commit_playlists(
        [playlist(EVENING, "Evening", 5, 6)], date="2026-11-08T06:00:00Z"
    )
    folded: list[str] = []

    class Counting(PlaylistStaysFold):
        def add(self, *args: object, **kwargs: object) -> None:
            folded.append(self.playlist_id)
            super().add(*args, **kwargs)  # type: ignore[arg-type]

    with monkeypatch.context() as patch:
        patch.setattr(playlists, "PlaylistStaysFold", Counting)
        rebuilt = site(repo, tmp_path / "rebuilt")
    assert set(folded) == {EVENING}
    assert kept(repo)[EVENING] != before[EVENING]
    assert kept(repo)[MORNING] == before[MORNING]
    assert "2026-11-06 → 2026-11-08" in rebuilt
    monkeypatch.setenv(db.DISABLE_ENV, "1")  # the walk: nothing kept, everything folded
    assert site(repo, tmp_path / "walked") == rebuilt


def test_kept_rows_that_cannot_be_read_are_folded_again(tmp_path: Path) -> None:
    repo = build_moving_archive(tmp_path / "archive")
    assert run_cli("-C", str(repo), "index") == 0
    first = site(repo, tmp_path / "first")
    with sqlite3.connect(index_file(repo)) as connection:
        connection.execute("UPDATE site_stays SET rows = x'00ff00'")
    assert site(repo, tmp_path / "again") == first
    assert unpack(b"not zlib") is None
