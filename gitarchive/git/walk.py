"""History walks: the first-parent log of some paths, or of whole folders at once.

Walking the log mostly costs inflating the big flat ``playlists/plain`` and
``playlists/pretty`` trees (DESIGN.md, "Performance facts"). So a walk compares
subtree ids before looking inside a tree, compares entry ids before reading
any blob, and turns off libgit2's hash verification of inflated objects while
it runs (read-only walks; objects are still checked by zlib and on write).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pygit2

from gitarchive.git.commit_files import CommitInfo, group_paths
from gitarchive.git.objects import unverified_reads
from gitarchive.git.repository import LINK_MODE, info_of, resolve
from gitarchive.git.store import Store, head_id


def last_changed(store: Store, folder: str, names: Iterable[str]) -> dict[str, CommitInfo]:
    """For each file of ``folder``, the newest first-parent commit that changed it.

    Commits whose ``folder`` tree id equals their parent's are skipped without
    reading anything else; the walk stops once every name is resolved.
    """
    pending = set(names)
    found: dict[str, CommitInfo] = {}
    head = head_id(store)
    if head is None or not pending:
        return found
    repo = store.repo

    def listing(tree: pygit2.Tree) -> tuple[pygit2.Oid | None, dict[str, pygit2.Oid]]:
        try:
            entry = tree[folder]
        except KeyError:
            return None, {}
        sub = repo.get(entry.id)
        if not isinstance(sub, pygit2.Tree):
            return None, {}
        return entry.id, {item.name: item.id for item in sub if item.name in pending}

    commit = repo.get(head)
    assert isinstance(commit, pygit2.Commit)
    folder_id, entries = listing(commit.tree)
    while pending and commit is not None:
        parent = commit.parents[0] if commit.parents else None
        parent_folder, parent_entries = (None, {}) if parent is None else listing(parent.tree)
        if parent is None or parent_folder != folder_id:
            for name in list(pending):
                if name in entries and entries.get(name) != parent_entries.get(name):
                    found[name] = info_of(commit)
                    pending.discard(name)
                elif name not in entries:
                    pending.discard(name)  # not there at all any more: no "last change"
        commit, folder_id, entries = parent, parent_folder, parent_entries
    return found


class PathsChange:
    """A first-parent commit where at least one walked path changed.

    ``blobs`` holds one blob id per walked path (None: absent at this commit).
    A plain class, as ``store.Location`` is (a dataclass is compiled at import).
    """

    __slots__ = ("blobs", "commit", "date")

    def __init__(self, commit: str, date: datetime, blobs: tuple[str | None, ...]) -> None:
        self.commit = commit
        self.date = date  # author time, UTC (an imported version: its source date)
        self.blobs = blobs

    def __repr__(self) -> str:
        return f"PathsChange(commit={self.commit!r}, date={self.date!r}, blobs={self.blobs!r})"


@dataclass(frozen=True, slots=True)
class FolderChange:
    """A first-parent commit that changed files in the walked folders.

    ``changes`` maps each changed file's path to its new blob id (None: deleted).
    """

    commit: str
    date: datetime
    changes: dict[str, str | None]


def first_parent_commits(repo: pygit2.Repository, start: str | None) -> list[pygit2.Commit]:
    """The first-parent chain from ``start`` (default HEAD), oldest first."""
    commits = list(_first_parent_newest_first(repo, start))
    commits.reverse()
    return commits


def _first_parent_newest_first(
    repo: pygit2.Repository, start: str | None
) -> Iterator[pygit2.Commit]:
    """The first-parent chain from ``start`` (default HEAD), newest first.

    The folder walks read trees in this order as they go (libgit2's tree
    diffs against the parent, measured 10-25% faster than oldest first then);
    the walks of a few paths read them oldest first (:func:`commit_trees`).
    The chain is followed parent by parent rather than with a revwalk: the
    same commits (grafts and shallow boundaries apply to ``parent_ids`` too)
    at a tenth of the cost once the commits are cached (5 against 36 ms for
    10,000 commits, measured on bench/history_churn.py's archive).
    """
    if start is None:
        if repo.head_is_unborn:
            return
        commit = repo.head.peel(pygit2.Commit)
    else:
        commit = repo[pygit2.Oid(hex=start)].peel(pygit2.Commit)
    while True:
        yield commit
        parents = commit.parent_ids
        if not parents:
            return
        commit = repo[parents[0]].peel(pygit2.Commit)


def _resolve_start(store: Store, start: str | None) -> str | None:
    return None if start is None else resolve(store, start)


def walk_paths(
    store: Store, paths: tuple[str, ...] | list[str], *, start: str | None = None
) -> list[PathsChange]:
    """The first-parent commits (oldest first) where any of ``paths`` changed.

    The first entry is the first commit holding any of the paths; a path that
    disappears yields None for it (deleted files still have a history).
    Works the same in bare repositories.
    """
    repo = store.repo
    path_blobs = _PathBlobs(paths)
    result: list[PathsChange] = []
    previous: tuple[str | None, ...] = tuple(None for _ in paths)
    with unverified_reads():
        for commit_id, time, tree_id in commit_trees(repo, _resolve_start(store, start), None):
            state = path_blobs.at(repo, tree_id)
            if state != previous:
                date = datetime.fromtimestamp(time, tz=UTC)
                result.append(PathsChange(commit=commit_id, date=date, blobs=state))
                previous = state
    return result


def commit_trees(
    repo: pygit2.Repository, tip: str | None, since: str | None
) -> list[tuple[str, int, pygit2.Oid]]:
    """(commit id, author time, tree id) of the first-parent commits after ``since`` up
    to ``tip`` (default HEAD), oldest first.

    The chain is found newest first (commits only), and the walks read the
    trees in the order of this list: a pack deltas older trees against newer
    ones, and libgit2 keeps in its delta base cache the bases it resolved on
    the way to a deep (old) tree, so the newer trees read after it are found
    there; read newest first, each tree's chain was resolved again. Loading
    the 1,000 trees of a folder: 17 against 24 ms; the first ``history`` of a
    fresh clone walks 10-13% faster (docs/benchmarks.md).
    """
    found: list[tuple[str, int, pygit2.Oid]] = []
    for commit in _first_parent_newest_first(repo, tip):
        commit_id = str(commit.id)
        if commit_id == since:
            break
        found.append((commit_id, commit.author.time, commit.tree_id))
    found.reverse()
    return found


def walk_folders(
    store: Store, folders: tuple[str, ...] | list[str], *, start: str | None = None
) -> list[FolderChange]:
    """Every change to files directly in ``folders``, first parent, oldest first.

    One pass over the log for all playlists at once: each folder's tree is
    diffed (in libgit2) against its parent commit's only when its id changed,
    and only entry ids are compared (no blob is read here).
    """
    start_id = _resolve_start(store, start)
    result: list[FolderChange] = []
    newer: pygit2.Commit | None = None
    newer_subs: dict[str, pygit2.Tree | None] = {}
    with unverified_reads():
        for commit in _first_parent_newest_first(store.repo, start_id):
            subs = {folder: _folder(commit.tree, folder) for folder in folders}
            if newer is not None:
                _append_changes(result, newer, subs, newer_subs)
            newer, newer_subs = commit, subs
        if newer is not None:
            _append_changes(result, newer, {folder: None for folder in folders}, newer_subs)
    result.reverse()
    return result


def _folder(tree: pygit2.Tree, folder: str) -> pygit2.Tree | None:
    """The tree at ``folder`` ("a/b"; "" is ``tree``), None when it is missing or not a tree."""
    if not folder:
        return tree
    try:
        found = tree[folder]  # one lookup through the path in libgit2
    except KeyError:
        return None
    return found if isinstance(found, pygit2.Tree) else None


class _PathBlobs:
    """The blob ids of a few paths in commit after commit.

    A folder's entries are looked up again only when the folder's tree id
    changed, and nothing is looked up when the commit's tree did not change.
    This loop runs once per commit of the log (100,000 times on a long
    archive), so the lookups are inline and an id is turned into text only
    when it changed. Either order of commits works; the walks ask oldest
    first (see :func:`commit_trees`).

    ``best_first``: ``paths`` are sources in order of preference, and a
    folder is looked into only when no path before it has a blob at that
    commit; the paths of a folder not looked into read None. (A playlist's
    plain file is read only where it has neither snapshot nor page: loading
    the plain/ tree at every commit was a third of a history walk.)
    """

    def __init__(self, paths: tuple[str, ...] | list[str], *, best_first: bool = False) -> None:
        self.folders = group_paths(paths, best_first=best_first)
        self.best_first = best_first
        self.seen: dict[str, pygit2.Oid | None] = dict.fromkeys(
            folder for folder, _ in self.folders
        )
        self.blobs: list[str | None] = [None for _ in paths]
        self.oids: list[pygit2.Oid | None] = [None for _ in paths]
        self.tree_id: pygit2.Oid | None = None
        self.current: tuple[str | None, ...] = tuple(self.blobs)

    def at(self, repo: pygit2.Repository, tree_id: pygit2.Oid) -> tuple[str | None, ...]:
        """The paths' blob ids in the commit whose tree is ``tree_id``."""
        if tree_id == self.tree_id:
            return self.current
        self.tree_id = tree_id
        tree = repo[tree_id]
        assert isinstance(tree, pygit2.Tree)
        blobs, oids, seen = self.blobs, self.oids, self.seen
        found = False
        for folder, names in self.folders:
            if found:  # best_first, and a better source is there: not looked into
                seen[folder] = None
                for index, _ in names:
                    oids[index] = blobs[index] = None
                continue
            sub = _folder(tree, folder)
            folder_id = None if sub is None else sub.id
            if folder_id is None or folder_id != seen[folder]:
                seen[folder] = folder_id
                self._read_entries(sub, names)
            found = self.best_first and any(blobs[index] is not None for index, _ in names)
        self.current = tuple(blobs)
        return self.current

    def _read_entries(self, sub: pygit2.Tree | None, names: list[tuple[int, str]]) -> None:
        blobs, oids = self.blobs, self.oids
        for index, name in names:
            oid = None
            if sub is not None:
                try:
                    entry = sub[name]
                except KeyError:
                    pass
                else:
                    if isinstance(entry, pygit2.Blob) and entry.filemode != LINK_MODE:
                        oid = entry.id
            if oid != oids[index]:
                oids[index] = oid
                blobs[index] = None if oid is None else str(oid)


def _append_changes(
    result: list[FolderChange],
    commit: pygit2.Commit,
    parent_subs: dict[str, pygit2.Tree | None],
    subs: dict[str, pygit2.Tree | None],
) -> None:
    changes: dict[str, str | None] = {}
    for folder, sub in subs.items():
        before = parent_subs[folder]
        if (None if sub is None else sub.id) != (None if before is None else before.id):
            _collect_changes(before, sub, folder, changes)
    if changes:
        result.append(
            FolderChange(
                commit=str(commit.id),
                date=datetime.fromtimestamp(commit.author.time, tz=UTC),
                changes=changes,
            )
        )


def _collect_changes(
    before: pygit2.Tree | None,
    after: pygit2.Tree | None,
    folder: str,
    changes: dict[str, str | None],
) -> None:
    if after is None:
        if before is not None:
            for entry in before:
                if entry.type_str == "blob" and entry.filemode != LINK_MODE:
                    changes[f"{folder}/{entry.name}"] = None
        return
    if before is None:
        for entry in after:
            if entry.type_str == "blob" and entry.filemode != LINK_MODE:
                changes[f"{folder}/{entry.name}"] = str(entry.id)
        return
    for delta in before.diff_to_tree(after).deltas:
        new_file = delta.new_file
        # status_char: the status as one letter (``status`` makes an enum member per
        # delta, ~0.5 us: a folder walk meets one delta per changed file)
        status, old_file = delta.status_char(), delta.old_file
        if status == "D":
            if old_file.mode != LINK_MODE:
                changes[f"{folder}/{old_file.path}"] = None
        elif "/" not in new_file.path:
            if new_file.mode != LINK_MODE:
                changes[f"{folder}/{new_file.path}"] = str(new_file.id)
            elif status != "A" and old_file.mode != LINK_MODE:
                # a link is no file: one that replaced a file is that file's removal
                changes[f"{folder}/{new_file.path}"] = None


def commit_at(store: Store, when: datetime, *, start: str | None = None) -> str | None:
    """The last first-parent commit (from ``start``, default HEAD) authored at or before ``when``.

    Author dates are not always monotonic along the chain (clock skew,
    rebases); the newest commit on the chain whose date is <= ``when`` wins.
    """
    limit = when.timestamp()
    start_id = _resolve_start(store, start)
    found: str | None = None
    for commit in first_parent_commits(store.repo, start_id):
        if commit.author.time <= limit:
            found = str(commit.id)
    return found
