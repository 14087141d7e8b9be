"""The work tree and index of exactly the paths a sync writes.

A sync writes its files in place and stages them itself, so that afterwards
``git status`` shows nothing new for them, while whatever else the user has
staged or modified is left alone.
"""

from __future__ import annotations

import errno
import functools
import os
import stat
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import pygit2

from gitarchive.errors import ArchiveError
from gitarchive.git.faults import fault_point
from gitarchive.git.repository import get_commit, read_file
from gitarchive.git.store import Store

try:  # pygit2's own cffi binding (see add_written_entry); pygit2 imports it itself: free
    from pygit2.ffi import C

    _HAS_CFFI = True
except ImportError:
    _HAS_CFFI = False

_BLOB_MODE = pygit2.enums.FileMode.BLOB
# what lstat says of a path that is not there (or cannot be, on this file system)
_ABSENT = frozenset({errno.ENOENT, errno.ENOTDIR, errno.ENAMETOOLONG})


def checkout_paths(store: Store, commit_id: str | None, paths: Iterable[str]) -> None:
    """Make the work tree and index agree with ``commit_id`` for exactly ``paths``.

    Index entries of other paths, staged or not, are left as they are.
    Nothing happens in a bare repo.
    """
    workdir = store.workdir
    if workdir is None:
        return
    paths = list(paths)
    check_writable(store, paths)
    repo = store.repo
    tree = None if commit_id is None else get_commit(store, commit_id).tree
    wanted = sorted(set(paths))
    blobs = _blob_ids(repo, tree, wanted)
    files: dict[str, bytes | None] = {}
    for path in wanted:
        blob = repo.get(blobs[path]) if path in blobs else None
        files[path] = blob.data if isinstance(blob, pygit2.Blob) else None
    write_files(workdir, files)
    stage_files(store, files)


def blob_ids_at(store: Store, commit_id: str | None, paths: Iterable[str]) -> dict[str, pygit2.Oid]:
    """Blob ids of those of ``paths`` that ``commit_id``'s tree holds."""
    tree = None if commit_id is None else get_commit(store, commit_id).tree
    return _blob_ids(store.repo, tree, paths)


def write_files(workdir: Path, files: Mapping[str, bytes | None]) -> None:
    """Write (or delete) ``files`` under ``workdir``, in place.

    Hot path of every sync (hundreds of files in folders of thousands): plain
    os calls and one makedirs per folder. Files are overwritten rather than
    replaced by temp file + rename, which took twice as long (ext4 flushes a
    file renamed over another): callers list the paths in the pending marker
    first, so a write cut short is put back from the commit (at once after an
    exception, by the next sync after a kill). A symlink in the way is
    replaced, never written through.
    """
    root = str(workdir)
    folders_made: set[str] = set()
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC | os.O_NOFOLLOW
    for path in sorted(files):
        fault_point("between-files")
        data = files[path]
        full = os.path.join(root, path)  # noqa: PTH118
        if data is None:
            target = Path(full)
            if target.is_file() or target.is_symlink():
                target.unlink()
                remove_empty_parents(target.parent, workdir)
            continue
        folder = full.rpartition("/")[0]
        if folder not in folders_made:
            os.makedirs(folder, exist_ok=True)  # noqa: PTH103
            folders_made.add(folder)
        try:
            fd = os.open(full, flags, 0o666)
        except OSError:
            if not os.path.islink(full):  # noqa: PTH114
                raise
            os.unlink(full)  # noqa: PTH108
            fd = os.open(full, flags, 0o666)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)


def stage_files(store: Store, files: Mapping[str, bytes | None]) -> None:
    """Index entries for exactly ``files`` (already in the work tree); the rest untouched.

    The blob id is hashed in memory rather than read back, and each entry gets
    the file's stat data, so git sees it clean without reading it.
    """
    workdir = store.workdir
    if workdir is None:
        return
    index = store.repo.index
    index.read()
    for path in sorted(files):
        data = files[path]
        if data is None:
            if path in index:
                index.remove(path)
            continue
        add_written_entry(index, path, pygit2.hash(data), workdir / path)
    fault_point("index-write")
    index.write()


def add_written_entry(index: pygit2.Index, path: str, blob_id: pygit2.Oid, file: Path) -> bool:
    """Stage a file we just wrote from ``blob_id``, with its stat data; True on the fast path.

    Why pygit2's internals (its cffi binding ``pygit2.ffi.C`` and the private
    ``IndexEntry._to_c`` / ``Index._index``): pygit2's public API can set an
    entry's path, id and mode but not its stat data, and an entry without stat
    data makes git re-read and re-hash the file on the next ``git status``.
    ``index.add(path)`` fills the stat data but reads and hashes every file
    again, although the blob id is already known. On bench/sync.py (400 changed
    files in a 10,000-playlist archive, quiet machine) the ref + index step took
    0.27 s with ``index.add(path)`` against 0.05-0.08 s with these entries, ~4x
    (commit c6095fe, docs/benchmarks.md "Sync"). Should pygit2's internals
    change, this falls back to ``index.add(path)`` (False): slower, same index.
    """
    try:
        if not _HAS_CFFI:
            raise AttributeError("pygit2 without its cffi binding")
        info = file.stat()
        entry = pygit2.IndexEntry(path, blob_id, _BLOB_MODE)
        c_entry, _keep = entry._to_c()
        c_entry.ctime.seconds = int(info.st_ctime)
        c_entry.ctime.nanoseconds = info.st_ctime_ns % 1_000_000_000
        c_entry.mtime.seconds = int(info.st_mtime)
        c_entry.mtime.nanoseconds = info.st_mtime_ns % 1_000_000_000
        c_entry.dev = 0  # what libgit2's index.add(path) records: both routes, one index
        c_entry.ino = info.st_ino & 0xFFFFFFFF
        c_entry.uid = info.st_uid & 0xFFFFFFFF
        c_entry.gid = info.st_gid & 0xFFFFFFFF
        c_entry.file_size = info.st_size & 0xFFFFFFFF
        error = C.git_index_add(index._index, c_entry)
    except (AttributeError, ImportError, TypeError):
        index.add(path)
        return False
    if error < 0:
        index.add(path)
        return False
    return True


