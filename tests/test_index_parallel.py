"""An index built in worker processes holds exactly the rows of one built in one process, and
an interrupted parallel build leaves no half index and no process behind."""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from gitarchive import git
from gitarchive.git import Store, faults
from gitarchive.index import ChangeIndex, build, db, fold, workers
from tests.support.cli import index_file
from tests.support.cli import invoke_in as invoke
from tests.support.foreign_archive import Shape, generate

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.support.demo import DemoArchive


def dump(repo: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the repository's index, in key order."""
    connection = sqlite3.connect(index_file(repo))
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in tables
        }
    finally:
        connection.close()


def built(repo: Path, jobs: int, *before: tuple[str, ...]) -> dict[str, list[tuple[Any, ...]]]:
    """The index of ``repo`` after the reads ``before``, then ``index --jobs N``."""
    db.remove_files(index_file(repo))
    for read in before:
        assert invoke(repo, *read)[0] == 0
    code, _out, err = invoke(repo, "index", "--jobs", str(jobs))
    assert code == 0, err
    return dump(repo)


@pytest.fixture
def every_pass_in_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Even a small archive's pass folds in workers (a real one needs thousands of files)."""
    monkeypatch.setattr(build, "PARALLEL_FROM", 0)


def test_a_parallel_build_of_the_demo_archive_holds_the_sequential_rows(
    tmp_path: Path, demo_archive: DemoArchive, every_pass_in_workers: None
) -> None:
    repo = tmp_path / "archive"
    shutil.copytree(demo_archive.path, repo)
    sequential = built(repo, 1)
    assert sum(len(rows) for rows in sequential.values()) > 100
    assert built(repo, 2) == sequential
    assert built(repo, 3) == sequential


def test_a_parallel_build_of_a_foreign_archive_holds_the_sequential_rows(
    tmp_path: Path, every_pass_in_workers: None
) -> None:
    repo = tmp_path / "repo"
    truth = generate(repo, Shape(playlists=6, commits=40, min_tracks=5, max_tracks=14))
    first = sorted(truth.versions)[0]
    sequential = built(repo, 1)
    assert len(sequential["versions"]) > 40
    assert built(repo, 2) == sequential
    # a playlist a read folded on its own resumes from its last version in the writer
    resumed = built(repo, 1, ("history", first))
    assert built(repo, 2, ("history", first)) == resumed == sequential


def test_a_parallel_build_reports_how_far_it_is(
    tmp_path: Path, every_pass_in_workers: None
) -> None:
    repo = tmp_path / "repo"
    generate(repo, Shape(playlists=5, commits=12, min_tracks=5, max_tracks=8))
    told: list[tuple[str, int, int]] = []
    with ChangeIndex(Store.discover(repo)) as index:
        index.rebuild(lambda step, done, total: told.append((step, done, total)), jobs=2)
    folding = [item for item in told if item[0] == fold.FOLDING]
    assert folding == [(fold.FOLDING, done, 5) for done in range(6)]
    assert told.index((fold.READING, 12, 12)) < told.index(folding[0])


def test_a_short_pass_starts_no_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    generate(repo, Shape(playlists=3, commits=8, min_tracks=5, max_tracks=8))

    def no_workers(*args: object) -> None:
        raise AssertionError("a pass of a few commits started worker processes")

    monkeypatch.setattr(workers.Workers, "start", no_workers)
    assert invoke(repo, "index", "--jobs", "4")[0] == 0


def test_the_walk_writes_its_changed_files_in_batches_of_any_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The walk holds its rows and writes them sorted, a batch at a time: a batch of any
    size (one row; a few commits' rows, cut mid-commit) makes the same index."""
    repo = tmp_path / "repo"
    generate(repo, Shape(playlists=5, commits=20, min_tracks=5, max_tracks=8))
    whole = built(repo, 1)
    assert len(whole["versions"]) > 20
    for size in (1, 7):
        monkeypatch.setattr(build, "INSERT_BATCH", size)
        assert built(repo, 1) == whole


def test_the_workers_start_while_the_walk_still_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    generate(repo, Shape(playlists=5, commits=12, min_tracks=5, max_tracks=8))
    monkeypatch.setattr(build, "PARALLEL_FROM", 3)
    told: list[tuple[str, int, int]] = []
    started_at: list[tuple[str, int, int]] = []
    start = workers.Workers.start

    def noted(self: workers.Workers, playlists: int) -> None:
        start(self, playlists)
        if self.started and not started_at:
            started_at.append(told[-1])

    monkeypatch.setattr(workers.Workers, "start", noted)
    with ChangeIndex(Store.discover(repo)) as index:
        index.rebuild(lambda step, done, total: told.append((step, done, total)), jobs=2)
    [(step, done, total)] = started_at
    assert step == fold.READING and done < total == 12


def test_a_pass_starts_no_more_workers_than_playlists_besides_the_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, every_pass_in_workers: None
) -> None:
    repo = tmp_path / "repo"
    generate(repo, Shape(playlists=2, commits=8, min_tracks=5, max_tracks=8))
    processes: list[int] = []
    start = workers.Workers.start

    def noted(self: workers.Workers, playlists: int) -> None:
        start(self, playlists)
        if self.started and not processes:
            processes.append(self.jobs)

    monkeypatch.setattr(workers.Workers, "start", noted)
    sequential = built(repo, 1)
    assert built(repo, 4) == sequential
    assert processes == [2]  # the writer and one worker


