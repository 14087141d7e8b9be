"""Build archive repositories for tests with pygit2 directly, dates pinned.

Independent of ``sync``: each commit is the first parent's tree plus the given
files (None deletes a file), written with the formats renderers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pygit2

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from pathlib import Path

    from gitarchive.model import Playlist

ALL_KINDS = ("json", "pretty", "plain")


def register(root: Path, *ids: str, alias: Mapping[str, str] | None = None) -> None:
    """Registry entries in ``root``'s work tree: empty files, or one line for an alias."""
    folder = root / "playlists/registry"
    folder.mkdir(parents=True, exist_ok=True)
    for playlist_id in ids:
        text = (alias or {}).get(playlist_id)
        (folder / playlist_id).write_text("" if text is None else text + "\n")


def init_archive(root: Path, *ids: str) -> pygit2.Repository:
    """An empty repository on ``main`` with ``ids`` registered in the work tree (uncommitted,
    as `gitarchive add` leaves them), ready for a first sync."""
    repo = pygit2.init_repository(str(root), initial_head="main")
    register(root, *ids)
    return repo


def playlist_files(
    playlist: Playlist, kinds: Iterable[str] = ALL_KINDS, *, github: str | None = None
) -> dict[str, str | None]:
    from gitarchive import formats

    files: dict[str, str | None] = {}
    for kind in kinds:
        if kind == "json":
            files[formats.json_path(playlist.id)] = formats.render_json(playlist)
        elif kind == "pretty":
            files[formats.pretty_path(playlist.id)] = formats.render_pretty(playlist, github=github)
        elif kind == "plain":
            files[formats.plain_path(playlist.id)] = formats.render_plain(playlist)
        else:
            raise ValueError(kind)
    return files


def deleted_files(playlist_id: str) -> dict[str, str | None]:
    from gitarchive import formats

    return {
        formats.json_path(playlist_id): None,
        formats.pretty_path(playlist_id): None,
        formats.plain_path(playlist_id): None,
    }


class RepoBuilder:
    def __init__(self, path: Path, *, bare: bool = False, branch: str = "main") -> None:
        self.repo = pygit2.init_repository(str(path), bare=bare, initial_head=branch)
        self.ref = f"refs/heads/{branch}"

    def commit(
        self,
        files: Mapping[str, str | bytes | None],
        *,
        date: str | datetime,
        message: str = "sync",
        parents: Sequence[str] | None = None,
        ref: str | None = None,
    ) -> str:
        """A commit of ``files`` over its first parent's tree; moves ``ref`` (default branch)."""
        ref = ref or self.ref
        if parents is None:
            target = self.repo.references.get(ref)
            parents = [] if target is None else [str(target.target)]
        flat: dict[str, tuple[pygit2.Oid, int]] = {}
        if parents:
            base = self.repo.get(parents[0])
            assert isinstance(base, pygit2.Commit)
            _flatten(self.repo, base.tree, "", flat)
        for path, content in files.items():
            if content is None:
                flat.pop(path, None)
            else:
                data = content.encode() if isinstance(content, str) else content
                flat[path] = (self.repo.create_blob(data), pygit2.enums.FileMode.BLOB)
        tree = _build(self.repo, flat)
        when = date if isinstance(date, datetime) else datetime.fromisoformat(date)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        signature = pygit2.Signature("Test", "test@example.invalid", int(when.timestamp()), 0)
        oid = self.repo.create_commit(
            None, signature, signature, message, tree, [pygit2.Oid(hex=p) for p in parents]
        )
        self.repo.references.create(ref, oid, force=True)
        return str(oid)

    def commit_playlists(
        self,
        playlists: Iterable[Playlist],
        *,
        date: str | datetime,
        kinds: Iterable[str] = ALL_KINDS,
        extra: Mapping[str, str | bytes | None] | None = None,
        **options: object,
    ) -> str:
        files: dict[str, str | bytes | None] = {}
        for playlist in playlists:
            files.update(playlist_files(playlist, kinds))
        files.update(extra or {})
        return self.commit(files, date=date, **options)  # type: ignore[arg-type]


def _flatten(
    repo: pygit2.Repository, tree: pygit2.Tree, prefix: str, out: dict[str, tuple[pygit2.Oid, int]]
) -> None:
    for entry in tree:
        path = f"{prefix}{entry.name}"
        if entry.type_str == "tree":
            sub = repo.get(entry.id)
            assert isinstance(sub, pygit2.Tree)
            _flatten(repo, sub, path + "/", out)
        else:
            out[path] = (entry.id, entry.filemode)


def _build(repo: pygit2.Repository, flat: Mapping[str, tuple[pygit2.Oid, int]]) -> pygit2.Oid:
    children: dict[str, dict[str, tuple[pygit2.Oid, int]]] = {}
    builder = repo.TreeBuilder()
    for path, (oid, mode) in flat.items():
        head, sep, rest = path.partition("/")
        if sep:
            children.setdefault(head, {})[rest] = (oid, mode)
        else:
            builder.insert(head, oid, mode)
    for name, sub in children.items():
        builder.insert(name, _build(repo, sub), pygit2.enums.FileMode.TREE)
    return builder.write()
