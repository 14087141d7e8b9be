"""A JSON or TOML file nested deeper than a parser's recursion limit is a bad file, never a crash.

Python's json decoder and tomllib recurse once per level, so a hand-made or hostile file of
100,000 brackets raises RecursionError. Wherever the archive reads such a file (validate and
the hooks, history, sync, settings), it is reported like any other malformed file: a finding,
one warning for that one version, or one error line naming the file, and never exit 3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.support.api import fake_id
from tests.support.cli import run_cli_captured
from tests.support.gitcli import git
from tests.support.hostile import synced_twice

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.fakespotify import FakeSpotify

A = fake_id("deep-nesting", "a")
DEEP_JSON = '{"tracks": ' + "[" * 100_000 + "]" * 100_000 + "}\n"
DEEP_TOML = "author_name = " + "[" * 100_000 + "]" * 100_000 + "\n"


@pytest.fixture
def archive(tmp_path: Path, fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch) -> Path:
    fake_spotify.setenv(monkeypatch)
    return synced_twice(tmp_path / "archive", A, fake_spotify)


def _no_crash(err: str) -> None:
    assert "internal error" not in err and "Traceback" not in err, err


@pytest.mark.parametrize("path", [f"playlists/pretty/{A}.json", "playlists/status.json"])
def test_validate_and_the_hook_report_a_deeply_nested_json_file(
    archive: Path, capsys: pytest.CaptureFixture[str], path: str
) -> None:
    (archive / path).write_text(DEEP_JSON)
    code, out, err = run_cli_captured(capsys, "-C", str(archive), "validate")
    _no_crash(err)
    assert code == 1 and path in out + err and "nested too deeply" in out + err, out + err
    git(archive, "add", path)
    code, out, err = run_cli_captured(capsys, "-C", str(archive), "hook", "pre-commit")
    _no_crash(err)
    assert code == 1 and "nested too deeply" in out + err, out + err


def test_history_skips_a_committed_deeply_nested_snapshot_with_a_warning(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (archive / f"playlists/pretty/{A}.json").write_text(DEEP_JSON)
    git(archive, "commit", "-qam", "a hand-made snapshot")
    code, _out, err = run_cli_captured(capsys, "-C", str(archive), "history", A)
    _no_crash(err)
    assert code == 0, err
    assert "nested too deeply" in err and f"playlists/pretty/{A}.json" in err, err


def test_sync_refuses_a_committed_deeply_nested_snapshot_in_one_line(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = f"playlists/pretty/{A}.json"
    (archive / path).write_text(DEEP_JSON)
    git(archive, "commit", "-qam", "a hand-made snapshot")
    code, _out, err = run_cli_captured(
        capsys, "-C", str(archive), "sync", "--date", "2026-11-03T06:00:00Z"
    )
    _no_crash(err)
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1 and path in lines[0], err
    assert "nested too deeply" in lines[0], err
    assert (archive / path).read_text() == DEEP_JSON  # kept as it was, for a person to mend


def test_a_deeply_nested_settings_file_is_one_line_naming_it(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (archive / "gitarchive.toml").write_text(DEEP_TOML)
    code, _out, err = run_cli_captured(
        capsys, "-C", str(archive), "sync", "--date", "2026-11-03T06:00:00Z"
    )
    _no_crash(err)
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1 and "gitarchive.toml" in lines[0], err
    assert "nested too deeply" in lines[0], err
