"""The registry: which playlists the archive follows.

``playlists/registry/<id>`` is an empty file, or exactly one line: the alias
that replaces Spotify's name. In a checkout the work tree is the registry (so
``add`` then ``sync`` commits both at once); in a bare repository it is HEAD's
tree. An invalid entry is reported by its file name and skipped, never guessed.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from gitarchive import git
from gitarchive.errors import ArchiveError, FormatError, UsageError
from gitarchive.formats.paths import (
    REGISTRY_DIR,
    cumulative_path,
    json_path,
    plain_path,
    pretty_path,
    registry_path,
)
from gitarchive.formats.registry import scan_registry
from gitarchive.model import is_playlist_id, parse_playlist_id

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path

    from gitarchive.git import Store


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    id: str
    alias: str | None = None

    @property
    def path(self) -> str:
        return registry_path(self.id)

    def to_bytes(self) -> bytes:
        return b"" if self.alias is None else f"{self.alias}\n".encode()


@dataclass(frozen=True, slots=True)
class InvalidEntry:
    path: str
    reason: str

    def to_error(self) -> FormatError:
        return FormatError(self.reason, path=self.path)


@dataclass(slots=True)
class Registry:
    entries: dict[str, RegistryEntry] = field(default_factory=dict)
    invalid: list[InvalidEntry] = field(default_factory=list)
    raw: dict[str, bytes] = field(default_factory=dict)  # path -> bytes as found

    @property
    def ids(self) -> list[str]:
        return sorted(self.entries)


def parse_entry(name: str, data: bytes) -> RegistryEntry:
    """One registry file; FormatError naming the file when it is not valid."""
    path = registry_path(name)
    if not is_playlist_id(name):
        raise FormatError("file name is not a 22-character Spotify playlist id", path=path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError("not UTF-8 text", path=path) from None
    lines = scan_registry(text).lines
    if not lines:
        return RegistryEntry(name)
    if len(lines) != 1:
        raise FormatError(
            f"must be empty or one line (the alias), found {len(lines)} lines", path=path
        )
    alias = lines[0].rstrip("\r").strip()
    return RegistryEntry(name, alias or None)


_FOLDER = b"\x00dir"  # marks a folder where an entry file belongs
_SPECIAL = b"\x00special"  # a fifo, socket or device: never opened for reading
_ENTRY_MAX = 64 * 1024  # an alias is one line: anything longer is not an entry


def read_registry(store: Store, *, commit: str | None = None) -> Registry:
    """The registry of the work tree, or of ``commit``/HEAD in a bare repository.

    A symbolic link is never read (it could point at ``/proc/self/environ``):
    a link at the registry folder, above it or at an entry is an ArchiveError
    naming it. A registry folder missing from the work tree while HEAD has
    entries is an error too, never an empty registry.
    """
    workdir = store.workdir
    if workdir is not None and commit is None:
        files = _worktree_files(store, workdir)
    else:
        revision = commit if commit is not None else git.head_id(store)
        files = {} if revision is None else _committed_files(store, revision)
    return _parse_files(files)


def _worktree_files(store: Store, workdir: Path) -> dict[str, bytes]:
    """The entries on disk, each opened relative to the folder's descriptor, never through
    a link (the folder and everything above it are checked first)."""
    git.check_folders(store, [REGISTRY_DIR])
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        folder = os.open(workdir / REGISTRY_DIR, flags)
    except FileNotFoundError:
        head = git.head_id(store)
        if head is not None and git.list_dir(store, head, REGISTRY_DIR):
            raise ArchiveError(
                "the registry folder is missing from the work tree, but HEAD has entries: "
                f"restore it (git checkout -- {REGISTRY_DIR}) before running gitarchive",
                path=REGISTRY_DIR,
            ) from None
        return {}
    except OSError as exc:
        raise ArchiveError(f"cannot read: {exc.strerror}", path=REGISTRY_DIR) from None
    try:
        return _read_entries(folder)
    finally:
        os.close(folder)


def _read_entries(folder: int) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    with os.scandir(folder) as found:
        listing = sorted(found, key=lambda entry: entry.name)
    for child in listing:
        if child.name.startswith("."):
            continue
        if child.is_dir(follow_symlinks=False):
            files[child.name] = _FOLDER
            continue
        files[child.name] = _read_entry(folder, child.name)
    return files


def _read_entry(folder: int, name: str) -> bytes:
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(name, flags, dir_fd=folder)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ArchiveError(
                "is a symbolic link: gitarchive never reads through a link; "
                f"replace it with a file (git rm {shown_path(name)!r}, then gitarchive add <id>)",
                path=shown_path(name),
            ) from None
        raise ArchiveError(f"cannot read: {exc.strerror}", path=shown_path(name)) from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return _SPECIAL
        return handle.read(_ENTRY_MAX + 1)


def _committed_files(store: Store, revision: str) -> dict[str, bytes]:
    links = set(git.tree_symlinks(store, revision, REGISTRY_DIR))
    if links:
        raise ArchiveError(
            "is a symbolic link in the commit: gitarchive never reads through a link",
            path=sorted(links)[0],
            commit=revision,
        )
    files: dict[str, bytes] = {}
    for name, blob_id in git.list_dir(store, revision, REGISTRY_DIR).items():
        if not name.startswith("."):
            files[name] = git.read_blob(store, blob_id)
    return files


def shown_path(name: str) -> str:
    """A registry file's path fit for one line of output: control characters escaped,
    a name longer than any playlist id cut short."""
    printable = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in name)
    if len(printable) > 80:
        printable = printable[:80] + "..."
    return registry_path(printable)


def _parse_files(files: Mapping[str, bytes]) -> Registry:
    registry = Registry()
    for name, data in files.items():
        path = shown_path(name)
        if data == _FOLDER:
            registry.invalid.append(InvalidEntry(path, "is a folder, not a file"))
            continue
        if data == _SPECIAL:
            registry.invalid.append(InvalidEntry(path, "is not a regular file"))
            continue
        if len(data) > _ENTRY_MAX:
            registry.invalid.append(InvalidEntry(path, "too large for a registry entry"))
            continue
        try:
            entry = parse_entry(name, data)
        except FormatError as exc:
            registry.invalid.append(InvalidEntry(path, exc.message))
            continue
        registry.entries[entry.id] = entry
        registry.raw[registry_path(name)] = data
    return registry


@dataclass(frozen=True, slots=True)
class RegistryChange:
    id: str
    action: str  # "added", "updated", "unchanged", "removed", "absent"
    path: str


def _need_workdir(store: Store, commit: bool) -> None:
    if store.workdir is None and not commit:
        raise UsageError("this repository is bare: use --commit to change its registry")


def add_entries(
    store: Store, playlists: Iterable[str], *, alias: str | None = None
) -> tuple[list[RegistryChange], dict[str, bytes | None]]:
    """Register playlists (ids, URLs or URIs); the changes and the file contents to write.

    An existing entry keeps its alias unless ``alias`` is given.
    """
    ids = [parse_playlist_id(value) for value in playlists]
    if alias is not None:
        alias = alias.strip()
        if "\n" in alias or "\r" in alias:
            raise UsageError("--alias must be one line")
        if len(ids) > 1:
            raise UsageError("--alias names one playlist; give a single id with it")
    current = read_registry(store)
    changes: list[RegistryChange] = []
    files: dict[str, bytes | None] = {}
    for playlist_id in dict.fromkeys(ids):
        existing = current.entries.get(playlist_id)
        path = registry_path(playlist_id)
        if existing is None:
            entry = RegistryEntry(playlist_id, alias or None)
            action = "added"
        elif alias is not None and (alias or None) != existing.alias:
            entry = RegistryEntry(playlist_id, alias or None)
            action = "updated"
        else:
            changes.append(RegistryChange(playlist_id, "unchanged", path))
            continue
        files[path] = entry.to_bytes()
        changes.append(RegistryChange(playlist_id, action, path))
    return changes, files


def remove_entries(
    store: Store, playlists: Iterable[str], *, purge: bool = False
) -> tuple[list[RegistryChange], dict[str, bytes | None]]:
    """Unregister playlists; with ``purge`` their archived files go too."""
    ids = [parse_playlist_id(value) for value in playlists]
    current = read_registry(store)
    head = git.head_id(store)
    changes: list[RegistryChange] = []
    files: dict[str, bytes | None] = {}
    for playlist_id in dict.fromkeys(ids):
        path = registry_path(playlist_id)
        registered = playlist_id in current.entries
        changes.append(RegistryChange(playlist_id, "removed" if registered else "absent", path))
        if registered:
            files[path] = None
        if purge:
            for archived in (
                plain_path(playlist_id),
                pretty_path(playlist_id),
                json_path(playlist_id),
                cumulative_path(playlist_id),
            ):
                exists_now = git.read_worktree_file(store, archived) is not None
                exists_head = head is not None and git.read_file(store, head, archived) is not None
                if exists_now or exists_head:
                    files[archived] = None
    return changes, files


def apply_registry_change(
    store: Store,
    files: dict[str, bytes | None],
    *,
    commit: bool,
    message: str,
    identity: git.Identity | None = None,
    now: object = None,
) -> str | None:
    """Write the change to the work tree (staging nothing), or commit it with ``commit``."""
    _need_workdir(store, commit)
    if not files:
        return None
    if not commit:
        git.write_worktree_files(store, files)
        if store.workdir is not None:
            # an emptied registry stays a folder: a missing one means "restore it", not "none"
            (store.workdir / REGISTRY_DIR).mkdir(parents=True, exist_ok=True)
        return None
    if identity is None:
        raise UsageError("committing needs an identity")
    when = now if isinstance(now, datetime) else datetime.now(UTC)
    with git.ArchiveLock(store):
        return git.commit_changes(store, files, message=message, identity=identity, when=when)
