"""Writing a sync's blobs into one new pack (git's pack format v2 and index v2)."""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
import zlib
from collections.abc import Mapping
from pathlib import Path

import pygit2

from gitarchive.errors import ArchiveError
from gitarchive.git.store import Store
from gitarchive.git.worktree import write_atomic

_OBJ_BLOB = 3


def write_blob_pack(store: Store, blobs: list[bytes]) -> list[pygit2.Oid]:
    """Store ``blobs`` in one new pack (and its .idx); their ids, in order.

    Pack format v2 and index v2 as git documents them (gitformat-pack). The
    .idx is moved into place last: until it exists, git and libgit2 ignore the
    .pack, so a crash leaves at most an unused file. Blobs the repository
    already has, and repeats, are not packed again.
    """
    ids: list[pygit2.Oid] = []
    entries: dict[bytes, tuple[bytes, int]] = {}  # raw oid -> (packed bytes, crc32)
    for data in blobs:
        raw = hashlib.sha1(b"blob %d\0" % len(data) + data).digest()  # git object ids are SHA-1
        oid = pygit2.Oid(raw=raw)
        ids.append(oid)
        if raw in entries or oid in store.repo:
            continue
        packed = _pack_object_header(_OBJ_BLOB, len(data)) + zlib.compress(data, 1)
        entries[raw] = (packed, zlib.crc32(packed))
    if not entries:
        return ids
    pack_dir = store.git_dir / "objects" / "pack"
    pack_dir.mkdir(parents=True, exist_ok=True)
    checksum = hashlib.sha1()
    header = b"PACK" + struct.pack(">II", 2, len(entries))
    checksum.update(header)
    offsets: dict[bytes, int] = {}
    fd, temp_pack = tempfile.mkstemp(prefix="tmp_pack_", dir=pack_dir)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(header)
            position = len(header)
            for raw, (packed, _crc) in entries.items():
                offsets[raw] = position
                handle.write(packed)
                checksum.update(packed)
                position += len(packed)
            trailer = checksum.digest()
            handle.write(trailer)
        name = f"pack-{trailer.hex()}"
        Path(temp_pack).chmod(0o444)
        Path(temp_pack).replace(pack_dir / f"{name}.pack")
    except BaseException:
        Path(temp_pack).unlink(missing_ok=True)
        raise
    index = _pack_index(sorted(entries), entries, offsets, trailer)
    write_atomic(pack_dir / f"{name}.idx", index)
    return ids


def _pack_object_header(kind: int, size: int) -> bytes:
    first = (kind << 4) | (size & 0x0F)
    size >>= 4
    out = bytearray()
    while size:
        out.append(first | 0x80)
        first = size & 0x7F
        size >>= 7
    out.append(first)
    return bytes(out)


def _pack_index(
    ordered: list[bytes],
    entries: Mapping[bytes, tuple[bytes, int]],
    offsets: Mapping[bytes, int],
    pack_checksum: bytes,
) -> bytes:
    fanout = [0] * 256
    for raw in ordered:
        fanout[raw[0]] += 1
    running = 0
    for byte in range(256):
        running += fanout[byte]
        fanout[byte] = running
    if offsets and max(offsets.values()) >= 0x80000000:
        raise ArchiveError("a sync pack over 2 GiB is not supported")
    body = b"".join(
        (
            b"\377tOc" + struct.pack(">I", 2),
            struct.pack(">256I", *fanout),
            b"".join(ordered),
            b"".join(struct.pack(">I", entries[raw][1]) for raw in ordered),
            b"".join(struct.pack(">I", offsets[raw]) for raw in ordered),
            pack_checksum,
        )
    )
    return body + hashlib.sha1(body).digest()
