"""A commit's date and files, and a short walk of the chain: from the repository's own
files where they settle it (:mod:`gitarchive.git.commit_files`), else from libgit2
(:mod:`gitarchive.git.repository`, :mod:`gitarchive.git.chain`).

The modules stay apart so that a read the files answer never imports pygit2: the first
``show`` of a version, and the catch-up of a read after ``git pull`` (the index's chain
and a playlist's fold extended by the day's commits). A walk of more than
:data:`SHORT_WALK` commits is libgit2's: its ~45 ms import pays for itself there, as
each commit's folder trees cost ~0.5 ms here (delta chains and entries in Python).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive.git import commit_files, objects

if TYPE_CHECKING:
    from gitarchive.git.commit_files import CommitInfo
    from gitarchive.git.store import Store

SHORT_WALK = 32  # commits: a month of daily syncs


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


def list_dir(store: Store, commit_id: str, path: str) -> dict[str, str]:
    """Names of the blobs directly in a folder at a commit, mapped to blob ids."""
    found = commit_files.list_dir(store, commit_id, path)
    if isinstance(found, commit_files.Unsettled):
        # lazy: see commit_info
        from gitarchive.git import repository

        return repository.list_dir(store, commit_id, path)
    return found


def walk_commits_since(
    store: Store, tip: str, since: str | None
) -> tuple[list[tuple[str, int]], bool]:
    """First-parent commits after ``since`` up to ``tip``, oldest first; and whether
    ``since`` was found (False: the list is the whole chain, ``since`` is not on it)."""
    if since is not None:
        with objects.unverified_reads():  # as chain.walk_commits_since reads them
            found = commit_files.commits_since(store, tip, since, SHORT_WALK)
        if not isinstance(found, commit_files.Unsettled):
            return found, True
    # lazy: see commit_info (chain imports the walks and pygit2)
    from gitarchive.git import chain

    return chain.walk_commits_since(store, tip, since)


def walk_paths_since(
    store: Store,
    paths: tuple[str, ...],
    tip: str,
    since: str | None,
    *,
    best_first: bool = False,
) -> list[tuple[str, int, tuple[str | None, ...]]]:
    """(commit, time, blob ids) of the first-parent commits after ``since`` up to ``tip``
    (see ``chain.walk_paths_since``)."""
    if since is not None:
        with objects.unverified_reads():
            found = _short_paths_walk(store, paths, tip, since, best_first=best_first)
        if not isinstance(found, commit_files.Unsettled):
            return found
    # lazy: see walk_commits_since
    from gitarchive.git import chain

    return chain.walk_paths_since(store, paths, tip, since, best_first=best_first)


def _short_paths_walk(
    store: Store, paths: tuple[str, ...], tip: str, since: str, *, best_first: bool
) -> list[tuple[str, int, tuple[str | None, ...]]] | commit_files.Unsettled:
    try:
        folders = commit_files.group_paths(paths, best_first=best_first)
    except ValueError:
        return commit_files.ASK  # libgit2's walk refuses such paths with this error
    commits = commit_files.chain_since(store, tip, since, SHORT_WALK)
    if isinstance(commits, commit_files.Unsettled):
        return commits
    walked = []
    for commit, time, tree in commits:
        blobs = commit_files.path_blobs(store, tree, folders, len(paths), best_first=best_first)
        if isinstance(blobs, commit_files.Unsettled):
            return blobs
        walked.append((commit, time, blobs))
    return walked
