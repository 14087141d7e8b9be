"""Benchmark: the read commands as new processes, cold and warm, each against a git baseline.

    python -m bench.reads_cold --shape own          # gitarchive's own writer
    python -m bench.reads_cold --shape foreign      # spotify-playlist-archive's 2021 layout
    python -m bench.reads_cold --gitarchive /work/venvs/today/bin/gitarchive   # another build
    python -m bench.reads_cold --archive REPO --against OTHER/bin/gitarchive   # first history A/B

A generated 1,000-commit, 250-playlist archive (``tests/support/foreign_archive.py``'s
``cached(Shape(...))``; for ``own``, bench/history.py's generator while that module is
missing), cloned with ``git clone`` as a user would. Each comparison is run
interleaved with its baseline (A B A B ...), ``--runs`` times, and printed as
medians and a ratio; a ratio at or under 1.00 meets the target:

  * startup: ``gitarchive --version`` vs ``git --version`` (printed, no target);
  * first ``history ID`` in a fresh clone (no change index: this run builds it) vs
    ``--version`` + 3x ``git log -p --first-parent -- <the playlist's files>``, and vs
    the same of its plain file alone (the target's baseline); with ``--against
    OTHER``, vs another build's first ``history`` in its own fresh clone;
  * warm ``history``, ``cumulative``, ``show --at`` vs ``--version`` + 0.1 s (``show``
    of a version shown in every round, and of one not shown before: a new date each round);
  * ``history`` after a pull: the index built one commit before HEAD (put back each
    round), so the read catches it up first, vs ``--version`` + 0.1 s;
  * ``history`` of every playlist, one process each, warm, vs as many ``git log -p``.

Children run with bytecode caching on (``PYTHONPYCACHEPREFIX`` under bench/.cache/),
as an installed package has it: a session with ``PYTHONDONTWRITEBYTECODE`` set
would otherwise compile every gitarchive module in every process (~20 ms).
Times are wall-clock; the CPU of the children (user + sys) is printed beside them.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CACHE = Path(__file__).parent / ".cache"
WARM_TARGET = 0.1  # seconds above --version a warm read may cost


def archive(shape: str, playlists: int, commits: int) -> Path:
    """The generated bare repository of this shape (built once, cached)."""
    try:
        from tests.support.foreign_archive import Shape, cached
    except ImportError:
        if shape != "own":
            raise SystemExit("--shape foreign needs tests/support/foreign_archive.py") from None
        return _own_from_history_bench(playlists, commits)
    layout = "2021" if shape == "foreign" else "own"
    return cached(Shape(playlists=playlists, commits=commits, layout=layout))


def _own_from_history_bench(playlists: int, commits: int) -> Path:
    from bench.history import archive as history_archive

    # JSON snapshots + plain files, 20% of the playlists changing per commit
    # (~200 versions each, 75 tracks), like a sync's archive
    options = argparse.Namespace(
        playlists=playlists, commits=commits, rate=0.2, tracks=75, pool=20_000, seed=1, json=True
    )
    return history_archive(options)


def child_env() -> dict[str, str]:
    env = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(CACHE / "pycache")
    return env


class Runner:
    """Runs commands in one clone, timing wall clock and the children's CPU."""

    def __init__(self, gitarchive: list[str], env: dict[str, str]) -> None:
        self.gitarchive = gitarchive
        self.env = env

    def time(self, argv: list[str], cwd: Path) -> tuple[float, float]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(argv, cwd=cwd, env=self.env, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return wall, cpu

    def ga(self, args: list[str], cwd: Path) -> tuple[float, float]:
        return self.time([*self.gitarchive, *args], cwd)

    def git_log(self, files: list[str], cwd: Path) -> tuple[float, float]:
        return self.time(["git", "log", "-p", "--first-parent", "--", *files], cwd)


def clone(source: Path, target: Path, env: dict[str, str]) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run(["git", "clone", "-q", str(source), str(target)], check=True, env=env)
    return target


def head_files(clone_dir: Path, env: dict[str, str]) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", "HEAD", "playlists/"],
        cwd=clone_dir, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return listed.splitlines()


def playlist_files(playlist_id: str, name: str | None, files: list[str]) -> list[str]:
    """The playlist's files at HEAD: named by its id, or (2021 pages) by its name."""
    return [
        path
        for path in files
        if playlist_id in path or (name is not None and Path(path).stem == name)
    ]


def current_names(clone_dir: Path) -> dict[str, str]:
    """Each playlist's name, read from the (warm) change index in this process."""
    from gitarchive.git import Store
    from gitarchive.index import ChangeIndex

    store = Store.discover(clone_dir)
    with ChangeIndex(store) as index:
        return {pid: index.entries(pid)[-1].name for pid in index.playlist_ids()}


def middle_date(clone_dir: Path, env: dict[str, str]) -> str:
    dates = subprocess.run(
        ["git", "log", "--first-parent", "--format=%cs"],
        cwd=clone_dir, env=env, check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    return dates[len(dates) // 2]


def new_dates(clone_dir: Path, env: dict[str, str], count: int) -> list[str]:
    """``count`` days of the log's second half, each its own last commit, none the middle
    date's: a ``show --at`` of each reads a version the change index has not kept."""
    days = subprocess.run(
        ["git", "log", "--first-parent", "--format=%cs"],
        cwd=clone_dir, env=env, check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    distinct = sorted(set(days[: len(days) // 2]) - {middle_date(clone_dir, env)})
    step = max(1, len(distinct) // max(count, 1))
    return distinct[::step][:count]


Pair = tuple[float, float]


class Table:
    """Medians of candidate and baseline per comparison, printed as ratios."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[list[Pair], list[Pair]]] = {}

    def add(self, name: str, candidate: Pair, baseline: Pair) -> None:
        cand, base = self.rows.setdefault(name, ([], []))
        cand.append(candidate)
        base.append(baseline)
        print(
            f"  {name}: {candidate[0]:.3f} s vs {baseline[0]:.3f} s "
            f"(CPU {candidate[1]:.3f} vs {baseline[1]:.3f} s)",
            file=sys.stderr,
        )

    def print(self) -> None:
        width = max(len(name) for name in self.rows)
        for name, (cand, base) in self.rows.items():
            wall, base_wall = _median(cand, 0), _median(base, 0)
            cpu, base_cpu = _median(cand, 1), _median(base, 1)
            print(
                f"{name:{width}}  {wall:7.3f} s vs {base_wall:7.3f} s  "
                f"{wall / base_wall:6.2f}x  (CPU {cpu:.3f} vs {base_cpu:.3f}: "
                f"{cpu / base_cpu:.2f}x)  runs: {', '.join(f'{c[0]:.3f}' for c in cand)}"
            )


def _median(pairs: list[Pair], at: int) -> float:
    return statistics.median(pair[at] for pair in pairs)


def _plus(first: Pair, second: Pair, times: int = 1) -> Pair:
    return first[0] + times * second[0], first[1] + times * second[1]


def cold_first_history(
    run: Runner,
    source: Path,
    work: Path,
    target: str,
    files: list[str],
    table: Table,
    against: Runner | None = None,
) -> None:
    """One round: a fresh clone's first ``history`` vs --version + 3x git log -p, of the
    playlist's files and of its plain file alone (the target's baseline); and vs the
    same in another build's fresh clone (``against``), when one is given."""
    fresh = clone(source, work / "fresh", run.env)
    version = run.ga(["--version"], fresh)
    log = run.git_log(files, fresh)
    plain_log = run.git_log([f"playlists/plain/{target}"], fresh)
    first = run.ga(["history", target], fresh)
    table.add(
        "first history, fresh clone vs --version + 3x git log -p", first, _plus(version, log, 3)
    )
    name = "first history, fresh clone vs --version + 3x git log -p of the plain file"
    table.add(name, first, _plus(version, plain_log, 3))
    if against is not None:
        other = against.ga(["history", target], clone(source, work / "fresh", run.env))
        table.add(f"first history, fresh clone vs {' '.join(against.gitarchive)}", first, other)


def warm_reads(run: Runner, warm: Path, target: str, at: tuple[str, str], table: Table) -> None:
    """One round: each warm read vs --version + 0.1 s, interleaved. ``at``: a date shown
    in every round (its version kept by the index after the first), and one new to it."""
    reads = {
        "warm history": ["history", target],
        "warm cumulative": ["cumulative", target],
        "warm show --at": ["show", target, "--at", at[0]],
        "warm show --at, a version not shown before": ["show", target, "--at", at[1]],
    }
    for name, args in reads.items():
        version = run.ga(["--version"], warm)
        read = run.ga(args, warm)
        # the allowance is added to both: to the wall time and to the CPU time
        allowed = _plus(version, (WARM_TARGET, WARM_TARGET))
        table.add(f"{name} vs --version + {WARM_TARGET} s", read, allowed)


def behind_by_one(run: Runner, source: Path, work: Path) -> tuple[Path, Path]:
    """A clone whose change index was built one commit before its HEAD (a pull since),
    and a copy of that index to put back before each round."""
    behind = clone(source, work / "behind", run.env)
    git = ["git", "-C", str(behind)]
    head = subprocess.run([*git, "rev-parse", "HEAD"], env=run.env, check=True,
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    subprocess.run([*git, "reset", "-q", "--hard", "HEAD~1"], env=run.env, check=True)
    run.ga(["index"], behind)
    subprocess.run([*git, "reset", "-q", "--hard", head], env=run.env, check=True)  # the pull
    kept = work / "index-behind"
    shutil.rmtree(kept, ignore_errors=True)
    shutil.copytree(behind / ".git" / "gitarchive", kept)
    return behind, kept


def after_a_pull(run: Runner, behind: tuple[Path, Path], target: str, table: Table) -> None:
    """One round: ``history`` catching the index up with the one commit pulled since it
    was built, vs --version + 0.1 s."""
    clone_dir, kept = behind
    shutil.rmtree(clone_dir / ".git" / "gitarchive")
    shutil.copytree(kept, clone_dir / ".git" / "gitarchive")
    version = run.ga(["--version"], clone_dir)
    read = run.ga(["history", target], clone_dir)
    name = f"history after a pull of one commit vs --version + {WARM_TARGET} s"
    table.add(name, read, _plus(version, (WARM_TARGET, WARM_TARGET)))


def every_history(run: Runner, warm: Path, files_of: dict[str, list[str]], table: Table) -> None:
    """One round: ``history`` of every playlist (a process each) vs as many git log -p."""
    total_log: Pair = (0.0, 0.0)
    total_history: Pair = (0.0, 0.0)
    for playlist_id, files in files_of.items():
        total_log = _plus(total_log, run.git_log(files, warm))
        total_history = _plus(total_history, run.ga(["history", playlist_id], warm))
    name = f"{len(files_of)} warm history processes vs git log -p each"
    table.add(name, total_history, total_log)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shape", choices=("own", "foreign"), default="own")
    parser.add_argument("--playlists", type=int, default=250)
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--every-runs", type=int, default=5, help="runs of the all-playlists pass")
    parser.add_argument(
        "--gitarchive", help="the gitarchive command to measure (default: this environment's)"
    )
    parser.add_argument("--archive", type=Path, help="an existing repository instead (cloned)")
    parser.add_argument(
        "--against", help="another gitarchive command whose first history runs interleaved"
    )
    args = parser.parse_args()
    command = (
        [args.gitarchive]
        if args.gitarchive
        else [str(Path(sys.executable).with_name("gitarchive"))]
    )
    env = child_env()
    run = Runner(command, env)
    source = args.archive or archive(args.shape, args.playlists, args.commits)
    with tempfile.TemporaryDirectory(prefix="reads-cold-") as tmp:
        measure(run, source, Path(tmp), args)


def measure(run: Runner, source: Path, work: Path, args: argparse.Namespace) -> None:
    warm = clone(source, work / "warm", run.env)
    run.ga(["index"], warm)  # the change index, built once: every read below is warm
    names = current_names(warm)
    files = head_files(warm, run.env)
    files_of = {pid: playlist_files(pid, name, files) for pid, name in names.items()}
    target = sorted(files_of)[0]
    at = middle_date(warm, run.env)
    unseen = new_dates(warm, run.env, args.runs)
    run.git_log(files_of[target], warm)  # warm the page cache and the bytecode once
    run.ga(["history", target], warm)
    behind = behind_by_one(run, source, work)
    table = Table()
    print(f"archive {source.name}: {len(files_of)} playlists; measured {target}", file=sys.stderr)
    for number in range(args.runs):
        print(f"run {number + 1}", file=sys.stderr)
        table.add("--version vs git --version", run.ga(["--version"], warm),
                  run.time(["git", "--version"], warm))  # fmt: skip
        against = Runner([args.against], run.env) if args.against else None
        cold_first_history(run, source, work, target, files_of[target], table, against)
        warm_reads(run, warm, target, (at, unseen[number % len(unseen)]), table)
        after_a_pull(run, behind, target, table)
    for number in range(args.every_runs):
        print(f"all-playlists run {number + 1}", file=sys.stderr)
        every_history(run, warm, files_of, table)
    load = os.getloadavg()
    print(f"archive {source.name}, {' '.join(run.gitarchive)}; load {load[0]:.1f} {load[2]:.1f}")
    table.print()


if __name__ == "__main__":
    main()
