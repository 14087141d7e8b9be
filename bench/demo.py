"""Demo benchmark: `gitarchive demo` (35 real syncs through the in-process fake API) against
the git CLI committing the same files.

The promise is that the demo builds in well under 10 s. The baseline, measured in the same
run, replays the demo's own history with the git CLI: for each of its commits, write the
files that changed and `git add -A && git commit` - what committing those versions costs
without fetching, parsing or rendering anything. Prints medians and the ratio.

    python -m bench.demo            # 3 runs
    python -m bench.demo --runs 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

import pygit2  # noqa: E402

from gitarchive.demo import build_demo  # noqa: E402

# The git CLI must not read the user's configuration, and its commits need an identity.
GIT_ENV = {
    **os.environ,
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
}


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, check=True, capture_output=True)


def time_build(workdir: Path) -> tuple[float, Path]:
    target = workdir / "demo"
    start = time.perf_counter()
    build_demo(target)
    return time.perf_counter() - start, target


def changed_files(repo: pygit2.Repository, commit: pygit2.Commit) -> dict[str, bytes | None]:
    """Path -> new content (None: deleted) between ``commit`` and its first parent."""
    if commit.parents:
        diff = commit.parents[0].tree.diff_to_tree(commit.tree)
    else:
        diff = commit.tree.diff_to_tree(swap=True)
    files: dict[str, bytes | None] = {}
    for delta in diff.deltas:
        if delta.status == pygit2.enums.DeltaStatus.DELETED:
            files[delta.old_file.path] = None
        else:
            blob = repo.get(delta.new_file.id)
            assert isinstance(blob, pygit2.Blob)
            files[delta.new_file.path] = blob.data
    return files


def history(demo: Path) -> list[tuple[str, dict[str, bytes | None]]]:
    repo = pygit2.Repository(str(demo))
    walker = repo.walk(repo.head.target, pygit2.enums.SortMode.TOPOLOGICAL)
    walker.simplify_first_parent()
    commits = list(walker)[::-1]
    return [(commit.message, changed_files(repo, commit)) for commit in commits]


def time_git_cli(workdir: Path, versions: list[tuple[str, dict[str, bytes | None]]]) -> float:
    target = workdir / "git-cli"
    target.mkdir()
    start = time.perf_counter()
    git(target, "init", "-q", "-b", "main")
    for message, files in versions:
        for path, data in files.items():
            file = target / path
            if data is None:
                file.unlink()
            else:
                file.parent.mkdir(parents=True, exist_ok=True)
                file.write_bytes(data)
        git(target, "add", "-A")
        git(target, "commit", "-q", "--allow-empty", "-m", message)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    builds: list[float] = []
    baselines: list[float] = []
    commits = 0
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            seconds, demo = time_build(Path(tmp))
            builds.append(seconds)
            versions = history(demo)
            commits = len(versions)
            baselines.append(time_git_cli(Path(tmp), versions))
    build = statistics.median(builds)
    baseline = statistics.median(baselines)
    print(f"load average: {os.getloadavg()[0]:.2f} (1 min)")
    print(f"  gitarchive demo        {build:6.2f} s  ({commits} commits, median of {args.runs})")
    print(f"  baseline git add+commit {baseline:5.2f} s  (the same {commits} commits)")
    print(f"  ratio                  {build / baseline:6.2f}x baseline")


if __name__ == "__main__":
    main()
