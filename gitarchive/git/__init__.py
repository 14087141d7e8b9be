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
* ``maintenance``: a geometric roll-up of packs, so their number and size stay bounded
* ``faults``: named fault points for the fault-injection tests (test-only switch)
* ``lock``: one sync at a time (an OS file lock)
* ``remote``: push and fetch
* ``walk``: history walks
* ``chain``: the change index's walks (catch-up from a folded commit, fingerprint)
* ``changes``: commit ranges, changed and staged files (what the hooks check)
* ``modes``: which paths are symbolic links (reported, never read through)
"""

from __future__ import annotations

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
