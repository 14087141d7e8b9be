"""What commits change: ranges of commits, changed, committed and staged files.

The pre-push and pre-commit checks read their input here; a sync rebuilt on a
moved remote asks which paths the remote's commits touched.
"""

from __future__ import annotations

from collections.abc import Iterator

import pygit2

from gitarchive.git.repository import get_commit
from gitarchive.git.store import Store, head_id


def changed_paths(store: Store, old_commit: str | None, new_commit: str) -> list[str]:
    """Paths whose blobs differ between two commits."""
    repo = store.repo
    new = get_commit(store, new_commit)
    if old_commit is None:
        return list(_walk_blobs(repo, new.tree, ""))
    old = get_commit(store, old_commit)
    diff = old.tree.diff_to_tree(new.tree)
    paths: set[str] = set()
    for delta in diff.deltas:
        paths.add(delta.old_file.path)
        paths.add(delta.new_file.path)
    return sorted(paths)


def _walk_blobs(repo: pygit2.Repository, tree: pygit2.Tree, prefix: str) -> Iterator[str]:
    for entry in tree:
        path = f"{prefix}{entry.name}"
        if entry.type_str == "tree":
            sub = repo.get(entry.id)
            assert isinstance(sub, pygit2.Tree)
            yield from _walk_blobs(repo, sub, path + "/")
        elif entry.type_str == "blob":
            yield path


def is_zero_id(value: str) -> bool:
    """True for git's all-zeros object id (a deleted or not-yet-existing ref in hook input)."""
    return bool(value) and set(value) == {"0"}


def has_commit(store: Store, commit_id: str) -> bool:
    """Whether ``commit_id`` names a commit present in the object database."""
    try:
        obj = store.repo.get(commit_id)
    except (ValueError, pygit2.GitError):
        return False
    return isinstance(obj, pygit2.Commit)


def peel_to_commit(store: Store, object_id: str) -> str | None:
    """The commit an object id names (a commit, or a tag of one); None for trees and blobs."""
    try:
        obj = store.repo.get(object_id)
        commit = obj.peel(pygit2.Commit) if obj is not None else None
    except (ValueError, pygit2.GitError, pygit2.InvalidSpecError):
        return None
    return None if commit is None else str(commit.id)


def remote_tracking_ids(store: Store) -> list[str]:
    """Commit ids of every ``refs/remotes/*`` ref (what the remotes are known to hold)."""
    ids: list[str] = []
    for name in store.repo.references:
        if not name.startswith("refs/remotes/"):
            continue
        try:
            target = store.repo.references[name].peel(pygit2.Commit)
        except (KeyError, ValueError, pygit2.GitError):
            continue  # symbolic refs such as origin/HEAD resolve to a branch listed anyway
        ids.append(str(target.id))
    return ids


def commits_between(store: Store, tip: str, hidden: list[str]) -> list[str]:
    """Commits reachable from ``tip`` but from none of ``hidden``, oldest first.

    ``hidden`` ids unknown to this repository are ignored (a remote that moved
    since the last fetch): git rejects such a push as non-fast-forward anyway,
    and hiding what we know is the best approximation of "what the remote lacks".
    """
    walker = store.repo.walk(
        pygit2.Oid(hex=tip), pygit2.enums.SortMode.TOPOLOGICAL | pygit2.enums.SortMode.REVERSE
    )
    for commit_id in hidden:
        if has_commit(store, commit_id):
            walker.hide(pygit2.Oid(hex=commit_id))
    return [str(commit.id) for commit in walker]


def commits_not_on_remotes(store: Store, tip: str) -> list[str]:
    """Commits reachable from ``tip`` that no remote-tracking ref reaches (a new branch)."""
    return commits_between(store, tip, remote_tracking_ids(store))


def changed_files(store: Store, commit_id: str) -> dict[str, str | None]:
    """Paths a commit changed against its first parent, mapped to the new blob id.

    Deleted paths map to None. A root commit changes every file it holds.
    Only the tree diff is computed (no patches, no rename detection), which is
    what keeps a pre-push of one sync commit on a large archive fast.
    """
    commit = get_commit(store, commit_id)
    if not commit.parent_ids:
        return dict(tree_files(store, commit_id, ""))
    parent = store.repo.get(commit.parent_ids[0])
    assert isinstance(parent, pygit2.Commit)
    diff = parent.tree.diff_to_tree(commit.tree)
    changed: dict[str, str | None] = {}
    for delta in diff.deltas:
        if delta.status == pygit2.enums.DeltaStatus.DELETED:
            changed[delta.old_file.path] = None
        else:
            changed[delta.new_file.path] = str(delta.new_file.id)
    return changed


def tree_files(store: Store, commit_id: str, prefix: str) -> dict[str, str]:
    """Every blob under ``prefix`` (a folder, "" for all) at a commit: path -> blob id."""
    commit = get_commit(store, commit_id)
    tree: pygit2.Object = commit.tree
    if prefix:
        try:
            tree = commit.tree[prefix]
        except KeyError:
            return {}
    if not isinstance(tree, pygit2.Tree):
        return {}
    found: dict[str, str] = {}
    stack: list[tuple[str, pygit2.Tree]] = [(prefix, tree)]
    while stack:
        folder, current = stack.pop()
        for entry in current:
            path = f"{folder}/{entry.name}" if folder else str(entry.name)
            if entry.type_str == "tree":
                sub = store.repo.get(entry.id)
                assert isinstance(sub, pygit2.Tree)
                stack.append((path, sub))
            elif entry.type_str == "blob":
                found[path] = str(entry.id)
    return found


def staged_changes(store: Store) -> dict[str, str | None]:
    """Paths whose staged content differs from HEAD: path -> staged blob id (None: deleted)."""
    index = store.repo.index
    index.read()
    staged = {entry.path: str(entry.id) for entry in index}
    head = head_id(store)
    if head is None:
        return dict(staged)
    committed = tree_files(store, head, "")
    changed: dict[str, str | None] = {
        path: blob for path, blob in staged.items() if committed.get(path) != blob
    }
    for path in committed:
        if path not in staged:
            changed[path] = None
    return changed


def staged_files(store: Store) -> dict[str, str]:
    """Every path in the index mapped to its staged blob id (what the next commit will hold)."""
    index = store.repo.index
    index.read()
    return {entry.path: str(entry.id) for entry in index}
