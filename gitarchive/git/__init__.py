"""Every pygit2 call of gitarchive lives in this package.

The rest of the package sees revisions as hex strings, paths as POSIX strings
relative to the repository root, and file contents as bytes. Nothing outside
this package imports pygit2, and nothing in gitarchive runs the git CLI.

A :class:`Store` is a handle (opened, created, and where its folders are);
every operation is a function taking the store first. By concern:

* ``repository``: opening, reading a commit's files and blobs, refs, identity
* ``commit``: one sync commit and its crash protocol
* ``worktree``: the work tree files and index entries of exactly the paths written
* ``pack``: a sync's blobs in one new pack
* ``lock``: one sync at a time (an OS file lock)
* ``remote``: push and fetch
* ``walk``: history walks
* ``chain``: the change index's walks (catch-up from a folded commit, fingerprint)
* ``changes``: commit ranges, changed and staged files (what the hooks check)
* ``modes``: which paths are symbolic links (reported, never read through)
* ``maintenance``: a geometric roll-up of packs, so their number and size stay bounded
* ``faults``: named fault points for the fault-injection tests (test-only switch)
* ``rewrite``, ``source``: another archive's past brought in by ``gitarchive import``
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gitarchive.git.chain import (
        ChainWalk,
        history_fingerprint,
        walk_commits_since,
        walk_paths_since,
        walk_since,
    )
    from gitarchive.git.changes import (
        changed_files,
        changed_paths,
        commits_between,
        commits_not_on_remotes,
        has_commit,
        is_zero_id,
        peel_to_commit,
        remote_tracking_ids,
        staged_changes,
        staged_files,
        tree_files,
    )
    from gitarchive.git.commit import (
        PENDING_FILE,
        build_commit,
        check_can_commit,
        commit_changes,
        recover_pending,
    )
    from gitarchive.git.faults import fault_point
    from gitarchive.git.lock import LOCK_FILE, ArchiveLock
    from gitarchive.git.maintenance import keep_packs_healthy, store_stats
    from gitarchive.git.modes import changed_symlinks, staged_symlinks, tree_symlinks
    from gitarchive.git.pack import write_blob_pack
    from gitarchive.git.remote import PushTarget, fetch_tip, github_slug, push_head, push_target
    from gitarchive.git.repository import (
        GITHUB_ACTIONS_BOT,
        CommitInfo,
        Identity,
        Store,
        blob_id_of,
        commit_info,
        current_branch,
        entry_id,
        head_id,
        hooks_dir,
        init_repository,
        is_ancestor,
        is_ignored,
        list_dir,
        read_blob,
        read_file,
        ref_id,
        require_full_history,
        resolve,
        resolve_identity,
        shallow_boundary,
        unverified_reads,
        update_head,
    )
    from gitarchive.git.rewrite import Insert, Replay, first_parent_chain, rebuild
    from gitarchive.git.source import checkout_commit, clone_bare
    from gitarchive.git.walk import (
        FolderChange,
        PathsChange,
        commit_at,
        last_changed,
        walk_folders,
        walk_paths,
    )
    from gitarchive.git.worktree import (
        check_folders,
        check_writable,
        checkout_paths,
        read_worktree_file,
        worktree_matches,
        write_worktree_files,
    )

# Submodules are imported on first use (PEP 562): a read served by the change
# index needs `repository` and `chain` only, and importing every concern
# (commit, pack, remote, worktree, ...) cost a read command ~40 ms of CPU.
_HOME = {
    "ArchiveLock": "lock",
    "blob_id_of": "repository",
    "build_commit": "commit",
    "ChainWalk": "chain",
    "changed_files": "changes",
    "changed_paths": "changes",
    "changed_symlinks": "modes",
    "check_can_commit": "commit",
    "check_folders": "worktree",
    "check_writable": "worktree",
    "checkout_commit": "source",
    "checkout_paths": "worktree",
    "clone_bare": "source",
    "commit_at": "walk",
    "commit_changes": "commit",
    "commit_info": "repository",
    "CommitInfo": "repository",
    "commits_between": "changes",
    "commits_not_on_remotes": "changes",
    "current_branch": "repository",
    "entry_id": "repository",
    "fault_point": "faults",
    "fetch_tip": "remote",
    "first_parent_chain": "rewrite",
    "FolderChange": "walk",
    "GITHUB_ACTIONS_BOT": "repository",
    "github_slug": "remote",
    "has_commit": "changes",
    "head_id": "repository",
    "history_fingerprint": "chain",
    "hooks_dir": "repository",
    "Identity": "repository",
    "init_repository": "repository",
    "Insert": "rewrite",
    "is_ancestor": "repository",
    "is_ignored": "repository",
    "is_zero_id": "changes",
    "keep_packs_healthy": "maintenance",
    "last_changed": "walk",
    "list_dir": "repository",
    "LOCK_FILE": "lock",
    "PathsChange": "walk",
    "peel_to_commit": "changes",
    "PENDING_FILE": "commit",
    "push_head": "remote",
    "push_target": "remote",
    "PushTarget": "remote",
    "read_blob": "repository",
    "unverified_reads": "repository",
    "read_file": "repository",
    "read_worktree_file": "worktree",
    "rebuild": "rewrite",
    "recover_pending": "commit",
    "ref_id": "repository",
    "remote_tracking_ids": "changes",
    "Replay": "rewrite",
    "require_full_history": "repository",
    "resolve": "repository",
    "resolve_identity": "repository",
    "shallow_boundary": "repository",
    "staged_changes": "changes",
    "staged_files": "changes",
    "staged_symlinks": "modes",
    "Store": "repository",
    "store_stats": "maintenance",
    "tree_files": "changes",
    "tree_symlinks": "modes",
    "update_head": "repository",
    "walk_commits_since": "chain",
    "walk_folders": "walk",
    "walk_paths": "walk",
    "walk_paths_since": "chain",
    "walk_since": "chain",
    "worktree_matches": "worktree",
    "write_blob_pack": "pack",
    "write_worktree_files": "worktree",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "GITHUB_ACTIONS_BOT",
    "LOCK_FILE",
    "PENDING_FILE",
    "ArchiveLock",
    "ChainWalk",
    "CommitInfo",
    "FolderChange",
    "Identity",
    "Insert",
    "PathsChange",
    "PushTarget",
    "Replay",
    "Store",
    "blob_id_of",
    "build_commit",
    "changed_files",
    "changed_paths",
    "changed_symlinks",
    "check_can_commit",
    "check_folders",
    "check_writable",
    "checkout_commit",
    "checkout_paths",
    "clone_bare",
    "commit_at",
    "commit_changes",
    "commit_info",
    "commits_between",
    "commits_not_on_remotes",
    "current_branch",
    "entry_id",
    "fault_point",
    "fetch_tip",
    "first_parent_chain",
    "github_slug",
    "has_commit",
    "head_id",
    "history_fingerprint",
    "hooks_dir",
    "init_repository",
    "is_ancestor",
    "is_ignored",
    "is_zero_id",
    "keep_packs_healthy",
    "last_changed",
    "list_dir",
    "peel_to_commit",
    "push_head",
    "push_target",
    "read_blob",
    "read_file",
    "read_worktree_file",
    "rebuild",
    "recover_pending",
    "ref_id",
    "remote_tracking_ids",
    "require_full_history",
    "resolve",
    "resolve_identity",
    "shallow_boundary",
    "staged_changes",
    "staged_files",
    "staged_symlinks",
    "store_stats",
    "tree_files",
    "tree_symlinks",
    "unverified_reads",
    "update_head",
    "walk_commits_since",
    "walk_folders",
    "walk_paths",
    "walk_paths_since",
    "walk_since",
    "worktree_matches",
    "write_blob_pack",
    "write_worktree_files",
]
