"""Benchmark: `gitarchive site` - build time, page weight and opening time in headless Chromium.

    python -m bench.site                  # demo + churn + 2,000 versions + 2,000 playlists x 500
    python -m bench.site --only open      # opening times only (sites built once, untimed)
    python -m bench.site --big-commits 5000 --big-plain   # the history bench's plain archive
    python -m bench.site --only scale --today /work/venvs/today/bin/python \
        --before-tracks /work/venvs/base/bin/python --scale-runs 5,3   # 250 and 2,000 playlists

Archives come from bench/history.py's generator (pygit2, packed, cached under bench/.cache/):

* demo: ``gitarchive demo`` (4 playlists, 35 days);
* churn: 20 playlists x 1,000 commits, half of them changing per commit by 1-3 track swaps,
  100 tracks each, JSON snapshots (what sync writes): ~500 versions per playlist, an
  editorial playlist refreshed every few hours;
* long: 4 playlists x 2,000 commits, every playlist changing every commit: 2,000 versions;
* big: 2,000 playlists x ``--big-commits`` commits, 5% changing per commit, 100 tracks, JSON
  (or ``--big-plain``: 50 tracks, plain files only, as bench/history.py's default archive).

Each build is timed three ways in the same run: from a warm change index (the site reads
each version where the index located it), the index's build (``gitarchive index`` from no
index, what a first site or ``history`` pays once), and the walk of the log the site does
where no index can be written (``GITARCHIVE_NO_INDEX=1``, the baseline; ``--walk-runs``).
``--with-fold`` adds the whole-archive fold (``versions.all_cumulative_views``). Pages are
opened against an empty HTML file in the same browser. Medians of ``--runs``.

``scale`` times the whole site and its peak memory at 250 and 2,000
playlists against other builds of gitarchive run in the same bench, interleaved.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pygit2

from bench.apart import built_apart, check_small
from gitarchive import versions
from gitarchive.git import Store
from gitarchive.index import db

HERE = Path(__file__).parent


def history_bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_history", HERE / "history.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generated(**overrides: Any) -> Path:
    values = dict(playlists=2000, commits=5000, rate=0.05, tracks=50, pool=100_000, seed=1,
                  json=False)  # fmt: skip
    values.update(overrides)
    return built_apart(generate_own, values)


def generate_own(values: dict[str, Any]) -> Path:
    """bench/history.py's archive for these options (in a process of its own)."""
    return Path(history_bench().archive(argparse.Namespace(**values)))


def demo_archive(scratch: Path) -> Path:
    path = scratch / "demo"
    env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run([sys.executable, "-m", "gitarchive", "demo", str(path)], check=True,
                   stdout=subprocess.DEVNULL, env=env)  # fmt: skip
    return path


def timed(func: Any) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def site_cli(archive: Path, out: Path, jobs: int, *, walk: bool = False) -> float:
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "GITARCHIVE_NO_INDEX": "1"} if walk else None
    return timed(lambda: subprocess.run(
        [sys.executable, "-m", "gitarchive", "-C", str(archive), "site", str(out), "-j", str(jobs)],
        check=True, stdout=subprocess.DEVNULL, env=env,
    ))  # fmt: skip


def index_cli(archive: Path) -> float:
    """`gitarchive index` from no index: every playlist folded in one pass."""
    remove_index(archive)
    return timed(lambda: subprocess.run(
        [sys.executable, "-m", "gitarchive", "-C", str(archive), "index"],
        check=True, stdout=subprocess.DEVNULL,
    ))  # fmt: skip


def remove_index(archive: Path) -> None:
    from gitarchive.index import db

    db.remove_files(db.index_path(Store(pygit2.Repository(str(archive)))))


def history_cli(archive: Path) -> float:
    """One playlist's `history --format json` as a new process: the start-up a command costs."""
    return timed(lambda: subprocess.run(
        [sys.executable, "-m", "gitarchive", "-C", str(archive), "history",
         "37i9dQZF1DX5LEXW9eXA0n", "--format", "json"], check=True, stdout=subprocess.DEVNULL,
    ))  # fmt: skip


