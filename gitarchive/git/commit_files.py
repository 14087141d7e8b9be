"""Commits, their files and short walks read from the repository's own files, without libgit2.

``show`` of a version it has not shown before reads one commit: its date, one to
three of the playlist's files, and for a plain version its page by name. Loading
libgit2 for that (importing pygit2, ~45 ms) was about half of what it cost above
``--version`` (bench/index_cold.py's warm ``show``: + 0.09 to 0.12 s, target 0.1).
A read after ``git pull`` walks the few commits the pull brought the same way
(:mod:`gitarchive.git.commit_reads`).
So, within a pass that reads objects as git reads them (:func:`unverified_reads`)
and while the store is not open, commits and trees are read with
:class:`~gitarchive.git.objects.ObjectFiles` and parsed here to git's formats
(gitformat-commit's headers, gitformat-tree's entries). Only what they prove is
answered: a commit of the usual shape (tree, parents, author, committer, other
headers, a UTF-8 message without an ``encoding`` header) and a tree of git's five
modes whose names are in git's order, in a repository whose history no graft or
replace ref changes. Anything else is :data:`ASK`: :mod:`gitarchive.git.commit_reads`
then asks libgit2, whose answer, or error, stands as before.
"""

from __future__ import annotations

import itertools
import re
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from gitarchive.git import objects
from gitarchive.git import store as stores

if TYPE_CHECKING:
    from gitarchive.git.store import Store

_COMMIT, _TREE = 1, 2
_TREE_MODE = b"40000"
# the entries read as files: a link's (120000) blob is its target's path, no file (see
# repository.LINK_MODE), as libgit2's reads take it
_FILE_MODES = (b"100644", b"100755")
_LINK_MODE = b"120000"
_HEADER = re.compile(rb"tree ([0-9a-f]{40})\n((?:parent [0-9a-f]{40}\n)*)author ([^\n]*)\n")
_SIGNATURE = re.compile(rb"[^<>\n]*<[^<>\n]*> ([0-9]{1,15}) [+-][0-9]{4}")
_COMMITTER = re.compile(rb"committer ([^\n]*)(?:\n|\Z)")
_ENTRY = re.compile(rb"(100644|100755|120000|40000|160000) ([^\0/]+)\0")
_LONGEST_NAME = 0xFFFF  # libgit2's tree parser refuses a longer entry name
_KEPT_TREES = 8  # a show reads a few trees of one commit, again for each name it tries


class Unsettled:
    """What the files do not settle: libgit2's to answer."""


ASK = Unsettled()


@dataclass(frozen=True, slots=True)
class CommitInfo:
    id: str  # 40 hex
    date: datetime  # author time, UTC: the version date (an imported version keeps its source date)
    message: str
    parents: tuple[str, ...]


def commit_info(store: Store, commit_id: str) -> CommitInfo | Unsettled:
    """The commit's id, author date, message and parents."""
    found = _parsed_commit(store, commit_id)
    if found is None:
        return ASK
    _tree, parents, time, message = found
    return CommitInfo(commit_id, datetime.fromtimestamp(time, tz=UTC), message, parents)


def read_file(store: Store, commit_id: str, path: str) -> bytes | Unsettled | None:
    """A file's bytes at a commit; None when the commit has no such file: as libgit2
    answers, the entry's object is read whatever its mode says, and only a blob is a file."""
    found = _entry(store, commit_id, path)
    if found is None:
        return ASK
    mode, object_id = found
    if object_id is None or mode == _LINK_MODE:
        return None
    files = objects.store_files(store)
    blob = None if files is None else files.read(object_id)
    if blob is None:
        return ASK
    return blob[1] if blob[0] == objects.BLOB else None


def entry_id(store: Store, commit_id: str, path: str) -> str | Unsettled | None:
    """The id of the entry at ``path`` in the commit (None: no such entry, or a link)."""
    found = _entry(store, commit_id, path)
    if found is None:
        return ASK
    return None if found[0] == _LINK_MODE else found[1]


def blob_id_of(data: bytes) -> str:
    """The id git would give ``data`` as a blob, without writing it."""
    # lazy: OpenSSL's hashlib costs ~3 ms at import, which most reads never need
    import hashlib

    return hashlib.sha1(b"blob %d\0%b" % (len(data), data), usedforsecurity=False).hexdigest()


