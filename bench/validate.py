"""Validate benchmark: a pre-push of one sync commit checks only what that commit changed.

Builds (untimed) an archive of N playlists (plain, pretty md, JSON, cumulative,
registry, index) with pygit2, then one sync-like commit that changes P% of the
playlists and the index. Measures, each ``--runs`` times, medians printed:

* pre-push, end to end: ``python -m gitarchive hook pre-push origin URL`` with git's
  stdin line for that commit (a subprocess, as git runs it: interpreter start-up,
  imports, walk, diff, reading and checking the changed files and their siblings);
* pre-push, in process: ``validate_push`` alone;
* baseline ``git diff --name-only A B``: the git CLI merely listing the same files;
* baseline ``validate --all``: every file of the same tree, in process.

    python -m bench.validate                       # 2,000 playlists, 5% changed, 3 runs
    python -m bench.validate --playlists 500 --runs 5

``--foreign 2021`` instead times ``validate --all`` of a clone of spotify-playlist-archive's
name-keyed layout (no final newlines, aliases, name-keyed pages with bare-second lengths and
unescaped pipes; must exit 0): from ``tests.support.foreign_archive.cached`` when that
generator is there (any of its layouts), else one commit written by
``tests.support.early_layout``. Baseline, interleaved in the same runs: ``validate --all`` of
the same playlists rendered by gitarchive's own writers. ``--today-python`` adds another
gitarchive's interpreter (e.g. the pre-change venv) on the same clone, for comparison.

    python -m bench.validate --foreign 2021 --playlists 250 --runs 5
"""

from __future__ import annotations

import argparse
import importlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

import pygit2  # noqa: E402

from gitarchive import formats, git  # noqa: E402
from gitarchive.git import Store  # noqa: E402
from gitarchive.history import update_cumulative  # noqa: E402
from gitarchive.model import Album, Artist, Owner, Playlist, Track  # noqa: E402
from gitarchive.validate import validate_commit_all, validate_push  # noqa: E402

DAY = date(2026, 11, 1)


def make_playlist(number: int, tracks: int, version: int) -> Playlist:
    items = []
    for position in range(tracks):
        key = f"{number:06d}{(position + version * 3):06d}"
        items.append(
            Track(
                name=f"Song {key} | (live) [remix]",
                artists=(
                    Artist(
                        f"Artist {position % 17}", f"https://open.spotify.com/artist/a{key:0>21}"
                    ),
                ),
                album=Album(f"Album {position % 7}", f"https://open.spotify.com/album/b{key:0>21}"),
                url=f"https://open.spotify.com/track/t{key:0>21}",
                duration_ms=120_000 + 1_337 * position,
                added_at=datetime(2026, 1, 1 + position % 28, tzinfo=UTC),
            )
        )
    name = f"Playlist {number}"
    return Playlist(
        id=f"bench{number:017d}",
        original_name=name,
        unique_name=name,
        description=f"Generated playlist {number}, version {version}.",
        tracks=tuple(items),
        snapshot_id=f"MTY1MzcwMDAyMCwwMDAwMDAwMD{number:08d}{version:04d}",
        num_followers=number * 10 + version,
        owner=Owner("Bench", "https://open.spotify.com/user/bench"),
    )


def files_of(playlist: Playlist) -> dict[str, bytes]:
    return {
        formats.plain_path(playlist.id): formats.render_plain(playlist).encode(),
        formats.pretty_path(playlist.id): formats.render_pretty(playlist, github="me/a").encode(),
        formats.json_path(playlist.id): formats.render_json(playlist).encode(),
        formats.cumulative_path(playlist.id): formats.render_cumulative(
            update_cumulative(None, playlist, DAY), github="me/a"
        ).encode(),
    }


def commit(repo: pygit2.Repository, files: dict[str, bytes], parent: str | None) -> str:
    index = pygit2.Index()
    if parent is not None:
        index.read_tree(repo.get(parent).tree)  # type: ignore[union-attr]
    for path, data in files.items():
        index.add(pygit2.IndexEntry(path, repo.create_blob(data), pygit2.enums.FileMode.BLOB))
    signature = pygit2.Signature("Bench", "bench@example.invalid", 1767225600, 0)
    parents = [] if parent is None else [pygit2.Oid(hex=parent)]
    tree = index.write_tree(repo)
    return str(repo.create_commit("HEAD", signature, signature, "sync", tree, parents))


