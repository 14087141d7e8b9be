"""Reading blobs from a repository's own files, without libgit2, in a pass that does not
hash them (:func:`unverified_reads`).

A warm ``track`` of a JSON archive reads ~100 snapshots by id and nothing
else of git: importing pygit2 cost 45-60 ms of its ~110 (bench/track.py), and
reading the blobs here costs ~16 (libgit2's own read: ~9, after that import).
:class:`ObjectFiles` answers only what it can prove from git's documented
formats (gitformat-pack, gitformat-loose): loose objects, and packs with a
version 2 index, their entries whole or deltas (offset or id based) of entries
it can read. Anything else (an alternate object store, a SHA-256 repository, a
64-bit pack offset, more than 64 packs, a pack its index does not describe, a
damaged entry, a file it cannot open) is ``None``: the caller asks libgit2,
whose answer, or error, stands.
An object's bytes are the same wherever a copy of it lies (its id is its
content's hash), so asking here first cannot change what a read returns; of two
copies that differ (an objects folder edited by hand: a pass hashes neither), the
packed one is read, where libgit2 looks first too.

This module imports pygit2 only to ask libgit2: :func:`unverified_reads`
switches libgit2's setting only in a process that has loaded it, or once it is
loaded inside the pass (:func:`applied_on_open`).
"""

from __future__ import annotations

import mmap
import re
import struct
import sys
import weakref
import zlib
from bisect import bisect_left
from collections import OrderedDict
from typing import TYPE_CHECKING

from gitarchive.errors import RevisionNotFound

if TYPE_CHECKING:
    from pathlib import Path

    from gitarchive.git.store import Store

BLOB = 3  # git's object type numbers, as packs store them (and pygit2's ObjectType)
_TYPES = {b"commit": 1, b"tree": 2, b"blob": 3, b"tag": 4}
_OFS_DELTA, _REF_DELTA = 6, 7
_SHA1 = re.compile(r"[0-9a-f]{40}")
_IDX_MAGIC = b"\377tOc\0\0\0\2"  # index version 2; version 1 has no magic
_MAX_CHAIN = 10_000  # git's own deepest delta chain is 4,095
_MAX_PACKS = 64  # a repository git has not repacked for long: left to libgit2
_CACHE_BYTES = 32 << 20  # resolved delta bases kept: consecutive versions share chains
_ERRORS = (OSError, ValueError, IndexError, struct.error, zlib.error, OverflowError, RecursionError)


class _Unreadable(Exception):
    """Something this reader does not prove: libgit2 is asked instead."""


class _Pack:
    """One ``.pack`` and its ``.idx``, mapped read-only."""

    def __init__(self, idx_path: Path) -> None:
        with idx_path.open("rb") as idx_file:
            self.idx = mmap.mmap(idx_file.fileno(), 0, access=mmap.ACCESS_READ)
        with idx_path.with_suffix(".pack").open("rb") as pack_file:
            self.data = mmap.mmap(pack_file.fileno(), 0, access=mmap.ACCESS_READ)
        if self.idx[:8] != _IDX_MAGIC or self.data[:4] != b"PACK":
            raise _Unreadable
        self.fanout = struct.unpack_from(">256I", self.idx, 8)
        self.count = self.fanout[255]
        self.names_at = 8 + 1024
        self.offsets_at = self.names_at + 24 * self.count  # after the names and their CRCs
        # the checks libgit2 makes on opening a pack (no hashing): its version, its count,
        # and the pack's trailing checksum as its index records it (a pack replaced under
        # the same name between the two opens is refused)
        if (
            len(self.idx) < self.offsets_at + 4 * self.count + 40
            or self.data[4:8] not in (b"\0\0\0\2", b"\0\0\0\3")
            or struct.unpack_from(">I", self.data, 8)[0] != self.count
            or self.data[-20:] != self.idx[-40:-20]
        ):
            raise _Unreadable

    def find(self, binary_id: bytes) -> int | None:
        """The entry's offset in the pack, None when the pack does not hold it."""
        first = binary_id[0]
        low = self.fanout[first - 1] if first else 0
        high = self.fanout[first]
        names = _Names(self.idx, self.names_at)
        at = bisect_left(names, binary_id, low, high)
        if at >= high or names[at] != binary_id:
            return None
        (offset,) = struct.unpack_from(">I", self.idx, self.offsets_at + 4 * at)
        if offset & 0x80000000:  # in the 64-bit table: packs of 2 GiB and more
            raise _Unreadable
        if not 12 <= offset < len(self.data) - 20:  # between the header and the checksum
            raise _Unreadable
        return int(offset)


