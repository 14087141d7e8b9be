"""Index entries of the files a sync writes: the pygit2-internals fast path and its fallback.

Both must give git the same index, byte for byte: the fast path only skips
re-reading and re-hashing files whose blob ids are already known.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pygit2
import pytest

from gitarchive.git import Store, worktree
from tests.support.gitcli import git

if TYPE_CHECKING:
    from pathlib import Path

FILES: dict[str, bytes | None] = {
    "playlists/plain/a": b"Alpha\n\nOne -- Someone -- Album\n",
    "playlists/pretty/a.md": b"# Alpha\n",
    "playlists/registry/a": b"",
    "playlists/index.md": b"## Playlists (1)\n",
}


def count_index_add(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every ``Index.add`` call (the slow route) while still doing it."""
    calls: list[str] = []
    original = pygit2.Index.add

    def add(self: pygit2.Index, path_or_entry: object) -> None:
        calls.append(str(path_or_entry))
        original(self, path_or_entry)  # type: ignore[arg-type]

    monkeypatch.setattr(pygit2.Index, "add", add)
    return calls


def stage_fresh(store: Store) -> bytes:
    """Stage FILES into an empty index; the index file's bytes."""
    index_file = store.git_dir / "index"
    index_file.unlink(missing_ok=True)
    worktree.stage_files(store, FILES)
    return index_file.read_bytes()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    root = tmp_path / "r"
    store = Store(pygit2.init_repository(str(root), initial_head="main"))
    # as in a sync: the blobs are in the object database before their files are staged
    for data in FILES.values():
        assert data is not None
        store.repo.create_blob(data)
    worktree.write_files(root, FILES)
    return store


def test_the_fast_path_stages_without_index_add(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = count_index_add(monkeypatch)
    stage_fresh(store)
    assert calls == []
    assert store.workdir is not None
    # git sees every entry clean: right blob ids, and stat data that needs no re-read
    staged = git(store.workdir, "ls-files", "--stage").splitlines()
    assert sorted(staged) == sorted(
        f"100644 {pygit2.hash(data or b'')} 0\t{path}" for path, data in FILES.items()
    )
    assert git(store.workdir, "diff-files") == ""


def test_the_fallback_gives_the_same_index_when_the_internals_are_missing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = stage_fresh(store)
    calls = count_index_add(monkeypatch)
    # pygit2 without its private cffi conversion (as a future release might be)
    monkeypatch.delattr(pygit2.IndexEntry, "_to_c")
    fallback = stage_fresh(store)
    assert sorted(calls) == sorted(path for path, data in FILES.items() if data is not None)
    assert fallback == fast


def test_add_written_entry_reports_which_route_it_took(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert store.workdir is not None
    index = store.repo.index
    path = "playlists/plain/a"
    data = FILES[path]
    assert data is not None
    blob_id = pygit2.hash(data)
    assert worktree.add_written_entry(index, path, blob_id, store.workdir / path) is True
    monkeypatch.delattr(pygit2.IndexEntry, "_to_c")
    assert worktree.add_written_entry(index, path, blob_id, store.workdir / path) is False
    assert index[path].id == blob_id
