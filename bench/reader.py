"""Reading one playlist's versions out of a foreign-written archive, against git.

The archive is ``tests/support/foreign_archive.cached(Shape(layout=...))`` (250 playlists,
1,000 daily commits; "2021": plain files without a final newline, name-keyed pages). The
playlist measured is the one whose plain file changed most often. Each run, interleaved
(machines are noisy; medians printed):

* baseline: ``git log -p --first-parent -- playlists/plain/ID`` (the git CLI);
* ``list_versions`` with the pages left out (the plain files alone), in a new process;
* ``list_versions`` as history reads it (each plain version with its commit's page);
* with ``--today-python PY``: ``list_versions`` of another checkout's interpreter (run from
  that checkout, e.g. the code before a change), for a before/after in one run.

Each process prints its own time of ``list_versions`` alone (no start-up), and how many
tracks came out with a Spotify id.

    python -m bench.reader --runs 5 --today-python /work/venvs/today/bin/python
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# One process's measurement: argv = repo, playlist id, mode ("pages" or "nopages").
_PROBE = """
import sys, time
import pygit2
from gitarchive import versions
from gitarchive.git import Store
repo, pid, mode = sys.argv[1:4]
if mode == "nopages":
    import gitarchive.name_keyed as name_keyed
    name_keyed.PageFinder.find = lambda self, commit, playlist_id, names: None
store = Store(pygit2.Repository(repo))
start = time.perf_counter()
found = versions.list_versions(store, pid, warn=lambda message: None)
elapsed = time.perf_counter() - start
ids = sum(1 for v in found for t in v.playlist.tracks if t.url)
tracks = sum(len(v.playlist.tracks) for v in found)
print(elapsed, len(found), ids, tracks)
"""


def busiest_playlist(repo: Path) -> str:
    out = subprocess.run(
        ["git", "-C", str(repo), "log", "--first-parent", "--format=", "--name-only", "--",
         "playlists/plain"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    counts = Counter(line for line in out.splitlines() if line)
    return counts.most_common(1)[0][0].rsplit("/", 1)[1]


def git_log(repo: Path, playlist_id: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        ["git", "-C", str(repo), "log", "-p", "--first-parent", "--",
         f"playlists/plain/{playlist_id}"],
        stdout=subprocess.DEVNULL, check=True,
    )  # fmt: skip
    return time.perf_counter() - start


def probe(python: str, cwd: Path, repo: Path, playlist_id: str, mode: str) -> list[str]:
    out = subprocess.run(
        [python, "-c", _PROBE, str(repo), playlist_id, mode],
        cwd=cwd, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return out.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layout", default="2021")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--today-python", help="another checkout's interpreter (before/after)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.support.foreign_archive import Shape, cached

    repo = cached(Shape(layout=args.layout))
    playlist_id = busiest_playlist(repo)
    cases: dict[str, list[float]] = {"git log -p (baseline)": []}
    counts: dict[str, str] = {}
    runs: list[tuple[str, str, Path, str]] = [
        ("plain files alone", sys.executable, ROOT, "nopages"),
        ("with the pages (history)", sys.executable, ROOT, "pages"),
    ]
    if args.today_python:
        today = Path(args.today_python).parent.parent
        checkout = Path(subprocess.run(
            [args.today_python, "-c", "import gitarchive, pathlib; "
             "print(pathlib.Path(gitarchive.__file__).parent.parent)"],
            cwd="/", capture_output=True, text=True, check=True,
        ).stdout.strip())  # fmt: skip
        runs.insert(0, (f"before ({today.name})", args.today_python, checkout, "pages"))
    for _ in range(args.runs):
        cases["git log -p (baseline)"].append(git_log(repo, playlist_id))
        for name, python, cwd, mode in runs:
            elapsed, versions, ids, tracks = probe(python, cwd, repo, playlist_id, mode)
            cases.setdefault(name, []).append(float(elapsed))
            counts[name] = f"{versions} versions, {ids} of {tracks} tracks with an id"
    base = statistics.median(cases["git log -p (baseline)"])
    print(f"{repo.name}, playlist {playlist_id}, {args.runs} runs, medians")
    for name, times in cases.items():
        median = statistics.median(times)
        shown = ", ".join(f"{t:.3f}" for t in times)
        print(f"{name:28} {median:7.3f} s  {median / base:5.2f}x  ({shown}) {counts.get(name, '')}")


if __name__ == "__main__":
    main()