def fold_baseline(archive: Path, jobs: int) -> float:
    def run() -> None:
        store = Store(pygit2.Repository(str(archive)))
        versions.all_cumulative_views(store, workers=jobs)

    return timed(run)


def open_times(pages: list[Path], runs: int, blank: Path) -> dict[str, list[float]]:
    """Seconds from navigation to the viewer having drawn its version (data-ready)."""
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("GITARCHIVE_CHROMIUM") or shutil.which("chromium")
    if not chromium:
        raise SystemExit("no chromium: apt-get install chromium")
    results: dict[str, list[float]] = {str(page): [] for page in [blank, *pages]}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for _ in range(runs):
            for page_path in [blank, *pages]:
                page = browser.new_page()
                started = time.perf_counter()
                page.goto(page_path.as_uri())
                page.wait_for_selector("body[data-ready='1']", state="attached")
                results[str(page_path)].append(time.perf_counter() - started)
                page.close()
        browser.close()
    return results


def largest_page(out: Path) -> Path:
    return max((out / "p").iterdir(), key=lambda page: page.stat().st_size)


def median(values: list[float]) -> float:
    return statistics.median(values)


def fmt(values: list[float]) -> str:
    return f"median {median(values):7.3f} s  (runs: {', '.join(f'{v:.3f}' for v in values)})"


def build_row(name: str, archive: Path, out: Path, args: argparse.Namespace) -> None:
    jobs, runs = args.jobs, args.runs
    index = [index_cli(archive) for _ in range(runs)]  # leaves a warm index
    site = [site_cli(archive, out, jobs) for _ in range(runs)]
    walk = [site_cli(archive, out, jobs, walk=True) for _ in range(args.walk_runs or runs)]
    pages = list((out / "p").iterdir())
    total = sum(page.stat().st_size for page in out.rglob("*.html"))
    print(f"{name}: {len(pages)} playlist pages, {total / 1e6:.1f} MB, jobs={jobs}")
    print(f"  gitarchive site, warm index (CLI)       {fmt(site)}  "
          f"-> {median(site) / median(walk):.2f}x the walk")  # fmt: skip
    print(f"  gitarchive index (build, CLI, 1 process) {fmt(index)}  "
          f"-> {median(index) / median(walk):.2f}x the walk")  # fmt: skip
    print(f"  baseline: gitarchive site, walk (no index) {fmt(walk)}")
    if args.with_fold:
        base = [fold_baseline(archive, jobs) for _ in range(runs)]
        print(f"  all cumulative views (fold, walk)        {fmt(base)}  "
              f"-> walked site is {median(walk) / median(base):.2f}x the fold")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", default="demo,churn,long,open,big",  # and scale
                        help="comma-separated sections to run")  # fmt: skip
    parser.add_argument("--big-commits", type=int, default=500)
    parser.add_argument("--big-plain", action="store_true")
    parser.add_argument("--walk-runs", type=int, default=0, help="default: --runs")
    parser.add_argument("--with-fold", action="store_true")
    parser.add_argument("--today", help="scale: the baseline's python (its gitarchive)")
    parser.add_argument("--before-tracks", help="scale: python of gitarchive before track pages")
    parser.add_argument("--scale-runs", default="5", help="scale: runs, or runs per size (5,3)")
    parser.add_argument("--playlists", default="250,2000", help="scale: archive sizes")
    parser.add_argument("--foreign-playlists", default="250", help="scale: foreign sizes")
    args = parser.parse_args()
    only = set(args.only.split(","))
    print(f"load: {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}")
    scratch = Path(tempfile.mkdtemp(prefix="gitarchive-bench-site-"))
    try:
        if "demo" in only:
            demo = demo_archive(scratch)
            build_row(
                "demo", demo, scratch / "demo-site", argparse.Namespace(**{**vars(args), "jobs": 1})
            )
            history = [history_cli(demo) for _ in range(args.runs)]
            print(f"  baseline: gitarchive history ID --format json (CLI) {fmt(history)}")
        if only & {"churn", "long", "open"}:
            churn = generated(playlists=20, commits=1000, rate=0.5, tracks=100, json=True)
            long = generated(playlists=4, commits=2000, rate=1.0, tracks=100, json=True)
        if "churn" in only:
            build_row("churn (20 x ~500 versions)", churn, scratch / "churn-site", args)
        if "long" in only:
            build_row("long (4 x 2,000 versions)", long, scratch / "long-site", args)
        if "open" in only:
            for archive, name in ((churn, "churn-site"), (long, "long-site")):
                if not (scratch / name).is_dir():
                    site_cli(archive, scratch / name, args.jobs)
            open_row(scratch, max(args.runs, 5))
        if "scale" in only:
            scale_rows(args, scratch)
        if "big" in only:
            big = (
                generated(commits=args.big_commits)
                if args.big_plain
                else generated(commits=args.big_commits, tracks=100, json=True)
            )
            kind = "plain, 50 tracks" if args.big_plain else "JSON, 100 tracks"
            build_row(f"big (2,000 x {args.big_commits} commits, {kind})", big,
                      scratch / "big-site", args)  # fmt: skip
        print(f"load: {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def open_row(scratch: Path, runs: int) -> None:
    blank = scratch / "blank.html"
    blank.write_text('<!doctype html><body data-ready="1">')
    pages = [largest_page(scratch / "churn-site"), largest_page(scratch / "long-site"),
             scratch / "churn-site" / "index.html"]  # fmt: skip
    opened = open_times(pages, runs, blank)
    print("opening in headless Chromium (navigation to the version drawn):")
    for page in [blank, *pages]:
        label = "empty page (baseline)" if page == blank else str(page.relative_to(scratch))
        size = page.stat().st_size
        print(f"  {label:44} {size / 1e3:8.0f} KB  {fmt(opened[str(page)])}")


@dataclass(frozen=True)
class Build:
    """One gitarchive to run: its python, and what to add to ``site``."""

    label: str
    python: str
    extra: tuple[str, ...] = ()
    # forget the track pages' rows an earlier build kept in the change index (untimed):
    # a first build, as against a rebuild of the same versions
    forget: bool = False


def forget_kept_rows(archive: Path) -> None:
    """Empty the change index's ``site_stays`` (the rows the site keeps between builds)."""
    path = archive / db.INDEX_FOLDER / db.INDEX_FILE
    if not path.is_file():
        path = archive / ".git" / db.INDEX_FOLDER / db.INDEX_FILE
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM site_stays")


def measured(command: list[str], cwd: Path) -> tuple[float, int, float]:
    """Seconds, peak RSS (bytes) and CPU seconds of ``command``: the peak is the largest of
    its processes, the CPU time (user + system) the sum of them all (wait4 counts the
    workers a process waited for; with -j N each worker holds its own memory)."""
    check_small()
    env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    if command[0] != sys.executable:  # another build's gitarchive: not this one's path
        env.pop("PYTHONPATH", None)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, env=env)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{command} failed ({process.returncode})")
    return elapsed, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


