"""Every pygit2 call of gitarchive lives in this package.

The rest of the package sees revisions as hex strings, paths as POSIX strings
relative to the repository root, and file contents as bytes. Nothing outside
this package imports pygit2, and nothing in gitarchive runs the git CLI.

A :class:`Store` is a handle (opened, created, and where its folders are);
every operation is a function taking the store first. By concern:

* ``repository``: opening, reading a commit's files and blobs, refs, identity
* ``commit_files``, ``commit_reads``: one commit's date and files from the repository's
  own files where they settle it (no libgit2), else from libgit2
* ``commit``: one sync commit and its crash protocol
* ``trees``: trees and commit objects written from changed files (sync and import)
* ``worktree``: the work tree files and index entries of exactly the paths written
* ``pack``: a sync's blobs in one new pack
* ``lock``: one sync at a time (an OS file lock)
* ``origin``: the GitHub slug of a remote (read from .git/config when that is plain)
* ``remote``: push and fetch
* ``walk``: history walks
* ``folder_entries``: one folder's entries across many commits (the name-keyed pages)
* ``chain``: the change index's walks (catch-up from a folded commit, fingerprint)
* ``changes``: commit ranges, changed and staged files (what the hooks check)
* ``modes``: which paths are symbolic links (reported, never read through)
* ``maintenance``: a geometric roll-up of packs, so their number and size stay bounded
* ``faults``: named fault points for the fault-injection tests (test-only switch)
* ``rewrite``, ``source``: another archive's past brought in by ``gitarchive import``
"""

from __future__ import annotations

import functools
import importlib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

# The one list of the package's names: mypy reads these imports; at run time
# `__getattr__` reads the same statements and imports a submodule on first use
# (PEP 562). A read served by the change index needs `repository` and `chain`
# only; importing every concern (commit, pack, remote, worktree, ...) up front
# cost a read command about 20 ms (python -X importtime, 2 loaded cores).
# one statement per submodule keeps the list readable
# isort: off
if TYPE_CHECKING:
    from .chain import (
        ChainWalk as ChainWalk,
        stream_changes as stream_changes,
        walk_since as walk_since,
    )
    from .changes import (
        changed_files as changed_files,
        changed_paths as changed_paths,
        commits_between as commits_between,
        commits_not_on_remotes as commits_not_on_remotes,
        has_commit as has_commit,
        is_zero_id as is_zero_id,
        peel_to_commit as peel_to_commit,
        remote_tracking_ids as remote_tracking_ids,
        staged_changes as staged_changes,
        staged_files as staged_files,
        tree_files as tree_files,
    )
    from .commit import (
        PENDING_FILE as PENDING_FILE,
        build_commit as build_commit,
        check_can_commit as check_can_commit,
        commit_changes as commit_changes,
        recover_pending as recover_pending,
    )
    from .commit_files import (
        CommitInfo as CommitInfo,
        blob_id_of as blob_id_of,
    )
    from .commit_reads import (
        commit_info as commit_info,
        list_dir as list_dir,
        read_file as read_file,
        walk_commits_since as walk_commits_since,
        walk_paths_since as walk_paths_since,
    )
    from .folder_entries import (
        FolderEntries as FolderEntries,
    )
    from .faults import (
        fault_point as fault_point,
    )
    from .lock import (
        LOCK_FILE as LOCK_FILE,
        ArchiveLock as ArchiveLock,
    )
    from .maintenance import (
        keep_packs_healthy as keep_packs_healthy,
        store_stats as store_stats,
    )
    from .modes import (
        changed_symlinks as changed_symlinks,
        staged_symlinks as staged_symlinks,
        tree_symlinks as tree_symlinks,
    )
    from .objects import (
        read_blob as read_blob,
        unverified_reads as unverified_reads,
    )
    from .origin import (
        github_slug as github_slug,
    )
    from .pack import (
        write_blob_pack as write_blob_pack,
    )
    from .remote import (
        PushTarget as PushTarget,
        fetch_tip as fetch_tip,
        push_head as push_head,
        push_target as push_target,
    )
    from .repository import (
        GITHUB_ACTIONS_BOT as GITHUB_ACTIONS_BOT,
        Identity as Identity,
        bound_pack_windows as bound_pack_windows,
        current_branch as current_branch,
        entry_id as entry_id,
        hooks_dir as hooks_dir,
        init_repository as init_repository,
        is_ancestor as is_ancestor,
        is_ignored as is_ignored,
        ref_id as ref_id,
        resolve as resolve,
        resolve_identity as resolve_identity,
        update_head as update_head,
    )
    from .store import (
        Store as Store,
        head_id as head_id,
        history_fingerprint as history_fingerprint,
        require_full_history as require_full_history,
        shallow_boundary as shallow_boundary,
    )
    from .rewrite import (
        Insert as Insert,
        Replay as Replay,
        first_parent_chain as first_parent_chain,
        rebuild as rebuild,
    )
    from .source import (
        checkout_commit as checkout_commit,
        clone_bare as clone_bare,
    )
    from .walk import (
        FolderChange as FolderChange,
        PathsChange as PathsChange,
        commit_at as commit_at,
        last_changed as last_changed,
        walk_folders as walk_folders,
        walk_paths as walk_paths,
    )
    from .worktree import (
        check_folders as check_folders,
        check_writable as check_writable,
        checkout_paths as checkout_paths,
        read_worktree_file as read_worktree_file,
        worktree_matches as worktree_matches,
        write_worktree_files as write_worktree_files,
    )
# isort: on


# one statement of the block above: its submodule, and its "Name as Name," lines
_STATEMENT = re.compile(
    r"^    from \.(\w+) import \(\n((?:        \w+ as \w+,\n)+)    \)$", re.MULTILINE
)
_NAME = re.compile(r"(\w+) as \w+")


@functools.cache
def _homes() -> dict[str, str]:
    """Each public name and the submodule that defines it, read from the block above.

    Read with two expressions rather than ``ast.parse``: every read command looks a
    name up here, and parsing this file cost ~0.9 ms of CPU against ~0.2 ms
    (tests/test_git_package.py checks that both readings agree).
    """
    text = Path(__file__).read_text(encoding="utf-8")
    return {
        name: f"{__name__}.{statement[1]}"
        for statement in _STATEMENT.finditer(text)
        for name in _NAME.findall(statement[2])
    }


def __getattr__(name: str) -> Any:
    home = _homes().get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_homes()})
