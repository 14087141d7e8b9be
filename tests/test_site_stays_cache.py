"""The track pages' rows kept in the change index: a rebuild folds again only the playlists
whose versions changed, and writes the pages a build from nothing writes."""

from __future__ import annotations

import hashlib
import inspect
import marshal
import re
import sqlite3
import zlib
from typing import TYPE_CHECKING, Any

import pygit2
import pytest

from gitarchive import tracks as gitarchive_tracks
from gitarchive.git import Store
from gitarchive.index import db
from gitarchive.site import build, pages, playlists, stays_cache
from gitarchive.site import tracks as site_tracks
from gitarchive.site.stays_cache import keep_rows, unpack
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


@pytest.mark.parametrize(
    "damaged",
    [[1, 2], [("key", "own", ("too", "short"))], [("key", "own", (None,) * 10)]],
    ids=["not rows", "a short row", "a missing field"],
)
def test_kept_rows_of_the_wrong_shape_are_folded_again(tmp_path: Path, damaged: Any) -> None:
    repo = build_moving_archive(tmp_path / "archive")
    assert run_cli("-C", str(repo), "index") == 0
    first = site(repo, tmp_path / "first")
    blob = zlib.compress(marshal.dumps(damaged))
    assert unpack(blob) is None
    with sqlite3.connect(index_file(repo)) as connection:
        connection.execute("UPDATE site_stays SET rows = ?", (blob,))
    assert site(repo, tmp_path / "again") == first


def test_rows_the_index_refuses_are_not_kept_and_leave_no_transaction_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A COMMIT that fails (a full disk) is rolled back, warned of once, and the build
    stops keeping rows instead of waiting on the index for every batch."""
    repo = build_moving_archive(tmp_path / "archive")
    assert run_cli("-C", str(repo), "index") == 0
    tries: list[bool] = []

    def refused(connection: sqlite3.Connection, rows: object) -> None:
        tries.append(True)
        connection.execute("BEGIN IMMEDIATE")
        try:
            raise sqlite3.OperationalError("database or disk is full")
        finally:
            if connection.in_transaction:
                connection.execute("ROLLBACK")

    monkeypatch.setattr(build, "keep_rows", refused)
    monkeypatch.setattr(build, "BATCH_VERSIONS", 1)  # a batch per playlist
    expected = site(repo, tmp_path / "first")
    assert tries == [True]
    assert caplog.text.count("were not kept in the change index") == 1
    assert kept(repo) == {}
    monkeypatch.setenv(db.DISABLE_ENV, "1")
    assert site(repo, tmp_path / "walked") == expected


def test_a_commit_of_kept_rows_that_fails_is_rolled_back(tmp_path: Path) -> None:
    """A failed COMMIT leaves SQLite's transaction open (a deferred constraint here, a
    full disk in life): keep_rows ends it, so no later write of the build meets it."""
    connection = sqlite3.connect(tmp_path / "x.sqlite", isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("CREATE TABLE parent (id TEXT PRIMARY KEY)")
    connection.execute(
        "CREATE TABLE site_stays (playlist_id TEXT REFERENCES parent (id)"
        " DEFERRABLE INITIALLY DEFERRED, sources BLOB, rows BLOB)"
    )
    with pytest.raises(sqlite3.IntegrityError):
        keep_rows(connection, [("p", b"d", b"r")])
    assert not connection.in_transaction


# What the kept rows are made from: the stays fold and the rows' rendering. A rebuild
# trusts rows kept by any earlier build of the same ROWS_FORMAT, and a development install
# keeps its __version__ (so its index) across edits: a change here must change ROWS_FORMAT.
_ROWS_MADE_BY = (gitarchive_tracks, site_tracks, pages.playlist_href, pages.text)
# every (ROWS_FORMAT, digest of _ROWS_MADE_BY's source) there has been, the last one current
_ROWS_SOURCES = [
    ("site-stays 1", "287098792aa4092d"),
    ("site-stays 2", "05c93d0c10f98776"),
    ("site-stays 3", "b7849f27bc21e97c"),
    ("site-stays 4", "f661de4f8e8c1e59"),  # the same rows: only tracks.py's imports moved
]


def test_the_kept_rows_format_changes_with_the_code_that_makes_the_rows() -> None:
    digest = hashlib.sha256()
    for part in _ROWS_MADE_BY:
        digest.update(inspect.getsource(part).replace("\r\n", "\n").encode())
    found = (stays_cache.ROWS_FORMAT.decode(), digest.hexdigest()[:16])
    assert found == _ROWS_SOURCES[-1], (
        "the stays fold or the track-page rows' rendering changed: bump "
        "gitarchive.site.stays_cache.ROWS_FORMAT (rows kept by the old code would be shown) "
        f"and append {found} to _ROWS_SOURCES"
    )
    formats = [kept_format for kept_format, _code in _ROWS_SOURCES]
    assert len(set(formats)) == len(formats), "each change of the rows needs its own format"