class _Names:
    """The index's sorted 20-byte names, as a sequence ``bisect`` can search in place."""

    def __init__(self, idx: mmap.mmap, start: int) -> None:
        self.idx, self.start = idx, start

    def __getitem__(self, at: int) -> bytes:
        begin = self.start + 20 * at
        return self.idx[begin : begin + 20]

    def __len__(self) -> int:  # pragma: no cover - bisect is always given its bounds
        raise TypeError


class ObjectFiles:
    """The objects of one repository's ``objects`` folder, read from its files."""

    def __init__(self, git_dir: Path) -> None:
        self.folder = git_dir / "objects"
        self._packs: list[_Pack] | None = None
        self._bases: OrderedDict[tuple[int, int], tuple[int, bytes]] = OrderedDict()
        self._cached = 0

    def read(self, object_id: str) -> tuple[int, bytes] | None:
        """(type number, bytes), or None where libgit2 must answer."""
        if not _SHA1.fullmatch(object_id):
            return None
        try:
            return self._read(object_id)
        except (_Unreadable, *_ERRORS):
            return None

    def _read(self, object_id: str) -> tuple[int, bytes] | None:
        # the packs first, as libgit2 (and git) look: of two copies that differ (an
        # objects folder edited by hand; neither is hashed in a pass), the same one is read
        binary = bytes.fromhex(object_id)
        for number, pack in enumerate(self._pack_list()):
            offset = pack.find(binary)
            if offset is not None:
                return self._entry(number, offset)
        return self._loose(object_id)

    def _pack_list(self) -> list[_Pack]:
        if self._packs is None:
            if (self.folder / "info" / "alternates").exists():
                raise _Unreadable  # objects may live in another store: libgit2's to find
            folder = self.folder / "pack"
            found = sorted(folder.glob("*.idx")) if folder.is_dir() else []
            if len(found) > _MAX_PACKS:  # two descriptors held for each: libgit2's to read
                raise _Unreadable
            self._packs = [_Pack(path) for path in found]
        return self._packs

    def _loose(self, object_id: str) -> tuple[int, bytes] | None:
        try:
            stored = (self.folder / object_id[:2] / object_id[2:]).read_bytes()
        except FileNotFoundError:
            return None
        inflater = zlib.decompressobj()
        header, sep, data = inflater.decompress(stored, 64).partition(b"\0")
        kind, _, size = header.partition(b" ")
        if not sep or kind not in _TYPES or not size.isdigit() or len(data) > int(size):
            raise _Unreadable
        data += inflater.decompress(inflater.unconsumed_tail, int(size) - len(data) + 1)
        # as libgit2 reads one: the stream ends with the object, nothing after it
        if len(data) != int(size) or not inflater.eof or inflater.unused_data:
            raise _Unreadable
        return _TYPES[kind], data

    def _entry(self, number: int, offset: int) -> tuple[int, bytes]:
        """The object at ``offset`` of pack ``number``, its delta chain resolved (and each
        object on the chain kept: a playlist's versions are deltas of one another)."""
        pack = self._pack_list()[number]
        deltas: list[tuple[int, bytes]] = []  # (where, delta), the wanted entry's first
        at = offset
        base = self._bases.get((number, at))
        while base is None:
            if len(deltas) > _MAX_CHAIN:
                raise _Unreadable
            kind, size, data_at = _entry_header(pack.data, at)
            if kind in _TYPES.values():
                base = (kind, _inflate(pack.data, data_at, size))
            elif kind == _OFS_DELTA:
                distance, data_at = _base_distance(pack.data, data_at)
                if distance >= at:  # git's own check: the base lies before the delta
                    raise _Unreadable
                deltas.append((at, _inflate(pack.data, data_at, size)))
                at -= distance
                base = self._bases.get((number, at))
            elif kind == _REF_DELTA:
                deltas.append((at, _inflate(pack.data, data_at + 20, size)))
                base_id = pack.data[data_at : data_at + 20]
                found = pack.find(base_id)
                if found is None:  # in another pack, or loose
                    base = self._read(base_id.hex())
                    if base is None:
                        raise _Unreadable
                else:  # the chain goes on in this pack: followed here, not recursively
                    at = found
                    base = self._bases.get((number, at))
            else:
                raise _Unreadable
        kind, data = base
        for where, delta in reversed(deltas):
            data = _apply_delta(data, delta)
            self._keep((number, where), (kind, data))
        return kind, data

    def _keep(self, key: tuple[int, int], value: tuple[int, bytes]) -> None:
        self._bases[key] = value
        self._cached += len(value[1])
        while self._cached > _CACHE_BYTES and len(self._bases) > 1:
            self._cached -= len(self._bases.popitem(last=False)[1][1])


