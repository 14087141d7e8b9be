"""Keeping the object store small and quick to read: a geometric roll-up of packs.

Every sync writes its blobs as one new pack without deltas (``pack``: fast,
and a crash leaves at most an unused file), and libgit2 writes its trees and
the commit as loose objects. Left alone, a year of daily syncs is 365 packs
and ~2,000 loose files, each version of a file stored whole: ~20-30x what
``git gc --aggressive`` keeps (docs/benchmarks.md, "Repository growth").

After each sync, :func:`keep_packs_healthy` rolls the smallest packs and all
loose objects into one new pack, written by libgit2's packbuilder with a delta
search, as ``git repack --geometric=2`` does: packs are sorted by object
count, and the smallest are merged until the remaining ones form a geometric
progression (each at least twice the one below it). So the number of packs
stays about log2(objects), every object is rewritten about log2(syncs)
times over its life, and consecutive versions of a file (named by their
path, which is how the packbuilder finds delta bases) end up in the same
pack as deltas of each other. libgit2 has no ``gc``; gitarchive never runs
the git CLI.

Crash safety: the new pack and its index are complete (libgit2's indexer
renames them into place) and checked to hold every object of the packs being
replaced before any old pack or loose object is deleted; a kill at any point
leaves every object readable, at worst twice.
"""

from __future__ import annotations

import contextlib
import os
import struct
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pygit2

from gitarchive.errors import ArchiveError
from gitarchive.git.faults import fault_point
from gitarchive.git.store import Store

try:  # pygit2's internals (see _named_insert); pygit2 imports them itself, so they cost nothing
    from pygit2.errors import check_error
    from pygit2.ffi import C, ffi

    _HAS_CFFI = True
except ImportError:
    _HAS_CFFI = False

GEOMETRIC_FACTOR = 2
# below this many loose objects and with packs in progression, nothing is done
LOOSE_LIMIT = 64
# a temporary pack file untouched for this long belongs to a process that died
STALE_SECONDS = 6 * 3600
_IDX_MAGIC = b"\377tOc"


@dataclass(frozen=True, slots=True)
class PackFile:
    """One ``pack-<hash>.pack`` with its ``.idx``."""

    pack: Path
    index: Path
    objects: int


@dataclass(frozen=True, slots=True)
class StoreStats:
    packs: int
    loose: int
    bytes: int  # every file under objects/


@dataclass(frozen=True, slots=True)
class RollUp:
    """What one roll-up did."""

    packs_merged: int
    loose_merged: int
    objects: int
    pack: Path


def objects_dir(store: Store) -> Path:
    """The object folder, shared by every linked work tree (``commondir``)."""
    git_dir = store.git_dir
    try:
        common = (git_dir / "commondir").read_text(encoding="utf-8").strip()
    except OSError:
        return git_dir / "objects"
    return (git_dir / common).resolve() / "objects"


def store_stats(store: Store) -> StoreStats:
    objects = objects_dir(store)
    total = 0
    for folder, _dirs, files in os.walk(objects):
        for name in files:
            total += (Path(folder) / name).stat().st_size
    return StoreStats(len(list_packs(store)), len(loose_objects(store)), total)


def list_packs(store: Store) -> list[PackFile]:
    """Packs with an index, smallest first; packs with a ``.keep`` file are left alone."""
    pack_dir = objects_dir(store) / "pack"
    found: list[PackFile] = []
    if not pack_dir.is_dir():
        return found
    for index in pack_dir.glob("pack-*.idx"):
        pack = index.with_suffix(".pack")
        if not pack.is_file() or index.with_suffix(".keep").exists():
            continue
        found.append(PackFile(pack, index, _idx_count(index)))
    found.sort(key=lambda item: (item.objects, item.pack.name))
    return found


def loose_objects(store: Store) -> dict[pygit2.Oid, Path]:
    objects = objects_dir(store)
    found: dict[pygit2.Oid, Path] = {}
    if not objects.is_dir():
        return found
    for folder in objects.iterdir():
        name = folder.name
        if len(name) != 2 or not folder.is_dir():
            continue
        for file in folder.iterdir():
            hex_id = name + file.name
            if len(hex_id) == 40 and all(c in "0123456789abcdef" for c in hex_id):
                found[pygit2.Oid(hex=hex_id)] = file
    return found