@pytest.fixture
def started(tmp_path: Path) -> Iterator[workers.Workers]:
    """A build's workers (one process), started on a small archive, stopped after the test."""
    repo = tmp_path / "repo"
    generate(repo, Shape(playlists=2, commits=3, min_tracks=1, max_tracks=2))
    pool = workers.Workers(Store.discover(repo), 2)
    pool.start(2)
    try:
        yield pool
    finally:
        pool.close()


def test_a_fold_worker_runs_without_the_cyclic_collector(started: workers.Workers) -> None:
    """A worker only folds, as the writer's pass does with the collector off: switched
    back on after each fold, it would collect everything the fold keeps, every time."""
    assert started.pool is not None
    assert started.pool.submit(gc.isenabled).result(timeout=60) is False


def test_a_worker_writes_a_whole_answer_into_the_result_pipe_without_waiting(
    started: workers.Workers,
) -> None:
    """An answer (a playlist's rows, 220-390 KB in the foreign bench) fits the pool's
    result pipe: the worker does not wait, mid-write, for the writer to read it."""
    assert started.pool is not None
    reader = started.pool._result_queue._reader  # type: ignore[attr-defined]
    assert fcntl.fcntl(reader.fileno(), fcntl.F_GETPIPE_SZ) == workers.RESULT_PIPE_BYTES
    assert len(started.pool.submit(bytes, 600_000).result(timeout=60)) == 600_000


def test_only_a_pass_that_starts_workers_maps_the_pack_in_their_windows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    generate(repo, Shape(playlists=4, commits=10, min_tracks=5, max_tracks=8))
    bounds: list[tuple[int, int]] = []
    bound = git.bound_pack_windows

    def noted(size: int, mapped: int) -> tuple[int, int]:
        bounds.append((size, mapped))
        return bound(size, mapped)

    monkeypatch.setattr(git, "bound_pack_windows", noted)
    before = bound(*workers.PACK_WINDOWS)
    bound(*before)
    assert invoke(repo, "index", "--jobs", "2")[0] == 0  # a short pass: no worker
    assert bounds == []
    monkeypatch.setattr(build, "PARALLEL_FROM", 0)
    assert invoke(repo, "index", "--rebuild", "--jobs", "2")[0] == 0
    assert bounds == [workers.PACK_WINDOWS, before]  # and back after the pass


