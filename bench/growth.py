"""Repository growth over a year of daily syncs, per way of storing objects.

    python -m bench.growth [--playlists 100] [--tracks 100] [--days 365] [--options a,b1,b2,c,c16,d]

The archive looks real: each day every playlist's likes move and 10% of the
playlists change 1-3 tracks; the files are rendered by gitarchive's own
renderers (plain, pretty page, JSON snapshot, cumulative page via
history.update_cumulative), and written by gitarchive's commit code
(git.commit_changes, bare repository) exactly as a sync writes them. The days'
files are rendered once and cached under bench/.cache/, then replayed into
one repository per option:

  a    today: each sync's blobs in one new pack without deltas, trees + commit loose
  b1   each sync's objects rewritten by libgit2's packbuilder with deltas, the
       previous versions of the changed files added as delta bases (the pack
       must then hold them whole: a thin pack is not allowed on disk)
  b2   the same without the previous versions (deltas only within one sync)
  c    a, then git.maintenance.keep_packs_healthy after each sync (geometric roll-up)
  c16  a, then a full repack (git.maintenance.repack_all) whenever there are 16 packs
  d    a, then `git repack -a -d` every 7th sync (a CI step; the package never runs git)

For each option: pack count, loose count, du of objects/, bytes per sync (median
of the day-over-day growth in the second half), time per sync (median, commit +
maintenance), one playlist's history read through gitarchive.versions.list_versions
(median of 5). The references, measured in the same run on the same history: the
repository after `git gc --aggressive` (size) and after `git repack -a -d -f`
(a freshly repacked clone: read time). Also checks `git fsck --strict` and
`git verify-pack` on every result.
"""

from __future__ import annotations

import argparse
import os
import pickle
import random
import shutil
import statistics
import subprocess
import sys
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pygit2

from gitarchive import formats, history
from gitarchive import git as gitrepo
from gitarchive.git import Identity, Store, maintenance
from gitarchive.model import Album, Artist, CumulativeView, Playlist, Track
from gitarchive.versions import list_versions

CACHE = Path(__file__).resolve().parent / ".cache"
DAY0 = datetime(2025, 12, 1, 6, 0, tzinfo=UTC)
POOL = 20_000
GITHUB = "someone/playlists"
IDENTITY = Identity("github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com")
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def pool_track(n: int, day: int) -> Track:
    return Track(
        name=f"Track {n} ({['Live', 'Remix', 'Acoustic', 'Edit'][n % 4]})",
        artists=(
            Artist(f"Artist {n % 997}", f"https://open.spotify.com/artist/{n % 997:022d}"),
            Artist(f"Guest {n % 89}", f"https://open.spotify.com/artist/{n % 89 + 1000:022d}"),
        ),
        album=Album(f"Album {n % 3001}", f"https://open.spotify.com/album/{n % 3001:022d}"),
        url=f"https://open.spotify.com/track/{n:022d}",
        duration_ms=120_000 + (n * 7919) % 180_000,
        added_at=DAY0 + timedelta(days=day),
    )


