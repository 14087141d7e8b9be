"""Opening a repository, reading what a commit holds, refs and the commit identity.

A :class:`Store` is a handle: it is opened or created, and it tells where its
folders are. Every operation is a module-level function taking the store
first, here and in the other modules of this package.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pygit2

from gitarchive.errors import ArchiveError, RevisionNotFound, SettingsError
from gitarchive.git.commit_files import CommitInfo
from gitarchive.git.objects import applied_on_open

# the handle, and what a warm read needs of it, live without pygit2
from gitarchive.git.store import Store, open_repository

# libgit2 maps pack files in windows of 1 GiB up to 8 GiB, and every page a pass over
# the history touches stays resident: a fold of all playlists of a 180 MB pack peaked at
# 244 MiB, 168 MiB with these bounds, at the same CPU (the windows are remapped as read)
pygit2.settings.mwindow_size = 32 << 20
pygit2.settings.mwindow_mapped_limit = 64 << 20
applied_on_open()  # a pass over versions that began before pygit2 was loaded


# a symbolic link's blob is its target's path, not a file: every read of the history takes
# a link (anywhere, playlists/ above all, where a stranger's pull request may put one) for
# no file at its path, as validate refuses it; none is ever followed or read as content
LINK_MODE = pygit2.enums.FileMode.LINK


def bound_pack_windows(size: int, mapped: int) -> tuple[int, int]:
    """This process's pack windows from now on: ``size`` bytes each, ``mapped`` bytes at
    most in all (a parallel index build's, so that its processes together stay in
    bounds); returns the bounds it replaces."""
    before = (pygit2.settings.mwindow_size, pygit2.settings.mwindow_mapped_limit)
    pygit2.settings.mwindow_size = size
    pygit2.settings.mwindow_mapped_limit = mapped
    return before


GITHUB_ACTIONS_BOT = (
    "github-actions[bot]",
    "41898282+github-actions[bot]@users.noreply.github.com",
)


@dataclass(frozen=True, slots=True)
class Identity:
    name: str
    email: str


def init_repository(path: Path, *, branch: str = "main") -> Store:
    """The repository at or above ``path``; a new one at ``path`` when there is none."""
    found = pygit2.discover_repository(str(path))
    if found is not None:
        return Store(open_repository(found))
    path.mkdir(parents=True, exist_ok=True)
    return Store(pygit2.init_repository(str(path), initial_head=branch))


def get_commit(store: Store, commit_id: str) -> pygit2.Commit:
    """The commit object (for this package's modules only: pygit2 stays inside)."""
    commit = store.repo.get(commit_id)
    if not isinstance(commit, pygit2.Commit):
        raise RevisionNotFound(f"no commit {commit_id}")
    return commit


def info_of(commit: pygit2.Commit) -> CommitInfo:
    return CommitInfo(
        id=str(commit.id),
        date=datetime.fromtimestamp(commit.author.time, tz=UTC),
        message=commit.message,
        parents=tuple(str(parent) for parent in commit.parent_ids),
    )


def resolve(store: Store, revision: str) -> str:
    """A revision (sha, ref, ``HEAD~3``...) to a commit id."""
    try:
        obj = store.repo.revparse_single(revision)
        commit = obj.peel(pygit2.Commit)
    except (KeyError, ValueError, pygit2.GitError):
        raise RevisionNotFound(f"no commit named {revision!r}") from None
    return str(commit.id)


def commit_info(store: Store, commit_id: str) -> CommitInfo:
    return info_of(get_commit(store, commit_id))


def read_file(store: Store, commit_id: str, path: str) -> bytes | None:
    """A file's bytes at a commit; None when the commit has no such file (a symbolic
    link is none: see :data:`LINK_MODE`)."""
    commit = get_commit(store, commit_id)
    try:
        entry = commit.tree[path]
    except KeyError:
        return None
    if entry.filemode == LINK_MODE:
        return None
    blob = store.repo.get(entry.id)
    return blob.data if isinstance(blob, pygit2.Blob) else None


def list_dir(store: Store, commit_id: str, path: str) -> dict[str, str]:
    """Names of the blobs directly in a folder at a commit, mapped to blob ids."""
    commit = get_commit(store, commit_id)
    try:
        tree = commit.tree[path] if path else commit.tree
    except KeyError:
        return {}
    if not isinstance(tree, pygit2.Tree):
        return {}
    return {
        str(entry.name): str(entry.id)
        for entry in tree
        if entry.type_str == "blob" and entry.filemode != LINK_MODE
    }


def entry_id(store: Store, commit_id: str | None, path: str) -> str | None:
    """The object id (a tree's or a blob's, not a link's) at ``path`` in a commit: cheap
    change detection."""
    if commit_id is None:
        return None
    try:
        entry = get_commit(store, commit_id).tree[path]
    except KeyError:
        return None
    return None if entry.filemode == LINK_MODE else str(entry.id)


def is_ancestor(store: Store, ancestor: str, descendant: str) -> bool:
    if ancestor == descendant:
        return True
    repo = store.repo
    return bool(repo.descendant_of(pygit2.Oid(hex=descendant), pygit2.Oid(hex=ancestor)))


def _head_ref_name(store: Store) -> str:
    """The ref HEAD stands for: refs/heads/<branch>, or HEAD itself when detached."""
    head = store.repo.references.get("HEAD")
    if head is not None and head.type == pygit2.enums.ReferenceType.SYMBOLIC:
        return str(head.target)
    return "HEAD"


def current_branch(store: Store) -> str | None:
    name = _head_ref_name(store)
    return name.removeprefix("refs/heads/") if name.startswith("refs/heads/") else None


def update_head(store: Store, new_commit: str, *, expected: str | None, message: str) -> None:
    """Move HEAD's branch to ``new_commit`` if it still points at ``expected``."""
    ref_name = _head_ref_name(store)
    try:
        _swap_ref(store, ref_name, new_commit, expected=expected, message=message)
    except pygit2.GitError as exc:
        lock = store.git_dir / f"{ref_name}.lock"
        if lock.exists():
            raise ArchiveError(
                f"cannot update {ref_name}: {lock} exists (another git command is running, "
                "or one was killed: if none is running, delete that file)"
            ) from None
        raise ArchiveError(f"cannot update {ref_name}: {exc}") from None


def _swap_ref(
    store: Store, ref_name: str, new_commit: str, *, expected: str | None, message: str
) -> None:
    repo = store.repo
    with repo.transaction() as txn:
        txn.lock_ref(ref_name)
        current_ref = repo.references.get(ref_name)
        current = None if current_ref is None else str(current_ref.resolve().target)
        if current != expected:
            raise ArchiveError(
                f"{ref_name} moved while the sync ran (expected {expected}, found {current})"
            )
        # no signature: libgit2 takes the reflog's identity from the config or a default
        txn.set_target(ref_name, pygit2.Oid(hex=new_commit), message=message)


def resolve_identity(
    store: Store,
    *,
    name: str | None = None,
    email: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Identity:
    """Who signs a sync commit: settings, else git's env/config, else the Actions bot."""
    environ = os.environ if env is None else env
    config = store.repo.config

    def from_config(key: str) -> str | None:
        try:
            value = config[key]
        except (KeyError, pygit2.GitError):
            return None
        return str(value) if value else None

    found_name = _identity_part(
        ("gitarchive.toml author_name", name),
        ("GIT_COMMITTER_NAME", environ.get("GIT_COMMITTER_NAME")),
        ("GIT_AUTHOR_NAME", environ.get("GIT_AUTHOR_NAME")),
        ("git config user.name", from_config("user.name")),
    )
    found_email = _identity_part(
        ("gitarchive.toml author_email", email),
        ("GIT_COMMITTER_EMAIL", environ.get("GIT_COMMITTER_EMAIL")),
        ("GIT_AUTHOR_EMAIL", environ.get("GIT_AUTHOR_EMAIL")),
        ("git config user.email", from_config("user.email")),
    )
    if found_name and found_email:
        return Identity(found_name, found_email)
    if environ.get("GITHUB_ACTIONS") == "true":
        return Identity(*GITHUB_ACTIONS_BOT)
    raise SettingsError(
        "no commit identity: set author_name and author_email in gitarchive.toml, "
        "or git config user.name / user.email"
    )


# A line break in a commit's author line starts a header line of its own (a forged
# parent), and git ends the name at "<" and the email at ">".
_IDENTITY_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f<>]")


def _identity_part(*candidates: tuple[str, str | None]) -> str | None:
    """The first value given, from the first source that has one; refused when a commit
    header could not hold it (the message names that source)."""
    for source, value in candidates:
        if not value:
            continue
        bad = _IDENTITY_FORBIDDEN.search(value)
        if bad is not None:
            raise SettingsError(
                f"{source} must not contain {bad.group()!a} (a commit's author line cannot hold it)"
            )
        return value
    return None


def hooks_dir(store: Store) -> Path:
    """The folder git runs hooks from: ``core.hooksPath`` if set, else ``$GIT_COMMON_DIR/hooks``.

    A relative ``core.hooksPath`` is relative to the work tree's root (where git
    runs hooks), or to the git dir of a bare repository; ``~`` is expanded.
    """
    git_dir = store.git_dir
    common = git_dir
    commondir_file = git_dir / "commondir"
    if commondir_file.is_file():  # a linked worktree shares the main repository's hooks
        common = (git_dir / commondir_file.read_text().strip()).resolve()
    try:
        configured = store.repo.config["core.hooksPath"]
    except KeyError:
        configured = None
    if not configured:
        return common / "hooks"
    path = Path(str(configured)).expanduser()
    if not path.is_absolute():
        base = store.workdir if store.workdir is not None else common
        path = base / path
    return path


def ref_id(store: Store, name: str) -> str | None:
    """The commit a ref points at; None when there is no such ref."""
    ref = store.repo.references.get(name)
    return None if ref is None else str(ref.resolve().target)


def is_ignored(store: Store, path: str) -> bool:
    """Whether git ignores a work tree path (.gitignore, info/exclude)."""
    return bool(store.repo.path_is_ignored(path))
