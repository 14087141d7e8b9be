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
    """Copy ``size`` bytes at ``offset``, every offset and size byte given (zeros too)."""
    return b"\xff" + offset.to_bytes(4, "little") + size.to_bytes(3, "little")


def _insert(data: bytes) -> bytes:
    return b"".join(
        bytes([len(data[start : start + 127])]) + data[start : start + 127]
        for start in range(0, len(data), 127)
    )


#: A file's pieces: its lines, a numbered table row's "| 12 | " split off on its own (a track
#: inserted near the top renumbers every row below it; the rest of each row is unchanged).
_PIECES = re.compile(rb"\| \d+ \| |[^\n]*\n|[^\n]+")
_JSON_PIECES = re.compile(rb'(?=\n {2,4}[{"])')


def is_numbered(path: str) -> bool:
    return path.startswith("playlists/pretty/") and path.endswith(".md")


def pieces_of(path: str, data: bytes) -> list[bytes]:
    """Lines, except on pretty pages, where a row's number is a piece of its own, and in
    JSON, where a piece is a key or an object two or four spaces in (a track's block)."""
    if is_numbered(path):
        found: list[bytes] = _PIECES.findall(data)
        return found
    if path.endswith(".json"):
        return _JSON_PIECES.split(data)
    return data.splitlines(keepends=True)


def _runs(base: list[bytes], target: list[bytes]) -> list[tuple[int, int, int]]:
    """(start in target, start in base or -1, count): ``target`` as runs of ``base``'s
    pieces. A run starts where the last one left off in the base when the piece is there
    (a line edited in place, or one of many equal lines such as JSON's ``},``), else at
    the piece's place in the base; it is grown by doubling and then halving the step,
    comparing list slices (in C), so a long page with a few changes costs a few dozen
    comparisons."""
    where: dict[bytes, int] | None = None
    runs = []
    index = expected = 0
    while index < len(target):
        piece = target[index]
        first = expected if expected < len(base) and base[expected] == piece else -1
        if first < 0:
            if where is None:
                where = dict(zip(base, range(len(base)), strict=True))
            first = where.get(piece, -1)
        if first < 0:
            runs.append((index, -1, 1))
            index += 1
            expected += 1
            continue
        limit = min(len(target) - index, len(base) - first)
        count, step = 1, 1
        while step:
            grown = min(count + step, limit)
            if (
                grown > count
                and base[first + count : first + grown] == target[index + count : index + grown]
            ):
                count = grown
                step *= 2
            else:
                step //= 2
        runs.append((index, first, count))
        index += count
        expected = first + count
    return runs


def _piece_runs(base: list[bytes], target: list[bytes]) -> list[tuple[int, int, int]]:
    """As :func:`_runs`, piece by piece (for pages whose pieces repeat: row numbers)."""
    where = dict(zip(base, range(len(base)), strict=True))
    found = [where.get(piece, -1) for piece in target]
    ends = [i for i, (a, b) in enumerate(pairwise(found), 1) if a < 0 or b != a + 1]
    bounds = [0, *ends, len(target)]
    return [(start, found[start], end - start) for start, end in pairwise(bounds)]


def make_delta(base: list[bytes], target: list[bytes], *, numbered: bool) -> bytes:
    """git's delta format: the target (``target`` joined) as copies of the base's runs and
    inserted bytes. ``numbered``: the pieces hold row numbers (see :func:`pieces_of`)."""
    starts = list(accumulate(map(len, base), initial=0))
    out = [_varint(starts[-1]), _varint(sum(map(len, target)))]
    pending: list[bytes] = []
    for start, first, count in (_piece_runs if numbered else _runs)(base, target):
        size = starts[first + count] - starts[first] if first >= 0 else 0
        if MIN_COPY <= size < 1 << 24:
            if pending:
                out.append(_insert(b"".join(pending)))
                pending = []
            out.append(_copy(starts[first], size))
        else:
            pending.extend(target[start : start + count])
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
        self.last: dict[str, tuple[list[bytes], bytes]] = {}  # path -> (its pieces, sha)

    def blob(self, path: str, data: bytes) -> pygit2.Oid:
        digest = hashlib.sha1(b"blob %d\x00" % len(data))
        digest.update(data)
        sha = digest.digest()
        pieces = pieces_of(path, data)
        if sha not in self.objects:
            self._write(sha, data, pieces, self.last.get(path), is_numbered(path))
        self.last[path] = (pieces, sha)
        return pygit2.Oid(raw=sha)

    def _write(
        self,
        sha: bytes,
        data: bytes,
        pieces: list[bytes],
        base: tuple[list[bytes], bytes] | None,
        numbered: bool,
    ) -> None:
        entry, depth = None, 0
        if base is not None and self.objects[base[1]][2] < MAX_DEPTH:
            delta = make_delta(base[0], pieces, numbered=numbered)
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
