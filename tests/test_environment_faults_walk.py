"""Every command that writes, under every fault of its environment: a folder it cannot write,
a full disk, a repository owned by another user, a folder where the change index's file
belongs. Each ends in one line and exit 1 (or succeeds where the fault is not in its way),
never in exit 3 or a traceback, and leaves HEAD where it was when it fails."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from tests.support.api import fake_id, playlist_with_tracks
from tests.support.cli import run_cli_captured
from tests.support.fakespotify import FakeSpotify
from tests.support.hostile import head, new_archive

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

A = fake_id("environment-walk", "a")
B = fake_id("environment-walk", "b")
OTHER_USER = 12345
IDENTITY = {  # the function-scoped environment of tests/conftest.py is not set up yet here
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.invalid",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}

# every command that writes a file, as a user runs it ({world}: the folder of the archive,
# the source archive it imports from, and the output folder)
WRITERS: dict[str, list[str]] = {
    "sync": ["sync", "--date", "2026-11-03T06:00:00Z"],
    "site": ["site", "{world}/out/site"],
    "index": ["index", "--rebuild"],
    "export": ["export", "sqlite", "{world}/out/archive.sqlite"],
    "init": ["init"],
    "add": ["add", B, "--commit"],
    "import": ["import", "{world}/source", "--playlist", A],
    "hook pre-commit": ["hook", "pre-commit"],
}
FAULTS = ["none", "read-only", "disk-full", "other-owner", "index-is-a-folder"]
# where a fault is not in the command's way, it succeeds: the change index is a cache (built
# in memory where it cannot be written, and a sync never needs it), and the pre-commit hook
# reads only
SUCCEEDS = {
    ("index", "read-only"),
    ("sync", "index-is-a-folder"),
    ("init", "index-is-a-folder"),
    ("add", "index-is-a-folder"),
    ("import", "index-is-a-folder"),
    ("hook pre-commit", "read-only"),
    ("hook pre-commit", "disk-full"),
    ("hook pre-commit", "index-is-a-folder"),
}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSpotify]:
    with FakeSpotify(extended_quota=True) as served:
        yield served


@pytest.fixture(scope="module")
def world_template(tmp_path_factory: pytest.TempPathFactory, fake: FakeSpotify) -> Path:
    """An archive synced twice, an older source archive to import from, an output folder."""
    world = tmp_path_factory.mktemp("walk") / "world"
    world.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        fake.setenv(patch)
        for name, value in IDENTITY.items():
            patch.setenv(name, value)
        source = new_archive(world / "source", A)
        archive = new_archive(world / "archive", A)
        for root, days in ((source, (1, 2)), (archive, (10, 11))):
            for day in days:
                fake.add_playlist(playlist_with_tracks(A, list(range(day)), name="Alpha"))
                assert _run(root, ["sync", "--date", f"2026-10-{day:02d}T06:00:00Z"]) == 0
    fake.add_playlist(playlist_with_tracks(A, [*range(11), 30], name="Alpha"))
    fake.add_playlist(playlist_with_tracks(B, [4], name="Beta"))
    assert _run(archive, ["index"]) == 0  # warm: the faults meet each command's own writes
    (world / "out").mkdir()
    return world


def _run(root: Path, argv: list[str]) -> int:
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from tests.support.cli import run_cli

    err = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        code = run_cli("-C", str(root), *argv)
    assert code == 0, err.getvalue()
    return code


def _disk_full() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def _child(
    world: Path, argv: list[str], env: dict[str, str], *, read_only: bool, full: bool
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "gitarchive", "-C", str(world / "archive"), *argv]
    if read_only:
        unshare = shutil.which("unshare")
        assert unshare, "unshare (util-linux) mounts a folder read-only for root"
        script = 'mount --bind -o ro "$1" "$1" && shift && exec "$@"'
        command = [unshare, "-m", "sh", "-c", script, "sh", str(world), *command]
    return subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=_disk_full if full else None,
    )


def _apply(world: Path, fault: str) -> Callable[[], None]:
    """Put the fault in place; returns what takes it away."""
    archive = world / "archive"
    if fault == "other-owner":
        owned = (archive, archive / ".git")
        for path in owned:
            os.chown(path, OTHER_USER, OTHER_USER)

        def give_back() -> None:
            for path in owned:
                os.chown(path, 0, 0)

        return give_back
    if fault == "index-is-a-folder":
        index = archive / ".git/gitarchive/index.sqlite"
        index.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            index.with_name(index.name + suffix).unlink(missing_ok=True)
        index.mkdir()
        (index / "mine").write_text("someone's\n")
    return lambda: None


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("command", list(WRITERS))
def test_every_writer_ends_an_environment_fault_in_one_line(
    world_template: Path,
    tmp_path: Path,
    fake: FakeSpotify,
    command: str,
    fault: str,
) -> None:
    assert os.geteuid() == 0, "the faults are made as root (chown, a read-only mount)"
    world = tmp_path / "world"
    shutil.copytree(world_template, world, symlinks=True)
    argv = [part.replace("{world}", str(world)) for part in WRITERS[command]]
    before = head(world / "archive")
    env = {**os.environ, **fake.env()}
    if fault == "disk-full" and command in ("site", "export"):
        # the index is on the same full disk: without it, the command reaches its own writes
        env["GITARCHIVE_NO_INDEX"] = "1"
    undo = _apply(world, fault)
    try:
        done = _child(world, argv, env, read_only=fault == "read-only", full=fault == "disk-full")
    finally:
        undo()
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    if fault == "none" or (command, fault) in SUCCEEDS:
        assert done.returncode == 0, (done.stdout, done.stderr)
        return
    assert done.returncode == 1, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gitarchive: error: "), done.stderr
    assert head(world / "archive") == before
    if fault == "index-is-a-folder":
        assert (world / "archive/.git/gitarchive/index.sqlite/mine").read_text() == "someone's\n"
    output = {"site": f"{world}/out/site", "export": f"{world}/out/archive.sqlite"}
    if command in output and fault == "read-only":  # the index is built in memory
        assert output[command] in lines[0], lines[0]
    if command in output and fault == "disk-full":  # reached its own writes (no index)
        assert output[command] in lines[0], lines[0]
        assert not [path.name for path in (world / "out").rglob("*") if ".tmp-" in path.name]
        assert not [path.name for path in (world / "out").rglob("*.partial")]
    if command == "index" and fault == "disk-full":
        assert "change index" in lines[0] and "disk" in lines[0], lines[0]
    if fault == "other-owner":
        assert "safe.directory" in lines[0]


def test_the_walk_covers_every_command_that_writes(capsys: pytest.CaptureFixture[str]) -> None:
    import typer.main

    from gitarchive.cli import app

    commands = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    readers_only = {
        "history",
        "changes",
        "cumulative",
        "show",
        "list",
        "doctor",
        "login",
        "validate",
        "track",
    }
    others = {"remove", "demo", "hooks", "hook"}  # like add / a new folder / hooks' own tests
    # writes only to Spotify: cut short at every write, tests/test_restore_faults.py
    others.add("restore")
    assert commands <= {command.split()[0] for command in WRITERS} | readers_only | others
    assert run_cli_captured(capsys, "--version")[0] == 0
