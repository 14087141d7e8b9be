"""Other repositories: gitarchive's own checkout (which commit is this?), import sources."""

from __future__ import annotations

from pathlib import Path

import pygit2

from gitarchive.errors import ArchiveError, redact, redact_url, redact_url_text
from gitarchive.git.store import Store


def checkout_commit(root: Path) -> str | None:
    """HEAD's commit id when ``root`` is the top of a git work tree, else None.

    Only the top: a package installed into a virtualenv that happens to live
    inside some other repository must not take that repository's commit.
    """
    found = pygit2.discover_repository(str(root))
    if found is None:
        return None
    repo = pygit2.Repository(found)
    workdir = repo.workdir
    if workdir is None or Path(workdir).resolve() != root.resolve() or repo.head_is_unborn:
        return None
    return str(repo.head.target)


def clone_bare(url: str, path: Path) -> Store:
    """A bare clone of ``url`` at ``path`` (libgit2: file://, https://, ssh://)."""
    try:
        repo = pygit2.clone_repository(url, str(path), bare=True)
    except (pygit2.GitError, ValueError) as exc:
        reason = redact(redact_url_text(str(exc), url))
        raise ArchiveError(f"cannot clone {redact_url(url)}: {reason}") from None
    return Store(repo)
