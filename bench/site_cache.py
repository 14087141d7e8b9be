"""Benchmark: the workflow's site job with and without the change index kept between runs.

    python -m bench.site_cache [--runs 3] [--commits 1000] [--playlists 20] [--rate 0.25]

The site job of the workflow `gitarchive init` writes runs on a fresh runner: a full clone,
then `gitarchive site _site`. Without a cache every run builds the change index
(.git/gitarchive/) from the whole log; with it, actions/cache restores the index the previous
run left, one sync commit behind, and the site catches it up by that commit. Both, timed in
the same run as a new process on a bare clone of a generated archive (bench/history.py's
generator, JSON snapshots as sync writes them, cached under bench/.cache/):

* cold (the baseline): no index in the clone;
* cached: the index built while the branch was one commit back, copied in as the cache
  action restores it.

Prints the medians of ``--runs``, the ratio, and the size of what the cache stores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import pygit2

from bench.site import generated, timed
from gitarchive.git import Store
from gitarchive.index import db


def gitarchive(archive: Path, *args: str) -> float:
    return timed(lambda: subprocess.run(
        [sys.executable, "-m", "gitarchive", "-C", str(archive), *args],
        check=True, stdout=subprocess.DEVNULL,
    ))  # fmt: skip


def previous_runs_index(clone: Path, saved: Path) -> int:
    """The index a run one sync earlier left (the branch one commit back); its size."""
    repo = pygit2.Repository(str(clone))
    branch = repo.references[repo.head.name]
    tip = branch.target
    commit = repo[tip]
    assert isinstance(commit, pygit2.Commit)
    branch.set_target(commit.parent_ids[0])
    gitarchive(clone, "index")
    branch.set_target(tip)
    folder = db.index_path(Store(repo)).parent
    shutil.copytree(folder, saved)
    return sum(path.stat().st_size for path in saved.rglob("*") if path.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--playlists", type=int, default=20)
    parser.add_argument("--rate", type=float, default=0.25)
    args = parser.parse_args()
    print(f"load: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    archive = generated(
        playlists=args.playlists, commits=args.commits, rate=args.rate, tracks=100, json=True
    )
    scratch = Path(tempfile.mkdtemp(prefix="gitarchive-bench-site-cache-"))
    try:
        clone = scratch / "clone.git"
        pygit2.clone_repository(str(archive), str(clone), bare=True)
        folder = db.index_path(Store(pygit2.Repository(str(clone)))).parent
        size = previous_runs_index(clone, scratch / "saved")
        cold, cached = [], []
        for _ in range(args.runs):
            shutil.rmtree(folder, ignore_errors=True)
            cold.append(gitarchive(clone, "site", str(scratch / "site"), "-j", str(args.jobs)))
            shutil.rmtree(folder)
            shutil.copytree(scratch / "saved", folder)
            cached.append(gitarchive(clone, "site", str(scratch / "site"), "-j", str(args.jobs)))
        print(f"archive: {args.playlists} playlists x {args.commits} commits (rate {args.rate})")
        print(f"cached index: {size / 1e6:.1f} MB")
        for name, times in (("cold (no index)", cold), ("cached index", cached)):
            runs = ", ".join(f"{t:.2f}" for t in times)
            print(f"{name:<16} median {statistics.median(times):.2f} s  ({runs})")
        ratio = statistics.median(cold) / statistics.median(cached)
        print(f"cold / cached: {ratio:.2f}x")
        print(f"load: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