def geometric_split(counts: list[int], factor: int = GEOMETRIC_FACTOR) -> int:
    """How many of the smallest packs (``counts`` ascending) to merge into one.

    git's ``repack --geometric`` rule: from the top, find the first pair that
    breaks the progression; everything below it is merged, and then every pack
    that the merged one would not be ``factor`` times smaller than joins too.
    """
    if len(counts) < 2:
        return 0
    split = 0
    for i in range(len(counts) - 1, 0, -1):
        if counts[i] < factor * counts[i - 1]:
            split = i + 1
            break
    if split == 0:
        return 0
    total = sum(counts[:split])
    while split < len(counts) and counts[split] < factor * total:
        total += counts[split]
        split += 1
    return split


def keep_packs_healthy(
    store: Store,
    *,
    factor: int = GEOMETRIC_FACTOR,
    loose_limit: int = LOOSE_LIMIT,
    before_delete: Callable[[], None] | None = None,
) -> RollUp | None:
    """Roll the smallest packs and the loose objects into one delta pack, if due.

    Due when the packs are out of geometric progression, or there are at least
    ``loose_limit`` loose objects. ``before_delete`` runs once the new pack is
    in place and checked, before anything old is removed (a fault point).
    """
    remove_stale_temp_files(store)
    packs = list_packs(store)
    loose = loose_objects(store)
    split = geometric_split([pack.objects for pack in packs], factor)
    if split == 1:
        split = 0  # one pack alone is not worth rewriting
    if split == 0 and len(loose) < loose_limit:
        return None
    merged = packs[:split]
    wanted: set[pygit2.Oid] = set(loose)
    for pack in merged:
        wanted.update(_idx_ids(pack.index))
    if not wanted:
        return None
    new_pack = _write_checked_pack(store, wanted)
    if before_delete is not None:
        before_delete()
    fault_point("repack-before-delete")
    _delete_rolled_up(merged, loose, keep=new_pack)
    # libgit2 keeps the old packs' indexes in its list: reopen, so that later reads see the new one
    store.repo = pygit2.Repository(store.repo.path)
    return RollUp(len(merged), len(loose), len(wanted), new_pack)


def _write_checked_pack(store: Store, wanted: set[pygit2.Oid]) -> Path:
    """One new pack holding every one of ``wanted``, or an error with nothing deleted."""
    try:
        new_pack = _write_pack(store, wanted)
    except (OSError, pygit2.GitError) as exc:
        raise ArchiveError(
            f"repacking failed ({exc}); the objects stay where they were, the next sync tries again"
        ) from None
    missing = wanted - set(_idx_ids(new_pack.with_suffix(".idx")))
    if missing:
        raise ArchiveError(
            f"repacking lost {len(missing)} objects (e.g. {next(iter(missing))}); "
            "the old packs were kept"
        )
    return new_pack


def _delete_rolled_up(merged: list[PackFile], loose: dict[pygit2.Oid, Path], keep: Path) -> None:
    for pack in merged:
        if pack.pack == keep:
            continue
        # the index first: a pack without one is ignored, an index without its pack is an error
        pack.index.unlink(missing_ok=True)
        pack.pack.unlink(missing_ok=True)
        pack.pack.with_suffix(".rev").unlink(missing_ok=True)
    for file in loose.values():
        file.unlink(missing_ok=True)
        _remove_if_empty(file.parent)


def repack_all(store: Store) -> RollUp | None:
    """Every object into one delta pack (what a periodic full repack would do)."""
    packs = list_packs(store)
    loose = loose_objects(store)
    if len(packs) + (1 if loose else 0) < 2:
        return None
    return keep_packs_healthy(store, factor=1 << 62, loose_limit=0)


def remove_stale_temp_files(store: Store, *, older_than: float = STALE_SECONDS) -> int:
    """Delete half-written packs a killed process left (libgit2's ``pack_git2_*``, git's
    ``tmp_pack_*``), once old enough that no live process can still be writing them."""
    pack_dir = objects_dir(store) / "pack"
    if not pack_dir.is_dir():
        return 0
    limit = time.time() - older_than
    removed = 0
    for pattern in ("pack_git2_*", "tmp_pack_*", "tmp_idx_*"):
        for file in pack_dir.glob(pattern):
            with contextlib.suppress(OSError):
                if file.is_file() and not file.is_symlink() and file.stat().st_mtime < limit:
                    file.unlink()
                    removed += 1
    return removed


