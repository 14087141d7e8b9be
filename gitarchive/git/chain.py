"""The first-parent chain walks of the change index (gitarchive.index).

A catch-up must read only the commits after the one the index has folded up
to, and must notice when that commit is no longer on HEAD's first-parent
chain (a force-push, rebase or reset): then the walk it already did is the
whole chain, which the rebuild uses as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pygit2

from gitarchive.git.objects import unverified_reads
from gitarchive.git.walk import (
    FolderChange,
    _append_changes,
    _first_parent_newest_first,
    _folder,
    _PathBlobs,
    commit_trees,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from gitarchive.git.store import Store

# commits whose folder changes are held at once by stream_changes: enough to read
# trees newest first (packs delta older trees against newer ones), few enough that
# memory stays flat whatever the length of the chain
STREAM_WINDOW = 128


@dataclass(frozen=True, slots=True)
class ChainWalk:
    """First-parent commits after ``since`` up to the tip, oldest first.

    ``complete``: ``since`` was not on the chain (or None), so ``commits`` and
    ``changes`` cover the whole chain from its root commit.
    """

    commits: list[tuple[str, int]]  # (commit id, author time: the version date)
    changes: list[FolderChange]
    complete: bool


def walk_since(store: Store, folders: tuple[str, ...], tip: str, since: str | None) -> ChainWalk:
    """The folder changes of the first-parent commits from ``since`` (excluded) to ``tip``."""
    commits: list[tuple[str, int]] = []
    changes: list[FolderChange] = []
    newer: pygit2.Commit | None = None
    newer_subs: dict[str, pygit2.Tree | None] = {}
    found = False
    with unverified_reads():
        for commit in _first_parent_newest_first(store.repo, tip):
            subs = {folder: _folder(commit.tree, folder) for folder in folders}
            if since is not None and str(commit.id) == since:
                if newer is not None:
                    _append_changes(changes, newer, subs, newer_subs)
                found = True
                break
            commits.append((str(commit.id), commit.author.time))
            if newer is not None:
                _append_changes(changes, newer, subs, newer_subs)
            newer, newer_subs = commit, subs
        if not found and newer is not None:
            _append_changes(changes, newer, {folder: None for folder in folders}, newer_subs)
    commits.reverse()
    changes.reverse()
    return ChainWalk(commits=commits, changes=changes, complete=not found)


def walk_paths_since(
    store: Store,
    paths: tuple[str, ...],
    tip: str,
    since: str | None,
    *,
    best_first: bool = False,
) -> list[tuple[str, int, tuple[str | None, ...]]]:
    """(commit, time, blob ids) of the first-parent commits after ``since`` up to ``tip``.

    Every commit is listed, oldest first, with the blob id of each path (None:
    absent); ``since`` must be on the chain (the caller checked the chain).
    Like ``walk.walk_paths``, a folder's entries are looked up again only
    when the folder's tree id changed. ``best_first``: the paths are sources
    in order of preference, and a path after one that has a blob reads None
    (its folder is not looked into; see ``walk._PathBlobs``).
    """
    repo = store.repo
    path_blobs = _PathBlobs(paths, best_first=best_first)
    with unverified_reads():
        return [
            (commit_id, time, path_blobs.at(repo, tree_id))
            for commit_id, time, tree_id in commit_trees(repo, tip, since)
        ]


def walk_commits_since(
    store: Store, tip: str, since: str | None
) -> tuple[list[tuple[str, int]], bool]:
    """First-parent commits after ``since`` up to ``tip``, oldest first; and whether
    ``since`` was found (False: the list is the whole chain, ``since`` is not on it).

    Reads commit objects only, no trees: the ancestry check of every catch-up. Read as
    the other walks read (git.unverified_reads), and as the repository's files answer a
    short one (git.commit_reads): no commit is hashed against its id.
    """
    commits: list[tuple[str, int]] = []
    found = False
    with unverified_reads():
        for commit in _first_parent_newest_first(store.repo, tip):
            commit_id = str(commit.id)
            if commit_id == since:
                found = True
                break
            commits.append((commit_id, commit.author.time))
    commits.reverse()
    return commits, found


def stream_changes(
    store: Store, folders: tuple[str, ...], commits: Sequence[str], since: str | None
) -> Iterator[FolderChange]:
    """The folder changes of ``commits`` (first-parent chain ids, oldest first), streamed.

    ``since``: the chain commit just before ``commits[0]`` (None: ``commits[0]``
    is the root). What :func:`walk_since` finds, oldest first, holding at most
    :data:`STREAM_WINDOW` commits' changes at a time.
    """
    repo = store.repo
    before: dict[str, pygit2.Tree | None] = {folder: None for folder in folders}
    if since is not None:
        tree = repo[pygit2.Oid(hex=since)].peel(pygit2.Commit).tree
        before = {folder: _folder(tree, folder) for folder in folders}
    with unverified_reads():
        for start in range(0, len(commits), STREAM_WINDOW):
            window = [
                repo[pygit2.Oid(hex=commit_id)].peel(pygit2.Commit)
                for commit_id in commits[start : start + STREAM_WINDOW]
            ]
            subs = [_subtrees(c.tree, folders) for c in window]
            found: list[FolderChange] = []
            for offset in range(len(window) - 1, -1, -1):  # newest first: delta bases
                older = subs[offset - 1] if offset else before
                _append_changes(found, window[offset], older, subs[offset])
            before = subs[-1]
            found.reverse()
            yield from found


def _subtrees(tree: pygit2.Tree, folders: tuple[str, ...]) -> dict[str, pygit2.Tree | None]:
    """Each folder's tree in ``tree`` (a commit's ``tree`` is a new object at each call)."""
    return {folder: _folder(tree, folder) for folder in folders}
