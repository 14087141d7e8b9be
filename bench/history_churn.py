"""Benchmark: read commands on an editorial-churn archive, with and without the change index.

    python -m bench.history_churn                          # 600 days, 1,000 and 10,000 commits
    python -m bench.history_churn --commits 1000 --runs 3  # one length
    python -m bench.history_churn --commits 1000 --commits 10000 --commits 100000

The archive looks like a spotify-playlist-archive clone of editorial playlists:
``--playlists`` playlists of 100 tracks get one version a day for ``--days``
days, written the way sync writes them (plain, pretty markdown and JSON
snapshot, by gitarchive.formats' renderers): ~15% of the tracks are replaced
per week in one or two bursts on a fixed weekday, a track's album is renamed
now and then (same id: an update), the playlist itself is renamed rarely, and
the like count changes every day. The other commits of a day (``--commits``
sets the archive's length) update filler playlists (real renders too, 30
tracks, cycling through pre-rendered versions), so that a longer archive is
more commits of the same shape, with the measured playlist's history unchanged.
Generated with pygit2 (TreeBuilder), packed with ``git repack``, cached in
bench/.cache/.

Measured as NEW PROCESSES (medians of ``--runs``), in the same run, with
gitarchive's bytecode compiled first (as an installed package has it):
  * baselines: ``gitarchive --version``; ``git log -p --first-parent -- playlists/plain/<id>``
  * references: git itself reading what an exact history must look at (the
    plain file, the snapshot and the page: ``-p`` and ``--raw``); the floor:
    gitarchive.git walking the three paths and reading each changed snapshot,
    nothing parsed, nothing written, nothing printed
  * with a warm index: history (text to a pipe, JSON, markdown), cumulative, show --at
  * with no index (the run that builds this playlist's part of it): the same commands
  * ``gitarchive index --rebuild`` (all playlists), per 1,000 commits (``--skip-rebuild``)
  * catch-up: history right after one more sync commit
  * in one process: every playlist's cumulative view from the warm index
"""

from __future__ import annotations

import argparse
import compileall
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pygit2

from gitarchive import formats
from gitarchive.model import Album, Artist, Owner, Playlist, Track

CACHE = Path(__file__).parent / ".cache"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
START = 1_560_000_000  # 2019-06-08, when such archives began
DAY = 86_400
OWNER = Owner(name="Spotify", url="https://open.spotify.com/user/spotify")


def new_id(rng: random.Random) -> str:
    return "".join(rng.choice(BASE62) for _ in range(22))


class Pool:
    """Tracks drawn for the playlists; a rename keeps the id and changes the album."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.tracks: list[Track] = []

    def new(self, day: int) -> int:
        rng, n = self.rng, len(self.tracks)
        artists = tuple(
            Artist(f"Artist {a}", f"https://open.spotify.com/artist/{a:022d}")
            for a in rng.sample(range(5000), rng.choice((1, 1, 1, 2, 3)))
        )
        album = rng.randrange(20000)
        self.tracks.append(
            Track(
                name=f"Song {n} {rng.choice(('Love', 'Night', 'Summer', 'Rain', 'Blue'))}",
                artists=artists,
                album=Album(f"Album {album}", f"https://open.spotify.com/album/{album:022d}"),
                url=f"https://open.spotify.com/track/{new_id(rng)}",
                duration_ms=rng.randrange(120_000, 300_000),
                added_at=datetime.fromtimestamp(START + day * DAY, tz=UTC),
            )
        )
        return n

    def rename_album(self, n: int) -> None:
        track = self.tracks[n]
        album = Album(track.album.name + " (Deluxe)", track.album.url)
        self.tracks[n] = Track(track.name, track.artists, album, track.url, track.duration_ms,
                               track.added_at)  # fmt: skip


class Editorial:
    """One churned playlist's state from day to day."""

    def __init__(self, rng: random.Random, pool: Pool, number: int, size: int = 100) -> None:
        self.rng, self.pool = rng, pool
        self.id = new_id(rng)
        self.name = f"Editorial Mix {number}"
        self.likes = rng.randrange(10_000, 2_000_000)
        self.slots = [pool.new(0) for _ in range(size)]
        self.weekday = rng.randrange(7)
        self.split = rng.random() < 0.5  # two bursts a week instead of one

    def advance(self, day: int) -> None:
        rng = self.rng
        self.likes = max(0, self.likes + rng.randint(-400, 900))
        burst = day % 7 == self.weekday or (self.split and day % 7 == (self.weekday + 3) % 7)
        if burst and day:
            count = max(1, round(len(self.slots) * 0.15 / (2 if self.split else 1)))
            for _ in range(rng.randint(count - 2, count + 2)):
                self.slots.pop(rng.randrange(len(self.slots)))
            while len(self.slots) < 100:
                self.slots.insert(rng.randrange(len(self.slots) + 1), self.pool.new(day))
        if rng.random() < 1 / 30:
            self.pool.rename_album(rng.choice(self.slots))
        if rng.random() < 1 / 150:
            self.name = f"{self.name.split(' (')[0]} ({rng.choice(('Summer', 'Winter', 'Live'))})"

    def playlist(self, day: int) -> Playlist:
        return Playlist(
            id=self.id,
            original_name=self.name,
            unique_name=self.name,
            description=f"The week's best. Updated every {self.weekday}.",
            tracks=tuple(self.pool.tracks[n] for n in self.slots),
            snapshot_id=f"snap{day}",
            num_followers=self.likes,
            owner=OWNER,
        )