def _write_pack(store: Store, wanted: Iterable[pygit2.Oid]) -> Path:
    repo = store.repo
    pack_dir = objects_dir(store) / "pack"
    pack_dir.mkdir(parents=True, exist_ok=True)
    wanted_set = set(wanted)
    names = object_names(repo, wanted_set)
    builder = pygit2.PackBuilder(repo)
    builder.set_threads(0)  # as many as there are CPUs
    insert = _named_insert(builder)
    for oid in sorted(wanted_set, key=lambda oid: (names.get(oid, ""), oid.raw)):
        insert(oid, names.get(oid))
    before = {path.name for path in pack_dir.glob("pack-*.idx")}
    builder.write(pack_dir)
    new = [path for path in pack_dir.glob("pack-*.idx") if path.name not in before]
    if len(new) == 1:
        return new[0].with_suffix(".pack")
    # the pack already existed (same objects, same name): find it by content
    for index in pack_dir.glob("pack-*.idx"):
        if wanted_set <= set(_idx_ids(index)):
            return index.with_suffix(".pack")
    raise ArchiveError("libgit2 wrote no pack while repacking")


def _named_insert(builder: pygit2.PackBuilder) -> Callable[[pygit2.Oid, str | None], None]:
    """Insert an object with its path, so the delta search compares versions of one file.

    pygit2's ``PackBuilder.add`` passes no name, and without one libgit2 sorts
    candidates by size only and deltas unrelated files against each other.
    Why pygit2's internals (its cffi ``C`` and ``PackBuilder._packbuilder``):
    they are the only way to pass the name. Should they change, this falls
    back to ``add``: same objects, bigger pack.
    """
    try:
        if not _HAS_CFFI:
            raise AttributeError("pygit2 without its cffi binding")
        handle = builder._packbuilder
    except AttributeError:
        return lambda oid, _name: builder.add(oid)

    def insert(oid: pygit2.Oid, name: str | None) -> None:
        c_oid = ffi.new("git_oid *")
        ffi.buffer(c_oid)[:] = oid.raw
        c_name = ffi.NULL if name is None else ffi.new("char[]", name.encode("utf-8"))
        check_error(C.git_packbuilder_insert(handle, c_oid, c_name))

    return insert


def object_names(repo: pygit2.Repository, wanted: set[pygit2.Oid]) -> dict[pygit2.Oid, str]:
    """The path each of ``wanted`` was introduced at, from the commits among ``wanted``.

    Only the commits being repacked are compared with their parents, and only
    subtrees whose id changed are read, so the cost follows the roll-up's
    size, not the history's.
    """
    names: dict[pygit2.Oid, str] = {}
    commits = [oid for oid in wanted if _is_commit(repo, oid)]
    for oid in commits:
        commit = repo.get(oid)
        assert isinstance(commit, pygit2.Commit)
        names.setdefault(commit.tree_id, "")
        parent_tree = commit.parents[0].tree if commit.parents else None
        _name_changed(repo, commit.tree, parent_tree, "", wanted, names)
    return names


def _is_commit(repo: pygit2.Repository, oid: pygit2.Oid) -> bool:
    try:
        return bool(repo.odb.read(oid)[0] == pygit2.enums.ObjectType.COMMIT)
    except (KeyError, ValueError):
        return False


def _name_changed(
    repo: pygit2.Repository,
    tree: pygit2.Tree,
    parent: pygit2.Tree | None,
    prefix: str,
    wanted: set[pygit2.Oid],
    names: dict[pygit2.Oid, str],
) -> None:
    old: dict[str, pygit2.Oid] = {}
    if parent is not None:
        old = {entry.name: entry.id for entry in parent if entry.name is not None}
    for entry in tree:
        name = entry.name or ""
        if old.get(name) == entry.id:
            continue
        path = prefix + name
        if entry.id in wanted:
            names.setdefault(entry.id, path)
        if entry.type_str == "tree":
            sub = repo.get(entry.id)
            before = repo.get(old[name]) if name in old else None
            if isinstance(sub, pygit2.Tree):
                _name_changed(
                    repo,
                    sub,
                    before if isinstance(before, pygit2.Tree) else None,
                    path + "/",
                    wanted,
                    names,
                )


def _idx_count(index: Path) -> int:
    with index.open("rb") as handle:
        head = handle.read(8 + 256 * 4)
    if len(head) < 8 + 1024 or head[:4] != _IDX_MAGIC:
        raise ArchiveError(f"{index}: not a version 2 pack index")
    return int(struct.unpack_from(">I", head, 8 + 255 * 4)[0])


def _idx_ids(index: Path) -> list[pygit2.Oid]:
    data = index.read_bytes()
    if data[:4] != _IDX_MAGIC or struct.unpack_from(">I", data, 4)[0] != 2:
        raise ArchiveError(f"{index}: not a version 2 pack index")
    count = int(struct.unpack_from(">I", data, 8 + 255 * 4)[0])
    start = 8 + 256 * 4
    return [pygit2.Oid(raw=data[start + 20 * i : start + 20 * (i + 1)]) for i in range(count)]


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()
