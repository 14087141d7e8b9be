"""What ``--at`` names (a date or a git revision; none: HEAD) to a commit id.

Apart from :mod:`gitarchive.versions`, whose readers a version ``show`` kept in
the change index never needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive import git
from gitarchive.dates import parse_moment
from gitarchive.errors import RevisionNotFound

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from gitarchive.git import Store


def commit_named(
    store: Store, at: str | None, *, commit_at: Callable[[datetime], str | None] | None = None
) -> str:
    """The commit ``version_at`` reads: HEAD's (``at`` None), a date's or a revision's."""
    if at is None:
        commit = git.head_id(store)
        if commit is None:
            raise RevisionNotFound("the archive has no commits yet")
    else:
        moment = parse_moment(at, end_of_day=True)
        if moment is not None:
            # the change index answers without walking the log (same result)
            found = commit_at(moment) if commit_at else git.commit_at(store, moment)
            if found is None:
                raise RevisionNotFound(f"no commit at or before {at}")
            commit = found
        else:
            commit = git.resolve(store, at)
    return commit