def _linked(source: str, target: str) -> object:
    """Copy an archive's files, linking its objects (git never changes one in place)."""
    if f"{os.sep}objects{os.sep}" in source:
        os.link(source, target)
        return target
    return shutil.copy2(source, target)


def scale_archives(args: argparse.Namespace) -> list[tuple[str, Path, int]]:
    """The generated archives, gitarchive's own shape at each ``--playlists`` size and the
    foreign-written one (tests/support/foreign_archive.py: 2021 layout, 1,000 commits) at
    each ``--foreign-playlists`` size; smallest first. (name, path, runs)"""
    runs = [int(count) for count in args.scale_runs.split(",")]
    archives = []
    for number, size in enumerate(int(size) for size in args.playlists.split(",")):
        own = generated(playlists=size, commits=args.big_commits, tracks=100, json=True)
        archives.append((f"own, {size} playlists", own, runs[min(number, len(runs) - 1)]))
    foreign = importlib.import_module("tests.support.foreign_archive")
    for size in (int(size) for size in args.foreign_playlists.split(",") if size):
        path = built_apart(foreign.cached, foreign.Shape(playlists=size, layout="2021"))
        archives.append((f"foreign 2021, {size} playlists", path, runs[0]))
    return sorted(archives, key=lambda archive: int(archive[0].split()[-2]))