def list_dir(store: Store, commit_id: str, folder: str) -> dict[str, str] | Unsettled:
    """The files directly in ``folder`` at the commit, by name (as libgit2's read lists
    them: an entry whose mode is a file's; none when the folder is missing or no tree)."""
    commit = _parsed_commit(store, commit_id)
    entries = ASK if commit is None else _folder_entries(store, commit[0], folder)
    if entries is None or isinstance(entries, Unsettled):
        return {} if entries is None else ASK
    listed: dict[str, str] = {}
    for name, (entry_mode, object_id) in entries.items():
        if entry_mode in _FILE_MODES:
            try:
                listed[name.decode("utf-8")] = object_id
            except UnicodeDecodeError:
                return ASK  # pygit2 decodes such a name its own way
    return listed


def group_paths(
    paths: tuple[str, ...] | list[str], *, best_first: bool
) -> list[tuple[str, list[tuple[int, str]]]]:
    """The paths by folder, in the order of each folder's first path: ``(folder, [(index,
    name)])``, as a walk of a few paths looks each folder up once. ``best_first`` (the
    paths are sources in order of preference) needs each folder's paths after the
    previous folder's: ValueError otherwise."""
    folders: dict[str, list[tuple[int, str]]] = {}
    for index, path in enumerate(paths):
        parent, _, name = path.rpartition("/")
        folders.setdefault(parent, []).append((index, name))
    if best_first and any(
        later[0][0] < earlier[-1][0] for earlier, later in itertools.pairwise(folders.values())
    ):
        raise ValueError("best_first needs each folder's paths after the previous folder's")
    return list(folders.items())


def path_blobs(
    store: Store, tree_id: str, folders: list[tuple[str, list[tuple[int, str]]]], count: int,
    *, best_first: bool,
) -> tuple[str | None, ...] | Unsettled:  # fmt: skip
    """The blob id of each of ``count`` paths in the root tree ``tree_id`` (None: absent,
    or not a file), the paths grouped by :func:`group_paths`; ``best_first``: a folder
    after one that holds a blob is not looked into."""
    blobs: list[str | None] = [None] * count
    for folder, names in folders:
        entries = _folder_entries(store, tree_id, folder)
        if isinstance(entries, Unsettled):
            return ASK
        if entries is None:
            continue
        # as in _entry: a name libgit2 would cut at a NUL, or UTF-8 cannot encode, is its own
        if not all("\0" not in name and _encodes(name) for _, name in names):
            return ASK
        for index, name in names:
            entry = entries.get(name.encode("utf-8"))
            if entry is not None and entry[0] in _FILE_MODES:
                blobs[index] = entry[1]
        if best_first and any(blobs[index] is not None for index, _ in names):
            break
    return tuple(blobs)


def commits_since(
    store: Store, tip: str, since: str, most: int
) -> list[tuple[str, int]] | Unsettled:
    """(commit, author time) of :func:`chain_since`'s commits."""
    chain = chain_since(store, tip, since, most)
    return chain if isinstance(chain, Unsettled) else [(commit, time) for commit, time, _ in chain]


def chain_since(
    store: Store, tip: str, since: str, most: int
) -> list[tuple[str, int, str]] | Unsettled:
    """(commit, author time, root tree) of the first-parent commits after ``since`` up to
    ``tip``, oldest first, when ``since`` is at most ``most`` commits down the chain."""
    files = _commit_files(store)
    if files is None or tip == since:
        return ASK  # (libgit2 still looks ``tip`` up, and fails on a missing one)
    found: list[tuple[str, int, str]] = []
    commit = tip
    while commit != since:
        parsed = _commit_in(files, commit)
        if parsed is None or not parsed[1] or len(found) >= most:
            return ASK  # a root before ``since``, or a long way down: libgit2 walks it
        found.append((commit, parsed[2], parsed[0]))
        commit = parsed[1][0]
    found.reverse()
    return found


def _entry(store: Store, commit_id: str, path: str) -> tuple[bytes | None, str | None] | None:
    """(mode, id) of ``path``'s entry in the commit, (None, None) when there is none; None
    when the files do not settle it."""
    commit = _parsed_commit(store, commit_id)
    parts = path.split("/")
    if commit is None or not _settles(path, parts):
        return None
    return _lookup(store, commit[0], parts)


def _folder_entries(
    store: Store, tree_id: str, folder: str
) -> dict[bytes, tuple[bytes, str]] | Unsettled | None:
    """The entries of ``folder`` ("": the root) under the root tree ``tree_id``; None when
    it is missing or no tree."""
    parts = folder.split("/") if folder else []
    found = _lookup(store, tree_id, parts) if _settles(folder, parts) else None
    if found is None:
        return ASK
    mode, folder_id = found
    if folder_id is None or mode != _TREE_MODE:
        return None
    entries = _tree_entries(store, folder_id)
    return ASK if entries is None else entries


