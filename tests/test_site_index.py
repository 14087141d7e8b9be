"""`gitarchive site` reads the change index where it can, and writes the same bytes as the walk.

Each repository's site is built by the walk (GITARCHIVE_NO_INDEX: no index can be
written), from a cold index (the site builds it), from a warm one, after
`index --rebuild`, and with one and two processes; every file of every build
must be identical. Repositories: the demo archive; renames, updates,
removals, reorders, likes-only versions, a playlist deleted and re-registered,
a plain-only past and a merge.
"""

from __future__ import annotations

import dataclasses
import shutil
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

import gitarchive.cli.site
from gitarchive.index import db
from tests.support.builder import RepoBuilder, deleted_files, playlist_files
from tests.support.cli import index_file, run_cli
from tests.support.models import PID
from tests.support.models import model_playlist as playlist
from tests.support.models import model_track as track
from tests.support.models import plain_track as plain

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.demo import DemoArchive

OTHER = "Q" * 22


class _PinnedClock(datetime):
    @classmethod
    def now(cls, tz: object = None) -> _PinnedClock:
        return cls(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _pinned_generation_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # pages state when they were generated: pinned, so builds compare byte for byte
    monkeypatch.setattr(gitarchive.cli.site, "datetime", _PinnedClock)


def site_files(repo: Path, out: Path, *args: str) -> dict[str, bytes]:
    assert run_cli("-C", str(repo), "site", str(out), *args) == 0
    files = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    shutil.rmtree(out)
    return files


def assert_same_sites(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str
) -> dict[str, bytes]:
    """The site walked, from a cold, a warm and a rebuilt index, in 1 and 2 processes."""
    out = tmp_path / "site"
    db.remove_files(index_file(repo))
    with monkeypatch.context() as patched:
        patched.setenv(db.DISABLE_ENV, "1")
        walked = site_files(repo, out, *args, "-j", "1")
        assert site_files(repo, out, *args, "-j", "2") == walked
    assert not index_file(repo).exists()  # no index where none may be written
    assert any(name.startswith("p/") for name in walked)
    assert site_files(repo, out, *args, "-j", "1") == walked  # cold: the site builds it
    assert index_file(repo).exists()
    assert site_files(repo, out, *args, "-j", "1") == walked  # warm
    assert site_files(repo, out, *args, "-j", "2") == walked
    assert run_cli("-C", str(repo), "index", "--rebuild") == 0
    assert site_files(repo, out, *args, "-j", "2") == walked
    return walked


def test_demo_archive_site_is_the_same_with_and_without_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_archive: DemoArchive
) -> None:
    repo = tmp_path / "demo"
    shutil.copytree(demo_archive.path, repo, symlinks=True)  # the index is written
    walked = assert_same_sites(repo, tmp_path, monkeypatch)
    ids = [playlist_id for playlist_id, _name in demo_archive.result.playlists]
    assert {f"p/{playlist_id}.html" for playlist_id in ids} <= set(walked)
    assert_same_sites(repo, tmp_path, monkeypatch, "--playlist", ids[0], "--since", "2026-11-20")


def eventful_history(builder: RepoBuilder) -> None:
    """Renames, updates, removals, reorders, likes only, a deletion, a plain past, a merge."""
    live = track(3, name="Song 3 (Live)")
    commits = [
        (playlist_files(playlist(plain(track(1)), plain(track(2))), ("plain",)), "01"),
        (playlist_files(playlist(track(1), track(2), track(3), likes=10)), "02"),
        (playlist_files(playlist(track(1), live, track(4), likes=12)), "03"),
        (playlist_files(playlist(track(1), live, track(4), likes=15)), "04"),
        (playlist_files(playlist(track(4), track(1), live, likes=15)), "05"),
        (
            playlist_files(playlist(track(4), track(5), name="Mix 2", description="new", likes=9)),
            "06",
        ),
        (deleted_files(PID), "07"),
        (playlist_files(playlist(track(5), track(5), track(6), name="Mix 3", likes=None)), "08"),
    ]
    other = dataclasses.replace(playlist(track(7), track(8), likes=3), id=OTHER)
    head = ""
    for number, (files, day) in enumerate(commits):
        if number == 2:
            files = {**files, **playlist_files(other)}
        if number == 5:
            files = {**files, **playlist_files(dataclasses.replace(other, tracks=(track(8),)))}
        head = builder.commit(files, date=f"2026-01-{day}T06:00:00Z")
    side = builder.commit(
        playlist_files(dataclasses.replace(other, tracks=(track(9),))),
        date="2026-01-09T06:00:00Z",
        parents=[head],
        ref="refs/side",
    )
    merged = playlist_files(
        dataclasses.replace(other, tracks=(track(8), track(9)), num_followers=4)
    )
    builder.commit(merged, date="2026-01-10T06:00:00Z", parents=[head, side])


@pytest.mark.parametrize("bare", [False, True])
def test_eventful_history_site_is_the_same_with_and_without_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bare: bool
) -> None:
    repo = tmp_path / "repo"
    eventful_history(RepoBuilder(repo, bare=bare))
    walked = assert_same_sites(repo, tmp_path, monkeypatch)
    assert {f"p/{PID}.html", f"p/{OTHER}.html", "index.html"} <= set(walked)
    assert_same_sites(repo, tmp_path, monkeypatch, "--since", "2026-01-05")
    assert_same_sites(repo, tmp_path, monkeypatch, "--playlist", PID, "--playlist", OTHER)


def test_selected_playlist_without_versions_is_an_error_with_the_index(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    RepoBuilder(repo).commit(playlist_files(playlist(track(1))), date="2026-01-01T06:00:00Z")
    assert run_cli("-C", str(repo), "index") == 0
    assert run_cli("-C", str(repo), "site", str(tmp_path / "out"), "--playlist", OTHER) == 1