def scale_rows(args: argparse.Namespace, scratch: Path) -> None:
    """Each build's whole site at each size: a copy of the archive per gitarchive (their
    change indexes may differ), each index warmed untimed, then the builds interleaved."""
    builds = [
        Build("candidate, track pages, first", sys.executable, ("--track-pages",), forget=True),
        Build("candidate, track pages, rebuild", sys.executable, ("--track-pages",)),
        Build("candidate, no track pages", sys.executable, ("--no-track-pages",)),
    ]
    if args.today:
        builds.insert(0, Build("today", args.today))
    if args.before_tracks:
        builds.append(Build("before feeds and track pages", args.before_tracks))
    peaks: dict[str, list[float]] = {}
    for name, archive, runs in scale_archives(args):
        rows = scale_row(name, archive, builds, runs, args, scratch)
        for build in builds:
            peaks.setdefault(build.label, []).append(median(rows[build.label][1]))
    for label, values in peaks.items():
        print(f"  peak RSS by archive ({label}): "
              + ", ".join(f"{value / 2**20:.0f} MiB" for value in values)
              + f"  -> {values[-1] / values[0]:.2f}x from the first to the last")  # fmt: skip


def scale_row(
    name: str,
    archive: Path,
    builds: list[Build],
    runs: int,
    args: argparse.Namespace,
    scratch: Path,
) -> dict[str, tuple[list[float], list[float], list[float]]]:
    copies: dict[str, Path] = {}
    for build in builds:
        if build.python in copies:
            continue
        copy = scratch / f"scale-{len(copies)}.git"
        shutil.rmtree(copy, ignore_errors=True)
        # not the index a cached archive may hold: each gitarchive warms its own
        ignore = shutil.ignore_patterns("gitarchive")
        shutil.copytree(archive, copy, ignore=ignore, copy_function=_linked)
        measured([build.python, "-m", "gitarchive", "-C", str(copy), "index"], scratch)
        copies[build.python] = copy
    results: dict[str, tuple[list[float], list[float], list[float]]] = {
        build.label: ([], [], []) for build in builds
    }
    sizes = {}
    for _ in range(runs):
        for build in builds:
            out = scratch / "scale-site"
            shutil.rmtree(out, ignore_errors=True)
            if build.forget:
                forget_kept_rows(copies[build.python])
            command = [build.python, "-m", "gitarchive", "-C", str(copies[build.python]), "site",
                       str(out), "-j", str(args.jobs), *build.extra]  # fmt: skip
            for values, value in zip(results[build.label], measured(command, scratch), strict=True):
                values.append(value)
            files = [path for path in out.rglob("*") if path.is_file()]
            sizes[build.label] = (len(files), sum(path.stat().st_size for path in files))
    print(f"{name} (jobs={args.jobs}, {runs} runs interleaved, load "
          f"{os.getloadavg()[0]:.1f}):")  # fmt: skip
    scale_table(builds, results, sizes)
    for copy in copies.values():
        shutil.rmtree(copy, ignore_errors=True)
    return results


def scale_table(
    builds: list[Build],
    results: dict[str, tuple[list[float], list[float], list[float]]],
    sizes: dict[str, tuple[int, int]],
) -> None:
    """Per build: wall and CPU time (medians, ratios to the first and the last build), peak
    RSS, files. On a shared machine the CPU time is the steadier of the two."""
    first, last = builds[0].label, builds[-1].label
    for build in builds:
        times, rss, cpu = results[build.label]
        files, size = sizes[build.label]
        ratios = ", ".join(
            f"{median(times) / median(results[other][0]):.2f}x wall, "
            f"{median(cpu) / median(results[other][2]):.2f}x CPU {other}"
            for other in dict.fromkeys((first, last))
            if other != build.label
        )
        print(f"  {build.label:30} {fmt(times)}\n"
              f"  {'':30} CPU {fmt(cpu)}\n"
              f"  {'':30} {ratios or '-'}; peak RSS median {median(rss) / 2**20:.0f} MiB "
              f"({', '.join(f'{v / 2**20:.0f}' for v in rss)}); "
              f"{files:,} files, {size / 1e6:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