def workers_of(pid: int) -> list[int]:
    """The worker processes multiprocessing started for ``pid`` (not its resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if (
                entry.name.isdigit()
                and parent_of(entry) == pid
                and b"--multiprocessing-fork" in (entry / "cmdline").read_bytes()
            ):
                found.append(int(entry.name))
    return found


def parent_of(entry: Path) -> int:
    return int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])


def handles_ctrl_c(pid: int) -> bool:
    """Whether the process has Python's SIGINT handler (it is past its start) or ignores
    SIGINT (a worker's own start did that)."""
    masks = 0
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("SigCgt", "SigIgn"):
                masks |= int(value, 16)
    return bool(masks & 1 << (signal.SIGINT - 1))


def test_ctrl_c_while_the_workers_import_is_one_line(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    # enough playlists that the writer, folding while its workers start, cannot finish
    # them all before the workers are up (8 did, once, on a loaded machine: exit 0)
    generate(repo, Shape(playlists=80, commits=30, min_tracks=5, max_tracks=10))
    start = "import sys; from gitarchive.index import build; build.PARALLEL_FROM = 0; " + (
        "from gitarchive.cli import main; sys.argv[0] = 'gitarchive'; main()"
    )
    command = [sys.executable, "-c", start, "-C", str(repo), "index", "--jobs", "3"]
    # its own process group, as a terminal's Ctrl-C reaches a command and its workers
    build_ = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # both workers started, still importing
        assert build_.poll() is None, "the build ended before its workers started"
        if len([pid for pid in workers_of(build_.pid) if handles_ctrl_c(pid)]) >= 2:
            break
    else:
        raise AssertionError("the workers did not start within 30 s")
    os.killpg(build_.pid, signal.SIGINT)
    _out, err = build_.communicate(timeout=60)
    assert (build_.returncode, err) == (130, "gitarchive: interrupted\n")
    no_fold_written(repo)


@pytest.mark.parametrize("given", ["0", "-2", "two", ""])
def test_a_bad_jobs_value_is_one_line_and_exit_1(tmp_path: Path, given: str) -> None:
    repo = tmp_path / "repo"
    generate(repo, Shape(playlists=2, commits=3, min_tracks=5, max_tracks=6))
    code, out, err = invoke(repo, "index", "--jobs", given)
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and "--jobs" in err and "1 or more" in err, err
    assert not index_file(repo).exists()


def test_a_bad_jobs_variable_is_one_line_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    generate(repo, Shape(playlists=2, commits=3, min_tracks=5, max_tracks=6))
    monkeypatch.setenv(workers.JOBS_ENV, "many")
    code, out, err = invoke(repo, "index")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and workers.JOBS_ENV in err, err
    monkeypatch.setenv(workers.JOBS_ENV, "2")
    assert invoke(repo, "index")[0] == 0


def no_fold_written(repo: Path) -> None:
    rows = dump(repo)
    assert rows["versions"] == rows["playlists"] == rows["tracks"] == []
    assert ("all_folded", "-1") in rows["meta"]


@pytest.mark.parametrize("action", ["kill", "raise"])
def test_a_worker_that_fails_leaves_no_half_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, every_pass_in_workers: None, action: str
) -> None:
    repo = tmp_path / "repo"
    generate(repo, Shape(playlists=6, commits=30, min_tracks=5, max_tracks=10))
    sequential = built(repo, 1)
    db.remove_files(index_file(repo))
    with monkeypatch.context() as patched:
        patched.setenv(faults.ENV, f"fold-worker:{action}@2")
        code, out, err = invoke(repo, "index", "--jobs", "2")
    if action == "kill":  # the system's doing (out of memory?): one line
        assert (code, out) == (1, "")
        assert err.count("\n") == 1 and "ended without a word" in err, err
    else:  # a bug in the worker: the writer reports it as one
        assert (code, out) == (3, "") and "fault injected at fold-worker" in err, err
    no_fold_written(repo)
    assert invoke(repo, "index", "--jobs", "2")[0] == 0
    assert dump(repo) == sequential


def processes_marked(marker: str) -> list[int]:
    """The processes whose environment holds ``marker`` (this user's only are readable)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environment = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker.encode() in environment:
            found.append(int(entry.name))
    return found


@pytest.mark.parametrize(("action", "status"), [("kill", -9), ("int", 130)])
def test_a_writer_stopped_mid_build_leaves_no_half_index_and_no_worker(
    tmp_path: Path, action: str, status: int
) -> None:
    repo = tmp_path / "repo"
    generate(repo, Shape(playlists=8, commits=30, min_tracks=5, max_tracks=10))
    marker = f"GITARCHIVE_TEST_RUN={uuid.uuid4().hex}"
    name, _, value = marker.partition("=")
    environment = {**os.environ, name: value, faults.ENV: f"fold-writer:{action}@3"}
    start = "import sys; from gitarchive.index import build; build.PARALLEL_FROM = 0; " + (
        "from gitarchive.cli import main; sys.argv[0] = 'gitarchive'; main()"
    )
    command = [sys.executable, "-c", start, "-C", str(repo), "index", "--jobs", "3"]
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    assert done.returncode == status, done.stderr
    deadline = time.monotonic() + 30
    while processes_marked(marker) and time.monotonic() < deadline:
        time.sleep(0.1)  # a worker notices its writer is gone within half a second
    assert processes_marked(marker) == []
    no_fold_written(repo)


def test_a_worker_that_starts_after_its_writer_died_ends_at_once(tmp_path: Path) -> None:
    """Under load a worker may still be importing when its writer is killed: it then
    starts with another parent, and must still notice the writer it was started for is
    gone (every worker holds the task queue open, so none would ever see it close)."""
    repo = tmp_path / "repo"
    generate(repo, Shape(playlists=2, commits=3, min_tracks=1, max_tracks=2))
    gone_writer = 1  # a process that is not this worker's parent
    start = (
        "import time; from gitarchive.index import workers; "
        f"workers._start({str(repo / '.git')!r}, {gone_writer}); time.sleep(30)"
    )
    began = time.monotonic()
    done = subprocess.run([sys.executable, "-c", start], capture_output=True, timeout=25)
    assert (done.returncode, done.stderr) == (1, b"")  # ended by its watch, not an error
    assert time.monotonic() - began < 20
