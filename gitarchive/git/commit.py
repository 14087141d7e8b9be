"""One commit of a sync, and the order of its steps that makes a crash harmless.

A sync commit is built from HEAD's tree plus the changed blobs with
TreeBuilder: only the trees on the paths that changed are rewritten, the
index is never used to build it, so whatever the user has staged or modified
elsewhere is neither committed nor disturbed. Blobs, trees and the commit
object come first (unreachable garbage if we die), then one compare-and-swap
of the branch ref, then the work tree and index of exactly the changed paths.
A marker in .git/ lists those paths while they are being written, so a sync
killed after the ref moved is repaired by the next one (``recover_pending``).
"""

from __future__ import annotations

import errno
import json
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

import pygit2

import gitarchive.git.worktree as worktree
from gitarchive.errors import ArchiveError
from gitarchive.git.faults import fault_point
from gitarchive.git.repository import Identity, get_commit, update_head
from gitarchive.git.store import Store, head_id
from gitarchive.git.trees import signature, tree_with

PENDING_FILE = "gitarchive-pending.json"


def build_commit(
    store: Store,
    parent: str | None,
    changes: Mapping[str, bytes | None],
    *,
    message: str,
    identity: Identity,
    when: datetime,
) -> str | None:
    """Write blobs, trees and a commit; move no ref. None when the tree would not change.

    ``changes`` maps paths to new bytes, or None to delete. Nested folders are
    created as needed, and folders left empty disappear.
    """
    base = None if parent is None else get_commit(store, parent).tree
    new_tree = tree_with(store, base, changes)
    if base is not None and new_tree == base.id:
        return None
    author = signature(identity, when)
    parents: list[pygit2.Oid] = [] if parent is None else [pygit2.Oid(hex=parent)]
    return str(store.repo.create_commit(None, author, author, message, new_tree, parents))


def commit_changes(
    store: Store,
    changes: Mapping[str, bytes | None],
    *,
    message: str,
    identity: Identity,
    when: datetime,
    parent: str | object | None = ...,
    before_ref_update: Callable[[str], None] | None = None,
) -> str | None:
    """One commit of ``changes`` on HEAD; work tree + index follow for those paths.

    Returns the new commit id, or None when nothing changed. ``before_ref_update``
    runs after every object (and work tree file) is written and before the ref
    moves (tests inject a crash there): HEAD, files and index stay as they were.
    What the environment refuses (a merge in progress, a link or a folder in the
    way, a read-only repository, a leftover ref lock) is an ArchiveError.
    """
    check_can_commit(store)
    worktree.check_writable(store, changes)
    try:
        return _commit_and_check_out(
            store,
            changes,
            message=message,
            identity=identity,
            when=when,
            parent=parent,
            before_ref_update=before_ref_update,
        )
    except OSError as exc:
        raise environment_error(exc) from None
    except pygit2.GitError as exc:
        raise ArchiveError(f"cannot write the commit: {exc}") from None


def _commit_and_check_out(
    store: Store,
    changes: Mapping[str, bytes | None],
    *,
    message: str,
    identity: Identity,
    when: datetime,
    parent: str | object | None = ...,
    before_ref_update: Callable[[str], None] | None = None,
) -> str | None:
    # the ref must still point at the commit we built on, else someone committed meanwhile
    base = head_id(store) if parent is ... else parent
    assert base is None or isinstance(base, str)
    attempt = _Attempt(base, sorted(changes))
    with ThreadPoolExecutor(max_workers=1) as background:
        try:
            writing = _start_writing_files(store, attempt, changes, background)
            attempt.new_commit = build_commit(
                store, base, changes, message=message, identity=identity, when=when
            )
            fault_point("after-objects")
            if writing is not None:
                writing.result()
            if attempt.new_commit is not None:
                _move_ref(store, attempt, message, before_ref_update)
            if store.workdir is not None:
                worktree.stage_files(store, changes)
                fault_point("after-index-write")
        except BaseException as exc:
            background.shutdown(wait=True)  # the files it was writing are all written now
            _after_failure(store, attempt, exc)
            raise
    if store.workdir is not None:
        (store.git_dir / PENDING_FILE).unlink()
    return attempt.new_commit


def _start_writing_files(
    store: Store,
    attempt: _Attempt,
    changes: Mapping[str, bytes | None],
    background: ThreadPoolExecutor,
) -> Future[None] | None:
    """Write the work tree files while the objects are written; None for a bare repository.

    A marker lists them first, so that a sync killed before its ref moves is
    put back by the next one (recover_pending), and an exception (or Ctrl-C,
    which may land before the caller holds the future) puts them back at once.
    """
    if store.workdir is None:
        return None
    attempt.kept = _keep_untracked(store, attempt.base, attempt.paths)
    marker = {"paths": attempt.paths, "keep": attempt.kept}
    worktree.write_atomic(store.git_dir / PENDING_FILE, json.dumps(marker).encode())
    attempt.marked = True
    return background.submit(worktree.write_files, store.workdir, changes)