def rendered(repo: pygit2.Repository, playlist: Playlist) -> dict[str, pygit2.Oid]:
    """The three files sync writes for a version, as blobs (keyed by their tree entry name)."""
    return {
        f"plain/{playlist.id}": repo.create_blob(formats.render_plain(playlist).encode()),
        f"pretty/{playlist.id}.md": repo.create_blob(
            formats.render_pretty(playlist, github=None).encode()
        ),
        f"pretty/{playlist.id}.json": repo.create_blob(formats.render_json(playlist).encode()),
    }


class Writer:
    def __init__(self, path: Path) -> None:
        self.repo = pygit2.init_repository(str(path), bare=True, initial_head="main")
        self.folders = {"plain": self.repo.TreeBuilder(), "pretty": self.repo.TreeBuilder()}
        self.parents: list[pygit2.Oid] = []

    def put(self, blobs: dict[str, pygit2.Oid]) -> None:
        for path, blob in blobs.items():
            folder, name = path.split("/")
            self.folders[folder].insert(name, blob, pygit2.enums.FileMode.BLOB)

    def commit(self, when: int, message: str) -> pygit2.Oid:
        tree_mode = pygit2.enums.FileMode.TREE
        playlists = self.repo.TreeBuilder()
        for name, builder in self.folders.items():
            playlists.insert(name, builder.write(), tree_mode)
        root = self.repo.TreeBuilder()
        root.insert("playlists", playlists.write(), tree_mode)
        who = pygit2.Signature("github-actions[bot]", "bot@example.invalid", when, 0)
        oid = self.repo.create_commit(None, who, who, message, root.write(), self.parents)
        self.parents = [oid]
        self.repo.references.create("refs/heads/main", oid, force=True)
        return oid


