"""Every pygit2 call of gitarchive lives here.

The rest of the package sees revisions as hex strings, paths as POSIX strings
relative to the repository root, and file contents as bytes. Nothing outside
this module imports pygit2, and nothing in the package runs the git CLI.

Sections (one owner each, so that parallel work does not collide):
  * base: opening a repository, resolving revisions, reading files
  * writing: building trees from HEAD's tree plus changed blobs, commit, lock, push
  * history walks: the log of one path or of all archive paths
  * hooks support: ranges of commits, changed files, hooks folder
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pygit2

from gitarchive.errors import NotAnArchive, RevisionNotFound

# --------------------------------------------------------------------------- base


@dataclass(frozen=True, slots=True)
class CommitInfo:
    id: str  # 40 hex
    date: datetime  # committer time, UTC
    message: str
    parents: tuple[str, ...]


class Store:
    """A git repository that holds (or will hold) an archive."""

    def __init__(self, repo: pygit2.Repository) -> None:
        self.repo = repo

    @classmethod
    def discover(cls, start: Path) -> Store:
        """The repository containing ``start`` (like git's ``-C``)."""
        found = pygit2.discover_repository(str(start))
        if found is None:
            raise NotAnArchive(f"not a git repository (or any parent): {start}")
        return cls(pygit2.Repository(found))

    @property
    def is_bare(self) -> bool:
        return bool(self.repo.is_bare)

    @property
    def workdir(self) -> Path | None:
        """The work tree's root, None for a bare repository."""
        workdir = self.repo.workdir
        return None if workdir is None else Path(workdir)

    @property
    def git_dir(self) -> Path:
        return Path(self.repo.path)

    def head_id(self) -> str | None:
        """HEAD's commit id, None on an unborn branch."""
        if self.repo.head_is_unborn:
            return None
        return str(self.repo.head.target)

    def resolve(self, revision: str) -> str:
        """A revision (sha, ref, ``HEAD~3``...) to a commit id."""
        try:
            obj = self.repo.revparse_single(revision)
            commit = obj.peel(pygit2.Commit)
        except (KeyError, ValueError, pygit2.GitError):
            raise RevisionNotFound(f"no commit named {revision!r}") from None
        return str(commit.id)

    def commit_info(self, commit_id: str) -> CommitInfo:
        commit = self.repo.get(commit_id)
        if not isinstance(commit, pygit2.Commit):
            raise RevisionNotFound(f"no commit {commit_id}")
        return _commit_info(commit)

    def read_file(self, commit_id: str, path: str) -> bytes | None:
        """A file's bytes at a commit; None when the commit has no such file."""
        commit = self.repo.get(commit_id)
        if not isinstance(commit, pygit2.Commit):
            raise RevisionNotFound(f"no commit {commit_id}")
        try:
            entry = commit.tree[path]
        except KeyError:
            return None
        blob = self.repo.get(entry.id)
        return blob.data if isinstance(blob, pygit2.Blob) else None

    def list_dir(self, commit_id: str, path: str) -> dict[str, str]:
        """Names of the blobs directly in a folder at a commit, mapped to blob ids."""
        commit = self.repo.get(commit_id)
        if not isinstance(commit, pygit2.Commit):
            raise RevisionNotFound(f"no commit {commit_id}")
        try:
            tree = commit.tree[path] if path else commit.tree
        except KeyError:
            return {}
        if not isinstance(tree, pygit2.Tree):
            return {}
        return {entry.name: str(entry.id) for entry in tree if entry.type_str == "blob"}

    def read_blob(self, blob_id: str) -> bytes:
        blob = self.repo.get(blob_id)
        if not isinstance(blob, pygit2.Blob):
            raise RevisionNotFound(f"no blob {blob_id}")
        return bytes(blob.data)


def _commit_info(commit: pygit2.Commit) -> CommitInfo:
    return CommitInfo(
        id=str(commit.id),
        date=datetime.fromtimestamp(commit.commit_time, tz=UTC),
        message=commit.message,
        parents=tuple(str(parent) for parent in commit.parent_ids),
    )


# ------------------------------------------------------------------------ writing
# (owned by the sync work: issue 4)


# ------------------------------------------------------------------ history walks
# (owned by the history work: issue 5)


# ------------------------------------------------------------------ hooks support
# (owned by the validate work: issue 6)
