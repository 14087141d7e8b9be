"""A tree edited file by file with pygit2: only changed files get blobs, only the folders
above them get new trees (unchanged folders keep their tree ids)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pygit2

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

BLOB = pygit2.enums.FileMode.BLOB
TREE = pygit2.enums.FileMode.TREE


class Trees:
    """Folders as tree builders; ``blob`` stores a file's bytes (given its path) and names it."""

    def __init__(self, repo: pygit2.Repository, blob: Callable[[str, bytes], pygit2.Oid]) -> None:
        self.repo = repo
        self.blob = blob
        self.builders: dict[str, pygit2.TreeBuilder] = {"": repo.TreeBuilder()}
        self.dirty: set[str] = set()

    def put(self, path: str, data: bytes) -> None:
        folder, _, name = path.rpartition("/")
        self._builder(folder).insert(name, self.blob(path, data), BLOB)
        self._mark(folder)

    def delete(self, path: str) -> None:
        folder, _, name = path.rpartition("/")
        builder = self.builders.get(folder)
        if builder is not None and builder.get(name) is not None:
            builder.remove(name)
            self._mark(folder)

    def _builder(self, folder: str) -> pygit2.TreeBuilder:
        builder = self.builders.get(folder)
        if builder is None:
            builder = self.builders[folder] = self.repo.TreeBuilder()
            if folder:
                self._builder(folder.rpartition("/")[0])
        return builder

    def _mark(self, folder: str) -> None:
        while folder not in self.dirty:
            self.dirty.add(folder)
            if not folder:
                break
            folder = folder.rpartition("/")[0]

    def write(self) -> pygit2.Oid:
        """The root tree's id; folders left empty leave their parent."""
        for folder in sorted(self.dirty - {""}, key=lambda f: -f.count("/")):
            builder = self.builders[folder]
            parent_path, _, name = folder.rpartition("/")
            parent = self.builders[parent_path]
            if len(builder):
                parent.insert(name, builder.write(), TREE)
            elif parent.get(name) is not None:
                parent.remove(name)
        self.dirty.clear()
        return self.builders[""].write()


def signature(name: str, email: str, when: datetime) -> pygit2.Signature:
    return pygit2.Signature(name, email, int(when.timestamp()), 0)