def generate(path: Path, args: argparse.Namespace, commits: int) -> None:
    rng = random.Random(args.seed)
    pool = Pool(rng)
    editorials = [Editorial(rng, pool, number) for number in range(args.playlists)]
    writer = Writer(path)
    fillers = _fillers(writer.repo, rng, pool, args.fillers)
    per_day = max(1, round(commits / args.days))
    filler_step = 0
    started = time.perf_counter()
    for day in range(args.days):
        for editorial in editorials:
            editorial.advance(day)
            writer.put(rendered(writer.repo, editorial.playlist(day)))
        writer.commit(START + day * DAY, f"Sync day {day}")
        for extra in range(1, per_day):
            for _ in range(5):
                variants = fillers[filler_step % len(fillers)]
                writer.put(variants[(filler_step // len(fillers)) % len(variants)])
                filler_step += 1
            writer.commit(START + day * DAY + extra * (DAY // per_day), f"Sync {day}.{extra}")
        if day % 100 == 0:
            print(f"  day {day} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    print("  packing (git repack -a -d)", file=sys.stderr)
    subprocess.run(["git", "-C", str(path), "repack", "-a", "-d", "-q"], check=True)
    subprocess.run(["git", "-C", str(path), "prune-packed"], check=True)
    (path / "bench-target").write_text(editorials[0].id + "\n")


def _fillers(
    repo: pygit2.Repository, rng: random.Random, pool: Pool, count: int
) -> list[list[dict[str, pygit2.Oid]]]:
    fillers = []
    for number in range(count):
        editorial = Editorial(rng, pool, 1000 + number, size=30)
        variants = []
        for step in range(8):
            editorial.slots[rng.randrange(30)] = pool.new(step)
            variants.append(rendered(repo, editorial.playlist(step)))
        fillers.append(variants)
    return fillers


def archive(args: argparse.Namespace, commits: int) -> Path:
    key = f"d{args.days}-c{commits}-p{args.playlists}-f{args.fillers}-s{args.seed}"
    path = CACHE / f"churn-{key}.git"
    if not (path / "bench-target").exists():
        shutil.rmtree(path, ignore_errors=True)
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"generating {path.name} ...", file=sys.stderr)
        generate(path, args, commits)
    return path


# ---------------------------------------------------------------- measuring


def run(command: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of a new process, its stdout read through a pipe (as `| less` would).

    CPU = user + system time of the child: on a shared, loaded machine the wall
    time mostly measures the wait for a core, CPU time what the command costs.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def median_of(runs: int, command: list[str], before: object = None) -> tuple[float, float]:
    values = []
    for _ in range(runs):
        if callable(before):
            before()
        values.append(run(command))
    return statistics.median(v[0] for v in values), statistics.median(v[1] for v in values)


def index_file(path: Path) -> Path:
    return path / "gitarchive" / "index.sqlite"


def drop_index(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        index_file(path).with_name("index.sqlite" + suffix).unlink(missing_ok=True)


def _git_log(path: Path, target: str, *options: str, files: str = "plain") -> list[str]:
    paths = [f"playlists/plain/{target}"]
    if files == "all":
        paths += [f"playlists/pretty/{target}.json", f"playlists/pretty/{target}.md"]
    return ["git", "-C", str(path), "log", *options, "--first-parent", "--", *paths]


def measure(path: Path, args: argparse.Namespace) -> dict[str, tuple[float, float]]:
    exe = str(Path(sys.executable).with_name("gitarchive"))
    target = (path / "bench-target").read_text().strip()
    repo = pygit2.Repository(str(path))
    chain = sum(1 for _ in repo.walk(repo.head.target, pygit2.enums.SortMode.NONE))
    middle = datetime.fromtimestamp(START + args.days // 2 * DAY + 3600, tz=UTC)
    base = [exe, "-C", str(path)]
    reads = {
        "history (text, pipe)": [*base, "history", target],
        "history --format json": [*base, "history", target, "--format", "json"],
        "history --format markdown": [*base, "history", target, "--format", "markdown"],
        "cumulative": [*base, "cumulative", target],
        "show --at": [*base, "show", target, "--at", middle.strftime("%Y-%m-%d")],
    }
    runs = args.runs
    result: dict[str, tuple[float, float]] = {
        "--version": median_of(runs, [exe, "--version"]),
        "git log -p": median_of(runs, _git_log(path, target, "-p")),
        # what an exact history has to look at: the snapshot changes with every
        # version (the likes), the plain file only when the tracks change
        "ref: git log -p, all three files": median_of(
            runs, _git_log(path, target, "-p", files="all")
        ),
        "ref: git log --raw, all three files": median_of(
            runs, _git_log(path, target, "--raw", "--format=%H", files="all")
        ),
        "floor: walk + read each changed snapshot": median_of(
            runs, [sys.executable, "-c", FLOOR, str(path)]
        ),
    }
    for name, command in reads.items():
        result[f"no index: {name}"] = median_of(runs, command, before=lambda: drop_index(path))
    if not args.skip_rebuild:
        # a rebuild reads every version of every playlist: two runs (the first builds it)
        result["index --rebuild"] = median_of(min(runs, 2), [*base, "index", "--rebuild"])
        wall, cpu = result["index --rebuild"]
        result["index --rebuild per 1,000 commits"] = (wall * 1000 / chain, cpu * 1000 / chain)
    else:
        run([*base, "history", target])  # builds the index the warm reads need
    for name, command in reads.items():
        result[f"warm: {name}"] = median_of(runs, command)
    result["all cumulative views, warm (in process)"] = _all_views(path, runs)
    result["catch-up: history after one sync"] = _catch_up(path, args, reads)
    result["commits"] = (chain, chain)
    return result


# The least an exact no-index read of the bench playlist costs through gitarchive.git:
# what ``gitarchive --version`` imports, then the walk of the playlist's three paths
# over the whole log and reading the blob of each changed snapshot; no parsing, no
# index, no output. Its own process, importing nothing else (``python -c``).
FLOOR = """
import sys
import gitarchive.cli
from gitarchive import git
from gitarchive.formats.paths import archive_paths
store = git.Store.open(sys.argv[1])
paths = archive_paths(open(sys.argv[1] + '/bench-target').read().strip())
sources = (paths.json, paths.pretty, paths.plain)
walked = git.walk_paths_since(store, sources, git.head_id(store), None, best_first=True)
last = None
with git.unverified_reads():
    for _commit, _time, blobs in reversed(walked):
        if blobs[0] is not None and blobs[0] != last:
            git.read_blob(store, blobs[0])
            last = blobs[0]
"""


def _all_views(path: Path, runs: int) -> tuple[float, float]:
    from gitarchive.git import Store
    from gitarchive.index import ChangeIndex

    values = []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        with ChangeIndex(Store.open(str(path))) as index:
            views = index.all_cumulative_views()
        values.append((time.perf_counter() - started, time.process_time() - cpu))
    assert views
    return statistics.median(v[0] for v in values), statistics.median(v[1] for v in values)


def _catch_up(
    path: Path, args: argparse.Namespace, reads: dict[str, list[str]]
) -> tuple[float, float]:
    """One more day's sync commit on top (a copy of the archive), then history: the catch-up."""
    copy = path.with_name(path.name + "-catchup")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(path, copy)
    try:
        command = [
            str(copy) if part == str(path) else part for part in reads["history (text, pipe)"]
        ]
        run(command)  # warm
        repo = pygit2.Repository(str(copy))
        head = repo.head.peel(pygit2.Commit)
        values = []
        for number in range(args.runs):
            tree = head.tree
            plain = tree["playlists"]["plain"]
            target = (path / "bench-target").read_text().strip()
            builder = repo.TreeBuilder(repo.get(plain.id))
            text = repo.get(builder.get(target).id).data + f"Song x{number} -- A -- B\n".encode()
            builder.insert(target, repo.create_blob(text), pygit2.enums.FileMode.BLOB)
            playlists = repo.TreeBuilder(repo.get(tree["playlists"].id))
            playlists.insert("plain", builder.write(), pygit2.enums.FileMode.TREE)
            root = repo.TreeBuilder(tree)
            root.insert("playlists", playlists.write(), pygit2.enums.FileMode.TREE)
            who = pygit2.Signature("bot", "bot@example.invalid", head.commit_time + DAY, 0)
            oid = repo.create_commit("refs/heads/main", who, who, "Sync", root.write(), [head.id])
            head = repo.get(oid)
            values.append(run(command))
        return statistics.median(v[0] for v in values), statistics.median(v[1] for v in values)
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def report(result: dict[str, tuple[float, float]], args: argparse.Namespace) -> None:
    print(
        f"\narchive: {result['commits'][0]:.0f} commits, {args.playlists} editorial playlists "
        f"x {args.days} daily versions, {args.fillers} fillers; medians of {args.runs}"
    )
    print(f"  {'':44} {'wall':>8}   {'CPU':>8}   targets (on CPU time | on wall time)")
    for name, (wall, cpu) in result.items():
        if name == "commits":
            continue
        note = ""
        for column in (1, 0):  # CPU, then wall
            value, base = (wall, cpu)[column], result["--version"][column]
            if name.startswith(("warm: ", "catch-up")):
                note += f"  --version {value - base:+.3f} s"
            elif name.startswith(("no index: ", "floor: ")):
                log = result["git log -p"][column]
                note += f"  --version + {(value - base) / log:5.1f}x git log -p"
            elif name.startswith("ref: "):  # git itself: no Python to start
                note += f"  {value / result['git log -p'][column]:13.1f}x git log -p"
        print(f"  {name:44} {wall:8.3f} s {cpu:8.3f} s{note}")
    print(
        "  targets: warm and catch-up <= --version +0.100 s; no index <= --version + 3x git log -p"
    )


def compile_bytecode() -> None:
    """Write gitarchive's .pyc files, as installing a package does.

    Where PYTHONDONTWRITEBYTECODE is set (this project's sandbox sets it), an
    editable install never writes them, and every command would compile every
    module it imports from source each time it starts: ~40 ms more for a read
    command than for ``--version``, which a user's installed gitarchive does
    not pay.
    """
    import gitarchive

    compileall.compile_dir(Path(gitarchive.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=600)
    parser.add_argument("--commits", type=int, action="append")
    parser.add_argument("--playlists", type=int, default=10)
    parser.add_argument("--fillers", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--skip-rebuild",
        action="store_true",
        help="do not time `index --rebuild` (minutes on a 100,000-commit archive)",
    )
    args = parser.parse_args()
    compile_bytecode()
    lengths = args.commits or [1000, 10000]
    print(f"load: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    for commits in lengths:
        path = archive(args, commits)
        result = measure(path, args)
        report(result, args)
    print(f"load: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")


if __name__ == "__main__":
    main()
