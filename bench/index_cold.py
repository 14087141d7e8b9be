"""Benchmark: the change index from scratch, its size, and the reads of a fresh clone.

    python -m bench.index_cold --shape own        # gitarchive's own writer (JSON snapshots)
    python -m bench.index_cold --shape foreign    # spotify-playlist-archive's 2021 layout
    python -m bench.index_cold --shape own --runs 1   # quick

A generated 1,000-commit, 250-playlist archive (``--shape own``: bench/history.py's
generator with JSON snapshots, every commit changing 30% of the playlists; ``foreign``:
tests/support/foreign_archive.py's 2021 layout), copied to a temporary folder and
``git gc``-ed. Each figure is a ratio to a git baseline measured in the same run, the
commands interleaved (git, gitarchive, git, ...), medians of ``--runs``; every command is
a child process, its peak RSS read from ``wait4`` (the largest process of its tree) and,
for the sum of its processes' peaks, from /proc every 50 ms; wall and CPU (user + sys of the
child and the workers it waited for) are both reported, and a build's CPU split between the
command's own process and its workers (how evenly the work was shared, which the load
does not blur as it does the wall time):

  * ``gitarchive index --jobs N`` from scratch, for each N of ``--jobs`` (default 1,2) /
    ``git log -p --first-parent -- playlists/plain/`` (target <= 5x, peak RSS of all the
    build's processes together <= 200 MiB);
  * the index file / the packed objects (``git count-objects -v`` size-pack; target <= 30%);
  * the first ``history ID`` of a fresh clone: (time - ``--version``) / ``git log -p`` of
    that playlist's plain file (target <= 3x);
  * warm ``history``, ``cumulative`` and ``show``: time - ``--version`` (target <= 0.1 s).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.apart import built_apart, check_small

GITARCHIVE = [sys.executable, "-m", "gitarchive"]


def descendants(root: int) -> set[int]:
    """``root`` and every process below it (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found = {root}
    while True:
        more = {pid for pid, parent in parents.items() if parent in found} - found
        if not more:
            return found
        found |= more


def watch_tree(
    root: int, stop: threading.Event, peaks: dict[int, int], cpu: dict[int, float]
) -> None:
    """Each process of the tree's peak RSS (VmHWM, KiB) and CPU seconds so far (user + sys),
    every 50 ms until ``stop``."""
    tick = os.sysconf("SC_CLK_TCK")
    while not stop.is_set():
        for pid in descendants(root):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            cpu[pid] = (int(fields[11]) + int(fields[12])) / tick
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks[pid] = max(peaks.get(pid, 0), int(line.split()[1]))
        stop.wait(0.05)


def run(command: list[str]) -> tuple[float, float, float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one child process, its output
    discarded, the sum of the peaks of every process of its tree (its workers'),
    sampled every 50 ms (``wait4``'s peak is the largest one's, not their sum), and the
    CPU seconds of the processes below it (sampled: up to 50 ms short each)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stop, peaks, cpu = threading.Event(), dict[int, int](), dict[int, float]()
    watcher = threading.Thread(target=watch_tree, args=(child.pid, stop, peaks, cpu))
    watcher.start()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    stop.set()
    watcher.join()
    assert child.stderr is not None
    error = child.stderr.read()
    child.stderr.close()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{' '.join(command)} failed: {error.decode(errors='replace')}")
    peaks[child.pid] = max(peaks.get(child.pid, 0), usage.ru_maxrss)
    tree = sum(peaks.values()) / 1024
    below = sum(seconds for pid, seconds in cpu.items() if pid != child.pid)
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, tree, below


def archive(shape: str) -> Path:
    if shape == "own":
        from bench import history

        args = argparse.Namespace(
            playlists=250, commits=1000, rate=0.3, tracks=75, pool=20_000, seed=1, json=True
        )
        return history.archive(args)
    # lazy: the generator lives with the tests (tests/support), loaded only for this shape
    from tests.support.foreign_archive import Shape, cached

    return cached(Shape(layout="2021"))


def size_pack(repo: Path) -> int:
    out = subprocess.run(
        ["git", "-C", str(repo), "count-objects", "-v"], check=True, capture_output=True, text=True
    ).stdout
    fields = dict(line.split(": ") for line in out.splitlines())
    return int(fields["size-pack"]) * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shape", choices=("own", "foreign"), default="own")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--jobs", default="1,2", help="the index builds' --jobs, comma-separated (default 1,2)"
    )
    args = parser.parse_args()
    os.environ.update(GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")
    source = built_apart(archive, args.shape)
    check_small()
    with tempfile.TemporaryDirectory() as folder:
        repo = Path(folder) / source.name
        shutil.copytree(source, repo)
        subprocess.run(["git", "-C", str(repo), "gc", "-q"], check=True)
        measure(repo, args)


def measure(repo: Path, args: argparse.Namespace) -> None:
    from gitarchive import git
    from gitarchive.index import db

    store = git.Store.discover(repo)
    head = git.head_id(store)
    assert head is not None
    target = sorted(git.list_dir(store, head, "playlists/plain"))[0]
    index_file = db.index_path(store)
    on = [*GITARCHIVE, "-C", str(repo)]
    log_all = ["git", "-C", str(repo), "log", "-p", "--first-parent", "--", "playlists/plain/"]
    log_one = ["git", "-C", str(repo), "log", "-p", "--first-parent", "--",
               f"playlists/plain/{target}"]  # fmt: skip
    times: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    rss: dict[str, list[tuple[float, float]]] = {}
    below: dict[str, list[float]] = {}
    index_bytes = 0

    def timed(name: str, command: list[str]) -> None:
        seconds, cpu_seconds, peak, tree, workers = run(command)
        below.setdefault(name, []).append(workers)
        times.setdefault(name, []).append(seconds)
        cpu.setdefault(name, []).append(cpu_seconds)
        rss.setdefault(name, []).append((peak, tree))

    for number in range(args.runs):
        timed("git log -p (all plain)", log_all)
        for jobs in args.jobs.split(","):
            shutil.rmtree(index_file.parent, ignore_errors=True)
            timed(f"index from scratch, --jobs {jobs}", [*on, "index", "--jobs", jobs])
        index_bytes = index_file.stat().st_size
        timed("--version", [*GITARCHIVE, "--version"])
        for name in ("history", "cumulative", "show"):
            timed(f"warm {name}", [*on, name, target, "--format", "json"])
        shutil.rmtree(index_file.parent)
        timed("git log -p (one playlist)", log_one)
        timed("first history (fresh clone)", [*on, "history", target, "--format", "json"])
        print(f"run {number + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()),
              file=sys.stderr)  # fmt: skip
    pack = size_pack(repo)
    print(f"shape {args.shape}; medians of {args.runs} runs; load {os.getloadavg()[0]:.1f}")
    print(f"index on disk: {index_bytes / 1e6:.1f} MB = {index_bytes / pack:.0%} of the "
          f"packed objects ({pack / 1e6:.1f} MB; target <= 30%)")  # fmt: skip
    for name, peaks in rss.items():
        if name.startswith("index"):
            largest = statistics.median(peak for peak, _ in peaks)
            tree = statistics.median(tree for _, tree in peaks)
            print(f"{name}: peak RSS {largest:.0f} MiB the largest process, {tree:.0f} MiB "
                  "all its processes together (target <= 200)")  # fmt: skip
            workers = statistics.median(below[name])
            own = statistics.median(c - w for c, w in zip(cpu[name], below[name], strict=True))
            print(f"{name}: CPU of the command's own process {own:.2f} s, of its workers "
                  f"{workers:.2f} s (on idle cores the wall is at least the larger)")  # fmt: skip
    for kind, values in (("wall", times), ("CPU", cpu)):
        report(kind, {name: statistics.median(found) for name, found in values.items()})


def report(kind: str, median: dict[str, float]) -> None:
    """The ratios, of wall or of CPU time (the machine is shared: CPU is the steadier)."""
    version = median["--version"]
    print(f"{kind}:")
    for name, value in median.items():
        print(f"  {name:30} {value:7.2f} s")
    for name, value in median.items():
        if name.startswith("index"):
            build = value / median["git log -p (all plain)"]
            print(f"  {name}: {build:.1f}x git log -p (target <= 5x)")
    first = (median["first history (fresh clone)"] - version) / median["git log -p (one playlist)"]
    print(f"  first history: --version + {first:.1f}x git log -p of the playlist (target <= 3x)")
    for name in ("history", "cumulative", "show"):
        extra = median[f"warm {name}"] - version
        print(f"  warm {name}: --version + {extra:.2f} s (target <= 0.1)")


if __name__ == "__main__":
    main()
