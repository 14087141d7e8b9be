"""Which paths are symbolic links (mode 120000) in a commit, its changes, or the index.

A link's blob is the target's path, not a file: whoever reads through it (the
work tree) may read anything the link points at, so validate reports links
instead of reading them.
"""

from __future__ import annotations

import pygit2

from gitarchive.git.repository import get_commit
from gitarchive.git.store import Store

_LINK = pygit2.enums.FileMode.LINK


def _under(path: str, prefix: str) -> bool:
    return not prefix or path == prefix or path.startswith(prefix.rstrip("/") + "/")


def changed_symlinks(store: Store, commit_id: str, prefix: str = "") -> list[str]:
    """Paths under ``prefix`` that a commit adds or changes as symbolic links."""
    commit = get_commit(store, commit_id)
    if not commit.parent_ids:
        return tree_symlinks(store, commit_id, prefix)
    parent = store.repo.get(commit.parent_ids[0])
    assert isinstance(parent, pygit2.Commit)
    diff = parent.tree.diff_to_tree(commit.tree)
    return sorted(
        delta.new_file.path
        for delta in diff.deltas
        if delta.new_file.mode == _LINK and _under(delta.new_file.path, prefix)
    )


def tree_symlinks(store: Store, commit_id: str, prefix: str = "") -> list[str]:
    """Every symbolic link under ``prefix`` in a commit's tree."""
    found: list[str] = []
    stack: list[tuple[str, pygit2.Tree]] = [("", get_commit(store, commit_id).tree)]
    while stack:
        folder, tree = stack.pop()
        for entry in tree:
            path = f"{folder}/{entry.name}" if folder else str(entry.name)
            if entry.filemode == _LINK and _under(path, prefix):
                found.append(path)
            elif entry.type_str == "tree" and (_under(path, prefix) or _under(prefix, path)):
                sub = store.repo.get(entry.id)
                assert isinstance(sub, pygit2.Tree)
                stack.append((path, sub))
    return sorted(found)


def staged_symlinks(store: Store, prefix: str = "") -> list[str]:
    """Symbolic links under ``prefix`` in the index (what the next commit will hold)."""
    index = store.repo.index
    index.read()
    return sorted(e.path for e in index if e.mode == _LINK and _under(e.path, prefix))
