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

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pygit2

import gitarchive.git.worktree as worktree
from gitarchive.git.repository import CommitInfo, Identity, get_commit, info_of, update_head
from gitarchive.git.store import Store, head_id
from gitarchive.git.trees import signature, tree_with
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


def first_parent_chain(store: Store) -> list[CommitInfo]:
    """HEAD's first-parent chain, oldest first (dates: author time)."""
    if store.repo.head_is_unborn:
        return []
    return [info_of(commit) for commit in first_parent_commits(store.repo, None)]


def _commit_parts(
    store: Store, parent: str | None, step: Insert | Replay
) -> tuple[pygit2.Oid, Mapping[str, bytes | None], Any, Any, str, list[pygit2.Oid]]:
    """The commit of ``step`` on ``parent``: tree, changed paths, who, message, parents."""
    on = [] if parent is None else [pygit2.Oid(hex=parent)]
    if isinstance(step, Insert):
        base_tree = None if parent is None else get_commit(store, parent).tree
        author = signature(step.author, step.when)
        return tree_with(store, base_tree, step.files), step.files, author, author, step.message, on
    original = get_commit(store, step.commit)
    extra = (
        list(original.parent_ids[1:])
        if step.extra_parents is None
        else [pygit2.Oid(hex=extra_id) for extra_id in step.extra_parents]
    )
    tree_id = tree_with(store, original.tree, step.overlay)
    return (
        tree_id,
        step.overlay,
        original.author,
        original.committer,
        original.message,
        on + extra,
    )


def rebuild(
    store: Store, base: str | None, steps: list[Insert | Replay], *, reflog: str
) -> str | None:
    """Write ``steps`` on ``base`` and move HEAD's branch to the result; the new tip.

    The work tree and index of every path an overlay or insert wrote are set to
    the new tip's content. None when there is nothing to do.
    """
    if not steps:
        return None
    repo = store.repo
    old_tip = head_id(store)
    parent = base
    touched: set[str] = set()
    for step in steps:
        tree_id, changes, author, committer, message, parents = _commit_parts(store, parent, step)
        touched.update(changes)
        parent = str(repo.create_commit(None, author, committer, message, tree_id, parents))
    assert parent is not None
    update_head(store, parent, expected=old_tip, message=reflog)
    if store.workdir is not None and touched:
        tip_tree = get_commit(store, parent).tree
        final: dict[str, bytes | None] = {}
        for path in sorted(touched):
            try:
                entry = tip_tree[path]
            except KeyError:
                final[path] = None
                continue
            blob = repo.get(entry.id)
            final[path] = blob.data if isinstance(blob, pygit2.Blob) else None
        worktree.write_files(store.workdir, final)
        worktree.stage_files(store, final)
    return parent
