"""Benchmark: history of one playlist and cumulative views of all, on a big generated archive.

    python -m bench.history                      # 2,000 playlists x 5,000 commits, 3 runs
    python -m bench.history --playlists 200 --commits 300 --runs 1   # quick

The archive is generated with pygit2 (TreeBuilder, unchanged subtrees reused),
then packed with ``git repack`` like a cloned archive, and cached under
``bench/.cache/`` keyed by its parameters. Each commit changes ``--rate`` of
the playlists by 1-3 track swaps (tracks drawn from a pool). ``--json`` also
writes JSON snapshots (what sync writes; the reader path of gitarchive's own
archives); without it the archive holds plain files only, like
spotify-playlist-archive's oldest archives.

Measured in one run, medians of ``--runs``:
  * baseline: ``git log --format=%H -- playlists/plain/<id>``
  * ``history`` in-process: walk + read + diff + JSON document of one playlist
  * ``history`` CLI: ``python -m gitarchive -C repo history <id> --format json``
  * all playlists' cumulative views in one pass (``versions.all_cumulative_views``), in one
    process and split over 2 worker processes (``workers=2``)
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pygit2

from gitarchive import formats, git, versions
from gitarchive.git import Store
from gitarchive.history.documents import history_json
from gitarchive.history.entries import entries
from gitarchive.model import Album, Artist, Playlist, Track
from gitarchive.timeline import select

CACHE = Path(__file__).parent / ".cache"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
START = 1_600_000_000  # 2020-09-13
STEP = 6 * 3600  # four syncs a day
TRACKS_OPEN = '\n  "tracks": [\n'
TRACKS_CLOSE = "\n  ]"


def playlist_id(rng: random.Random) -> str:
    return "".join(rng.choice(BASE62) for _ in range(22))


def pool_track(n: int, with_links: bool) -> Track:
    tid = f"{n:022d}"
    return Track(
        name=f"Track {n}",
        artists=(
            Artist(f"Artist {n % 997}", f"https://open.spotify.com/artist/{n % 997:022d}"
                   if with_links else None),
        ),
        album=Album(f"Album {n % 3001}", f"https://open.spotify.com/album/{n % 3001:022d}"
                    if with_links else None),
        url=f"https://open.spotify.com/track/{tid}" if with_links else None,
        duration_ms=120_000 + n % 180_000 if with_links else None,
    )  # fmt: skip


def generate(path: Path, args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    repo = pygit2.init_repository(str(path), bare=True, initial_head="main")
    ids = sorted({playlist_id(rng) for _ in range(args.playlists)})
    pool = [pool_track(n, args.json) for n in range(args.pool)]
    state = {pid: rng.sample(range(args.pool), args.tracks) for pid in ids}
    plain_tb = repo.TreeBuilder()
    pretty_tb = repo.TreeBuilder()
    blob_mode = pygit2.enums.FileMode.BLOB
    tree_mode = pygit2.enums.FileMode.TREE

    def current(pid: str, likes: int) -> Playlist:
        return Playlist(
            id=pid,
            original_name=f"Playlist {pid[:6]}",
            unique_name=f"Playlist {pid[:6]}",
            description="Generated for the benchmark",
            tracks=tuple(pool[n] for n in state[pid]),
            num_followers=likes,
        )

    def write(pid: str, likes: int) -> None:
        playlist = current(pid, likes)
        plain_tb.insert(pid, repo.create_blob(formats.render_plain(playlist).encode()), blob_mode)
        if args.json:
            data = json_text(playlist, state[pid]).encode()
            pretty_tb.insert(f"{pid}.json", repo.create_blob(data), blob_mode)

    blocks: dict[int, str] = {}

    def json_text(playlist: Playlist, numbers: list[int]) -> str:
        """formats.render_json's output, assembled from cached per-track blocks (checked below)."""
        one = formats.render_json(dataclasses.replace(playlist, tracks=playlist.tracks[:1]))
        start = one.index(TRACKS_OPEN) + len(TRACKS_OPEN)
        end = one.index(TRACKS_CLOSE, start)
        for number in numbers:
            if number not in blocks:
                alone = formats.render_json(dataclasses.replace(playlist, tracks=(pool[number],)))
                blocks[number] = alone[start : alone.index(TRACKS_CLOSE, start)]
        return one[:start] + ",\n".join(blocks[n] for n in numbers) + one[end:]

    for index, pid in enumerate(ids):
        write(pid, 0)
        if args.json and index < 3:
            playlist = current(pid, 0)
            assert json_text(playlist, state[pid]) == formats.render_json(playlist)
    parents: list[pygit2.Oid] = []
    changed_per_commit = max(1, round(args.playlists * args.rate))
    started = time.perf_counter()
    for number in range(args.commits):
        if number:
            for pid in rng.sample(ids, changed_per_commit):
                tracks = state[pid]
                for _ in range(rng.randint(1, 3)):
                    tracks.pop(rng.randrange(len(tracks)))
                    new = rng.randrange(args.pool)
                    while new in tracks:
                        new = rng.randrange(args.pool)
                    tracks.insert(rng.randrange(len(tracks) + 1), new)
                write(pid, number)
        playlists_tb = repo.TreeBuilder()
        playlists_tb.insert("plain", plain_tb.write(), tree_mode)
        if args.json:
            playlists_tb.insert("pretty", pretty_tb.write(), tree_mode)
        root_tb = repo.TreeBuilder()
        root_tb.insert("playlists", playlists_tb.write(), tree_mode)
        when = pygit2.Signature("bench", "bench@example.invalid", START + number * STEP, 0)
        commit = repo.create_commit(None, when, when, f"Sync {number}", root_tb.write(), parents)
        parents = [commit]
        if number % 500 == 0:
            print(f"  generated {number} commits ({time.perf_counter() - started:.0f} s)",
                  file=sys.stderr)  # fmt: skip
    repo.references.create("refs/heads/main", parents[0], force=True)
    print("  packing (git repack -a -d)", file=sys.stderr)
    subprocess.run(["git", "-C", str(path), "repack", "-a", "-d", "-q"], check=True)
    subprocess.run(["git", "-C", str(path), "prune-packed"], check=True)


