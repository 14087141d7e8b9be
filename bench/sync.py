"""Benchmark one `gitarchive sync` of a 2,000-playlist archive where 5% changed.

    python -m bench.sync [--playlists 2000] [--tracks 100] [--change 0.05] [--runs 3]
    python -m bench.sync --case likes-daily [--playlists 1000] [--days 8] [--runs 3]

The archive (2,000 generated playlists x 100 tracks, synced once) is built on the
first run and cached under bench/.cache/. Each run copies it, changes 5% of the
playlists on the fake Spotify API (a child process, real sockets, latency 0),
and times one sync split into fetch / render / commit. The baseline is the same
change committed by `git add -A && git commit` in a second copy of the archive,
in the same run. Prints per-run numbers, the medians, and the ratio.

``--case likes-daily`` is a real archive's day: 1,000 playlists with ``--days``
days of history (each day 10% of the playlists swap tracks, every playlist's
likes move and are recorded: ``likes_every = "daily"``), then the next day's
sync, timed per step. The same-run baselines are the fetch step alone (target:
whole sync <= fetch + 8 s) and the same sync by the code of ``--baseline`` (a
revision, extracted with ``git archive`` and run in a child process) in a second
copy of the archive; both copies must end with the same tree, byte for byte.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

import pygit2  # noqa: E402

from gitarchive.git import Store  # noqa: E402
from gitarchive.sync import SyncOptions, run_sync  # noqa: E402
from tests.support.api import (  # noqa: E402
    api_playlist,
    api_track_entry,
    fake_id,
    generated_id,
    playlist_with_tracks,
)
from tests.support.fakespotify import FakeSpotify  # noqa: E402

BASE_DATE = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True, env=os.environ
    )
    return done.stdout


def serve_base(fake: FakeSpotify, count: int, tracks: int) -> list[str]:
    ids = [generated_id(i) for i in range(count)]
    for playlist_id in ids:
        fake.add_playlist(api_playlist(playlist_id, tracks))
    return ids


def build_cache(cache: Path, ids: list[str]) -> None:
    print(f"building the archive cache in {cache} (once) ...", flush=True)
    partial = cache.with_name(cache.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    pygit2.init_repository(str(partial), initial_head="main")
    registry = partial / "playlists/registry"
    registry.mkdir(parents=True)
    for playlist_id in ids:
        (registry / playlist_id).write_bytes(b"")
    started = time.perf_counter()
    result = run_sync(Store.discover(partial), SyncOptions(now=BASE_DATE))
    assert result.commit is not None and result.fetched == len(ids), result.to_dict()
    git(partial, "gc", "-q")
    partial.rename(cache)
    print(f"  initial sync of {len(ids)} playlists: {time.perf_counter() - started:.1f} s")


def change_some(fake: FakeSpotify, ids: list[str], share: float, tracks: int, run: int) -> int:
    """Replace a few tracks in ``share`` of the playlists; returns how many changed."""
    step = max(1, round(1 / share))
    changed = 0
    for position in range(run % step, len(ids), step):
        playlist_id = ids[position]
        data = api_playlist(playlist_id, tracks)
        entries = data["items"]["items"]
        del entries[:5]  # five leave
        entries.extend(
            api_track_entry(playlist_id, tracks + 1000 * run + k) for k in range(8)
        )  # eight arrive
        data["items"]["total"] = len(entries)
        fake.add_playlist(data)
        changed += 1
    return changed


def one_run(cache: Path, fake: RemoteFake, ids: list[str], run: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="gitarchive-bench-") as tmp:
        ours = Path(tmp) / "ours"
        theirs = Path(tmp) / "theirs"
        shutil.copytree(cache, ours, symlinks=True)
        shutil.copytree(cache, theirs, symlinks=True)
        git(theirs, "update-index", "-q", "--refresh")  # fair baseline: a fresh stat cache
        git(ours, "update-index", "-q", "--refresh")
        changed = fake.ask(f"change {run}")

        os.sync()  # neither side pays for the other's (or the copy's) dirty pages
        started = time.perf_counter()
        result = run_sync(
            Store.discover(ours),
            SyncOptions(now=BASE_DATE + timedelta(days=run + 1)),
        )
        total = time.perf_counter() - started
        assert result.commit is not None and len(result.changed) == changed, result.to_dict()
        assert git(ours, "status", "--porcelain", "--", "playlists") == ""
        commit_step = result.timings["commit"]
        # blobs, trees and the commit object while the work tree files are written
        # (overlapped), then the ref and the index entries
        objects = result.timings["commit_objects"]

        # The same change, committed the usual way. Two baselines: the files put
        # in place untimed, then `git add -A && git commit` timed; and the same
        # with writing the changed files timed too (what the sync's commit step
        # also does: it leaves the work tree and index in step with HEAD).
        paths = git(ours, "diff", "--name-only", "HEAD~1", "HEAD").split()
        contents = {path: (ours / path).read_bytes() for path in paths}
        os.sync()
        started = time.perf_counter()
        for path, data in contents.items():
            target = theirs / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        write_files = time.perf_counter() - started
        os.sync()
        started = time.perf_counter()
        git(theirs, "add", "-A")
        git(theirs, "commit", "-q", "-m", "baseline")
        baseline = time.perf_counter() - started
        assert git(ours, "rev-parse", "HEAD^{tree}") == git(theirs, "rev-parse", "HEAD^{tree}")

        fake.ask("reset")  # the next run starts from the cached archive again
        return {
            "fetch": result.timings["fetch"],
            "render": result.timings["render"],
            "commit": commit_step,
            "  objects + work tree files (overlapped)": objects,
            "  ref + index": commit_step - objects,
            "total": total,
            "git add -A && git commit": baseline,
            "write files + git add -A && git commit": write_files + baseline,
            "files": float(len(paths)),
            "playlists": float(changed),
        }


# ------------------------------------------------------------- likes move daily


def day_playlist(index: int, tracks: int, day: int, share: float) -> dict[str, object]:
    """Playlist ``index`` on ``day``: its likes move every day; ``share`` of the
    playlists swap tracks each day (5 leave, 8 arrive), each on its own days."""
    playlist_id = generated_id(index)
    step = max(1, round(1 / share))
    changes = sum(1 for past in range(1, day + 1) if past % step == index % step)
    indices = list(range(min(5 * changes, tracks), tracks))
    for change in range(changes):
        indices += [tracks + 1000 * (change + 1) + k for k in range(8)]
    return playlist_with_tracks(
        playlist_id,
        indices,
        followers=10_000 + 13 * index + day * (index % 17 + 1),
        snapshot_id=fake_id("snapshot", playlist_id, changes),
    )


def build_days_cache(cache: Path, ids: list[str], fake: RemoteFake, days: int) -> None:
    print(f"building the archive cache in {cache}: {days + 1} daily syncs (once) ...", flush=True)
    partial = cache.with_name(cache.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    pygit2.init_repository(str(partial), initial_head="main")
    registry = partial / "playlists/registry"
    registry.mkdir(parents=True)
    for playlist_id in ids:
        (registry / playlist_id).write_bytes(b"")
    (partial / "gitarchive.toml").write_text('likes_every = "daily"\n')  # untracked
    for day in range(days + 1):
        fake.ask(f"day {day}")
        started = time.perf_counter()
        result = run_sync(Store.discover(partial), SyncOptions(now=BASE_DATE + timedelta(days=day)))
        assert result.commit is not None and result.fetched == len(ids), result.to_dict()
        print(f"  day {day}: {time.perf_counter() - started:.1f} s", flush=True)
    git(partial, "gc", "-q")
    partial.rename(cache)


# The render step's CPU time, besides its wall time: on a machine shared by many
# processes the wall time of a single-threaded step mostly measures the queue.
MEASURE_RENDER_CPU = """
import time
import gitarchive.sync.run as run_module
render_cpu = []
_plan_sync = run_module.plan_sync
def _timed_plan_sync(*args, **kwargs):
    started = time.process_time()
    try:
        return _plan_sync(*args, **kwargs)
    finally:
        render_cpu.append(time.process_time() - started)
