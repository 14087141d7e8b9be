"""Benchmark: ``gitarchive import SOURCE --all`` of a spotify-playlist-archive-shaped archive.

    python -m bench.import_all                       # 250 playlists x 1,000 daily commits, 5 runs
    python -m bench.import_all --runs 1 --baseline-playlists 1   # quick

The source is shaped like the real 2021 clone: editorial playlists of 50-100
tracks, one commit a day, plain files without a final newline and name-keyed
pages (``pretty/<Name>.md``) whose likes move every day for the popular third;
each playlist changes on its own weekday (a burst of 3-15 tracks) and about
every quarter much more (half its tracks). It is built by
``tests.support.foreign_archive`` when that module is there (layout "2021"),
else by this script, and cached under ``bench/.cache/``.

Measured, interleaved (candidate, baseline, candidate, ...), medians of ``--runs``:
  * the candidate: ``gitarchive import SOURCE --all`` into a new archive (``gitarchive init``);
  * per playlist at 50 / 100 / 250 playlists: ``import SOURCE -p ...`` of the first N of the
    source's playlists (the same one-pass engine), time divided by N;
  * the baseline: today's ``import -p`` (the gitarchive at ``--baseline``, one rewrite per
    playlist) on ``--baseline-playlists`` playlists, timed per playlist and extrapolated to all.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pygit2

from gitarchive import formats
from gitarchive.model import Album, Artist, Playlist, Track

CACHE = Path(__file__).parent / ".cache"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
START = 1_556_712_000  # 2019-05-01 12:00 UTC
DAY = 86_400
TODAY = Path("/work/venvs/today/bin/gitarchive")


def _track(n: int) -> Track:
    return Track(
        name=f"Song {n}",
        artists=(Artist(f"Artist {n % 1499}", f"https://open.spotify.com/artist/{n % 1499:022d}"),),
        album=Album(f"Album {n % 4001}", f"https://open.spotify.com/album/{n % 4001:022d}"),
        url=f"https://open.spotify.com/track/{n:022d}",
        duration_ms=90_000 + (n * 7919) % 200_000,
    )


class _Source:
    """The generated source's state: each playlist's tracks, likes and page."""

    def __init__(self, playlists: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.ids = sorted({"".join(self.rng.choice(BASE62) for _ in range(22))
                           for _ in range(playlists)})  # fmt: skip
        self.pool = [_track(n) for n in range(20_000)]
        self.tracks = {pid: self.rng.sample(range(20_000), self.rng.randint(50, 100))
                       for pid in self.ids}  # fmt: skip
        self.likes = {pid: self.rng.randint(1_000, 2_000_000) for pid in self.ids}
        self.weekday = {pid: self.rng.randrange(7) for pid in self.ids}
        self.popular = set(self.ids[::3])
        self.pages: dict[str, tuple[int, str]] = {}  # pid -> (likes shown, page text)

    def playlist(self, pid: str) -> Playlist:
        name = f"Editorial {pid[:5]}"
        return Playlist(
            id=pid, original_name=name, unique_name=name,
            description=f"The best of {pid[5:9]}, updated weekly",
            tracks=tuple(self.pool[n] for n in self.tracks[pid]),
            snapshot_id=f"snap{pid}", num_followers=self.likes[pid],
        )  # fmt: skip

    def churn(self, pid: str, day: int) -> bool:
        """The day's change of the playlist's tracks; whether there was one."""
        if day % 7 != self.weekday[pid] or day == 0:
            return False
        tracks = self.tracks[pid]
        count = len(tracks) // 2 if day % 91 == self.weekday[pid] else self.rng.randint(3, 15)
        for _ in range(count):
            tracks.pop(self.rng.randrange(len(tracks)))
            new = self.rng.randrange(20_000)
            while new in tracks:
                new = self.rng.randrange(20_000)
            tracks.insert(self.rng.randrange(len(tracks) + 1), new)
        return True

    def page(self, pid: str, tracks_changed: bool) -> str:
        """The name-keyed page: rendered when the tracks changed, else the likes swapped in."""
        known = self.pages.get(pid)
        likes = self.likes[pid]
        if known is None or tracks_changed:
            text = formats.render_pretty(self.playlist(pid), github=None)
        else:
            shown, old = known
            text = old.replace(f"{shown:,} like", f"{likes:,} like", 1)
        self.pages[pid] = (likes, text)
        return text


def generate(path: Path, playlists: int, commits: int, seed: int) -> None:
    source = _Source(playlists, seed)
    repo = pygit2.init_repository(str(path), bare=True, initial_head="main")
    blob, tree = pygit2.enums.FileMode.BLOB, pygit2.enums.FileMode.TREE
    plain_tb, pretty_tb = repo.TreeBuilder(), repo.TreeBuilder()
    parents: list[pygit2.Oid] = []
    for day in range(commits):
        for pid in source.ids:
            changed = source.churn(pid, day)
            if pid in source.popular:
                source.likes[pid] += source.rng.randint(-50, 400)
            if day == 0 or changed:
                plain = formats.render_plain(source.playlist(pid)).rstrip("\n")
                plain_tb.insert(pid, repo.create_blob(plain.encode()), blob)
            if day == 0 or changed or pid in source.popular:
                page = source.page(pid, changed)
                pretty_tb.insert(f"Editorial {pid[:5]}.md", repo.create_blob(page.encode()), blob)
        folder = repo.TreeBuilder()
        folder.insert("plain", plain_tb.write(), tree)
        folder.insert("pretty", pretty_tb.write(), tree)
        root = repo.TreeBuilder()
        root.insert("playlists", folder.write(), tree)
        when = pygit2.Signature("bench", "bench@example.invalid", START + day * DAY, 0)
        parents = [repo.create_commit(None, when, when, f"Day {day}", root.write(), parents)]
    repo.references.create("refs/heads/main", parents[0], force=True)
    subprocess.run(["git", "-C", str(path), "repack", "-a", "-d", "-q"], check=True)
    subprocess.run(["git", "-C", str(path), "prune-packed"], check=True)


def source_archive(playlists: int, commits: int, seed: int) -> Path:
    try:
        from tests.support import foreign_archive
    except ImportError:
        foreign_archive = None  # type: ignore[assignment]
    if foreign_archive is not None:
        shape = foreign_archive.Shape(playlists=playlists, commits=commits, layout="2021", seed=seed)
        return foreign_archive.cached(shape)
    path = CACHE / f"import-all-p{playlists}-c{commits}-s{seed}.git"
    done = path / "gitarchive-bench-complete"
    if not done.exists():
        shutil.rmtree(path, ignore_errors=True)
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"generating {path.name} ...", file=sys.stderr)
        started = time.perf_counter()
        generate(path, playlists, commits, seed)
        print(f"  done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        done.write_text("ok\n")
    return path


def _env() -> dict[str, str]:
    env = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")
    env.update(GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.invalid")
    env.update(GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.invalid")
    return env


def timed_import(command: list[str], source: Path, args: list[str]) -> float:
    """Seconds of ``command import SOURCE args`` into a new archive (init not counted)."""
    with tempfile.TemporaryDirectory(prefix="bench-import-") as scratch:
        target = Path(scratch) / "archive"
        subprocess.run([*command, "init", str(target)], check=True, env=_env(),
                       stdout=subprocess.DEVNULL)  # fmt: skip
        started = time.perf_counter()
        subprocess.run([*command, "-C", str(target), "import", str(source), *args],
                       check=True, env=_env(), stdout=subprocess.DEVNULL)  # fmt: skip
        return time.perf_counter() - started


def playlist_ids(source: Path) -> list[str]:
    repo = pygit2.Repository(str(source))
    tree = repo.revparse_single("main").peel(pygit2.Commit).tree
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
    times: dict[str, list[float]] = {}
    for run in range(args.runs):
        times.setdefault("all", []).append(timed_import(mine, source, ["--all"]))
        for count in scales:
            chosen = [arg for pid in ids[:count] for arg in ("-p", pid)]
            times.setdefault(f"p{count}", []).append(timed_import(mine, source, chosen) / count)
        if args.baseline.exists() and args.baseline_playlists:
            chosen = [arg for pid in ids[: args.baseline_playlists] for arg in ("-p", pid)]
            spent = timed_import([str(args.baseline)], source, chosen)
            times.setdefault("today", []).append(spent / args.baseline_playlists)
        print(f"  run {run + 1}: " + ", ".join(f"{k} {v[-1]:.2f}" for k, v in times.items()),
              file=sys.stderr)  # fmt: skip
    report(times, len(ids), args, os.getloadavg()[0])


def report(times: dict[str, list[float]], playlists: int, args: argparse.Namespace,
           load: float) -> None:  # fmt: skip
    median = {key: statistics.median(values) for key, values in times.items()}
    print(f"source: {playlists} playlists, {args.commits} commits; {args.runs} runs, "
          f"load average {load:.1f} (2 cores)")  # fmt: skip
    print(f"import --all into a new archive: {median['all']:.1f} s "
          f"({median['all'] / playlists * 1000:.0f} ms per playlist)")  # fmt: skip
    for key in sorted((k for k in median if k.startswith("p")), key=lambda k: int(k[1:])):
        print(f"  per playlist, -p of {key[1:]} playlists: {median[key] * 1000:.0f} ms")
    print(f"  per playlist, all {playlists}: {median['all'] / playlists * 1000:.0f} ms")
    if "today" in median:
        whole = median["today"] * playlists
        print(f"baseline (today's import -p, {args.baseline_playlists} playlists, one at a time): "
              f"{median['today']:.1f} s per playlist, {whole / 60:.0f} min for all {playlists} "
              f"extrapolated")  # fmt: skip
        print(f"ratio: --all is {whole / median['all']:.0f}x faster than today's -p one by one")


if __name__ == "__main__":
    main()