def build(root: Path, playlists: int, tracks: int, percent: float) -> tuple[str, str, int]:
    repo = pygit2.init_repository(str(root), initial_head="main")
    files: dict[str, bytes] = {}
    entries = []
    for number in range(playlists):
        playlist = make_playlist(number, tracks, 0)
        files.update(files_of(playlist))
        files[formats.registry_path(playlist.id)] = b""
        entries.append((playlist.id, playlist.unique_name))
    files[formats.INDEX_PATH] = formats.render_index(entries).encode()
    base = commit(repo, files, None)
    changed: dict[str, bytes] = {}
    step = max(1, round(100 / percent))
    for number in range(0, playlists, step):
        changed.update(files_of(make_playlist(number, tracks, 1)))
    changed[formats.INDEX_PATH] = files[formats.INDEX_PATH]
    tip = commit(repo, changed, base)
    return base, tip, len(changed)


def foreign_playlist(number: int, tracks: int) -> Playlist:
    """A playlist as the name-keyed writer saw it: some short tracks, some pipes in names."""
    base = make_playlist(number, tracks, 0)
    items = [
        replace(
            track,
            name=f"Song {number}-{position}" if position % 9 else f"Intro {position} | Skit",
            duration_ms=(track.duration_ms or 0) if position % 11 else 49_000,
        )
        for position, track in enumerate(base.tracks)
    ]
    description = base.description + ("\n" if number % 5 == 0 else "")
    return replace(base, tracks=tuple(items), description=description)


def build_foreign(root: Path, layout: str, playlists: int) -> tuple[Path, str, int]:
    """The clone to validate: (where, tip, files); the generator's when it is there."""
    try:
        foreign = importlib.import_module("tests.support.foreign_archive")
    except ImportError:
        foreign = None
    if foreign is not None:
        path = foreign.cached(foreign.Shape(playlists=playlists, layout=layout))
        store = Store.discover(path)
        tip = git.resolve(store, "HEAD")
        return path, tip, len(git.tree_files(store, tip, "playlists"))
    if layout != "2021":
        raise SystemExit("without tests/support/foreign_archive.py only --foreign 2021 is built")
    early = importlib.import_module("tests.support.early_layout")
    chosen = [foreign_playlist(number, 50 + number % 51) for number in range(playlists)]
    aliases = {p.id: f"{p.unique_name} (alias)" for p in chosen[::10]}
    files = early.early_files(chosen, added=DAY, aliases=aliases)
    repo = pygit2.init_repository(str(root), initial_head="main")
    return root, commit(repo, files, None), len(files)


def build_own(root: Path, playlists: int) -> str:
    """The same playlists as gitarchive writes them: the baseline."""
    repo = pygit2.init_repository(str(root), initial_head="main")
    files: dict[str, bytes] = {}
    chosen = [foreign_playlist(number, 50 + number % 51) for number in range(playlists)]
    for playlist in chosen:
        files.update(files_of(playlist))
        files[formats.registry_path(playlist.id)] = b""
    entries = [(p.id, p.unique_name) for p in chosen]
    files[formats.INDEX_PATH] = formats.render_index(entries).encode()
    return commit(repo, files, None)


# CPU seconds (user + system) of each CLI run, by case: on a loaded machine the wall time
# mostly measures the wait for a core, the CPU time what validation costs.
CPU: dict[str, list[float]] = {}


def cli_validate_all(python: str, root: Path, *, expect: int | None, label: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)} if python == sys.executable else dict(os.environ)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [python, "-m", "gitarchive", "-C", str(root), "validate", "--all"],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    CPU.setdefault(label, []).append(cpu)
    if expect is not None and done.returncode != expect:
        raise SystemExit(f"validate --all exited {done.returncode}:\n{done.stdout}{done.stderr}")


