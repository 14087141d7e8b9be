"""Benchmark: `gitarchive track` warm and cold, and what the change index pays for it.

    python -m bench.track --baseline /tmp/base-src --baseline-python /work/venv/bin/python
    python -m bench.track --baseline ... --runs 7 --cold-runs 3 --index-runs 3 --walk

Two archives of bench/history.py's generator (cached in bench/.cache/):

* the 2,000-playlist archive of bench/site.py (500 commits, 5% of the playlists changing per
  commit by 1-3 swaps, 100 tracks, JSON snapshots: 51,900 versions). The query is the first
  track of the first playlist at HEAD (held by a few playlists), by id, by "title — artist"
  and by URL (JSON). Measured: ``--version``; ``track`` warm (the index built); ``track``
  right after the index file was deleted (the run builds it); with ``--walk``, ``track``
  where no index can be kept (``GITARCHIVE_NO_INDEX=1``: every version from one walk).
* the 250-playlist archive of bench/index_cold.py (``own`` shape, 1,000 commits, 75,175
  versions): ``gitarchive index`` from no index, its CPU and the file's size.

Each command is a NEW PROCESS (``python -m gitarchive``, bytecode compiled first), this tree
and the ``--baseline`` source tree alternately (A B A B ...), each on its own copy of the
archive (their index files differ); medians. Wall and CPU (user + system of the child: on a
shared machine the wall time mostly measures the wait). Both trees' outputs are compared
(they must be byte for byte the same). The warm overheads are then measured paired: each
warm case run right after a ``--version`` of the same tree, ``--runs`` rounds, the medians of
the differences, which a drift of this machine's speed between two cases' runs (often 1.3x
within a minute) cannot skew as the difference of two separate medians can.
Targets: warm ``track`` <= ``--version`` + 0.100 s;
the index build's CPU <= 1.05x and its size <= 1.10x the baseline's.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pygit2

from bench.history_churn import compile_bytecode

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).parent
Tree = tuple[str, Path]  # (python, source tree)


def generated(playlists: int, commits: int, rate: float, tracks: int, pool: int) -> Path:
    from bench.site import history_bench

    values = dict(playlists=playlists, commits=commits, rate=rate, tracks=tracks, pool=pool,
                  seed=1, json=True)  # fmt: skip
    return Path(history_bench().archive(argparse.Namespace(**values)))


def copy_repo(source: Path, target: Path) -> Path:
    """The git files only: no index, no site another bench wrote into the cache."""
    target.mkdir(parents=True)
    for name in ("HEAD", "config", "packed-refs", "objects", "refs"):
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name)
        elif (source / name).exists():
            shutil.copy2(source / name, target / name)
    return target


def index_files(repo: Path) -> list[Path]:
    folder = repo / "gitarchive"
    return [folder / f"index.sqlite{suffix}" for suffix in ("", "-wal", "-shm")]


def drop_index(repo: Path) -> None:
    for path in index_files(repo):
        path.unlink(missing_ok=True)


def run(tree: Tree, args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(wall, CPU, stdout) of ``python -m gitarchive ARGS`` from the source tree."""
    python, source = tree
    full_env = {**os.environ, "PYTHONPATH": str(source), **(env or {})}
    full_env.update(GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([python, "-m", "gitarchive", *args], check=True, capture_output=True,
                          env=full_env, cwd=source, text=True)  # fmt: skip
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, done.stdout


def first_track(repo: Path) -> tuple[str, str]:
    """The id and "title — artist" of the first track of the first JSON snapshot at HEAD."""
    repository = pygit2.Repository(str(repo))
    tree = repository.revparse_single("HEAD").peel(pygit2.Tree)
    folder = tree / "playlists" / "pretty"
    name = sorted(entry.name for entry in folder if entry.name.endswith(".json"))[0]
    data = json.loads(repository[(folder / name).id].data)
    track = data["tracks"][0]
    return track["url"].rsplit("/", 1)[1], f"{track['name']} — {track['artists'][0]['name']}"


def alternate(
    trees: dict[str, tuple[Tree, Path]], command: list[str], runs: int, **options: object
) -> dict[str, list[tuple[float, float]]]:
    """``command`` (ARCHIVE replaced by each tree's copy) run alternately, ``runs`` times."""
    fresh, env = bool(options.get("fresh")), options.get("env")
    values: dict[str, list[tuple[float, float]]] = {label: [] for label in trees}
    outputs: dict[str, str] = {}
    for _ in range(runs):
        for label, (tree, repo) in trees.items():
            if fresh:
                drop_index(repo)
            resolved = [str(repo) if part == "ARCHIVE" else part for part in command]
            wall, cpu, out = run(tree, resolved, env if isinstance(env, dict) else None)
            values[label].append((wall, cpu))
            outputs[label] = out
    if "track" in command and len(set(outputs.values())) != 1:  # `index` names its file
        raise SystemExit(f"the trees' outputs differ for {command}")
    return values


def medians(values: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(v[0] for v in values), statistics.median(v[1] for v in values)


def track_cases(args: argparse.Namespace, trees: dict[str, Tree], scratch: Path) -> None:
    source = generated(2000, 500, 0.05, 100, 100_000)
    copies = {label: (tree, copy_repo(source, scratch / f"p2000-{label}"))
              for label, tree in trees.items()}  # fmt: skip
    track_id, named = first_track(source)
    for tree, repo in copies.values():
        run(tree, ["-C", str(repo), "index"])
    cases: list[tuple[str, list[str], int, dict[str, object]]] = [
        ("--version", ["--version"], args.runs, {}),
        ("track ID, warm", ["-C", "ARCHIVE", "track", track_id], args.runs, {}),
        (f"track '{named}', warm", ["-C", "ARCHIVE", "track", named], args.runs, {}),
        ("track URL --format json, warm",
         ["-C", "ARCHIVE", "track", f"https://open.spotify.com/track/{track_id}",
          "--format", "json"], args.runs, {}),
        ("track ID, index deleted (builds it)", ["-C", "ARCHIVE", "track", track_id],
         args.cold_runs, {"fresh": True}),
    ]  # fmt: skip
    if args.walk:
        walk = {"env": {"GITARCHIVE_NO_INDEX": "1"}}
        cases.append(("track ID, no index (walk)", ["-C", "ARCHIVE", "track", track_id], 1, walk))
    print(f"\n2,000 playlists x 500 commits; query {track_id} ({named})")
    print(f"  {'':44} {'baseline wall / CPU':>22} {'this tree wall / CPU':>22}")
    results = {}
    for name, command, runs, options in cases:
        if not runs:
            continue
        values = alternate(copies, command, runs, **options)
        results[name] = {label: medians(found) for label, found in values.items()}
        (bw, bc), (tw, tc) = results[name]["baseline"], results[name]["this"]
        print(f"  {name:44} {bw:8.3f} s / {bc:6.3f} s {tw:9.3f} s / {tc:6.3f} s  (n={runs})")
    warm = [(name, command) for name, command, _runs, _options in cases if name.endswith("warm")]
    print(f"  each warm case right after a --version of the same tree, in {args.runs} rounds; "
          "medians of the differences (a drift of the machine's speed between cases cannot "
          "skew them):")  # fmt: skip
    for name, overheads in paired_overheads(copies, warm, args.runs).items():
        (bw, bc), (tw, tc) = overheads["baseline"], overheads["this"]
        print(f"  {name}: --version {tw:+.3f} s wall, {tc:+.3f} s CPU (target +0.100 s; "
              f"baseline {bw:+.3f} / {bc:+.3f} s)")  # fmt: skip


def paired_overheads(
    trees: dict[str, tuple[Tree, Path]], cases: list[tuple[str, list[str]]], runs: int
) -> dict[str, dict[str, tuple[float, float]]]:
    """Per case and tree: the medians of (case - the ``--version`` run just before it)."""
    differences: dict[str, dict[str, list[tuple[float, float]]]] = {
        name: {label: [] for label in trees} for name, _command in cases
    }
    for _ in range(runs):
        for name, command in cases:
            for label, (tree, repo) in trees.items():
                version = run(tree, ["--version"])
                found = run(tree, [str(repo) if part == "ARCHIVE" else part for part in command])
                differences[name][label].append((found[0] - version[0], found[1] - version[1]))
    return {
        name: {label: medians(values) for label, values in by_tree.items()}
        for name, by_tree in differences.items()
    }


def index_cases(args: argparse.Namespace, trees: dict[str, Tree], scratch: Path) -> None:
    source = generated(250, 1000, 0.3, 75, 20_000)
    copies = {label: (tree, copy_repo(source, scratch / f"p250-{label}"))
              for label, tree in trees.items()}  # fmt: skip
    values = alternate(copies, ["-C", "ARCHIVE", "index"], args.index_runs, fresh=True)
    sizes = {label: sum(p.stat().st_size for p in index_files(repo) if p.exists())
             for label, (_, repo) in copies.items()}  # fmt: skip
    print(f"\n250 playlists x 1,000 commits: `index` from no index (n={args.index_runs})")
    (bw, bc), (tw, tc) = medians(values["baseline"]), medians(values["this"])
    print(f"  CPU  {bc:7.2f} s -> {tc:7.2f} s ({tc / bc:.3f}x; runs {values['this']})")
    print(f"  wall {bw:7.2f} s -> {tw:7.2f} s")
    before, after = sizes["baseline"], sizes["this"]
    print(f"  size {before / 1e6:7.2f} MB -> {after / 1e6:7.2f} MB ({after / before:.3f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", type=Path, required=True, help="its source tree")
    parser.add_argument("--baseline-python", default=sys.executable)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--index-runs", type=int, default=3)
    parser.add_argument("--walk", action="store_true", help="also the walk without an index")
    parser.add_argument("--only", choices=("track", "index"))
    args = parser.parse_args()
    compile_bytecode()
    compileall.compile_dir(args.baseline / "gitarchive", quiet=1)
    trees = {"baseline": (args.baseline_python, args.baseline), "this": (sys.executable, ROOT)}
    print("load:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-track-") as scratch:
        if args.only in (None, "track"):
            track_cases(args, trees, Path(scratch))
        if args.only in (None, "index"):
            index_cases(args, trees, Path(scratch))
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"load: {load} ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