def _entry_header(data: mmap.mmap, at: int) -> tuple[int, int, int]:
    """An entry's type number, inflated size and where its data starts."""
    byte = data[at]
    kind, size, shift = (byte >> 4) & 7, byte & 15, 4
    while byte & 0x80:
        at += 1
        byte = data[at]
        size |= (byte & 0x7F) << shift
        shift += 7
        if shift > 64:
            raise _Unreadable
    return kind, size, at + 1


def _base_distance(data: mmap.mmap, at: int) -> tuple[int, int]:
    """An offset delta's distance back to its base, and where its data starts."""
    byte = data[at]
    distance = byte & 0x7F
    while byte & 0x80:
        at += 1
        byte = data[at]
        distance = ((distance + 1) << 7) | (byte & 0x7F)
        if distance > 1 << 64:
            raise _Unreadable
    if distance == 0:
        raise _Unreadable
    return distance, at + 1


def _inflate(data: mmap.mmap, at: int, size: int) -> bytes:
    # zlib's deflateBound for any settings, plus room for empty flush blocks: the slice
    # holds the whole stream without copying the rest of the pack (a longer one is None)
    bound = size + ((size + 7) >> 3) + ((size + 63) >> 6) + 4096
    inflater = zlib.decompressobj()
    out = inflater.decompress(memoryview(data)[at : at + bound], size + 1)
    if len(out) != size or not inflater.eof:
        raise _Unreadable
    return out


