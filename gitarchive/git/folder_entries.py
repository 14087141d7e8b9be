"""The ids of one folder's entries across many commits: a name-keyed page at each version.

A read of a 2021 name-keyed archive looks up one page by name in the
``playlists/pretty`` tree of each plain version's commit (:mod:`gitarchive.name_keyed`).
Parsing that tree costs little for one playlist's versions, read one after the other.
A pass over every playlist's versions asks the same commits again for each playlist,
and reads their trees out of the pack's delta order: on the foreign bench archive
(250 playlists, 1,000 commits) 45,288 tree reads took 13% of the index build.

So the entries of a store's folder are counted as they are parsed, and once as many
were parsed as HEAD's first-parent chain has commits, the folder's history is read in
one pass (its trees newest first, as the pack stores them, compared entry by entry):
for each name, the positions on the chain where its id changed and the id from each.
A lookup of a commit on that chain is then a bisection; any other commit is parsed as
before. The history holds ~24 bytes per change of an entry, and no more than
:data:`MAX_CHANGES` (beyond that the folder is parsed commit by commit), each name
counted as :data:`NAME_COST` changes.
"""

from __future__ import annotations

import bisect
import sys
import weakref
from array import array
from typing import TYPE_CHECKING

from gitarchive.git import commit_files
from gitarchive.git.objects import unverified_reads

if TYPE_CHECKING:
    import pygit2

    from gitarchive.git.store import Store

# the history's size: beyond this many changes of the folder's entries (~24 B each), the
# folder is parsed commit by commit (memory stays bounded whatever the history's length);
# a name costs as much as NAME_COST changes (its two arrays and dict entries, ~660 B while
# the history is packed), so many names changed once each are bounded too (~24 MB kept)
MAX_CHANGES = 1_000_000
NAME_COST = 28
# a store's folder trees parsed before its history is considered: the history pays
# when there are at least as many parses as commits on the chain (each read in turn)
HISTORY_FROM = 512


class FolderHistory:
    """Each entry of a folder at each commit of a first-parent chain.

    ``positions``: each commit's place on the chain (oldest 0); ``changes``: per
    entry name (bytes, as the tree holds it), the positions where its id changed,
    ascending, and its ids from there, concatenated (all zero: no such entry).
    """

    def __init__(
        self, positions: dict[str, int], changes: dict[bytes, tuple[array[int], bytes]], size: int
    ) -> None:
        self.positions = positions
        self.changes = changes
        self.size = size  # of an object id, in bytes
        self._none = bytes(size)

    def entry_id(self, commit_id: str, name: str) -> str | bool | None:
        """The entry's id at the commit (None: no such entry); False when the commit is
        not on the chain or the name is not one a tree lookup finds as itself."""
        position = self.positions.get(commit_id)
        if position is None or not name or "/" in name or "\x00" in name:
            return False
        try:
            key = name.encode()
        except UnicodeEncodeError:
            return False
        found = self.changes.get(key)
        if found is None:
            return None
        at = bisect.bisect_right(found[0], position) - 1
        if at < 0:
            return None
        size = self.size
        entry = found[1][at * size : (at + 1) * size]
        return None if entry == self._none else entry.hex()


def _chain(repo: pygit2.Repository, folder: str, limit: int) -> list[tuple[str, str]] | None:
    """(commit id, the folder's tree id or "") of HEAD's first-parent chain, newest first;
    None when it has more than ``limit`` commits or there is no HEAD."""
    # lazy: loaded already (the repository is open), so it costs nothing
    import pygit2

    if repo.head_is_unborn:
        return None
    commit = repo.head.peel(pygit2.Commit)
    found: list[tuple[str, str]] = []
    while True:
        if len(found) >= limit:
            return None
        try:
            entry = commit.tree[folder]
        except KeyError:
            entry = None
        tree = str(entry.id) if isinstance(entry, pygit2.Tree) else ""
        found.append((str(commit.id), tree))
        parents = commit.parent_ids
        if not parents:
            return found
        commit = repo[parents[0]].peel(pygit2.Commit)


