"""Benchmark: ``gitarchive import SOURCE --all`` of a spotify-playlist-archive-shaped archive.

    python -m bench.import_all                       # 250 playlists x 1,000 daily commits, 5 runs
    python -m bench.import_all --runs 1 --baseline-playlists 1   # quick

The source is shaped like the real 2021 clone (``tests.support.foreign_archive``,
layout "2021", cached under ``bench/.cache/``): editorial playlists of 50-100
tracks, one commit a day, plain files without a final newline, name-keyed pages
(``pretty/<Name>.md``), likes moving, weekly churn in bursts, merges with
sorted-in headers.

Measured, interleaved (candidate, baseline, candidate, ...), medians of ``--runs``:
  * the candidate: ``gitarchive import SOURCE --all`` into a new archive (``gitarchive init``),
    wall time and the process's CPU time (user + system; steadier on a shared machine);
  * per playlist at 50 / 100 / 250 playlists: ``import SOURCE -p ...`` of the first N of the
    source's playlists (the same one-pass engine), time divided by N;
  * the baseline: today's ``import -p`` (the gitarchive at ``--baseline``, one rewrite per
    playlist) on ``--baseline-playlists`` playlists, timed per playlist and extrapolated to all.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pygit2

from tests.support.foreign_archive import Shape, cached

TODAY = Path("/work/venvs/today/bin/gitarchive")


def source_archive(playlists: int, commits: int, seed: int) -> Path:
    """The generated source (tests.support.foreign_archive, layout "2021"), built once."""
    return cached(Shape(playlists=playlists, commits=commits, layout="2021", seed=seed))


def _env() -> dict[str, str]:
    env = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")
    env.update(GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.invalid")
    env.update(GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.invalid")
    return env


def timed_import(command: list[str], source: Path, args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the process) of ``command import SOURCE args``
    into a new archive (``init`` not counted). On a shared machine the CPU time is the
    steadier figure: the wall time grows with everyone else's load."""
    with tempfile.TemporaryDirectory(prefix="bench-import-") as scratch:
        target = Path(scratch) / "archive"
        subprocess.run([*command, "init", str(target)], check=True, env=_env(),
                       stdout=subprocess.DEVNULL)  # fmt: skip
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([*command, "-C", str(target), "import", str(source), *args],
                       check=True, env=_env(), stdout=subprocess.DEVNULL)  # fmt: skip
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        return wall, cpu


def playlist_ids(source: Path) -> list[str]:
    repo = pygit2.Repository(str(source))
    tree = repo.revparse_single("HEAD").peel(pygit2.Commit).tree
    plain = tree["playlists/plain"]
    assert isinstance(plain, pygit2.Tree)
    return sorted(entry.name for entry in plain)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--playlists", type=int, default=250)
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scales", default="50,100,250")
    parser.add_argument("--baseline", type=Path, default=TODAY, help="today's gitarchive")
    parser.add_argument("--baseline-playlists", type=int, default=2)
    args = parser.parse_args()
    source = source_archive(args.playlists, args.commits, args.seed)
    ids = playlist_ids(source)
    mine = [sys.executable, "-m", "gitarchive"]
    scales = [int(n) for n in args.scales.split(",") if int(n) < len(ids)]
    times: dict[str, list[tuple[float, float]]] = {}

    def record(key: str, spent: tuple[float, float], per: int = 1) -> None:
        times.setdefault(key, []).append((spent[0] / per, spent[1] / per))

    for run in range(args.runs):
        record("all", timed_import(mine, source, ["--all"]))
        for count in scales:
            chosen = [arg for pid in ids[:count] for arg in ("-p", pid)]
            record(f"p{count}", timed_import(mine, source, chosen), count)
        if args.baseline.exists() and args.baseline_playlists:
            chosen = [arg for pid in ids[: args.baseline_playlists] for arg in ("-p", pid)]
            spent = timed_import([str(args.baseline)], source, chosen)
            record("today", spent, args.baseline_playlists)
        print(f"  run {run + 1}: " + ", ".join(f"{k} {v[-1][0]:.2f}/{v[-1][1]:.2f} s"
              for k, v in times.items()), file=sys.stderr)  # fmt: skip
    report(times, len(ids), args, os.getloadavg()[0])


def report(times: dict[str, list[tuple[float, float]]], playlists: int,
           args: argparse.Namespace, load: float) -> None:  # fmt: skip
    wall = {key: statistics.median(w for w, _ in values) for key, values in times.items()}
    cpu = {key: statistics.median(c for _, c in values) for key, values in times.items()}
    print(f"source: {playlists} playlists, {args.commits} commits; {args.runs} runs, "
          f"load average {load:.1f} (2 cores); medians, wall / CPU")  # fmt: skip
    print(f"import --all into a new archive: {wall['all']:.1f} s / {cpu['all']:.1f} s")
    for key in sorted((k for k in wall if k.startswith("p")), key=lambda k: int(k[1:])):
        print(f"  per playlist, -p of {key[1:]}: {wall[key] * 1000:.0f} / {cpu[key] * 1000:.0f} ms")
    print(f"  per playlist, --all of {playlists}: {wall['all'] / playlists * 1000:.0f} / "
          f"{cpu['all'] / playlists * 1000:.0f} ms")  # fmt: skip
    if "today" in wall:
        whole_wall, whole_cpu = wall["today"] * playlists, cpu["today"] * playlists
        print(f"baseline (today's import -p, {args.baseline_playlists} playlists one at a time): "
              f"{wall['today']:.1f} / {cpu['today']:.1f} s per playlist; all {playlists} "
              f"extrapolated: {whole_wall / 60:.0f} / {whole_cpu / 60:.0f} min")  # fmt: skip
        print(
            f"ratio: --all is {whole_wall / wall['all']:.0f}x (wall) / "
            f"{whole_cpu / cpu['all']:.0f}x (CPU) faster than today's -p one by one"
        )


if __name__ == "__main__":
    main()