def run_foreign(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="gitarchive-bench-validate-") as scratch:
        own = Path(scratch) / "own"
        clone, tip, count = build_foreign(Path(scratch) / "clone", args.foreign, args.playlists)
        own_tip = build_own(own, args.playlists)
        store, own_store = Store.discover(clone), Store.discover(own)
        print(f"{args.foreign} clone: {args.playlists} playlists, {count} files under playlists/")
        cases = {
            "validate --all, end to end (CLI)": lambda: cli_validate_all(
                sys.executable, clone, expect=0, label="this gitarchive"
            ),
            "validate --all, in process": lambda: validate_commit_all(store, tip),
            "baseline: own layout, in process": lambda: validate_commit_all(own_store, own_tip),
        }
        if args.today_python:
            cases["other gitarchive (--today-python), CLI"] = lambda: cli_validate_all(
                args.today_python, clone, expect=None, label="other gitarchive"
            )
        results: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, action in cases.items():  # interleaved: A B C A B C ...
                results[name].append(timed(action))
        report(results, baseline="baseline: own layout, in process")
        for label, times in CPU.items():
            runs = ", ".join(f"{t:.3f}" for t in times)
            print(
                f"CPU time of the CLI, {label:17s} median {statistics.median(times):6.3f} s  "
                f"(runs: {runs})"
            )
        end_to_end = statistics.median(results["validate --all, end to end (CLI)"])
        print(f"target validate --all <= 2 s: {'met' if end_to_end <= 2 else 'MISSED'} (wall)")


def report(results: dict[str, list[float]], *, baseline: str) -> None:
    medians = {name: statistics.median(times) for name, times in results.items()}
    for name, median in medians.items():
        runs = ", ".join(f"{t:.3f}" for t in results[name])
        ratio = median / medians[baseline]
        print(f"{name:40s} median {median:7.3f} s  {ratio:5.2f}x baseline  (runs: {runs})")


def timed(action: object) -> float:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--playlists", type=int, default=2000)
    parser.add_argument("--tracks", type=int, default=40)
    parser.add_argument("--percent", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--foreign", metavar="LAYOUT", help="a spotify-playlist-archive clone")
    parser.add_argument("--today-python", metavar="PYTHON", help="with --foreign: also time it")
    args = parser.parse_args()
    if args.foreign:
        run_foreign(args)
        return

    with tempfile.TemporaryDirectory(prefix="gitarchive-bench-validate-") as scratch:
        root = Path(scratch) / "archive"
        started = time.perf_counter()
        base, tip, changed = build(root, args.playlists, args.tracks, args.percent)
        print(
            f"archive: {args.playlists} playlists x {args.tracks} tracks; sync commit changes "
            f"{changed} files; built in {time.perf_counter() - started:.1f} s (untimed)"
        )
        store = Store.discover(root)
        stdin = f"refs/heads/main {tip} refs/heads/main {base}\n"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}

        def hook() -> None:
            done = subprocess.run(
                [sys.executable, "-m", "gitarchive", "hook", "pre-push", "origin", "/dev/null"],
                cwd=root,
                input=stdin,
                capture_output=True,
                text=True,
                env=env,
            )
            if done.returncode != 0:
                raise SystemExit(f"hook failed:\n{done.stderr}")

        def in_process() -> None:
            assert validate_push(store, stdin) == []

        def diff_names() -> None:
            subprocess.run(
                ["git", "-C", str(root), "diff", "--name-only", base, tip],
                capture_output=True,
                check=True,
            )

        def validate_all() -> None:
            assert validate_commit_all(store, tip) == []

        results: dict[str, list[float]] = {
            "pre-push hook, end to end": [],
            "pre-push, in process": [],
            "baseline: git diff --name-only": [],
            "baseline: validate --all": [],
        }
        for _ in range(args.runs):
            results["pre-push hook, end to end"].append(timed(hook))
            results["pre-push, in process"].append(timed(in_process))
            results["baseline: git diff --name-only"].append(timed(diff_names))
            results["baseline: validate --all"].append(timed(validate_all))
        medians = {name: statistics.median(times) for name, times in results.items()}
        for name, median in medians.items():
            runs = ", ".join(f"{t:.3f}" for t in results[name])
            print(f"{name:34s} median {median:7.3f} s   (runs: {runs})")
        hook_time = medians["pre-push hook, end to end"]
        all_time = medians["baseline: validate --all"]
        diff_time = medians["baseline: git diff --name-only"]
        print(f"validate --all / pre-push hook: {all_time / hook_time:.1f}x")
        print(f"pre-push hook / git diff --name-only: {hook_time / diff_time:.1f}x")
        print(f"target pre-push < 2 s: {'met' if hook_time < 2 else 'MISSED'}")


if __name__ == "__main__":
    main()