def _varint(delta: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = delta[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, at
        if shift > 64:
            raise _Unreadable


def _apply_delta(base: bytes, delta: bytes) -> bytes:
    """git's delta format: the sizes, then copies from the base and inserted bytes.

    Written out bit by bit: this loop is most of a warm ``track``'s reading
    (a snapshot's delta holds a few hundred instructions).
    """
    source_size, at = _varint(delta, 0)
    target_size, at = _varint(delta, at)
    if source_size != len(base):
        raise _Unreadable
    parts: list[bytes] = []
    made = 0
    end = len(delta)
    while at < end:
        op = delta[at]
        at += 1
        if op & 0x80:
            offset, size, at = _copy_operands(op, delta, at)
            made += size
            if offset + size > source_size or made > target_size:
                raise _Unreadable  # a copy out of the base, or past the size announced
            parts.append(base[offset : offset + size])
        elif op:
            if at + op > end:
                raise _Unreadable
            parts.append(delta[at : at + op])
            made += op
            at += op
        else:
            raise _Unreadable  # reserved
    if made != target_size:
        raise _Unreadable
    return b"".join(parts)


def _copy_operands(op: int, delta: bytes, at: int) -> tuple[int, int, int]:
    """A copy's offset and size (their bytes present as ``op``'s bits say), and where the
    next instruction starts.

    Unrolled on purpose: a loop over the seven bits costs 0.43 µs an instruction against
    0.27 (timeit), ~1.5 ms of the 10,000 instructions a warm ``track`` applies.
    """
    offset = size = 0
    if op & 0x01:
        offset = delta[at]
        at += 1
    if op & 0x02:
        offset |= delta[at] << 8
        at += 1
    if op & 0x04:
        offset |= delta[at] << 16
        at += 1
    if op & 0x08:
        offset |= delta[at] << 24
        at += 1
    if op & 0x10:
        size = delta[at]
        at += 1
    if op & 0x20:
        size |= delta[at] << 8
        at += 1
    if op & 0x40:
        size |= delta[at] << 16
        at += 1
    return offset, size or 0x10000, at


class _NoHashVerification:
    """Turn off libgit2's strict hash verification for a read-only pass, restoring it after.

    git itself checks an object's id against its content only in fsck and
    when objects arrive (fetch, push); libgit2 does it on every read, with
    SHA-1DC: 95% of reading a 54 KB snapshot (60 of 64 ms for 600 of them) and
    most of a tree walk. Passes nest; the setting is process-wide, and is
    switched only once pygit2 is loaded (here, or on opening a repository).
    """

    depth = 0
    switched = False

    def __enter__(self) -> None:
        if "pygit2" in sys.modules:
            _switch_off()  # before the depth counts it: an error here leaves no pass open
        _NoHashVerification.depth += 1

    def __exit__(self, *exc_info: object) -> None:
        _NoHashVerification.depth -= 1
        if _NoHashVerification.depth == 0 and _NoHashVerification.switched:
            # lazy: loaded already (the setting was switched), so it costs nothing
            import pygit2

            pygit2.settings.enable_strict_hash_verification(True)
            _NoHashVerification.switched = False


def unverified_reads() -> _NoHashVerification:
    """``with git.unverified_reads():`` a pass over many versions reads objects as git
    reads them, without hashing each against its id (see :class:`_NoHashVerification`).

    Switching libgit2's setting costs ~8 µs (pygit2's option call): a pass
    switches it once, not around each of its reads.
    """
    return _NoHashVerification()


def applied_on_open() -> None:
    """Within a pass, switch libgit2's verification off (once): pygit2 is loaded now."""
    if _NoHashVerification.depth:
        _switch_off()


def _switch_off() -> None:
    if not _NoHashVerification.switched:
        # lazy: only called once pygit2 is loaded, so it costs nothing
        import pygit2

        pygit2.settings.enable_strict_hash_verification(False)
        _NoHashVerification.switched = True


# each store's files, kept while the store is: its packs stay mapped
_FILES: weakref.WeakKeyDictionary[Store, ObjectFiles] = weakref.WeakKeyDictionary()


def store_files(store: Store) -> ObjectFiles | None:
    """The store's :class:`ObjectFiles` while they may answer: in a pass
    (:func:`unverified_reads`) and until libgit2 opens the store (None then)."""
    if store.is_open:
        _FILES.pop(store, None)  # libgit2 reads it from now on: the packs are unmapped
        return None
    if not _NoHashVerification.depth:
        return None
    files = _FILES.get(store)
    if files is None:
        files = _FILES[store] = ObjectFiles(store.git_dir)
    return files


def read_blob(store: Store, blob_id: str) -> bytes:
    """A blob's bytes (hashed against its id, unless within :func:`unverified_reads`).

    In a pass, a repository not opened yet is read from its files
    (:class:`ObjectFiles`), libgit2 answering what they cannot.
    """
    files = store_files(store)
    if files is not None:
        found = files.read(blob_id)
        if found is not None:
            if found[0] != BLOB:
                raise RevisionNotFound(f"no blob {blob_id}")
            return found[1]
    # lazy: pygit2 costs ~45 ms at import, that a read of the files alone never pays
    import pygit2

    applied_on_open()  # a pass that began before pygit2 was loaded
    # the object database directly: no Blob object, no object cache entry
    # (15-20% faster over a history walk's hundreds of thousands of reads)
    try:
        kind, data = store.repo.odb.read(blob_id)
    except (KeyError, ValueError, pygit2.GitError):
        raise RevisionNotFound(f"no blob {blob_id}") from None
    if kind != BLOB:
        raise RevisionNotFound(f"no blob {blob_id}")
    return bytes(data)