def archive(args: argparse.Namespace) -> Path:
    key = (
        f"p{args.playlists}-c{args.commits}-r{args.rate}-t{args.tracks}-pool{args.pool}"
        f"-s{args.seed}{'-json' if args.json else ''}"
    )
    path = CACHE / f"history-{key}.git"
    done = path / "gitarchive-bench-complete"
    if not done.exists():
        shutil.rmtree(path, ignore_errors=True)
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"generating {path.name} ...", file=sys.stderr)
        started = time.perf_counter()
        generate(path, args)
        print(f"  done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        done.write_text("ok\n")
    return path


def timed(func: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--playlists", type=int, default=2000)
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=0.05)
    parser.add_argument("--tracks", type=int, default=50)
    parser.add_argument("--pool", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="also write JSON snapshots")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-all", action="store_true", help="skip the all-playlists pass")
    parser.add_argument(
        "--index-only", action="store_true",
        help="only: build the change index, then every cumulative view from it (warm)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.index_only:
        index_views(archive(args), args)
        return

    path = archive(args)
    first = Store(pygit2.Repository(str(path)))
    head = git.head_id(first)
    assert head is not None
    target = sorted(git.list_dir(first, head, "playlists/plain"))[0]
    plain = formats.plain_path(target)

    def git_log() -> object:
        return subprocess.run(
            ["git", "-C", str(path), "log", "--format=%H", "--", plain],
            check=True, stdout=subprocess.PIPE,
        ).stdout.count(b"\n")  # fmt: skip

    def in_process() -> object:
        store = Store(pygit2.Repository(str(path)))
        found = versions.list_versions(store, target)
        listed = select(entries(found))
        "".join(history_json(target, found[-1].playlist.display_name, listed))
        return len(found)

    def cli() -> object:
        return subprocess.run(
            [sys.executable, "-m", "gitarchive", "-C", str(path), "history", target,
             "--format", "json"],
            check=True, stdout=subprocess.DEVNULL,
        ).returncode  # fmt: skip

    def all_views() -> object:
        store = Store(pygit2.Repository(str(path)))
        views = versions.all_cumulative_views(store)
        return len(views)

    def all_views_parallel() -> object:
        store = Store(pygit2.Repository(str(path)))
        views = versions.all_cumulative_views(store, workers=2)
        return len(views)

    results: dict[str, list[float]] = {"git log": [], "history (in-process)": [],
                                       "history (CLI)": [], "all cumulative": [],
                                       "all cumulative (2 processes)": []}  # fmt: skip
    counts: dict[str, object] = {}
    for run in range(args.runs):
        for name, func in (("git log", git_log), ("history (in-process)", in_process),
                           ("history (CLI)", cli), ("all cumulative", all_views),
                           ("all cumulative (2 processes)", all_views_parallel)):  # fmt: skip
            if name.startswith("all cumulative") and args.skip_all:
                continue
            seconds, result = timed(func)
            results[name].append(seconds)
            counts[name] = result
            print(f"run {run + 1}: {name}: {seconds:.3f} s ({result})", file=sys.stderr)

    kind = "json+plain" if args.json else "plain only"
    print(
        f"archive: {args.playlists} playlists x {args.commits} commits, rate {args.rate}, {kind}; "
        f"playlist {target}: {counts['git log']} commits in git log, "
        f"{counts['history (in-process)']} versions"
    )
    baseline = statistics.median(results["git log"])
    for name, values in results.items():
        if not values:
            continue
        median = statistics.median(values)
        print(f"{name:24} median {median:8.3f} s  ({median / baseline:5.2f}x git log)  "
              f"runs: {', '.join(f'{v:.3f}' for v in values)}")  # fmt: skip


def index_views(path: Path, args: argparse.Namespace) -> None:
    """The change index's build, and all cumulative views read from it warm, in one process.

    An index left by an earlier run is reused (it is caught up, not rebuilt).
    """
    from gitarchive.index import ChangeIndex, db

    store = Store(pygit2.Repository(str(path)))
    if not db.index_path(store).exists():
        started = time.process_time()
        seconds, _ = timed(lambda: ChangeIndex(store).rebuild())
        cpu_seconds = time.process_time() - started
        print(f"index build (all playlists): {seconds:.1f} s, CPU {cpu_seconds:.1f} s")
    values = []
    for run in range(args.runs):
        cpu = time.process_time()
        seconds, count = timed(lambda: len(ChangeIndex(store).all_cumulative_views()))
        values.append((seconds, time.process_time() - cpu))
        print(f"run {run + 1}: all cumulative views from the warm index: {seconds:.2f} s, "
              f"CPU {values[-1][1]:.2f} s ({count})", file=sys.stderr)  # fmt: skip
    wall = statistics.median(v[0] for v in values)
    cpu = statistics.median(v[1] for v in values)
    print(
        f"all cumulative views, warm index, one process: median {wall:.2f} s (CPU {cpu:.2f} s)"
        f"  runs: {', '.join(f'{v[0]:.2f}' for v in values)}"
    )


if __name__ == "__main__":
    main()
