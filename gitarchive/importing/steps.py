"""The rewritten chain of one import: the imported versions in date order among the
replayed commits, written in one pass whatever the number of playlists.

Each source commit's versions become one commit (its date, its versions' files,
an index that lists them). Every later commit is replayed; one that comes
before a playlist's next version here also carries that playlist's imported
files, so that the archive holds it from its first imported version on. Every
commit that gets imported files also gets an index that lists their playlists
(the rules, and so the pre-push hook, require an index that lists every page
under its JSON's name).
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from gitarchive import git
from gitarchive.formats import INDEX_PATH
from gitarchive.formats.paths import archive_paths
from gitarchive.history import CumulativeFold
from gitarchive.importing.files import (
    Cleaner,
    Files,
    index_entries,
    message,
    render_index,
    version_files,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from datetime import datetime

    from gitarchive.git import CommitInfo, Identity, Store
    from gitarchive.history import Version
    from gitarchive.importing.plan import Target


@dataclass(frozen=True, slots=True)
class Group:
    """The versions one source commit made (cleaned), all dated at that commit."""

    date: datetime
    versions: tuple[Version, ...]


@dataclass(frozen=True, slots=True)
class Writing:
    """How the imported commits are written: the source's label, who, and page links."""

    label: str
    identity: Identity
    github: str | None
    branch: str


@dataclass
class Steps:
    """Builds the steps lazily (their files are rendered as the rewrite reaches them)."""

    store: Store
    target: Target
    keep: int
    writing: Writing
    imported: dict[str, list[datetime]] = field(default_factory=dict)
    already_here: Counter[str] = field(default_factory=Counter)
    inserts: int = 0
    flattened: list[str] = field(default_factory=list)
    # playlist -> its imported files carried into replayed commits, and its name
    _pending: dict[str, Files] = field(default_factory=dict)
    _names: dict[str, str] = field(default_factory=dict)
    _current: dict[str, Files] = field(default_factory=dict)  # its files where the pass is
    _index: dict[str, str] | None = None  # the entries of the index where the pass is
    _index_data: bytes | None = None
    _cleaner: Cleaner = field(default_factory=Cleaner)
    # the cumulative view of each imported playlist that has no version here, folded as its
    # versions are written (reading them back would cost a second pass over every version)
    folds: dict[str, CumulativeFold] = field(default_factory=dict)

    def __post_init__(self) -> None:
        under = self._last_chain
        data = None if under is None else git.read_file(self.store, under, INDEX_PATH)
        self._index, self._index_data = index_entries(data), data

    @property
    def _last_chain(self) -> str | None:
        return self.target.chain[self.keep - 1].id if self.keep else None

    def steps(self, groups: Iterable[Group]) -> Iterator[git.Insert | git.Replay]:
        chain, queue, index = self.target.chain, deque(groups), self.keep
        under = self._last_chain
        while queue or index < len(chain):
            if queue and (index >= len(chain) or queue[0].date < chain[index].date):
                step = self._insert(queue.popleft(), under)
                if step is not None:
                    yield step
            else:
                under = chain[index].id
                yield self._replay(chain[index])
                index += 1

    def _files_here(self, playlist_id: str, under: str | None) -> Files:
        found = self._current.get(playlist_id)
        if found is None:
            paths = archive_paths(playlist_id)
            found = {
                path: None if under is None else git.read_file(self.store, under, path)
                for path in (paths.plain, paths.pretty, paths.json)
            }
            self._current[playlist_id] = found
        return found

    def _insert(self, group: Group, under: str | None) -> git.Insert | None:
        files: Files = {}
        kept: list[Version] = []
        for found in group.versions:
            version = replace(found, playlist=self._cleaner.playlist(found.playlist))
            playlist_id = version.playlist.id
            written = version_files(version, self.writing.github, self.writing.branch)
            if written == self._files_here(playlist_id, under):
                self.already_here[playlist_id] += 1  # the same version: once is enough
                continue
            self._current[playlist_id] = self._pending[playlist_id] = written
            self._names[playlist_id] = version.playlist.display_name
            self.imported.setdefault(playlist_id, []).append(version.date)
            if playlist_id not in self.target.held:
                fold = self.folds.get(playlist_id) or self.folds.setdefault(
                    playlist_id, CumulativeFold()
                )
                fold.add(version.playlist, version.date.date())
            files.update(written)
            kept.append(version)
            if self._index is not None:
                self._index[playlist_id] = version.playlist.display_name
        if not kept:
            return None
        if self._index is not None:
            data = render_index(self._index)
            if data != self._index_data:
                files[INDEX_PATH] = self._index_data = data
        self.inserts += 1
        w = self.writing
        return git.Insert(files, message(kept, w.label), w.identity, group.date)

    def _replay(self, info: CommitInfo) -> git.Replay:
        for playlist_id in self.target.changed.get(info.id, ()):
            # a version here: its own files are the record from now on
            self._pending.pop(playlist_id, None)
            self._names.pop(playlist_id, None)
            self._current.pop(playlist_id, None)
        overlay: Files = {}
        for files in self._pending.values():
            overlay.update(files)
        data = git.read_file(self.store, info.id, INDEX_PATH)
        entries = index_entries(data)
        self._index, self._index_data = entries, data
        if entries is not None and self._names:
            entries.update(self._names)
            rendered = render_index(entries)
            if rendered != data:
                overlay[INDEX_PATH] = self._index_data = rendered
        extra = self._extra_parents(info)
        return git.Replay(info.id, overlay, extra)

    def _extra_parents(self, commit: CommitInfo) -> tuple[str, ...] | None:
        """A merge's other parents that do not reach the rewritten commits (None: all).

        Every rewritten commit descends from the first one, so a parent that
        reaches any of them reaches it. Such a parent would keep the pre-import
        history reachable beside its rewritten copy (``git log`` showing every
        old version twice, a push sending both): the merge is replayed without
        it. Its tree, which holds what the merge brought in, is kept whole, and
        history follows first parents, so no version is lost.
        """
        extra = commit.parents[1:]
        first_rewritten = self.target.chain[self.keep].id
        kept = tuple(p for p in extra if not git.is_ancestor(self.store, first_rewritten, p))
        if kept == extra:
            return None
        self.flattened.append(commit.id)
        return kept
