"""Blobs read from a repository's own files (gitarchive.git.objects) are the bytes libgit2
reads, in every packing git writes; what those files cannot prove is left to libgit2."""

from __future__ import annotations

import dataclasses
import random
import shutil
import zlib
from typing import TYPE_CHECKING

import pygit2
import pytest

from gitarchive import git
from gitarchive.errors import RevisionNotFound
from gitarchive.git import Store
from gitarchive.git.objects import ObjectFiles
from tests.support.builder import RepoBuilder, playlist_files
from tests.support.gitcli import git as git_cli
from tests.support.models import model_playlist, model_track

if TYPE_CHECKING:
    from pathlib import Path

OFS_DELTA, REF_DELTA = 6, 7


def versions_repo(path: Path, versions: int = 12) -> Path:
    """A playlist's versions, one track dropped and one added each time (so that git packs
    most of them as deltas of one another)."""
    builder = RepoBuilder(path)
    for number in range(versions):
        tracks = tuple(model_track(n) for n in range(number, number + 30))
        playlist = dataclasses.replace(model_playlist(), tracks=tracks, num_followers=number)
        builder.commit(playlist_files(playlist), date=f"2026-01-{number + 1:02d}T06:00:00")
    return path


def libgit2_objects(repo: Path) -> dict[str, tuple[int, bytes]]:
    database = pygit2.Repository(str(repo)).odb
    found = {}
    for oid in database:
        kind, data = database.read(oid)
        found[str(oid)] = (int(kind), bytes(data))
    return found


def entry_kinds(repo: Path) -> list[int]:
    """The type number of every entry of the repository's packs, read off their bytes."""
    kinds = []
    for idx in sorted((repo / ".git" / "objects" / "pack").glob("*.idx")):
        listing = git_cli(repo, "verify-pack", "-v", str(idx))
        data = idx.with_suffix(".pack").read_bytes()
        for line in listing.splitlines():
            fields = line.split()
            if len(fields) >= 5 and len(fields[0]) == 40:
                kinds.append((data[int(fields[4])] >> 4) & 7)
    return kinds


@pytest.mark.parametrize("packing", ["loose", "offset deltas", "id deltas", "pack and loose"])
def test_every_object_reads_as_libgit2_reads_it(tmp_path: Path, packing: str) -> None:
    repo = versions_repo(tmp_path / "repo")
    if packing == "offset deltas":
        git_cli(repo, "gc", "--aggressive", "--quiet")
    elif packing == "id deltas":
        git_cli(repo, "-c", "repack.useDeltaBaseOffset=false", "repack", "-adf", "--quiet")
    elif packing == "pack and loose":
        git_cli(repo, "repack", "-ad", "--quiet")
        more = dataclasses.replace(model_playlist(), description="Later", num_followers=99)
        RepoBuilder(repo).commit(playlist_files(more), date="2026-02-01T06:00:00")
    kinds = entry_kinds(repo)
    wanted = {"loose": set(), "offset deltas": {OFS_DELTA}, "id deltas": {REF_DELTA}}
    assert wanted.get(packing, {OFS_DELTA}) <= set(kinds)  # the packing the case is named for
    files = ObjectFiles(repo / ".git")
    expected = libgit2_objects(repo)
    assert len(expected) > 40
    assert {oid: files.read(oid) for oid in expected} == expected


def first_blob(repo: Path, folder: str) -> str:
    """The id of the first file of a folder at HEAD."""
    head = pygit2.Repository(str(repo)).revparse_single("HEAD").peel(pygit2.Commit)
    return str(head.tree[folder].peel(pygit2.Tree)[0].id)


def loose_file(repo: Path, object_id: str) -> Path:
    """Where git keeps the object loose, made writable for the test to damage it."""
    path = repo / ".git" / "objects" / object_id[:2] / object_id[2:]
    path.chmod(0o644)
    return path


def damaged_pack(tmp_path: Path) -> tuple[Path, str]:
    """A packed repository with one blob's stored bytes altered; that blob's id."""
    repo = versions_repo(tmp_path / "repo", versions=3)
    git_cli(repo, "repack", "-adf", "--quiet")
    blob = first_blob(repo, "playlists/plain")
    pack = next((repo / ".git" / "objects" / "pack").glob("*.pack"))
    listing = git_cli(repo, "verify-pack", "-v", str(pack.with_suffix(".idx")))
    offset = next(int(line.split()[4]) for line in listing.splitlines() if line.startswith(blob))
    data = bytearray(pack.read_bytes())
    data[offset + 8] ^= 0xFF  # inside the entry's deflated bytes
    pack.chmod(0o644)
    pack.write_bytes(bytes(data))
    return repo, blob


def test_a_damaged_entry_is_left_to_libgit2_whose_error_stands(tmp_path: Path) -> None:
    repo, blob = damaged_pack(tmp_path)
    assert ObjectFiles(repo / ".git").read(blob) is None
    store = Store.discover(repo)
    with git.unverified_reads(), pytest.raises(RevisionNotFound, match=blob):
        git.read_blob(store, blob)
    assert store.is_open  # libgit2 was asked