def _blob_ids(
    repo: pygit2.Repository, tree: pygit2.Tree | None, paths: Iterable[str]
) -> dict[str, pygit2.Oid]:
    """Blob ids of ``paths`` in ``tree``, reading each folder's tree once.

    (``tree["a/b/c"]`` parses every folder on the way for each call: with a
    flat folder of thousands of entries that is what a sync would spend its
    time on.)
    """
    found: dict[str, pygit2.Oid] = {}
    if tree is None:
        return found
    by_folder: dict[str, list[str]] = {}
    for path in paths:
        folder, _, name = path.rpartition("/")
        by_folder.setdefault(folder, []).append(name)
    for folder, names in by_folder.items():
        if folder:
            try:
                folder_tree = repo.get(tree[folder].id)
            except KeyError:
                continue
        else:
            folder_tree = tree
        if not isinstance(folder_tree, pygit2.Tree):
            continue
        for name in names:
            try:
                entry = folder_tree[name]
            except KeyError:
                continue
            if entry.type_str == "blob":
                found[f"{folder}/{name}" if folder else name] = entry.id
    return found


def write_atomic(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        temp = Path(temp_name)
        temp.chmod(0o666 & ~_umask())
        temp.replace(target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


@functools.cache
def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def remove_empty_parents(folder: Path, stop: Path) -> None:
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def write_worktree_files(store: Store, changes: Mapping[str, bytes | None]) -> None:
    """Write (or delete) files in the work tree only, for ``--no-commit``."""
    workdir = store.workdir
    if workdir is None:
        return
    check_writable(store, changes)
    for path, data in changes.items():
        target = workdir / path
        try:
            if data is None:
                if target.is_file():
                    target.unlink()
                    remove_empty_parents(target.parent, workdir)
            else:
                write_atomic(target, data)
        except OSError as exc:
            raise ArchiveError(f"cannot write: {exc.strerror or exc}", path=path) from None


def read_worktree_file(store: Store, path: str) -> bytes | None:
    """A work tree file's bytes; None when absent or a folder. Never read through a link:
    a link (the file or a folder above it) is an ArchiveError naming it."""
    workdir = store.workdir
    if workdir is None:
        return None
    check_folders(store, [path.rpartition("/")[0]])
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(workdir / path, flags)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            return None  # a name no file here can have (a git tree may hold one)
        if exc.errno == errno.ELOOP:
            raise _link_error(path) from None
        raise ArchiveError(f"cannot read: {exc.strerror}", path=path) from None
    # the type first: opening a folder succeeds, and a file object over it cannot be made
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def _link_error(path: str) -> ArchiveError:
    return ArchiveError(
        "is a symbolic link: gitarchive never reads or writes through a link; "
        "replace it with a real file or folder",
        path=path,
    )


def check_folders(store: Store, folders: Iterable[str]) -> None:
    """ArchiveError when a work tree folder (or one above it) is a link or not a folder.

    A missing folder is fine: it will be created.
    """
    workdir = store.workdir
    if workdir is None:
        return
    seen: set[str] = set()
    for folder in folders:
        parts = [part for part in folder.split("/") if part]
        for depth in range(1, len(parts) + 1):
            here = "/".join(parts[:depth])
            if here in seen:
                continue
            seen.add(here)
            mode = _mode_of(workdir, here)
            if mode is None:
                break
            if stat.S_ISLNK(mode):
                raise _link_error(here)
            if not stat.S_ISDIR(mode):
                raise ArchiveError(
                    "is a file where gitarchive needs a folder: move it away", path=here
                )


def _mode_of(workdir: Path, path: str) -> int | None:
    """``path``'s own mode (a link is not followed); None when nothing is there."""
    try:
        return os.lstat(workdir / path).st_mode
    except OSError as exc:
        if exc.errno in _ABSENT:
            return None
        raise ArchiveError(f"cannot read: {exc.strerror}", path=path) from None


def check_writable(store: Store, paths: Iterable[str]) -> None:
    """Refuse, before anything is written, to write through a link or over a folder
    or a special file.

    Every folder on the way must be a real folder (a link there would send the
    files anywhere on the machine); each path a file or nothing (a link there
    is replaced by the file, never written through: see :func:`write_files`).
    """
    workdir = store.workdir
    if workdir is None:
        return
    paths = sorted(paths)
    check_folders(store, {path.rpartition("/")[0] for path in paths})
    for path in paths:
        mode = _mode_of(workdir, path)
        if mode is None or stat.S_ISREG(mode) or stat.S_ISLNK(mode):
            continue
        if stat.S_ISDIR(mode):
            raise ArchiveError(
                "is a folder where gitarchive writes a file: move it away", path=path
            )
        # a FIFO would hold the write until something reads it; a device takes the bytes
        raise ArchiveError(
            "is a special file (FIFO, socket or device) where gitarchive writes a file: "
            "move it away",
            path=path,
        )


def worktree_matches(store: Store, commit_id: str | None, path: str) -> bool:
    """Whether the work tree file equals its blob at ``commit_id`` (both absent counts)."""
    data = read_worktree_file(store, path)
    expected = None if commit_id is None else read_file(store, commit_id, path)
    return data == expected