def _entries(repo: pygit2.Repository, tree_id: str) -> set[Entry] | None:
    """A tree's entries (mode, name, binary id) as libgit2 parses them; None when a name
    would not be found where the history finds it (see below)."""
    # lazy: loaded already (the repository is open), so it costs nothing
    import pygit2

    if not tree_id:
        return set()
    tree = repo.get(tree_id)
    if not isinstance(tree, pygit2.Tree):
        return None
    found = [(int(entry.filemode), entry.raw_name or b"", entry.id.raw) for entry in tree]
    names = [name for _mode, name, _id in found]
    # libgit2 finds a name by a binary search in the tree's own order: in git's order (a
    # folder's name as if it ended in "/") and each name once, a hostile tree's names are
    # found where its entries list them; any other tree gives the history up
    keys = [name + b"/" if mode == _FOLDER else name for mode, name, _id in found]
    if keys != sorted(keys) or len(set(names)) != len(names):
        return None
    return {entry for entry in found if entry[0] != _LINK}  # a link is no file


def get_commit(store: Store, commit_id: str) -> pygit2.Commit:
    """The commit object, read by libgit2 (``repository.get_commit``)."""
    # lazy: libgit2 (pygit2, ~45 ms at import), for what the files do not settle
    from gitarchive.git.repository import get_commit as libgit2_commit

    return libgit2_commit(store, commit_id)


Entry = tuple[int, bytes, bytes]  # a tree entry's mode, name and binary id
_FOLDER = 0o40000  # a tree entry's mode for a folder (pygit2.enums.FileMode.TREE)
_LINK = 0o120000  # a symbolic link's (FileMode.LINK): no file (repository.LINK_MODE)


def folder_history(store: Store, folder: str, limit: int) -> FolderHistory | bool | None:
    """The history of ``folder`` on HEAD's first-parent chain; None when the chain has
    more than ``limit`` commits (or there is no HEAD); False when it has more than
    :data:`MAX_CHANGES` changes or a tree that cannot be read entry by entry."""
    repo = store.repo
    with unverified_reads():
        chain = _chain(repo, folder, limit)
        if chain is None:
            return None
        size = len(chain[0][0]) // 2
        logs: dict[bytes, tuple[array[int], bytearray]] = {}
        count, length = 0, len(chain)
        newer_tree: str | None = None  # None: before the root commit, where nothing is
        newer: set[Entry] = set()
        since = length  # the oldest position holding newer_tree so far
        # newest first, each tree compared with the next older one: read in the pack's order
        for at in range(length + 1):
            tree = chain[at][1] if at < length else None
            if tree == newer_tree:
                since = length - 1 - at
                continue
            older = set() if tree is None else _entries(repo, tree)
            if older is None:
                return False
            if newer_tree is not None:
                count += _record(logs, since, newer - older, older - newer, size)
                if count + NAME_COST * len(logs) > MAX_CHANGES:
                    return False
            newer_tree, newer, since = tree, older, length - 1 - at
    positions = {commit: length - 1 - at for at, (commit, _tree) in enumerate(chain)}
    changes = {name: _packed(log, size) for name, log in logs.items()}
    return FolderHistory(positions, changes, size)


def _record(
    logs: dict[bytes, tuple[array[int], bytearray]],
    position: int,
    added: set[Entry],
    removed: set[Entry],
    size: int,
) -> int:
    """The changes at ``position`` (entries there and not before, and before and not
    there) into ``logs``, each name's newest first; how many names changed."""
    ids = {name: entry_id for _mode, name, entry_id in added}
    for _mode, name, _id in removed:
        ids.setdefault(name, bytes(size))
    for name, entry_id in ids.items():
        log = logs.get(name)
        if log is None:
            log = logs[name] = (array("i"), bytearray())
        log[0].append(position)
        log[1].extend(entry_id)
    return len(ids)