def test_what_the_files_cannot_prove_is_none(tmp_path: Path) -> None:
    repo = versions_repo(tmp_path / "repo", versions=2)
    git_cli(repo, "repack", "-adf", "--quiet")
    blob = next(iter(libgit2_objects(repo)))
    objects = repo / ".git" / "objects"
    assert ObjectFiles(repo / ".git").read(blob) is not None
    assert ObjectFiles(repo / ".git").read("0" * 40) is None  # no such object
    assert ObjectFiles(repo / ".git").read(blob.upper()) is None
    assert ObjectFiles(repo / ".git").read(blob + "0" * 24) is None  # a SHA-256 id
    (objects / "info" / "alternates").write_text(str(tmp_path / "elsewhere") + "\n")
    assert ObjectFiles(repo / ".git").read(blob) is None
    (objects / "info" / "alternates").unlink()
    idx = next((objects / "pack").glob("*.idx"))
    idx.chmod(0o644)
    idx.write_bytes(idx.read_bytes()[:1000])  # cut short
    assert ObjectFiles(repo / ".git").read(blob) is None


def test_a_pass_over_an_unopened_store_reads_its_files_and_a_read_outside_one_hashes(
    tmp_path: Path,
) -> None:
    repo = versions_repo(tmp_path / "repo", versions=2)
    blob = first_blob(repo, "playlists/plain")
    other = first_blob(repo, "playlists/pretty")
    shutil.copyfile(loose_file(repo, other), loose_file(repo, blob))  # wrong bytes
    store = Store.discover(repo)
    with git.unverified_reads():  # read as git reads: not hashed against the id
        assert git.read_blob(store, blob) == git.read_blob(store, other)
    assert not store.is_open
    with pytest.raises(RevisionNotFound):  # outside a pass, libgit2 hashes it
        git.read_blob(store, blob)


def test_an_incompressible_blob_and_a_deep_chain_of_id_deltas_read_as_libgit2_reads_them(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    noise = random.Random(7).randbytes(1 << 20)  # 1 MiB that deflate cannot shrink
    RepoBuilder(repo).commit({"noise": noise}, date="2026-01-01T06:00:00")
    # 1,500 versions of one file, each one line away from the last: git's fast-import
    # writes them in a blink, and a repack makes each a delta of its neighbour
    lines = [f"line {number}\n" for number in range(60)]
    rng = random.Random(8)
    stream = []
    for number in range(1500):
        lines[rng.randrange(len(lines))] = f"changed {number}\n"
        text = "".join(lines)
        when = 1767247200 + number
        stream.append(
            f"commit refs/heads/versions\ncommitter T <t@example.invalid> {when} +0000\n"
            f"data 1\nv\nM 100644 inline file\ndata {len(text)}\n{text}\n"
        )
    git_cli(repo, "fast-import", "--quiet", stdin="".join(stream))
    git_cli(repo, "-c", "repack.useDeltaBaseOffset=false", "repack", "-adf", "-q",
            "--depth=4095", "--window=1500")  # fmt: skip
    idx = next((repo / ".git" / "objects" / "pack").glob("*.idx"))
    rows = [row.split() for row in git_cli(repo, "verify-pack", "-v", str(idx)).splitlines()]
    deepest = max((row for row in rows if len(row) == 7), key=lambda row: int(row[5]))
    assert int(deepest[5]) > 500  # deeper than Python's recursion went (two calls a level)
    assert set(entry_kinds(repo)) >= {REF_DELTA}
    expected = libgit2_objects(repo)
    noise_id = str(pygit2.Repository(str(repo)).create_blob(noise))
    for oid in (deepest[0], noise_id):  # each first, from a new reader: nothing kept yet
        assert ObjectFiles(repo / ".git").read(oid) == expected[oid]
    files_read = ObjectFiles(repo / ".git")
    assert {oid: files_read.read(oid) for oid in expected} == expected


def test_a_pack_its_index_does_not_describe_and_a_loose_object_with_more_bytes_are_none(
    tmp_path: Path,
) -> None:
    repo = versions_repo(tmp_path / "repo", versions=2)
    loose = first_blob(repo, "playlists/plain")
    assert ObjectFiles(repo / ".git").read(loose) is not None
    path = loose_file(repo, loose)
    kept = path.read_bytes()
    path.write_bytes(kept + zlib.compress(b"more"))  # libgit2: trailing garbage
    assert ObjectFiles(repo / ".git").read(loose) is None
    path.write_bytes(zlib.compress(b"blob 4"))  # a header without its NUL
    assert ObjectFiles(repo / ".git").read(loose) is None
    path.write_bytes(kept)
    git_cli(repo, "repack", "-adf", "--quiet")
    packed = first_blob(repo, "playlists/pretty")
    assert ObjectFiles(repo / ".git").read(packed) is not None
    pack = next((repo / ".git" / "objects" / "pack").glob("*.pack"))
    pack.chmod(0o644)
    data = bytearray(pack.read_bytes())
    data[-1] ^= 0xFF  # its trailing checksum no longer the one its index records
    pack.write_bytes(bytes(data))
    assert ObjectFiles(repo / ".git").read(packed) is None
