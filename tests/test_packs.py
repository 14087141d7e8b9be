"""Packs kept healthy: the geometric roll-up bounds the pack count and keeps every object.

Real repositories written by gitarchive's own commit code, checked by the git CLI
(`git fsck --strict`, `git verify-pack`, `git cat-file`) as an independent oracle.
"""

from __future__ import annotations

import math
import os
import random
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pygit2
import pytest

from gitarchive.git import Identity, Store, commit_changes, maintenance
from gitarchive.sync import SyncOptions, run_sync
from tests.support.api import api_playlist, fake_id
from tests.support.builder import init_archive
from tests.support.fakespotify import FakeSpotify
from tests.support.gitcli import git

if TYPE_CHECKING:
    from pathlib import Path

DAY0 = datetime(2026, 1, 1, 6, 0, tzinfo=UTC)
WHO = Identity("Pack Tester", "packs@example.invalid")


def playlist_page(n: int, tracks: list[int], likes: int) -> bytes:
    """A page in the shape of the archive's: a header with likes, then one line per track."""
    lines = [f"# Playlist {n}", "", f"{likes:,} likes", ""]
    lines += [
        f"| {t} | Track {t} | Artist {t % 97} | Album {t % 31} | 3:{t % 60:02d} |" for t in tracks
    ]
    return ("\n".join(lines) + "\n").encode()


def daily_syncs(root: Path, days: int, *, roll_up: bool = True) -> dict[pygit2.Oid, bytes]:
    """``days`` syncs: all likes move, 10% of playlists change a track; every blob written."""
    rng = random.Random(5)
    store = Store.discover(root)
    state = {n: rng.sample(range(5000), 60) for n in range(12)}
    written: dict[pygit2.Oid, bytes] = {}
    bound_checked = 0
    for day in range(days):
        files: dict[str, bytes | None] = {}
        for n, tracks in state.items():
            if rng.random() < 0.1:
                tracks[rng.randrange(len(tracks))] = rng.randrange(5000)
            for kind in ("pretty", "cumulative", "plain"):
                data = playlist_page(n, tracks, 1000 * n + day * (n + 1))
                files[f"playlists/{kind}/p{n:02d}.md"] = data + kind.encode()
        when = DAY0 + timedelta(days=day)
        commit_changes(store, files, message=f"day {day}", identity=WHO, when=when)
        for content in files.values():
            assert content is not None
            written[pygit2.hash(content)] = content
        if not roll_up:
            continue
        maintenance.keep_packs_healthy(store)
        packs = maintenance.list_packs(store)
        total = sum(pack.objects for pack in packs)
        # geometric: each pack at least twice the one below it, so about log2(objects) packs
        assert len(packs) <= math.log2(max(total, 2)) + 1, (day, [p.objects for p in packs])
        assert len(maintenance.loose_objects(store)) < maintenance.LOOSE_LIMIT
        bound_checked += 1
    assert bound_checked == (days if roll_up else 0)
    return written


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    pygit2.init_repository(str(root), initial_head="main")
    return root


@pytest.mark.slow
def test_pack_count_stays_bounded_and_every_blob_is_intact(archive: Path) -> None:
    written = daily_syncs(archive, 90)
    stats = maintenance.store_stats(Store.discover(archive))
    assert 1 <= stats.packs <= 8
    git(archive, "fsck", "--strict", "--no-dangling")
    for index in (archive / ".git/objects/pack").glob("*.idx"):
        git(archive, "verify-pack", str(index))
    fresh = pygit2.Repository(str(archive))  # nothing cached from the writes
    for oid, data in written.items():
        blob = fresh.get(oid)
        assert isinstance(blob, pygit2.Blob) and blob.data == data
    sample = list(written.items())[:: max(1, len(written) // 50)]
    for oid, data in sample:
        shown = git(archive, "cat-file", "blob", str(oid))
        assert shown.encode() == data


@pytest.mark.slow
def test_roll_up_stores_versions_as_deltas(archive: Path, tmp_path: Path) -> None:
    daily_syncs(archive, 40)
    rolled = maintenance.store_stats(Store.discover(archive)).bytes
    plain = tmp_path / "plain"
    pygit2.init_repository(str(plain), initial_head="main")
    daily_syncs(plain, 40, roll_up=False)
    assert git(archive, "rev-parse", "HEAD") == git(plain, "rev-parse", "HEAD")
    unrolled = maintenance.store_stats(Store.discover(plain)).bytes
    assert rolled * 4 < unrolled, (rolled, unrolled)


def test_geometric_split_follows_git() -> None:
    split = maintenance.geometric_split
    assert split([]) == 0 and split([7]) == 0
    assert split([1, 2, 4, 8]) == 0  # already a progression
    assert split([5, 100]) == 0
    assert split([10, 12]) == 2
    assert split([1, 1, 10, 100]) == 2
    assert split([1, 1, 1, 3, 100]) == 4  # 1+1+1 = 3 is not half of 3: it joins
    assert split([3, 4, 5, 6, 40]) == 4  # 40 is over twice the roll-up (18): it stays


def test_a_kept_pack_is_never_rewritten(archive: Path) -> None:
    daily_syncs(archive, 3)
    store = Store.discover(archive)
    packs = maintenance.list_packs(store)
    assert packs
    keep = packs[0].pack.with_suffix(".keep")
    keep.write_text("")
    blob = git(archive, "hash-object", "-w", "--stdin", stdin="loose\n").strip()
    git(archive, "pack-objects", "-q", ".git/objects/pack/pack", stdin=blob + "\n")
    maintenance.keep_packs_healthy(store, loose_limit=0)
    assert keep.exists() and packs[0].pack.exists() and packs[0].index.exists()
    git(archive, "fsck", "--strict", "--no-dangling")


def test_sync_rolls_up_its_pack(
    tmp_path: Path, fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_spotify.setenv(monkeypatch)
    root = tmp_path / "archive"
    ids = [fake_id("packs", n) for n in range(12)]
    init_archive(root, *ids)
    # Every day must commit for the roll-up to run each time: record likes daily.
    (root / "gitarchive.toml").write_text('likes_every = "daily"\n')
    results = []
    for day in range(3):  # likes move daily: ~36 files, above the pack writer's threshold
        for n, playlist_id in enumerate(ids):
            fake_spotify.add_playlist(api_playlist(playlist_id, 20, followers=n + 10 * day))
        when = DAY0 + timedelta(days=day)
        results.append(run_sync(Store.discover(root), SyncOptions(now=when)))
    assert all(result.commit is not None for result in results)
    assert all("maintain" in result.timings for result in results)
    store = Store.discover(root)
    assert len(maintenance.list_packs(store)) <= 2
    git(root, "fsck", "--strict", "--no-dangling")
    assert git(root, "status", "--porcelain", "--", "playlists") == ""


def test_half_written_packs_of_dead_processes_are_removed(archive: Path) -> None:
    daily_syncs(archive, 2)
    store = Store.discover(archive)
    pack_dir = archive / ".git/objects/pack"
    old = pack_dir / "pack_git2_0123456789abcdef"
    fresh = pack_dir / "tmp_pack_Xy12Ab"
    old.write_bytes(b"PACK half written")
    fresh.write_bytes(b"PACK being written right now")
    hours_ago = time.time() - 7 * 3600
    os.utime(old, (hours_ago, hours_ago))
    assert maintenance.remove_stale_temp_files(store) == 1
    assert not old.exists() and fresh.exists()