def _settles(path: str, parts: list[str]) -> bool:
    # pygit2 hands libgit2 the path as a C string, cut at a NUL, and refuses what UTF-8
    # cannot encode: both are its to answer, as is an empty part
    return "" not in parts and "\0" not in path and _encodes(path)


def _lookup(store: Store, tree_id: str, parts: list[str]) -> tuple[bytes | None, str | None] | None:
    """(mode, id) at ``parts`` below the root tree ``tree_id`` ((None, None): none there)."""
    mode, object_id = _TREE_MODE, tree_id
    for part in parts:
        if mode != _TREE_MODE:
            return None, None  # a file where a folder was expected: no such path
        entries = _tree_entries(store, object_id)
        if entries is None:
            return None
        found = entries.get(part.encode("utf-8"))
        if found is None:
            return None, None
        mode, object_id = found
    return mode, object_id


def _encodes(path: str) -> bool:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _commit_files(store: Store) -> objects.ObjectFiles | None:
    """The store's files while commits may be read from them: in a pass, the store not
    open, and no graft or replace ref changing its commits (libgit2 applies those)."""
    files = objects.store_files(store)
    if files is None or stores.history_fingerprint(store) != stores.PLAIN_FINGERPRINT:
        return None
    return files


def _parsed_commit(store: Store, commit_id: str) -> tuple[str, tuple[str, ...], int, str] | None:
    """(tree, parents, author time, message) of a commit of the usual shape."""
    files = _commit_files(store)
    return None if files is None else _commit_in(files, commit_id)


def _commit_in(
    files: objects.ObjectFiles, commit_id: str
) -> tuple[str, tuple[str, ...], int, str] | None:
    found = files.read(commit_id)
    if found is None or found[0] != _COMMIT:
        return None
    return parse_commit(found[1])


def parse_commit(data: bytes) -> tuple[str, tuple[str, ...], int, str] | None:
    """(tree, parents, author time, message) of a commit's bytes in the shape git writes;
    None for any other (libgit2 then reads it, with its own leniency and errors)."""
    head = _HEADER.match(data)
    if head is None or b"\0" in data:  # libgit2 reads its fields as C strings, cut at a NUL
        return None
    author = _SIGNATURE.fullmatch(head[3])
    committer = _COMMITTER.match(data, head.end())
    if author is None or committer is None or not _SIGNATURE.fullmatch(committer[1]):
        return None
    headers_end = data.find(b"\n\n", committer.end() - 1)
    if headers_end < 0:
        return None
    rest = data[committer.end() : headers_end + 1]
    if rest.startswith(b"encoding ") or b"\nencoding " in rest:
        return None  # a message in another encoding: libgit2 decodes it
    try:
        # libgit2's message starts after the headers' blank line and any line ends after it
        message = data[headers_end + 2 :].lstrip(b"\n").decode("utf-8")
    except UnicodeDecodeError:
        return None
    parents = tuple(line[7:].decode() for line in head[2].splitlines())
    return head[1].decode(), parents, int(author[1]), message


def parse_tree(data: bytes) -> dict[bytes, tuple[bytes, str]] | None:
    """Each entry's name -> (mode, id) of a tree's bytes; None unless every entry has one
    of git's five modes and the names are unique and in git's order (a folder's name
    compared as if it ended in ``/``), the trees git writes and libgit2 searches."""
    entries: dict[bytes, tuple[bytes, str]] = {}
    at, end, last = 0, len(data), b""
    while at < end:
        found = _ENTRY.match(data, at)
        if found is None or found.end() + 20 > end:
            return None
        mode, name = found[1], found[2]
        if len(name) > _LONGEST_NAME:
            return None  # libgit2 refuses the tree ("can't parse filename")
        key = name + b"/" if mode == _TREE_MODE else name
        if key <= last or name in entries:
            return None
        last = key
        entries[name] = (mode, data[found.end() : found.end() + 20].hex())
        at = found.end() + 20
    return entries


def _tree_entries(store: Store, tree_id: str) -> dict[bytes, tuple[bytes, str]] | None:
    kept = _TREES.setdefault(store, {})
    if tree_id in kept:
        return kept[tree_id]
    files = objects.store_files(store)
    found = None if files is None else files.read(tree_id)
    entries = None if found is None or found[0] != _TREE else parse_tree(found[1])
    if len(kept) >= _KEPT_TREES:
        kept.pop(next(iter(kept)))
    kept[tree_id] = entries
    return entries


# per store: the trees parsed last (an object's bytes never change)
_TREES: weakref.WeakKeyDictionary[Store, dict[str, dict[bytes, tuple[bytes, str]] | None]] = (
    weakref.WeakKeyDictionary()
)
