"""Which commit of gitarchive's own repository this installation was built from."""

from __future__ import annotations

from pathlib import Path

import pygit2


def checkout_commit(path: Path) -> str | None:
    """HEAD's commit id of the repository that holds ``path``, None when there is none."""
    found = pygit2.discover_repository(str(path))
    if found is None:
        return None
    repo = pygit2.Repository(found)
    if repo.head_is_unborn:
        return None
    return str(repo.head.target)
