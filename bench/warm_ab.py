"""Warm reads of two source trees, interleaved: CPU over ``--version`` of each.

``python -m bench.warm_ab --shape own|foreign --before DIR [--runs 5]``: DIR is a
gitarchive source tree (e.g. ``git archive <commit> | tar -x -C DIR``), run with
this environment's Python and dependencies (``PYTHONPATH=DIR``); the other is this
tree. Each gets its own clone of bench/reads_cold.py's archive and its own change
index (their schemas may differ); their outputs are compared first, then every
read runs alternately in the two, a new process each, and the medians of the
children's CPU (user + system) are printed over each tree's own ``--version``.
``show --at, new`` shows a version neither index kept before (a new date each run).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.reads_cold import archive, child_env, clone, current_names, middle_date, new_dates

HERE = str(Path(__file__).resolve().parent.parent)
NEW = "<a date not shown before>"  # stands for a new date in each run


def cpu_of(tree: str, args: list[str], cwd: Path, env: dict[str, str]) -> float:
    """One new process's CPU seconds (user + system), its output discarded."""
    child = dict(env, PYTHONPATH=tree)
    command = [sys.executable, "-m", "gitarchive", *args]
    with subprocess.Popen(command, cwd=cwd, env=child, stdout=subprocess.DEVNULL) as process:
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed in {tree}")
    return usage.ru_utime + usage.ru_stime


def output_of(tree: str, args: list[str], cwd: Path, env: dict[str, str]) -> bytes:
    command = [sys.executable, "-m", "gitarchive", *args]
    done = subprocess.run(command, cwd=cwd, env=dict(env, PYTHONPATH=tree), capture_output=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed in {tree}: {done.stderr.decode()}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shape", choices=("own", "foreign"), default="own")
    parser.add_argument("--before", required=True, help="the baseline's source tree")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = child_env()
    env.pop("PYTHONPYCACHEPREFIX")  # each tree keeps its own bytecode
    trees = {"before": str(Path(args.before).resolve()), "after": HERE}
    with tempfile.TemporaryDirectory(prefix="warm-ab-") as tmp:
        source = archive(args.shape, 250, 1000)
        clones = {name: clone(source, Path(tmp) / name, env) for name in trees}
        target = sorted(current_names(clones["after"]))[0]
        reads = {
            "--version": ["--version"],
            "history": ["history", target],
            "cumulative": ["cumulative", target],
            "show --at": ["show", target, "--at", middle_date(clones["after"], env)],
            "show --format json": ["show", target, "--format", "json"],
            # a new date each run: a version the change index has not kept
            "show --at, new": ["show", target, "--at", NEW],
        }
        unseen = new_dates(clones["after"], env, args.runs + 1)
        outputs = {}
        for name, tree in trees.items():
            output_of(tree, ["index"], clones[name], env)
            outputs[name] = [
                output_of(tree, _at(read, unseen, 0), clones[name], env) for read in reads.values()
            ]
        if outputs["before"] != outputs["after"]:
            raise SystemExit("the two trees print different outputs")
        cpu = measure(trees, clones, reads, env, (args.runs, unseen))
    print(f"{args.shape} shape, {target}, {args.runs} runs, load {os.getloadavg()[0]:.1f}")
    for name in trees:
        version = statistics.median(cpu[name, "--version"])
        cells = [f"{read} +{statistics.median(cpu[name, read]) - version:.3f} s" for read in reads]
        print(f"{name:6} --version {version:.3f} s; " + ", ".join(cells[1:]))


def measure(
    trees: dict[str, str],
    clones: dict[str, Path],
    reads: dict[str, list[str]],
    env: dict[str, str],
    runs: tuple[int, list[str]],
) -> dict[tuple[str, str], list[float]]:
    """Every read in both trees, alternating which goes first, ``runs[0]`` times; ``runs[1]``:
    the dates that stand for :data:`NEW`, one a run (the first was the outputs' check)."""
    cpu: dict[tuple[str, str], list[float]] = {(n, r): [] for n in trees for r in reads}
    count, unseen = runs
    for number in range(count):
        order = list(trees) if number % 2 == 0 else list(reversed(trees))
        for read, read_args in reads.items():
            for name in order:
                argv = _at(read_args, unseen, number + 1)
                cpu[name, read].append(cpu_of(trees[name], argv, clones[name], env))
    return cpu


def _at(args: list[str], unseen: list[str], number: int) -> list[str]:
    """``args`` with :data:`NEW` replaced by the ``number``-th unseen date (wrapping)."""
    return [unseen[number % len(unseen)] if arg == NEW else arg for arg in args]


if __name__ == "__main__":
    main()