run_module.plan_sync = _timed_plan_sync
"""
BASELINE_SYNC = (
    """
import json, sys
from datetime import datetime
from pathlib import Path
import gitarchive
from gitarchive.git import Store
from gitarchive.sync import SyncOptions, run_sync
assert Path(gitarchive.__file__).is_relative_to(sys.argv[3]), gitarchive.__file__
"""
    + MEASURE_RENDER_CPU
    + """
now = datetime.fromisoformat(sys.argv[2])
result = run_sync(Store.discover(Path(sys.argv[1])), SyncOptions(now=now))
print(json.dumps({**result.timings, "render_cpu": sum(render_cpu), "changed": len(result.changed)}))
"""
)


def extract_revision(revision: str, target: Path) -> Path:
    """The package as it was at ``revision`` (``git archive``), for a same-run baseline."""
    target.mkdir()
    archive = subprocess.run(
        ["git", "archive", revision, "gitarchive"], cwd=HERE.parent, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def baseline_sync(code: Path, archive: Path, now: datetime) -> dict[str, float]:
    """One sync by the code of another revision, in a child process (timed in there)."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", BASELINE_SYNC, str(archive), now.isoformat(), str(code)],
        capture_output=True,
        text=True,
        env=env,
        cwd=code,  # `python -c` puts the working directory first on sys.path
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the baseline sync failed:\n{done.stderr}")
    timings: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    timings["process"] = time.perf_counter() - started
    return timings


