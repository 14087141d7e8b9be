"""A commit's date and files: from the repository's own files where they settle it
(:mod:`gitarchive.git.commit_files`), else from libgit2 (:mod:`gitarchive.git.repository`).

The two modules stay apart so that a read the files answer never imports pygit2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive.git import commit_files

if TYPE_CHECKING:
    from gitarchive.git.commit_files import CommitInfo
    from gitarchive.git.store import Store


def commit_info(store: Store, commit_id: str) -> CommitInfo:
    """The commit's id, author date (UTC), message and parents; RevisionNotFound when
    there is no such commit."""
    found = commit_files.commit_info(store, commit_id)
    if isinstance(found, commit_files.Unsettled):
        # lazy: libgit2 (pygit2, ~45 ms at import), for what the files do not settle
        from gitarchive.git import repository

        return repository.commit_info(store, commit_id)
    return found


def read_file(store: Store, commit_id: str, path: str) -> bytes | None:
    """A file's bytes at a commit; None when the commit has no such file."""
    found = commit_files.read_file(store, commit_id, path)
    if isinstance(found, commit_files.Unsettled):
        # lazy: see commit_info
        from gitarchive.git import repository

        return repository.read_file(store, commit_id, path)
    return found
