"""The repository handle, opened with pygit2 only when something reads through it.

A read served by the change index needs no object: only where the repository
is, HEAD's commit id, whether the clone is shallow and its replace refs, which
are files under ``.git/``. Importing pygit2 (and loading libgit2) cost such a
read ~40 ms, more than all its own work (perf counters, median of 3, load ~7 on
2 cores). So :meth:`Store.discover` finds a plain work tree's ``.git`` folder
(or a plain bare repository) itself, and the functions here read those files
directly until something opens the repository; anything unusual (a ``.git``
file, a linked worktree, git's environment variables, another owner, reftable,
a config that includes another, a symbolic ref that is not HEAD's) is left to
libgit2, as every read was before.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from gitarchive.errors import ArchiveError, NotAnArchive

if TYPE_CHECKING:
    import pygit2

_OID = re.compile(r"[0-9a-f]{40}")
_BARE = re.compile(r"^\s*bare\s*=\s*(?:true|yes|on|1)\s*$", re.MULTILINE)
_BARE_KEY = re.compile(r"^\s*bare\b")
_SECTION = re.compile(r"^\s*\[")
# any of these changes where or how git finds the repository: left to libgit2
_GIT_ENVIRONMENT = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
)


class Location:
    """A plain work tree's repository (``workdir`` None: a bare one), found without opening it.

    A plain class, not a dataclass: every read command imports this module, and
    a frozen dataclass compiles its generated methods at import (~0.8 ms of CPU
    each, measured in the first ``history`` of a fresh clone, 26 of them in all).
    """

    __slots__ = ("git_dir", "workdir")

    def __init__(self, git_dir: Path, workdir: Path | None) -> None:
        self.git_dir = git_dir
        self.workdir = workdir


class Store:
    """A git repository that holds (or will hold) an archive."""

    def __init__(
        self, repo: pygit2.Repository | None = None, *, location: Location | None = None
    ) -> None:
        if repo is None and location is None:
            raise ValueError("a Store needs a repository or its location")
        self._repo = repo
        self._location = location

    @property
    def repo(self) -> pygit2.Repository:
        """The pygit2 repository, opened on first use."""
        if self._repo is None:
            location = self._location
            if location is None:  # unreachable: __init__ requires one of the two
                raise ValueError("a Store needs a repository or its location")
            self._repo = open_repository(str(location.workdir or location.git_dir))
        return self._repo

    @repo.setter
    def repo(self, repo: pygit2.Repository) -> None:
        self._repo = repo

    @property
    def is_open(self) -> bool:
        return self._repo is not None

    @classmethod
    def discover(cls, start: Path) -> Store:
        """The repository containing ``start`` (like git's ``-C``)."""
        location = find_work_tree(start)
        if location is not None:
            return cls(location=location)
        # lazy: pygit2 and libgit2 cost ~40 ms at startup (perf counters, median of 3,
        # load ~7 on 2 cores); a plain work tree's warm read never loads them
        import pygit2

        found = pygit2.discover_repository(str(start))
        if found is None:
            raise NotAnArchive(f"not a git repository (or any parent): {start}")
        return cls(open_repository(found))

    @classmethod
    def open(cls, path: str) -> Store:
        """The repository at exactly ``path`` (a work tree or a .git folder)."""
        return cls(open_repository(path, otherwise=f"not a git repository: {path}"))

    @property
    def is_bare(self) -> bool:
        if self._location is not None:
            return self._location.workdir is None
        return bool(self.repo.is_bare)

    @property
    def workdir(self) -> Path | None:
        """The work tree's root, None for a bare repository."""
        if self._location is not None:
            return self._location.workdir
        workdir = self.repo.workdir
        return None if workdir is None else Path(workdir)

    @property
    def git_dir(self) -> Path:
        if self._location is not None:
            return self._location.git_dir
        return Path(self.repo.path)


def open_repository(path: str, *, otherwise: str | None = None) -> pygit2.Repository:
    """Open ``path``; a repository git would refuse is one line naming the fix."""
    # lazy: see Store.discover (~40 ms at startup)
    import pygit2

    try:
        repo = pygit2.Repository(path)
    except pygit2.GitError as exc:
        if "not owned by current user" in str(exc):
            # git's safe.directory check, which libgit2 applies too (common in CI containers)
            folder = path.removesuffix("/").removesuffix("/.git")
            raise ArchiveError(
                f"the repository {folder} is owned by another user, so git refuses to use it; "
                f"if you trust it: git config --global --add safe.directory {folder}"
            ) from None
        raise NotAnArchive(otherwise or f"cannot open the repository {path}: {exc}") from None
    try:  # a HEAD or branch file libgit2 cannot parse fails here, once, for every command
        if not repo.head_is_unborn:
            repo.head  # noqa: B018
    except pygit2.GitError as exc:
        raise ArchiveError(f"cannot read HEAD of the repository {path}: {exc}") from None
    return repo


def find_work_tree(start: Path) -> Location | None:
    """The work tree containing ``start`` when it is the plain case, else None (libgit2's)."""
    if any(name in os.environ for name in _GIT_ENVIRONMENT):
        return None
    try:
        folder = Path(os.path.realpath(start))
        device = folder.stat().st_dev
        while True:
            stat = folder.stat()
            if stat.st_dev != device:  # libgit2 stops at a file system's edge
                return None
            dot_git = folder / ".git"
            if dot_git.is_dir():
                return _plain(folder, dot_git, stat.st_uid)
            if dot_git.exists():  # a .git file
                return None
            if (folder / "HEAD").is_file():  # a bare repository, or a git folder itself
                return _bare(folder, stat.st_uid)
            if folder.parent == folder:
                return None
            folder = folder.parent
    except OSError:
        return None


def _plain(workdir: Path, git_dir: Path, owner: int) -> Location | None:
    """``git_dir`` when it is a plain repository of this user's, else None."""
    if owner != os.geteuid() or git_dir.stat().st_uid != os.geteuid():
        return None  # libgit2's safe.directory check decides
    config = _plain_config(git_dir)
    if config is None or _BARE.search(config):
        return None
    return Location(git_dir=git_dir, workdir=workdir)


def _bare(git_dir: Path, owner: int) -> Location | None:
    """``git_dir`` when it is a plain bare repository of this user's, else None.

    Only a config that says ``bare = true`` once and includes no other file: a git
    folder without it (``-C .git``) has a work tree libgit2 works out.
    """
    if owner != os.geteuid():
        return None
    config = _plain_config(git_dir)
    if config is None or "include" in config or not (git_dir / "refs").is_dir():
        return None
    settings = _core_bare_lines(config)
    if len(settings) != 1 or not _BARE.search(settings[0]):
        return None
    return Location(git_dir=git_dir, workdir=None)


def _core_bare_lines(config: str) -> list[str]:
    """The ``bare`` lines of the config's ``[core]`` sections: a ``bare`` key in any
    other section (``[remote "x"]``) does not make the repository bare to libgit2."""
    found: list[str] = []
    in_core = False
    for line in config.splitlines():
        if _SECTION.match(line):
            in_core = line.strip().startswith("[core]")
        elif in_core and _BARE_KEY.match(line):
            found.append(line)
    return found


def _plain_config(git_dir: Path) -> str | None:
    """The repository's config, lowercased, when nothing in or beside it is unusual."""
    if not (git_dir / "HEAD").is_file() or not (git_dir / "objects").is_dir():
        return None
    if (git_dir / "commondir").exists() or (git_dir / "reftable").exists():
        return None
    try:
        config = (git_dir / "config").read_text(encoding="utf-8", errors="replace").lower()
    except OSError:
        return None
    # a work tree set elsewhere, another ref storage or object format
    if any(word in config for word in ("worktree", "refstorage", "objectformat")):
        return None
    return config


def head_id(store: Store) -> str | None:
    """HEAD's commit id, None on an unborn branch."""
    if not store.is_open:
        found = _head_from_files(store.git_dir)
        if not isinstance(found, _Unknown):
            return found
    repo = store.repo
    if repo.head_is_unborn:
        return None
    return str(repo.head.target)


class _Unknown:
    """A ref the files alone do not settle (libgit2 reads it)."""


_UNKNOWN = _Unknown()


def _head_from_files(git_dir: Path) -> str | _Unknown | None:
    try:
        head = (git_dir / "HEAD").read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return _UNKNOWN
    if _OID.fullmatch(head):
        return head  # detached
    if not head.startswith("ref: refs/"):
        return _UNKNOWN
    name = head.removeprefix("ref: ")
    try:
        loose = (git_dir / name).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return _packed_refs(git_dir).get(name)  # not packed either: an unborn branch
    except (OSError, UnicodeDecodeError):
        return _UNKNOWN
    return loose if _OID.fullmatch(loose) else _UNKNOWN


def _packed_refs(git_dir: Path) -> dict[str, str]:
    try:
        text = (git_dir / "packed-refs").read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return {}
    refs: dict[str, str] = {}
    for line in text.splitlines():
        oid, _, name = line.partition(" ")
        if _OID.fullmatch(oid) and name:  # "#" header and "^" peeled lines are not refs
            refs[name] = oid
    return refs


def _replace_refs_from_files(git_dir: Path) -> dict[str, str] | _Unknown:
    """refs/replace/*, loose ones over packed ones (what libgit2 lists)."""
    refs = {
        name: oid for name, oid in _packed_refs(git_dir).items() if name.startswith("refs/replace/")
    }
    folder = git_dir / "refs" / "replace"
    for path in folder.rglob("*") if folder.is_dir() else ():
        if path.is_file() and not path.name.endswith(".lock"):  # libgit2 skips lock files
            oid = path.read_text(encoding="ascii", errors="replace").strip()
            if not _OID.fullmatch(oid):
                return _UNKNOWN
            refs[path.relative_to(git_dir).as_posix()] = oid
    return refs


# the fingerprint of a repository with no shallow file, no grafts and no replace refs
# (most of them): sha256(b"shallow\0-\0info/grafts\0-\0"), so that a warm read need not
# load OpenSSL's hashlib (~3 ms); tests/test_git_store.py checks it against hashlib
PLAIN_FINGERPRINT = "4708ac7eb5b0cbfda21c865c6a6011347ca1b22087675f7fb018434d9c60103a"


def history_fingerprint(store: Store) -> str:
    """A digest of what can change a chain without changing its tip: shallow and grafts."""
    parts: list[bytes] = []
    for name in ("shallow", "info/grafts"):
        path = store.git_dir / name
        try:
            parts.append(name.encode() + b"\0" + path.read_bytes() + b"\0")
        except OSError:
            parts.append(name.encode() + b"\0-\0")
    replace = _UNKNOWN if store.is_open else _replace_refs_from_files(store.git_dir)
    if isinstance(replace, _Unknown):
        references = store.repo.references
        replace = {
            ref: str(references[ref].target)
            for ref in references
            if ref.startswith("refs/replace/")
        }
    parts += (f"{ref}={replace[ref]}\n".encode() for ref in sorted(replace))
    text = b"".join(parts)
    if text == b"shallow\0-\0info/grafts\0-\0":
        return PLAIN_FINGERPRINT
    # lazy: OpenSSL's hashlib costs ~3 ms at import, which the plain case above spares
    import hashlib

    return hashlib.sha256(text).hexdigest()


def shallow_boundary(store: Store) -> list[str]:
    """The commits a shallow clone's history stops at (``.git/shallow``); empty when complete."""
    path = store.git_dir / "shallow"
    if store.is_open:
        if not store.repo.is_shallow:  # libgit2 reads a linked worktree's common folder
            return []
    elif not path.exists() or path.stat().st_size == 0:  # as libgit2 decides
        return []
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except OSError:
        return ["(unknown)"]
    return [line.strip() for line in text.splitlines() if line.strip()] or ["(unknown)"]


def require_full_history(store: Store) -> None:
    """Refuse to read history from a shallow clone: it would be silently short.

    Versions older than the clone's boundary are simply absent, so a timeline,
    a cumulative view or ``show --at`` would be wrong without saying so.
    """
    boundary = shallow_boundary(store)
    if boundary:
        raise ArchiveError(
            f"this clone is shallow (its history stops at {boundary[0][:12]}): "
            "versions before that are missing; run `git fetch --unshallow` first"
        )
