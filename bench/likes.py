"""Repository growth per sync for each ``likes_every`` choice, after packing with deltas.

    python -m bench.likes [--playlists 200] [--tracks 100] [--days 14] [--change 0.1]

For each choice (daily, weekly, on-track-change) a new archive gets ``--days`` + 1
daily syncs from the fake Spotify API (in process, real sockets): each day
``--change`` of the playlists swap tracks (5 leave, 8 arrive) and every
playlist's likes move, as in ``bench/sync.py --case likes-daily``. The size is
measured after repacking from scratch (``git repack -adf``) with git's default
delta window (10, as ``git gc``) and with ``gc --aggressive``'s (250), once after
the first sync and once after the last; bytes per sync are the difference over
the days. The baseline is the daily choice (what
every sync recorded before ``likes_every`` existed), in the same run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent

import pygit2  # noqa: E402

from bench.sync import BASE_DATE, GIT_ENV, day_playlist  # noqa: E402
from gitarchive.git import Store  # noqa: E402
from gitarchive.sync import SyncOptions, run_sync  # noqa: E402
from tests.support.api import generated_id  # noqa: E402
from tests.support.fakespotify import FakeSpotify  # noqa: E402

CHOICES = ("daily", "weekly", "on-track-change")


def packed_size(root: Path, window: int) -> int:
    """Bytes of the object store repacked from scratch into one pack (deltas searched anew:
    git's default window is 10, ``gc --aggressive`` uses 250)."""
    subprocess.run(
        ["git", "repack", "-a", "-d", "-f", "-q", f"--window={window}", "--depth=50"],
        cwd=root,
        check=True,
    )
    subprocess.run(["git", "prune-packed"], cwd=root, check=True)
    objects = root / ".git/objects"
    return sum(path.stat().st_size for path in objects.rglob("*") if path.is_file())


def grow(root: Path, choice: str, fake: FakeSpotify, args: argparse.Namespace) -> dict[str, float]:
    pygit2.init_repository(str(root), initial_head="main")
    (root / "gitarchive.toml").write_text(f'likes_every = "{choice}"\n')  # untracked
    registry = root / "playlists/registry"
    registry.mkdir(parents=True)
    for index in range(args.playlists):
        (registry / generated_id(index)).write_bytes(b"")
    sizes: dict[str, float] = {}
    commits = files = 0
    started = time.perf_counter()
    for day in range(args.days + 1):
        for index in range(args.playlists):
            fake.add_playlist(day_playlist(index, args.tracks, day, args.change))
        result = run_sync(Store.discover(root), SyncOptions(now=BASE_DATE + timedelta(days=day)))
        assert result.exit_code == 0, result.to_dict()
        if day == 0:
            sizes["first gc"] = packed_size(root, 10)
            sizes["first aggressive"] = packed_size(root, 250)
        else:
            commits += result.commit is not None
            files += result.files_changed
    sizes["last gc"] = packed_size(root, 10)
    sizes["last aggressive"] = packed_size(root, 250)
    return {
        "bytes/sync (gc)": (sizes["last gc"] - sizes["first gc"]) / args.days,
        "bytes/sync (gc --aggressive)": (sizes["last aggressive"] - sizes["first aggressive"])
        / args.days,
        "files/sync": files / args.days,
        "commits": commits,
        "total (gc)": sizes["last gc"],
        "seconds": time.perf_counter() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--playlists", type=int, default=200)
    parser.add_argument("--tracks", type=int, default=100)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--change", type=float, default=0.10)
    parser.add_argument("--choices", default=",".join(CHOICES))
    args = parser.parse_args()
    os.environ.update(GIT_ENV)
    results = {}
    with FakeSpotify(latency=0.0) as fake, tempfile.TemporaryDirectory() as tmp:
        os.environ.update(fake.env())
        for choice in args.choices.split(","):
            root = Path(tmp) / choice
            results[choice] = grow(root, choice, fake, args)
            shutil.rmtree(root)
            print(choice, {k: round(v) for k, v in results[choice].items()}, flush=True)
    print(
        f"\n{args.playlists} playlists x {args.tracks} tracks, {args.days} daily syncs after the "
        f"first, {args.change:.0%} swap tracks daily, all likes move daily "
        f"(load {os.getloadavg()[0]:.1f}):"
    )
    daily = results.get("daily")
    for choice, numbers in results.items():
        ratio = (
            f", {daily['bytes/sync (gc)'] / numbers['bytes/sync (gc)']:.1f}x less than daily"
            if daily and choice != "daily" and numbers["bytes/sync (gc)"] > 0
            else ""
        )
        print(
            f"  {choice:<16} {numbers['bytes/sync (gc)'] / 1000:8.1f} kB/sync "
            "(repack -adf, window 10), "
            f"{numbers['bytes/sync (gc --aggressive)'] / 1000:8.1f} kB/sync (window 250), "
            f"{numbers['files/sync']:.0f} files/sync, {numbers['commits']:.0f} commits{ratio}"
        )


if __name__ == "__main__":
    main()