def likes_run(
    cache: Path, fake: RemoteFake, days: int, run: int, old_code: Path
) -> dict[str, float]:
    fake.ask(f"day {days + 1}")
    now = BASE_DATE + timedelta(days=days + 1)
    with tempfile.TemporaryDirectory(prefix="gitarchive-bench-") as tmp:
        ours = Path(tmp) / "ours"
        before = Path(tmp) / "before"
        shutil.copytree(cache, ours, symlinks=True)
        shutil.copytree(cache, before, symlinks=True)
        # the case is likes recorded daily (untracked: the older code knows no such key)
        (ours / "gitarchive.toml").write_text('likes_every = "daily"\n')
        if "likes_every" in (old_code / "gitarchive/settings.py").read_text(encoding="utf-8"):
            (before / "gitarchive.toml").write_text('likes_every = "daily"\n')
        else:
            (before / "gitarchive.toml").unlink(missing_ok=True)  # daily is all it knows
        timings: dict[str, dict[str, float]] = {}
        # alternate which copy goes first, so neither always meets a warmer page cache
        for side in ("ours", "before") if run % 2 == 0 else ("before", "ours"):
            os.sync()
            if side == "before":
                timings[side] = baseline_sync(old_code, before, now)
                continue
            measure: dict[str, Any] = {}
            exec(MEASURE_RENDER_CPU, measure)  # the same wrapper as in the baseline's process
            started = time.perf_counter()
            result = run_sync(Store.discover(ours), SyncOptions(now=now))
            total = time.perf_counter() - started
            measure["run_module"].plan_sync = measure["_plan_sync"]
            assert result.commit is not None, result.to_dict()
            timings[side] = {
                **result.timings,
                "render_cpu": sum(measure["render_cpu"]),
                "total": total,
                "changed": len(result.changed),
            }
        same = git(ours, "rev-parse", "HEAD^{tree}") == git(before, "rev-parse", "HEAD^{tree}")
        if not same:
            trees = (set(git(c, "ls-tree", "-r", "HEAD").splitlines()) for c in (ours, before))
            differ = sorted({line.split("\t")[1] for line in set.symmetric_difference(*trees)})
            first = [git(c, "show", f"HEAD:{differ[0]}").splitlines() for c in (ours, before)]
            shown = "\n".join(list(difflib.unified_diff(first[1], first[0], lineterm=""))[:30])
            raise SystemExit(f"the two revisions wrote different trees: {differ[:5]}\n{shown}")
        new, old = timings["ours"], timings["before"]
        return {
            "fetch": new["fetch"],
            "render": new["render"],
            "render CPU": new["render_cpu"],
            "commit": new["commit"],
            "total": new["total"],
            "total - fetch": new["total"] - new["fetch"],
            "before: fetch": old["fetch"],
            "before: render": old["render"],
            "before: render CPU": old["render_cpu"],
            "before: commit": old["commit"],
            "playlists": float(new["changed"]),
        }


def print_run(run: int, numbers: dict[str, float]) -> None:
    print(
        f"run {run + 1}: {int(numbers['playlists'])} playlists changed; "
        + ", ".join(f"{key} {value:.2f} s" for key, value in numbers.items() if key != "playlists"),
        flush=True,
    )


def likes_daily(args: argparse.Namespace, fake: RemoteFake) -> None:
    ids = [generated_id(i) for i in range(args.playlists)]
    cache = (
        HERE
        / ".cache"
        / (f"sync-likes-{args.playlists}x{args.tracks}-{args.change:g}-{args.days}d")
    )
    if not cache.exists():
        build_days_cache(cache, ids, fake, args.days)
    runs = []
    tmp = Path(tempfile.mkdtemp(prefix="gitarchive-bench-code-"))
    try:
        old_code = extract_revision(args.baseline, tmp / "code")
        for run in range(args.runs):
            runs.append(likes_run(cache, fake, args.days, run, old_code))
            print_run(run, runs[-1])
    finally:
        shutil.rmtree(tmp)
    medians = {key: statistics.median(numbers[key] for numbers in runs) for key in runs[0]}
    print(
        f"\nmedians of {len(runs)} runs ({args.playlists} playlists x {args.tracks} tracks, "
        f"{args.days} days of history, {args.change:.0%} swap tracks, all likes move; "
        f"load {os.getloadavg()[0]:.1f}):"
    )
    for key, value in medians.items():
        if key != "playlists":
            print(f"  {key:<16} {value:8.2f} s")
    print(
        f"  render step: {medians['before: render'] / medians['render']:.1f}x faster than "
        f"{args.baseline} in wall time, "
        f"{medians['before: render CPU'] / medians['render CPU']:.1f}x in CPU time "
        f"(same run, same tree); whole sync = fetch + "
        f"{medians['total - fetch']:.2f} s (target: <= fetch + 8 s; render target <= 5 s)"
    )