def days_cache(args: argparse.Namespace) -> Path:
    """Render every day's changed files once; one pickle (zlib) per day."""
    key = f"growth-p{args.playlists}-t{args.tracks}-d{args.days}-s{args.seed}"
    folder = CACHE / key
    if (folder / "complete").exists():
        return folder
    # a longer run of the same archive holds these days too (same seed, same days)
    for longer in sorted(CACHE.glob(f"growth-p{args.playlists}-t{args.tracks}-d*-s{args.seed}")):
        days = int(longer.name.split("-d")[1].split("-")[0])
        if days >= args.days and (longer / "complete").exists():
            return longer
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = random.Random(args.seed)
    ids = sorted({"".join(rng.choice(B62) for _ in range(22)) for _ in range(args.playlists)})
    tracks = {pid: [(n, 0) for n in rng.sample(range(POOL), args.tracks)] for pid in ids}
    likes = {pid: rng.randrange(1000, 500_000) for pid in ids}
    views: dict[str, CumulativeView | None] = dict.fromkeys(ids)
    last: dict[str, bytes] = {}
    started = time.perf_counter()
    for day in range(args.days):
        when = DAY0 + timedelta(days=day)
        files: dict[str, bytes | None] = {}
        if day == 0:
            files.update({formats.registry_path(pid): b"" for pid in ids})
        for pid in ids:
            likes[pid] += rng.randrange(-50, 400)
            if day and rng.random() < 0.10:
                current = tracks[pid]
                for _ in range(rng.randint(1, 3)):
                    current.pop(rng.randrange(len(current)))
                    current.insert(rng.randrange(len(current) + 1), (rng.randrange(POOL), day))
            playlist = Playlist(
                id=pid,
                original_name=f"Playlist {pid[:6]}",
                unique_name=f"Playlist {pid[:6]}",
                description="Fresh picks, updated daily",
                tracks=tuple(pool_track(n, added) for n, added in tracks[pid]),
                num_followers=likes[pid],
            )
            view = history.update_cumulative(views[pid], playlist, when.date())
            views[pid] = view
            rendered = {
                formats.plain_path(pid): formats.render_plain(playlist),
                formats.pretty_path(pid): formats.render_pretty(playlist, github=GITHUB),
                formats.json_path(pid): formats.render_json(playlist),
                formats.cumulative_path(pid): formats.render_cumulative(view, github=GITHUB),
            }
            for path, text in rendered.items():
                data = text.encode()
                if last.get(path) != data:
                    files[path] = last[path] = data
        (folder / f"{day:04d}").write_bytes(zlib.compress(pickle.dumps(files), 1))
        if day % 50 == 0:
            print(f"  rendered day {day} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    (folder / "ids").write_text("\n".join(ids))
    (folder / "complete").write_text("")
    return folder


def day_files(cache: Path, day: int) -> dict[str, bytes | None]:
    files: dict[str, bytes | None] = pickle.loads(
        zlib.decompress((cache / f"{day:04d}").read_bytes())
    )
    return files


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"git {' '.join(args)} failed in {repo}: {done.stderr.strip()}")
    return done.stdout


def du(repo: Path) -> int:
    total = 0
    for folder, _dirs, names in os.walk(repo / "objects"):
        total += sum((Path(folder) / name).stat().st_size for name in names)
    return total


def rewrite_sync_pack(store: Store, new_commit: str, with_bases: bool) -> None:
    """Options b1/b2: the sync's objects again, through libgit2's packbuilder."""
    repo = store.repo
    packs_before = maintenance.list_packs(store)
    loose = maintenance.loose_objects(store)
    commit = repo.get(new_commit)
    assert isinstance(commit, pygit2.Commit)
    parent_tree = commit.parents[0].tree if commit.parents else None
    wanted: set[pygit2.Oid] = {commit.id}
    names: dict[pygit2.Oid, str] = {}
    maintenance._name_changed(repo, commit.tree, parent_tree, "", _Everything(), names)
    wanted.update(names)
    day_pack = [p for p in packs_before if set(maintenance._idx_ids(p.index)) <= wanted]
    builder = pygit2.PackBuilder(repo)
    builder.set_threads(0)
    insert = maintenance._named_insert(builder)
    for oid in sorted(wanted, key=lambda o: names.get(o, "")):
        insert(oid, names.get(oid))
    if with_bases and parent_tree is not None:
        for path in list(names.values()):
            try:
                old = parent_tree[path]
            except KeyError:
                continue
            if old.type_str == "blob" and old.id not in wanted:
                insert(old.id, path)
    builder.write(maintenance.objects_dir(store) / "pack")
    for pack in day_pack:
        pack.index.unlink()
        pack.pack.unlink()
    for oid, file in loose.items():
        if oid in wanted:
            file.unlink()
    store.repo = pygit2.Repository(store.repo.path)


class _Everything(set[pygit2.Oid]):
    def __contains__(self, item: object) -> bool:
        return True


