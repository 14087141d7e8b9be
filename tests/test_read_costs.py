"""What a read process pays for besides its own work: the modules it imports and the
cyclic collector's passes while it folds (each a few ms of a read's start)."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

import pytest

from gitarchive.git import Store
from gitarchive.index import ChangeIndex, fold
from tests.support.builder import RepoBuilder
from tests.support.cli import imported_after
from tests.support.cli import invoke_in as invoke
from tests.support.models import PID
from tests.test_index import version_series

if TYPE_CHECKING:
    from pathlib import Path

    from gitarchive.index.fold import Built


def test_showing_a_new_version_imports_no_walk_fold_toml_or_strptime(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    version_series(RepoBuilder(repo))
    assert invoke(repo, "index")[0] == 0
    argv = ["-C", str(repo), "show", PID, "--at", "2026-01-02"]
    names = (
        "gitarchive.version_fold",
        "gitarchive.history",
        "tomllib",
        "_strptime",
        "calendar",
        "pygit2",
        "gitarchive.git.commit_files",
    )
    # the version's commit and blobs are read from the repository's files, without libgit2;
    # the module that reads them is loaded: the probe sees the process
    assert imported_after(argv, names, succeeds=True) == ["gitarchive.git.commit_files"]


def test_a_first_read_folds_with_the_collector_paused_and_turns_it_back_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    version_series(RepoBuilder(repo))
    seen: list[bool] = []
    build = fold.build_chain_folding

    def watched(*args: object, **kwargs: object) -> Built:
        seen.append(gc.isenabled())
        return build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fold, "build_chain_folding", watched)
    assert gc.isenabled()
    with ChangeIndex(Store.discover(repo)) as index:
        assert len(index.entries(PID)) == 4
    assert seen == [False]
    assert gc.isenabled()


def test_the_collector_is_back_on_after_a_fold_that_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    version_series(RepoBuilder(repo))

    def failing(*args: object, **kwargs: object) -> Built:
        raise OSError("disk gone")

    monkeypatch.setattr(fold, "build_chain_folding", failing)
    with ChangeIndex(Store.discover(repo)) as index, pytest.raises(OSError, match="disk gone"):
        index.entries(PID)
    assert gc.isenabled()