def _move_ref(
    store: Store,
    attempt: _Attempt,
    message: str,
    before_ref_update: Callable[[str], None] | None,
) -> None:
    assert attempt.new_commit is not None
    if before_ref_update is not None:
        before_ref_update(attempt.new_commit)
    fault_point("before-ref-update")
    reflog = f"gitarchive: {(message.splitlines() or [''])[0]}"
    update_head(store, attempt.new_commit, expected=attempt.base, message=reflog)
    attempt.moved = True
    fault_point("after-ref-update")


@dataclass
class _Attempt:
    """How far one commit_changes got (what a failure must put back)."""

    base: str | None
    paths: list[str]
    kept: dict[str, str] = field(default_factory=dict)
    marked: bool = False  # the pending marker is written: work tree files may have changed
    new_commit: str | None = None
    moved: bool = False


def _after_failure(store: Store, attempt: _Attempt, exc: BaseException) -> None:
    """Put the files back after an exception (or Ctrl-C); a full disk becomes an ArchiveError."""
    restored = True
    if attempt.marked:
        target = attempt.new_commit if attempt.moved else attempt.base
        try:
            # files and index follow whichever commit HEAD is at now
            _put_back(store, target, attempt.paths, attempt.kept)
        except (OSError, pygit2.GitError):
            restored = False  # e.g. the disk is still full: the marker stays for the next sync
        else:
            (store.git_dir / PENDING_FILE).unlink(missing_ok=True)
    if isinstance(exc, OSError) and exc.errno in DISK_FULL:
        raise _disk_full(exc, attempt.moved, restored) from None


DISK_FULL = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT})


def _disk_full(exc: OSError, moved: bool, restored: bool) -> ArchiveError:
    """The one-line error of a sync that ran out of disk (or hit a file-size limit)."""
    where = f" ({exc.filename})" if exc.filename else ""
    done = "the commit was made" if moved else "nothing was committed"
    files = (
        "every file was put back"
        if restored
        else f"some files could not be put back yet: the next sync restores them ({PENDING_FILE})"
    )
    return ArchiveError(f"could not write the sync: {exc.strerror}{where}; {done}, {files}")


def _keep_untracked(store: Store, base: str | None, paths: list[str]) -> dict[str, str]:
    """Work tree files at ``paths`` that ``base`` lacks, saved as blobs: {path: blob id}.

    A registry entry created by hand (``playlists/registry/<id>``) is one: the
    sync commits it, and putting the paths back "as in the base commit" would
    delete it. Only regular files are kept (a symlink is never read through).
    """
    workdir = store.workdir
    if workdir is None:
        return {}
    in_base = worktree.blob_ids_at(store, base, paths)
    kept: dict[str, str] = {}
    for path in paths:
        if path in in_base:
            continue
        file = workdir / path
        if file.is_file() and not file.is_symlink():
            kept[path] = str(store.repo.create_blob(file.read_bytes()))
    return kept


def _put_back(store: Store, commit_id: str | None, paths: list[str], kept: dict[str, str]) -> None:
    """Work tree and index of ``paths`` as at ``commit_id``; kept files it lacks come back."""
    worktree.checkout_paths(store, commit_id, paths)
    workdir = store.workdir
    if workdir is None or not kept:
        return
    present = worktree.blob_ids_at(store, commit_id, list(kept))
    restore: dict[str, bytes | None] = {}
    for path, blob_id in kept.items():
        blob = store.repo.get(blob_id)
        if path not in present and isinstance(blob, pygit2.Blob):
            restore[path] = blob.data
    worktree.write_files(workdir, restore)


def check_can_commit(store: Store) -> None:
    """Refuse to commit in the middle of a merge, rebase, cherry-pick...: git refuses too."""
    if store.repo.state() != pygit2.enums.RepositoryState.NONE:
        what = (
            "a merge is in progress (MERGE_HEAD)"
            if (store.git_dir / "MERGE_HEAD").exists()
            else "a merge, rebase, cherry-pick or revert is in progress"
        )
        raise ArchiveError(
            f"{what}: finish it (git commit) or abort it (git merge --abort, "
            "git rebase --abort...) before gitarchive commits"
        )


def environment_error(exc: OSError) -> ArchiveError:
    """An OSError (read-only file system, permissions, disk full) as one clear line."""
    where = exc.filename if isinstance(exc.filename, str) else None
    if where is not None and len(where) > 200:
        where = where[:200] + "..."
    reason = exc.strerror or str(exc)
    return ArchiveError(f"cannot write {where}: {reason}" if where else f"cannot write: {reason}")


def recover_pending(store: Store) -> list[str]:
    """Finish the checkout of a sync killed after its ref moved; the paths repaired."""
    pending = store.git_dir / PENDING_FILE
    try:
        marker = json.loads(pending.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError):
        marker = None
    if isinstance(marker, list):  # written by gitarchive before 2026-12
        marker = {"paths": marker, "keep": {}}
    paths = marker.get("paths") if isinstance(marker, dict) else None
    kept = marker.get("keep") if isinstance(marker, dict) else None
    if (
        not isinstance(paths, list)
        or not all(isinstance(p, str) for p in paths)
        or not isinstance(kept, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in kept.items())
    ):
        pending.unlink()
        return []
    _put_back(store, head_id(store), paths, {k: v for k, v in kept.items() if k in paths})
    pending.unlink()
    return paths