def replay(cache: Path, option: str, days: int, target: Path) -> dict[str, float]:
    shutil.rmtree(target, ignore_errors=True)
    pygit2.init_repository(str(target), bare=True, initial_head="main")
    store = Store.open(str(target))
    sizes: list[int] = []
    times: list[float] = []
    for day in range(days):
        files = day_files(cache, day)
        started = time.perf_counter()
        new_commit = gitrepo.commit_changes(
            store, files, message=f"Sync day {day}", identity=IDENTITY,
            when=DAY0 + timedelta(days=day),
        )  # fmt: skip
        assert new_commit is not None
        if option in ("b1", "b2"):
            rewrite_sync_pack(store, new_commit, with_bases=option == "b1")
        elif option == "c":
            maintenance.keep_packs_healthy(store)
        elif option == "c16" and len(maintenance.list_packs(store)) >= 16:
            maintenance.repack_all(store)
        elif option == "d" and day % 7 == 6:
            git(target, "repack", "-a", "-d", "-q")
            store = Store.open(str(target))
        times.append(time.perf_counter() - started)
        sizes.append(du(target))
        if day % 50 == 0:
            print(f"  {option} day {day}: {sizes[-1] / 1e6:.1f} MB", file=sys.stderr)
    half = days // 2
    growth = [b - a for a, b in zip(sizes[half:], sizes[half + 1 :], strict=False)]
    stats = maintenance.store_stats(store)
    return {
        "packs": stats.packs,
        "loose": stats.loose,
        "bytes": sizes[-1],
        "per_sync_mean": (sizes[-1] - sizes[half]) / max(1, days - 1 - half),
        "per_sync_median": statistics.median(growth) if growth else 0,
        "time_median": statistics.median(times),
        "time_max": max(times),
    }


def read_time(repo: Path, playlist_id: str, runs: int = 5) -> float:
    samples = []
    for _ in range(runs):
        store = Store.open(str(repo))
        started = time.perf_counter()
        versions = list_versions(store, playlist_id)
        samples.append(time.perf_counter() - started)
        assert versions
    return statistics.median(samples)


def check(repo: Path) -> str:
    git(repo, "fsck", "--strict", "--no-dangling")
    for index in (repo / "objects" / "pack").glob("*.idx"):
        git(repo, "verify-pack", str(index))
    return "clean"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--playlists", type=int, default=100)
    parser.add_argument("--tracks", type=int, default=100)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--options", default="a,b1,b2,c,c16,d")
    parser.add_argument("--work", type=Path, default=CACHE / "growth-work")
    args = parser.parse_args()
    print(f"load: {os.getloadavg()}", file=sys.stderr)
    cache = days_cache(args)
    playlist_id = (cache / "ids").read_text().split()[0]
    args.work.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, float]] = {}
    for option in args.options.split(","):
        started = time.perf_counter()
        target = args.work / f"{option}.git"
        results[option] = replay(cache, option, args.days, target)
        results[option]["read"] = read_time(target, playlist_id)
        results[option]["check"] = check(target)  # type: ignore[assignment]
        print(f"  {option} done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    first = args.work / f"{args.options.split(',')[0]}.git"
    refs = {}
    for name, repack in (
        ("gc --aggressive", ["gc", "--aggressive", "-q"]),
        ("repack -a -d -f", ["repack", "-a", "-d", "-f", "-q"]),
    ):
        copy = args.work / f"ref-{name.split()[0]}.git"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(first, copy)
        started = time.perf_counter()
        git(copy, *repack)
        refs[name] = {
            "bytes": du(copy),
            "seconds": time.perf_counter() - started,
            "read": read_time(copy, playlist_id),
        }
    aggressive = refs["gc --aggressive"]["bytes"]
    fresh_read = refs["repack -a -d -f"]["read"]
    print(f"\n{args.playlists} playlists x {args.tracks} tracks, {args.days} daily syncs; "
          f"load {os.getloadavg()[0]:.1f}")  # fmt: skip
    print("| option | packs | loose | objects/ MB | x gc --aggressive | per sync KB (mean / median)"
          " | sync s (median / max) | history read ms | x fresh repack |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for option, row in results.items():
        print(
            f"| {option} | {row['packs']:.0f} | {row['loose']:.0f} | {row['bytes'] / 1e6:.1f} | "
            f"{row['bytes'] / aggressive:.2f} | {row['per_sync_mean'] / 1e3:.0f} / "
            f"{row['per_sync_median'] / 1e3:.0f} | {row['time_median']:.2f} / {row['time_max']:.1f}"
            f" | {row['read'] * 1e3:.0f} | {row['read'] / fresh_read:.2f} |"
        )
    for name, ref in refs.items():
        print(
            f"| git {name} ({ref['seconds']:.0f} s) | 1 | 0 | {ref['bytes'] / 1e6:.1f} | "
            f"{ref['bytes'] / aggressive:.2f} | | | {ref['read'] * 1e3:.0f} | "
            f"{ref['read'] / fresh_read:.2f} |"
        )


if __name__ == "__main__":
    main()
