"""Blobs written straight into one pack file, each version of a path a delta on the last.

A 1,000-day archive rewrites the same few hundred pages thousands of times; compressing
every full version as a loose object costs minutes, while a version is mostly its
predecessor's lines. So each blob is stored as git's OFS_DELTA against the previous blob of
the same path (copy runs of equal lines, insert the rest), a full copy every
:data:`MAX_DEPTH` versions, and the pack and its version-2 index are written when the
generation ends. Trees and commits stay loose objects written by libgit2.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import zlib
from itertools import accumulate, pairwise
from typing import TYPE_CHECKING

import pygit2

if TYPE_CHECKING:
    from pathlib import Path

MAX_DEPTH = 50
BLOB_TYPE = 3
OFS_DELTA_TYPE = 6
#: A run of equal lines shorter than this is inserted rather than copied.
MIN_COPY = 24


def _varint(number: int) -> bytes:
    out = bytearray()
    while True:
        byte = number & 0x7F
        number >>= 7
        if number:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _entry_header(kind: int, size: int) -> bytes:
    out = bytearray([(kind << 4) | (size & 0x0F)])
    size >>= 4
    while size:
        out[-1] |= 0x80
        out.append(size & 0x7F)
        size >>= 7
    return bytes(out)


def _negative_offset(distance: int) -> bytes:
    out = [distance & 0x7F]
    distance >>= 7
    while distance:
        distance -= 1
        out.insert(0, 0x80 | (distance & 0x7F))
        distance >>= 7
    return bytes(out)


def _copy(offset: int, size: int) -> bytes:
    opcode, args = 0x80, bytearray()
    for shift in range(4):
        byte = (offset >> (8 * shift)) & 0xFF
        if byte:
            opcode |= 1 << shift
            args.append(byte)
    for shift in range(3):
        byte = (size >> (8 * shift)) & 0xFF
        if byte:
            opcode |= 0x10 << shift
            args.append(byte)
    return bytes([opcode]) + bytes(args)


def _insert(data: bytes) -> bytes:
    return b"".join(
        bytes([len(data[start : start + 127])]) + data[start : start + 127]
        for start in range(0, len(data), 127)
    )


#: A file's pieces: its lines, a numbered table row's "| 12 | " split off on its own (a track
#: inserted near the top renumbers every row below it; the rest of each row is unchanged).
_PIECES = re.compile(rb"\| \d+ \| |[^\n]*\n|[^\n]+")


def make_delta(base: bytes, target: bytes) -> bytes:
    """git's delta format: ``target`` as runs of ``base``'s pieces and inserted bytes."""
    base_pieces = _PIECES.findall(base)
    starts = list(accumulate(map(len, base_pieces), initial=0))
    where = dict(zip(base_pieces, range(len(base_pieces)), strict=True))
    pieces = _PIECES.findall(target)
    found = [where.get(piece, -1) for piece in pieces]
    # a run ends where the next piece is not the base's next piece (or either is new)
    ends = [i for i, (a, b) in enumerate(pairwise(found), 1) if a < 0 or b != a + 1]
    out = [_varint(len(base)), _varint(len(target))]
    pending: list[bytes] = []
    begin = 0
    for end in [*ends, len(pieces)]:
        first = found[begin]
        size = starts[first + end - begin] - starts[first] if first >= 0 else 0
        if MIN_COPY <= size < 1 << 24:
            if pending:
                out.append(_insert(b"".join(pending)))
                pending = []
            out.append(_copy(starts[first], size))
        else:
            pending.extend(pieces[begin:end])
        begin = end
    if pending:
        out.append(_insert(b"".join(pending)))
    return b"".join(out)


class PackWriter:
    """One pack being written under ``objects/pack``; :meth:`close` makes it visible."""

    def __init__(self, objects: Path) -> None:
        self.folder = objects / "pack"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.scratch = self.folder / f"tmp-foreign-{os.getpid()}.pack"
        self.file = self.scratch.open("wb")
        self.file.write(b"PACK" + struct.pack(">II", 2, 0))
        self.offset = 12
        self.objects: dict[bytes, tuple[int, int, int]] = {}  # sha -> (offset, crc, depth)
        self.last: dict[str, tuple[bytes, bytes]] = {}  # path -> (data, sha)

    def blob(self, path: str, data: bytes) -> pygit2.Oid:
        digest = hashlib.sha1(b"blob %d\x00" % len(data))
        digest.update(data)
        sha = digest.digest()
        if sha not in self.objects:
            self._write(sha, data, self.last.get(path))
        self.last[path] = (data, sha)
        return pygit2.Oid(raw=sha)

    def _write(self, sha: bytes, data: bytes, base: tuple[bytes, bytes] | None) -> None:
        entry, depth = None, 0
        if base is not None and self.objects[base[1]][2] < MAX_DEPTH:
            delta = make_delta(base[0], data)
            if len(delta) < len(data) // 2:
                base_offset, _, base_depth = self.objects[base[1]]
                entry = (
                    _entry_header(OFS_DELTA_TYPE, len(delta))
                    + _negative_offset(self.offset - base_offset)
                    + zlib.compress(delta, 1)
                )
                depth = base_depth + 1
        if entry is None:
            entry = _entry_header(BLOB_TYPE, len(data)) + zlib.compress(data, 1)
        self.objects[sha] = (self.offset, zlib.crc32(entry), depth)
        self.file.write(entry)
        self.offset += len(entry)

    def close(self) -> None:
        """Write the object count, the trailing checksum and the index; name both by it."""
        self.file.seek(8)
        self.file.write(struct.pack(">I", len(self.objects)))
        self.file.close()
        digest = hashlib.sha1()
        with self.scratch.open("rb") as pack:
            for chunk in iter(lambda: pack.read(1 << 20), b""):
                digest.update(chunk)
        checksum = digest.digest()
        with self.scratch.open("ab") as pack:
            pack.write(checksum)
        name = f"pack-{checksum.hex()}"
        index = self.folder / f"{name}.idx"
        index.write_bytes(self._index(checksum))
        self.scratch.rename(self.folder / f"{name}.pack")

    def _index(self, checksum: bytes) -> bytes:
        shas = sorted(self.objects)
        fanout = [0] * 256
        for sha in shas:
            fanout[sha[0]] += 1
        body = [b"\xfftOc", struct.pack(">I", 2), struct.pack(">256I", *accumulate(fanout))]
        body.append(b"".join(shas))
        body.append(b"".join(struct.pack(">I", self.objects[sha][1]) for sha in shas))
        large: list[int] = []
        small = bytearray()
        for sha in shas:
            offset = self.objects[sha][0]
            if offset < 1 << 31:
                small += struct.pack(">I", offset)
            else:
                small += struct.pack(">I", (1 << 31) | len(large))
                large.append(offset)
        body += [bytes(small), b"".join(struct.pack(">Q", offset) for offset in large), checksum]
        data = b"".join(body)
        return data + hashlib.sha1(data).digest()