def _packed(log: tuple[array[int], bytearray], size: int) -> tuple[array[int], bytes]:
    """A name's changes, oldest first."""
    positions, ids = log
    positions.reverse()
    return positions, b"".join(ids[at - size : at] for at in range(len(ids), 0, -size))


class _Shared:
    """What the FolderEntries of one folder of one store share: the trees they parsed,
    and the folder's history once it pays."""

    def __init__(self, history_from: int) -> None:
        self.parses = 0
        self.next_check = history_from
        self.history: FolderHistory | None = None

    def parsed(self, store: Store, folder: str) -> None:
        """One more tree parsed; the history read when it pays (a chain of at most twice
        the parses so far is read in less time than they took), tried again at twice
        the parses while the chain is longer, never again once it cannot be kept or read."""
        self.parses += 1
        if self.parses < self.next_check:
            return
        self.next_check *= 2
        # lazy: loaded already (a tree was parsed through it), so it costs nothing
        import pygit2

        try:
            found = folder_history(store, folder, 2 * self.parses)
        except (KeyError, ValueError, pygit2.GitError):  # an object missing: parse as before
            found = False
        if isinstance(found, FolderHistory):
            self.history = found
        elif found is False:
            self.next_check = sys.maxsize


_SHARED: weakref.WeakKeyDictionary[Store, dict[str, _Shared]] = weakref.WeakKeyDictionary()


class FolderEntries:
    """The ids of entries of one folder across many commits, each commit's folder read once.

    ``entry_id(store, commit, f"{folder}/{name}")`` parses every tree on the way at
    each call; a pass that looks up many names in the same folder of the same commits
    (the name-keyed pages, once per plain version) parses that folder's tree once per
    commit here. Up to ``size`` parsed trees are kept, the oldest let go first: a folder
    of 250 files is ~57 KB in libgit2, and most lookups repeat one of the last few
    commits (one version's names and fallbacks). A pass over many playlists (each
    parsing the same commits' trees again) reads the folder's history once instead,
    shared by every FolderEntries of the store (see the module's docstring;
    ``history_from``: the parses before it is considered).
    """

    def __init__(
        self, store: Store, folder: str, *, size: int = 32, history_from: int | None = None
    ) -> None:
        self.store = store
        self.folder = folder
        self.size = size
        self._trees: dict[str, pygit2.Tree | None] = {}
        folders = _SHARED.setdefault(store, {})
        if folder not in folders:
            folders[folder] = _Shared(HISTORY_FROM if history_from is None else history_from)
        self._shared = folders[folder]

    def entry_id(self, commit_id: str, name: str) -> str | None:
        """``entry_id(store, commit_id, f"{folder}/{name}")`` for a ``name`` without ``/``;
        RevisionNotFound when there is no such commit."""
        if not self.store.is_open:  # one show's lookups: from the files, without libgit2
            in_files = commit_files.entry_id(self.store, commit_id, f"{self.folder}/{name}")
            if not isinstance(in_files, commit_files.Unsettled):
                return in_files
        history = self._shared.history
        if history is not None:
            found = history.entry_id(commit_id, name)
            if found is not False:
                return found if isinstance(found, str) else None
        trees = self._trees
        if commit_id in trees:
            tree = trees[commit_id]
        else:
            tree = self._folder_tree(commit_id)
            if len(trees) >= self.size:
                trees.pop(next(iter(trees)))
            trees[commit_id] = tree
        if tree is None:
            return None
        try:
            entry = tree[name]
        except KeyError:
            return None
        return None if entry.filemode == _LINK else str(entry.id)  # a link is no file

    def _folder_tree(self, commit_id: str) -> pygit2.Tree | None:
        commit = get_commit(self.store, commit_id)
        # lazy: loaded already (by get_commit), so it costs nothing
        import pygit2

        if self._shared.history is None:
            self._shared.parsed(self.store, self.folder)
        try:
            found = commit.tree[self.folder]
        except KeyError:
            return None
        return found if isinstance(found, pygit2.Tree) else None