def serve(args: argparse.Namespace) -> None:
    """Child process: the fake API, so that its threads do not share our GIL.

    Reads commands on stdin: ``change RUN`` (answers the number of playlists
    changed) and ``reset``.
    """
    with FakeSpotify(latency=0.0, extended_quota=True) as fake:
        ids = serve_base(fake, args.playlists, args.tracks)
        env = fake.env()
        print("READY", *(f"{key}={value}" for key, value in env.items()), flush=True)
        for line in sys.stdin:
            command, *rest = line.split()
            if command == "change":
                print(change_some(fake, ids, args.change, args.tracks, int(rest[0])), flush=True)
            elif command == "reset":
                for playlist_id in ids:
                    fake.add_playlist(api_playlist(playlist_id, args.tracks))
                print("0", flush=True)
            elif command == "day":
                for index in range(args.playlists):
                    fake.add_playlist(day_playlist(index, args.tracks, int(rest[0]), args.change))
                print("0", flush=True)


class RemoteFake:
    def __init__(self, args: argparse.Namespace) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--serve",
                "--playlists",
                str(args.playlists),
                "--tracks",
                str(args.tracks),
                "--change",
                str(args.change),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        ready = self.process.stdout.readline().split()
        assert ready and ready[0] == "READY", ready
        self.env = dict(item.split("=", 1) for item in ready[1:])

    def ask(self, command: str) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--playlists", type=int, default=2000)
    parser.add_argument("--tracks", type=int, default=100)
    parser.add_argument("--change", type=float, default=0.05)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--case", choices=("changes", "likes-daily"), default="changes")
    parser.add_argument("--days", type=int, default=8, help="likes-daily: days of history")
    parser.add_argument(
        "--baseline", default="ace9868", help="likes-daily: the revision whose sync is the baseline"
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args)
        return
    os.environ.update(GIT_ENV)
    if args.case == "likes-daily":
        defaults = {"playlists": 2000, "change": 0.05}
        args.playlists = 1000 if args.playlists == defaults["playlists"] else args.playlists
        args.change = 0.10 if args.change == defaults["change"] else args.change
        fake = RemoteFake(args)
        try:
            os.environ.update(fake.env)
            likes_daily(args, fake)
        finally:
            fake.close()
        return

    cache = HERE / ".cache" / f"sync-archive-{args.playlists}x{args.tracks}"
    cache.parent.mkdir(parents=True, exist_ok=True)
    fake = RemoteFake(args)
    try:
        os.environ.update(fake.env)
        ids = [generated_id(i) for i in range(args.playlists)]
        if not cache.exists():
            build_cache(cache, ids)
        runs = []
        for run in range(args.runs):
            numbers = one_run(cache, fake, ids, run)
            runs.append(numbers)
            print(
                f"run {run + 1}: {int(numbers['playlists'])} playlists / "
                f"{int(numbers['files'])} files changed; "
                + ", ".join(
                    f"{key} {value:.3f} s"
                    for key, value in numbers.items()
                    if key not in ("files", "playlists")
                ),
                flush=True,
            )
    finally:
        fake.close()
    medians = {key: statistics.median(numbers[key] for numbers in runs) for key in runs[0]}
    print(
        f"\nmedians of {len(runs)} runs ({args.playlists} playlists x {args.tracks} tracks, "
        f"{args.change:.0%} changed):"
    )
    for key in (
        "fetch",
        "render",
        "commit",
        "  objects + work tree files (overlapped)",
        "  ref + index",
        "total",
        "git add -A && git commit",
        "write files + git add -A && git commit",
    ):
        print(f"  {key:<42} {medians[key]:8.3f} s")
    git_only = medians["git add -A && git commit"]
    with_files = medians["write files + git add -A && git commit"]
    print(
        f"  ratios (baseline / ours): "
        f"whole commit step vs write files + git add+commit "
        f"{with_files / medians['commit']:.2f}x; whole commit step vs git add+commit "
        f"{git_only / medians['commit']:.2f}x"
    )


if __name__ == "__main__":
    main()
