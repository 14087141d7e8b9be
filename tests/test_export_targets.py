"""Where `gitarchive export` writes: never through a link or into a device, never half a file.

OUT must be a regular file or absent, a folder OUT a real folder: anything else
is one line and exit 1, and the path is left exactly as it was. A failed write
(a missing folder, a full disk) is the export's error, never a "damaged" change
index that gets deleted.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.builder import RepoBuilder
from tests.support.cli import run_cli, run_cli_captured
from tests.support.models import PID, model_playlist, model_track

if TYPE_CHECKING:
    from tests.support.demo import DemoArchive

FORMATS = ["sqlite", "csv", "m3u8", "xspf", "json"]
KPOP = "37i9dQZF1DX5LEXW9eXA0n"
UNKNOWN = "Z" * 22


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, demo_archive: DemoArchive) -> Path:
    root = tmp_path_factory.mktemp("export-targets") / "demo"
    shutil.copytree(demo_archive.path, root, symlinks=True)
    assert run_cli("-C", str(root), "index") == 0  # the index exists and is caught up
    return root


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """An empty folder for OUT (tmp_path also holds the tests' HOME)."""
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def export(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str]:
    code, _, err = run_cli_captured(capsys, "-C", str(root), "export", *args)
    return code, err


def assert_one_line_error(code: int, err: str, *words: str) -> None:
    assert code == 1, err
    assert err.startswith("gitarchive: error: ") and err.count("\n") == 1, err
    assert "internal error" not in err
    for word in words:
        assert word in err, err


def special_files(folder: Path) -> list[Path]:
    """A FIFO always; as root also a character device, the case that once lost /dev nodes."""
    fifo = folder / "fifo"
    os.mkfifo(fifo)
    found = [fifo]
    if os.geteuid() == 0:
        device = folder / "device"
        os.mknod(device, stat.S_IFCHR | 0o600, os.makedev(1, 3))  # as /dev/null
        found.append(device)
    return found


@pytest.mark.parametrize("kind", FORMATS)
def test_a_link_as_out_is_refused_and_its_target_left_alone(
    archive: Path, work: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    precious = work / "precious"
    precious.write_bytes(b"not to be replaced\n")
    link = work / f"out.{kind}"
    link.symlink_to(precious)
    code, err = export(capsys, archive, kind, str(link), "--playlist", KPOP)
    assert_one_line_error(code, err, str(link), "symbolic link")
    assert link.is_symlink() and os.readlink(link) == str(precious)
    assert precious.read_bytes() == b"not to be replaced\n"
    assert sorted(p.name for p in work.iterdir()) == ["out." + kind, "precious"]


@pytest.mark.parametrize("kind", FORMATS)
def test_a_device_or_fifo_as_out_is_refused_and_left_as_it_was(
    archive: Path, work: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    for special in special_files(work):
        before = os.lstat(special)
        code, err = export(capsys, archive, kind, str(special), "--playlist", KPOP)
        assert_one_line_error(code, err, str(special), "device, FIFO or socket")
        after = os.lstat(special)
        assert (after.st_mode, after.st_rdev, after.st_ino) == (
            before.st_mode, before.st_rdev, before.st_ino,
        )  # fmt: skip
    assert all(not p.name.startswith(".") for p in work.iterdir())  # no temporary left


@pytest.mark.parametrize("kind", ["csv", "m3u8", "xspf", "json"])
def test_a_folder_out_that_is_a_link_is_refused_and_left_empty(
    archive: Path, work: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    link = work / "out"
    link.symlink_to(elsewhere, target_is_directory=True)
    code, err = export(capsys, archive, kind, str(link))
    assert_one_line_error(code, err, str(link), "symbolic link")
    assert list(elsewhere.iterdir()) == [] and link.is_symlink()


@pytest.mark.parametrize("kind", FORMATS)
def test_a_folder_or_a_missing_folder_as_out_file_is_one_line(
    archive: Path, work: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    code, err = export(capsys, archive, kind, str(work), "--playlist", KPOP)
    assert_one_line_error(code, err, "is a folder")
    missing = work / "missing" / f"out.{kind}"
    code, err = export(capsys, archive, kind, str(missing), "--playlist", KPOP)
    assert_one_line_error(code, err, "no such folder")
    assert "damaged" not in err
    assert list(work.iterdir()) == []


@pytest.mark.parametrize("kind", FORMATS)
def test_a_playlist_the_archive_never_held_is_one_line_naming_it(
    archive: Path, work: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    out = work / f"out.{kind}"
    code, err = export(capsys, archive, kind, str(out), "--playlist", UNKNOWN)
    assert_one_line_error(code, err, UNKNOWN)
    assert not out.exists()


def test_an_existing_file_is_replaced_whole(
    archive: Path, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = work / "kpop.csv"
    out.write_text("old\n" * 100_000)
    code, err = export(capsys, archive, "csv", str(out), "--playlist", KPOP)
    assert code == 0, err
    assert out.read_text("utf-8").startswith('"Track URI"') and "old\n" not in out.read_text()
    assert [p.name for p in work.iterdir()] == ["kpop.csv"]


@pytest.fixture(scope="module")
def big_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One playlist of 2,000 tracks: every export of it is far over 128 KiB."""
    root = tmp_path_factory.mktemp("export-full-disk") / "archive"
    builder = RepoBuilder(root)
    tracks = [model_track(n) for n in range(2000)]
    builder.commit_playlists([model_playlist(*tracks)], date="2026-01-01T12:00:00Z")
    assert run_cli("-C", str(root), "index") == 0
    return root


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("kind", FORMATS)
def test_a_full_disk_fails_in_one_line_and_keeps_the_change_index(
    big_archive: Path, work: Path, kind: str
) -> None:
    index = big_archive / ".git" / "gitarchive" / "index.sqlite"
    before = digest(index)
    limit = 128 * 1024  # the index reads fine (its WAL shared memory is 32 KiB)

    def full_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG as an error, not a signal
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    out = work / f"out.{kind}"
    done = subprocess.run(
        [sys.executable, "-m", "gitarchive", "-C", str(big_archive), "export", kind, str(out),
         "--playlist", PID],
        capture_output=True, text=True, preexec_fn=full_disk, check=False,
    )  # fmt: skip
    assert_one_line_error(done.returncode, done.stderr, str(out))
    assert "damaged" not in done.stderr and "rebuilding" not in done.stderr
    assert digest(index) == before
    assert list(work.iterdir()) == []  # neither OUT nor a temporary file
