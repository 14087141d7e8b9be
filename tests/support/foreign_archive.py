"""Archives shaped like real spotify-playlist-archive clones, for tests and benches.

    from tests.support.foreign_archive import Shape, cached, generate
    truth = generate(tmp_path / "clone", Shape(playlists=6, commits=40, layout="2021"))
    path = cached(Shape())            # 250 playlists x 1,000 daily commits, built once
    truth = cached_truth(Shape())     # what that one holds

``generate`` writes a real repository (pygit2 objects, pinned identities and dates, a work
tree checked out) and returns its :class:`Truth`: every playlist's versions as they really
were and where each quirk was written. ``cached`` builds one under ``bench/.cache/`` keyed by
every ``Shape`` field, packed like a clone.

Layouts (``Shape.layout``): "2019" early pages, "2021" name-keyed pages, "today" id-keyed
files with cumulative JSON, followers and metadata, "own" gitarchive's renderers (as a sync
writes them), "mixed" (2019, then 2021, then today, a third of the commits each).

What the writers produced, as read in their code and data (public repositories; the
generator re-implements the formats, it copies no code):

* 2019 writer: the one-file script of mackorone/spotify-playlist-archive's Travis era
  (branch ``master``, messages ``[skip ci] Build #N (YYYY-MM-DD HH:MM:SS)``; read as
  stored file 3639688977 of the code index). Playlists are the files of ``playlists/plain``.

  - ``playlists/plain/<id>``: ``"\\n".join([name, description, ""] + lines)`` where the lines
    are ``Title -- Artist, Artist -- Album`` sorted by ``line.lower()``: no final newline,
    the description as Spotify gave it (one ending in a newline leaves a second blank line,
    so the tracks start a line later; an empty one leaves an empty second line).
  - ``playlists/pretty/<Name>.md`` (name-keyed, spaces kept in the file name)::

        ### [Name](https://open.spotify.com/playlist/<id>) ([<id>](https://github.com/mackorone/spotify-playlist-archive/blob/master/playlists/plain/<id>))

        > description

        | No. | Title | Artist(s) | Album | Length |
        |-----|-------|-----------|-------|--------|
        | 1 | [Title](track url) | [A](artist url), [B](artist url) | [Album](album url) | 3:45 |

    no final newline, nothing escaped (a ``|`` in a title stays bare), no likes line, no
    cumulative page. Length: ``str(timedelta(seconds))`` with EVERY leading "0" and ":"
    stripped, so a track under a minute is bare seconds (``| 49 |``), 10 minutes ``10:05``.

* 2021 writer: the same script after the move to GitHub Actions and asyncio (branch
  ``main``, messages ``[skip ci] Run: N (...)``; stored file 3475736243).

  - plain: as 2019 (no final newline).
  - ``playlists/aliases/<id>``: one line, the alias (e.g. mackorone/spotify-playlist-archive
    ``playlists/aliases/37i9dQZF1DWSw8liJZcPOI`` @ 5d518788 holds ``Not Quite Classical\\n``);
    the alias replaces Spotify's name everywhere (plain's first line, page names and titles).
  - ``playlists/pretty/<Name>.md`` and ``playlists/cumulative/<Name>.md``: header
    ``pretty - [cumulative](/playlists/cumulative/Name%20X.md) - [plain](/playlists/plain/<id>)
    ([githistory](https://github.githistory.xyz/mackorone/spotify-playlist-archive/blob/main/playlists/plain/<id>))``
    (on the cumulative page ``[pretty](...) - cumulative``), a blank line,
    ``### [Name](https://open.spotify.com/playlist/<id>)``, a blank line, ``> description``
    (unstripped), a blank line, then the table: pretty ``| No. | Title | Artist(s) | Album |
    Length |`` with divider ``|---|---|---|---|---|``; cumulative ``| Title | Artist(s) |
    Album | Length | Added | Removed |`` (dates ``YYYY-MM-DD``, Removed empty while present:
    ``|  |``), rows sorted by the lower-cased plain line. Same durations as 2019 (bare
    seconds), nothing escaped, no likes line, no final newline. A rename moves both pages.

* Today's writer: mackorone/spotify-playlist-archive ``src/file_formatter.py`` @ beb8f928
  and ``src/file_updater.py`` @ 9c81ad47 (later in mackorone/spotify-playlist-archive-src).
  Everything id-keyed: ``plain/<id>`` (same lines, WITH a final newline, e.g.
  ``playlists/plain/0qg6KzBLO7rL48c0QfNpLZ`` @ 021094ae), ``pretty/<id>.md`` (header with
  ``- [githistory](...)``, names escaped with backslashes, description stripped, a line
  ``[Owner](url) - 1,234 likes - 75 songs - 4 hr 12 min``, lengths keeping the minutes digit
  ``0:49``, ``Snapshot ID: `...```), ``pretty/<id>.json``, ``cumulative/<id>.md`` and
  ``cumulative/<id>.json`` (``date_first_scraped``, tracks with ``date_added``,
  ``date_added_asterisk``, ``date_removed``), ``followers/<id>.json`` (``{day: likes}``),
  ``metadata/metadata-full.json`` and ``metadata-compact.json``; registry entries in
  ``playlists/registry/<id>``. JSON is ``json.dumps(indent=2, sort_keys=True)`` and a newline.

Simplifications (what the generator does not copy): likes move every day in :class:`Truth`,
but the "today" files take the day's count only on days the playlist's files are written
(the real writer adds one every day); the snapshot id is a stand-in that changes with the
tracks. Merge commits (quirks) have a side parent that only edits README.md; the merge's
plain files of about half the playlists have their name and description lines sorted in
among the track lines (no blank line, no final newline), and the next day's commit writes
them back in order.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pygit2

from tests.support import foreign_pages as pages
from tests.support.foreign_layouts import Renderer, shared_files, start_of
from tests.support.foreign_model import (
    LAYOUTS,
    QUIRK_KINDS,
    Quirk,
    Shape,
    Stay,
    TrackTruth,
    Truth,
    Version,
)
from tests.support.foreign_pack import PackWriter
from tests.support.foreign_repo import Trees, signature
from tests.support.foreign_sim import Event, Simulation

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "LAYOUTS",
    "QUIRK_KINDS",
    "Quirk",
    "Shape",
    "Stay",
    "TrackTruth",
    "Truth",
    "Version",
    "cached",
    "cached_truth",
    "generate",
    "layout_at",
]

CACHE = Path(__file__).resolve().parent.parent.parent / "bench" / ".cache"
BOT = ("spotify-playlist-archive bot", "bot@spotify-playlist-archive.invalid")
HUMAN = ("A Contributor", "contributor@example.invalid")
EARLY = ("2019", "2021")
TRUTH_FILE = "foreign-truth.pickle"


def layout_at(shape: Shape, index: int) -> str:
    """The writer of main-line commit ``index``."""
    if shape.layout != "mixed":
        return shape.layout
    return ("2019", "2021", "today")[index * 3 // shape.commits]


def commit_time(shape: Shape, index: int) -> datetime:
    start = date.fromisoformat(start_of(shape.layout))
    day = datetime(start.year, start.month, start.day, 6, 0, tzinfo=UTC)
    return day + timedelta(days=index, seconds=index * 7919 % 3600)


def generate(path: Path, shape: Shape, *, pack: bool = False) -> Truth:
    """A repository at ``path`` (created; must not exist) shaped by ``shape``, and its truth.

    Blobs go into one pack as they are written (tests/support/foreign_pack.py), so libgit2's
    check that an inserted tree entry exists is off until the pack is complete. ``pack``
    also packs the trees and commits (``git repack``), as a clone has them.
    """
    repo = pygit2.init_repository(str(path), initial_head="main")
    writer = PackWriter(Path(repo.path) / "objects")
    pygit2.option(pygit2.enums.Option.ENABLE_STRICT_OBJECT_CREATION, False)
    try:
        run = _Run(repo, shape, Truth(shape=shape, path=path), writer.blob)
        for index in range(shape.commits):
            run.day(index)
    finally:
        pygit2.option(pygit2.enums.Option.ENABLE_STRICT_OBJECT_CREATION, True)
        writer.close()
    truth = run.truth
    repo = pygit2.Repository(str(path))
    repo.references.create("refs/heads/main", pygit2.Oid(hex=truth.head), force=True)
    repo.checkout_head(strategy=pygit2.enums.CheckoutStrategy.FORCE)  # type: ignore[no-untyped-call]
    if pack:
        subprocess.run(["git", "-C", str(path), "repack", "-a", "-d", "-q"], check=True)
        subprocess.run(["git", "-C", str(path), "prune-packed"], check=True)
    return truth


def cached(shape: Shape) -> Path:
    """A generated repository under bench/.cache/, built once per shape (safe across
    processes: the first builds under a lock, into a scratch folder renamed into place),
    packed like a clone. Its Truth is kept beside it: :func:`cached_truth`."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"foreign-{shape.key}"
    with (CACHE / f"foreign-{shape.key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (path / ".git" / "foreign-complete").exists():
            shutil.rmtree(path, ignore_errors=True)
            scratch = CACHE / f"foreign-{shape.key}.tmp-{os.getpid()}"
            shutil.rmtree(scratch, ignore_errors=True)
            truth = generate(scratch, shape, pack=True)
            truth.path = path
            (scratch / ".git" / TRUTH_FILE).write_bytes(pickle.dumps(truth))
            (scratch / ".git" / "foreign-complete").write_text("ok\n")
            scratch.rename(path)
    return path


def cached_truth(shape: Shape) -> Truth:
    """The Truth of :func:`cached`'s repository for ``shape`` (built first if need be)."""
    path = cached(shape)
    truth: Truth = pickle.loads((path / ".git" / TRUTH_FILE).read_bytes())
    return truth


class _Run:
    """One generation: the simulation, the files last written, the tree and the truth."""

    def __init__(
        self,
        repo: pygit2.Repository,
        shape: Shape,
        truth: Truth,
        blob: Callable[[str, bytes], pygit2.Oid],
    ) -> None:
        self.repo, self.shape, self.truth = repo, shape, truth
        self.sim = Simulation(shape)
        self.renderer = Renderer()
        self.trees = Trees(repo, blob)
        self.files: dict[str, dict[str, str]] = {}
        self.shared: dict[str, str] = {}
        self.notes: list[str] = []
        self.layout = ""
        self.parent: pygit2.Oid | None = None
        self.resorted: set[str] = set()
        self.seen: set[tuple[str, ...]] = set()
        truth.versions = {pid: [] for pid in self.sim.ids}

    def day(self, index: int) -> None:
        layout = layout_at(self.shape, index)
        when = commit_time(self.shape, index)
        today = when.date()
        if index:
            changed, events = self.sim.advance(index, today)
        else:
            changed, events = set(self.sim.ids), []
            for state in self.sim.playlists.values():
                state.record_stays(today)
        dirty = set(self.sim.ids) if layout != self.layout else changed | self.resorted
        merge = index in self.sim.merge_days and layout in EARLY
        side = self._side_commit(when - timedelta(hours=1)) if merge else None
        touched = {pid: self._write_playlist(layout, pid, today) for pid in sorted(dirty)}
        self.resorted = set()
        if merge:
            self._sort_headers(touched, layout)
        self._write_shared(layout)
        parents = [self.parent] if self.parent is not None else []
        if side is not None:
            parents.append(side)
        message = _message(layout, index, when, merge)
        oid = self.repo.create_commit(
            None, signature(*BOT, when), signature(*BOT, when), message, self.trees.write(), parents
        )
        self.parent, self.layout = oid, layout
        self._record(str(oid), when, layout, touched, events, merge)

    def _write_playlist(self, layout: str, pid: str, today: date) -> list[str]:
        new = self.renderer.playlist_files(layout, self.sim.playlists[pid], today)
        return self._replace(self.files.setdefault(pid, {}), new)

    def _replace(self, old: dict[str, str], new: dict[str, str]) -> list[str]:
        """Write ``new`` over ``old`` (edited in place); the paths that changed."""
        changed = []
        for path in sorted(old.keys() - new.keys()):
            self.trees.delete(path)
            changed.append(path)
            del old[path]
        for path, text in new.items():
            if old.get(path) != text:
                self.trees.put(path, text.encode())
                old[path] = text
                changed.append(path)
        return sorted(changed)

    def _write_shared(self, layout: str) -> None:
        states = [self.sim.playlists[pid] for pid in self.sim.ids]
        self._replace(self.shared, shared_files(layout, states, self.notes))

    def _side_commit(self, when: datetime) -> pygit2.Oid:
        """A contributor's commit that only edits README.md, merged by the day's commit."""
        note = f"Note {len(self.notes) + 1}: playlists are added by pull request."
        self.notes.append(note)
        readme = self.shared["README.md"].replace("## Playlists", f"{note}\n\n## Playlists", 1)
        self._replace(self.shared, {**self.shared, "README.md": readme})
        parents = [self.parent] if self.parent is not None else []
        author = signature(*HUMAN, when)
        oid = self.repo.create_commit(
            None, author, author, "Update README.md", self.trees.write(), parents
        )
        self.truth.dates[str(oid)] = when
        return oid

    def _sort_headers(self, touched: dict[str, list[str]], layout: str) -> None:
        for pid in self.sim.merge_sorted_ids():
            state = self.sim.playlists[pid]
            path = f"playlists/plain/{pid}"
            text = pages.merge_sorted_plain(state.name(layout), state.description, state.tracks)
            changed = self._replace(self.files[pid], {**self.files[pid], path: text})
            if changed:
                touched[pid] = sorted({*touched.get(pid, []), *changed})
                self.resorted.add(pid)

    def _record(
        self,
        commit: str,
        when: datetime,
        layout: str,
        touched: dict[str, list[str]],
        events: list[Event],
        merge: bool,
    ) -> None:
        truth = self.truth
        truth.head = commit
        truth.commits.append(commit)
        truth.dates[commit] = when
        truth.layouts[commit] = layout
        if merge:
            truth.merges.append(commit)
        for pid, paths in touched.items():
            if paths:
                self._add_version(commit, when, layout, pid, tuple(paths))
                self._note_quirks(commit, layout, pid, paths, merge)
        for event in events:
            plain = f"playlists/plain/{event.playlist_id}"
            truth.quirks.append(Quirk(event.kind, event.playlist_id, commit, plain, event.detail))

    def _add_version(
        self, commit: str, when: datetime, layout: str, pid: str, paths: tuple[str, ...]
    ) -> None:
        state = self.sim.playlists[pid]
        versions = self.truth.versions[pid]
        name, tracks = state.name(layout), tuple(state.tracks)
        before = versions[-1] if versions else None
        changed = before is None or (before.name, before.description, before.tracks) != (
            name,
            state.description,
            tracks,
        )
        versions.append(
            Version(
                commit, when, name, state.description, tracks, state.likes, layout, paths, changed
            )
        )

    def _note_quirks(
        self, commit: str, layout: str, pid: str, paths: list[str], merge: bool
    ) -> None:
        state = self.sim.playlists[pid]
        plain = f"playlists/plain/{pid}"
        if merge and pid in self.resorted:
            self.truth.quirks.append(Quirk("merge_sorted", pid, commit, plain))
        if plain in paths:
            if layout in EARLY:
                self._once("no_final_newline", pid, commit, plain)
            if state.description == "":
                self._once("blank_description", pid, commit, plain)
            if state.description.endswith("\n") and layout != "own":
                self._once("description_newline", pid, commit, plain)
        if layout not in EARLY:
            return
        for path in paths:
            if path.startswith("playlists/aliases/"):
                self._once("alias", pid, commit, path)
            if path.startswith(("playlists/pretty/", "playlists/cumulative/")):
                shown = (
                    [s.track for s in state.stays.values()]
                    if "cumulative" in path
                    else state.tracks
                )
                if any(track.duration_ms < 60_000 for track in shown):
                    self._once("bare_seconds", pid, commit, path)
                if any("|" in track.title for track in shown):
                    self._once("pipe_in_name", pid, commit, path)

    def _once(self, kind: str, pid: str, commit: str, path: str) -> None:
        key = (
            (kind, pid)
            if kind in ("no_final_newline", "blank_description", "description_newline")
            else (kind, pid, path)
        )
        if key not in self.seen:
            self.seen.add(key)
            self.truth.quirks.append(Quirk(kind, pid, commit, path))


def _message(layout: str, index: int, when: datetime, merge: bool) -> str:
    if merge:
        return "Merge branch 'readme' into " + ("master" if layout == "2019" else "main")
    stamp = when.strftime("%Y-%m-%d %H:%M:%S")
    if layout == "2019":
        return f"[skip ci] Build #{index + 1} ({stamp})"
    if layout == "own":
        return f"Sync {when.date().isoformat()}"
    return f"[skip ci] Run: {index + 1} ({stamp})"
