"""Where file contents come from: a mapping, the working tree, a commit, the index."""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING, Protocol

from gitarchive import git

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from gitarchive.git import Store


class Source(Protocol):
    """Where file contents come from: a commit, the index, the working tree."""

    def read(self, path: str) -> bytes | None:
        """The file's bytes, None when it does not exist."""

    def names(self, folder: str) -> set[str]:
        """Names of the files directly in ``folder``."""


class MappingSource:
    """Files given as a mapping of path -> bytes (tests, library callers)."""

    def __init__(self, files: Mapping[str, bytes]) -> None:
        self.files = dict(files)

    def read(self, path: str) -> bytes | None:
        return self.files.get(path)

    def names(self, folder: str) -> set[str]:
        prefix = folder.rstrip("/") + "/"
        return {
            path[len(prefix) :]
            for path in self.files
            if path.startswith(prefix) and "/" not in path[len(prefix) :]
        }


class WorkTreeSource:
    """Files on disk under a work tree's root, never through a symbolic link.

    A link anywhere on the path (the file or any folder above it) reads as a
    missing file: it could point at anything (``/proc/self/environ``), and
    validate reports links (GA006) instead of following them.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def _no_link_on(self, path: str) -> bool:
        current = self.root
        for part in path.split("/")[:-1]:
            current = current / part
            if current.is_symlink():
                return False
        return True

    def read(self, path: str) -> bytes | None:
        if not self._no_link_on(path):
            return None
        try:
            # O_NONBLOCK: a fifo where a file belongs must not hang validate
            flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
            descriptor = os.open(self.root / path, flags)
        except OSError:  # missing, a folder, or a link (ELOOP)
            return None
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):  # a folder where a file belongs
            os.close(descriptor)
            return None
        with os.fdopen(descriptor, "rb") as file:
            try:
                return file.read()
            except IsADirectoryError:
                return None

    def names(self, folder: str) -> set[str]:
        if not self._no_link_on(folder + "/x") or (self.root / folder).is_symlink():
            return set()
        try:
            with os.scandir(self.root / folder) as entries:
                return {entry.name for entry in entries if entry.is_file(follow_symlinks=False)}
        except (FileNotFoundError, NotADirectoryError):
            return set()


class BlobMapSource:
    """Files named by blob ids in a store (a commit's tree, the index)."""

    def __init__(self, store: Store, blobs: Mapping[str, str]) -> None:
        self.store = store
        self.blobs = blobs
        self._folders: dict[str, set[str]] | None = None

    def read(self, path: str) -> bytes | None:
        blob = self.blobs.get(path)
        return None if blob is None else git.read_blob(self.store, blob)

    def names(self, folder: str) -> set[str]:
        if self._folders is None:
            folders: dict[str, set[str]] = {}
            for path in self.blobs:
                head, _, name = path.rpartition("/")
                folders.setdefault(head, set()).add(name)
            self._folders = folders
        return self._folders.get(folder.rstrip("/"), set())


class CommitSource:
    """Files of one commit, read lazily (only the folders and blobs a check needs)."""

    def __init__(self, store: Store, commit_id: str) -> None:
        self.store = store
        self.commit_id = commit_id
        self._folders: dict[str, dict[str, str]] = {}

    def _folder(self, folder: str) -> dict[str, str]:
        if folder not in self._folders:
            self._folders[folder] = git.list_dir(self.store, self.commit_id, folder)
        return self._folders[folder]

    def read(self, path: str) -> bytes | None:
        folder, _, name = path.rpartition("/")
        blob = self._folder(folder).get(name)
        return None if blob is None else git.read_blob(self.store, blob)

    def names(self, folder: str) -> set[str]:
        return set(self._folder(folder.rstrip("/")))
