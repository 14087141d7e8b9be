"""The site is written a batch of playlists at a time: what one build holds does not grow
with the number of playlists, and the batches do not change a byte."""

from __future__ import annotations

import gc
import weakref
from typing import TYPE_CHECKING, Any, cast

from gitarchive.site import build, playlists
from gitarchive.site.data import PlaylistHistory
from gitarchive.site.workers import Workers
from tests.support.cli import run_cli
from tests.support.moving import build_moving_archive

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from gitarchive.git import Store


def site_files(out: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(out)): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and path.name not in {"index.html", "changes.html"}
    }


def test_one_playlist_history_is_held_at_a_time_and_the_bytes_do_not_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = build_moving_archive(tmp_path / "archive")
    assert run_cli("-C", str(repo), "index") == 0
    args = ("--track-pages", "-j", "1")
    assert run_cli("-C", str(repo), "site", str(tmp_path / "whole"), *args) == 0
    live: weakref.WeakSet[PlaylistHistory] = weakref.WeakSet()
    most = [0]

    class Counted(PlaylistHistory):
        __hash__ = object.__hash__  # a weak set's member

        def __init__(self, *arguments: Any, **keywords: Any) -> None:
            super().__init__(*arguments, **keywords)
            live.add(self)
            most[0] = max(most[0], len(live))

    monkeypatch.setattr(playlists, "PlaylistHistory", Counted)
    assert run_cli("-C", str(repo), "site", str(tmp_path / "counted"), *args) == 0
    assert most[0] == 1  # three playlists in one batch, one after the other
    monkeypatch.setattr(build, "BATCH_VERSIONS", 1)  # a batch per playlist
    assert run_cli("-C", str(repo), "site", str(tmp_path / "batched"), *args) == 0
    assert site_files(tmp_path / "batched") == site_files(tmp_path / "whole")


def _collector_on(_store: object) -> bool:
    return gc.isenabled()


def _no_store() -> Store:
    return cast("Store", None)


def test_a_site_task_runs_with_the_cyclic_collector_paused_and_it_is_back_on_after() -> None:
    # a task's objects live until it ends: the collector would traverse them again and
    # again, and, turned back on within it, once more each time
    assert gc.isenabled()
    for jobs in (1, 2):  # in this process, and in forked workers
        with Workers(_no_store(), _no_store, jobs) as workers:
            assert list(workers.run(_collector_on, [(), ()])) == [False, False]
        assert gc.isenabled()
