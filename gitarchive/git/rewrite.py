"""Rebuilding a branch's first-parent chain with commits inserted (``gitarchive import``).

Git history is append-only: a version dated before commits that already exist
can only take its place in date order by rebuilding every commit after it.
:func:`rebuild` keeps the chain up to ``base`` as it is, then writes the steps:
an :class:`Insert` is a new commit (the imported version's files over the
previous tree, author and committer dated at the source version's date); a
:class:`Replay` is an existing commit written again on the new parent with the
same author, committer, dates, message and extra parents (or those the step
gives), its tree plus an overlay (the imported files it did not hold). Only the
branch ref moves, once, by compare-and-swap; then the work tree and index of the
overlaid paths follow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pygit2

import gitarchive.git.worktree as worktree
from gitarchive.git.commit_files import CommitInfo
from gitarchive.git.pack import write_blob_pack
from gitarchive.git.repository import Identity, get_commit, info_of, update_head
from gitarchive.git.store import Store, head_id
from gitarchive.git.trees import signature, tree_with_ids
from gitarchive.git.walk import first_parent_commits


@dataclass(frozen=True, slots=True)
class Insert:
    files: Mapping[str, bytes | None]
    message: str
    author: Identity
    when: datetime


@dataclass(frozen=True, slots=True)
class Replay:
    commit: str
    overlay: Mapping[str, bytes | None] = field(default_factory=dict)
    # the extra parents to give the replayed commit; None keeps the original's
    extra_parents: tuple[str, ...] | None = None


# the bytes of files whose blobs go into one pack before their commits are written
BATCH_BYTES = 64 * 1024 * 1024


def first_parent_chain(store: Store) -> list[CommitInfo]:
    """HEAD's first-parent chain, oldest first (dates: author time)."""
    if store.repo.head_is_unborn:
        return []
    return [info_of(commit) for commit in first_parent_commits(store.repo, None)]


class _Blobs:
    """Blob ids of the steps' files, written a batch of steps at a time into one pack.

    An import writes thousands of commits; a pack per commit (or a loose object
    per file) would leave the repository with thousands of packs or files. The
    same bytes object carried by many replayed commits (an imported playlist's
    files over every later commit) is hashed once. Only the last step's files are
    remembered past its batch, so that memory holds one batch, not the whole import.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.known: dict[bytes, pygit2.Oid] = {}
        self.carried: Mapping[str, bytes | None] = {}

    def write(self, steps: list[Insert | Replay]) -> None:
        carried = set(self.carried.values())
        self.known = {data: oid for data, oid in self.known.items() if data in carried}
        self.carried = _files_of(steps[-1])
        fresh: dict[bytes, None] = {}
        for step in steps:
            for data in _files_of(step).values():
                if data is not None and data not in self.known:
                    fresh[data] = None
        if fresh:
            ids = write_blob_pack(self.store, list(fresh))
            self.known.update(zip(fresh, ids, strict=True))

    def ids(self, files: Mapping[str, bytes | None]) -> dict[str, pygit2.Oid | None]:
        return {path: None if data is None else self.known[data] for path, data in files.items()}


def _files_of(step: Insert | Replay) -> Mapping[str, bytes | None]:
    return step.files if isinstance(step, Insert) else step.overlay


def _commit_parts(
    store: Store, blobs: _Blobs, parent: str | None, step: Insert | Replay
) -> tuple[pygit2.Oid, Any, Any, str, list[pygit2.Oid]]:
    """The commit of ``step`` on ``parent``: tree, who, message, parents."""
    on = [] if parent is None else [pygit2.Oid(hex=parent)]
    if isinstance(step, Insert):
        base_tree = None if parent is None else get_commit(store, parent).tree
        author = signature(step.author, step.when)
        return (
            tree_with_ids(store, base_tree, blobs.ids(step.files)),
            author,
            author,
            step.message,
            on,
        )
    original = get_commit(store, step.commit)
    extra = (
        list(original.parent_ids[1:])
        if step.extra_parents is None
        else [pygit2.Oid(hex=extra_id) for extra_id in step.extra_parents]
    )
    tree_id = tree_with_ids(store, original.tree, blobs.ids(step.overlay))
    return tree_id, original.author, original.committer, original.message, on + extra


def _batches(
    steps: Iterable[Insert | Replay], limit: int = BATCH_BYTES
) -> Iterator[list[Insert | Replay]]:
    """The steps in batches of about ``limit`` bytes of files (one pack each)."""
    batch: list[Insert | Replay] = []
    size = 0
    for step in steps:
        batch.append(step)
        size += sum(len(data) for data in _files_of(step).values() if data is not None)
        if size >= limit:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def rebuild(
    store: Store,
    base: str | None,
    steps: Iterable[Insert | Replay],
    *,
    reflog: str,
    on_commit: Callable[[], None] | None = None,
) -> str | None:
    """Write ``steps`` on ``base`` and move HEAD's branch to the result; the new tip.

    The work tree and index of every path an overlay or insert wrote are set to
    the new tip's content. None when there is nothing to do.
    """
    repo = store.repo
    old_tip = head_id(store)
    parent = base
    touched: set[str] = set()
    blobs = _Blobs(store)
    for batch in _batches(steps):
        blobs.write(batch)
        for step in batch:
            tree_id, author, committer, message, parents = _commit_parts(store, blobs, parent, step)
            touched.update(_files_of(step))
            parent = str(repo.create_commit(None, author, committer, message, tree_id, parents))
            if on_commit is not None:
                on_commit()
    if parent is None or parent == base:
        return None
    update_head(store, parent, expected=old_tip, message=reflog)
    if store.workdir is not None and touched:
        _follow_worktree(store, parent, touched)
    return parent


def _follow_worktree(store: Store, tip: str, touched: set[str]) -> None:
    tip_tree = get_commit(store, tip).tree
    final: dict[str, bytes | None] = {}
    for path in sorted(touched):
        try:
            entry = tip_tree[path]
        except KeyError:
            final[path] = None
            continue
        blob = store.repo.get(entry.id)
        final[path] = blob.data if isinstance(blob, pygit2.Blob) else None
    assert store.workdir is not None
    worktree.write_files(store.workdir, final)
    worktree.stage_files(store, final)
