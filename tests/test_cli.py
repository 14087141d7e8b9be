"""The CLI's shape: commands, global options, and how errors become exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from gitarchive import __version__, cli
from gitarchive.errors import FormatError, InvalidPlaylistId

COMMANDS = [
    "init", "add", "remove", "list", "sync", "history", "cumulative", "show",
    "validate", "hooks", "login", "demo",
]  # fmt: skip

runner = CliRunner()


def test_help_lists_every_command() -> None:
    result = runner.invoke(cli.app, ["--help"])
    assert result.exit_code == 0
    listed = result.output.split("Commands:")[1]
    for command in COMMANDS:
        assert f"  {command} " in listed, command


def test_short_help_flag_and_version() -> None:
    assert runner.invoke(cli.app, ["-h"]).exit_code == 0
    result = runner.invoke(cli.app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"gitarchive {__version__}"


def test_python_dash_m_runs_the_same_app() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gitarchive", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "sync" in result.stdout


def test_dash_c_must_be_a_directory(tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["-C", str(tmp_path / "missing"), "list"])
    assert result.exit_code == 1
    assert "no such directory" in result.output


def test_a_deleted_working_directory_is_one_line_and_dash_c_still_works(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    script = (
        "import os, sys; from gitarchive.cli import main; os.chdir(sys.argv[1]); "
        "os.rmdir(sys.argv[1]); main(sys.argv[2:])"
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        gone.mkdir()
        command = [sys.executable, "-c", script, str(gone), *args]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    lost = run("list")
    assert lost.returncode == 1
    assert lost.stderr == (
        "gitarchive: error: the current directory no longer exists; cd to an existing one\n"
    )
    elsewhere = run("-C", str(tmp_path), "list")
    assert "Traceback" not in elsewhere.stderr
    assert "no longer exists" not in elsewhere.stderr


def test_dash_c_sets_the_directory_commands_act_on(tmp_path: Path) -> None:
    seen: list[Path] = []

    @cli.app.command("where-am-i", hidden=True)
    def where_am_i() -> None:
        seen.append(cli.state.directory)

    try:
        result = runner.invoke(cli.app, ["-C", str(tmp_path), "where-am-i"])
    finally:
        cli.app.registered_commands.pop()
    assert result.exit_code == 0, result.output
    assert seen == [tmp_path.resolve()]


def _run_decorated(exc: BaseException, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    @cli.handle_errors
    def command() -> None:
        raise exc

    with pytest.raises(typer.Exit) as exit_info:
        command()
    return exit_info.value.exit_code, capsys.readouterr().err


def test_expected_error_is_one_line_naming_file_and_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, stderr = _run_decorated(
        FormatError("table row 3 has 4 cells, expected 5", path="playlists/pretty/x.md", line=12),
        capsys,
    )
    assert code == 1
    assert stderr == (
        "gitarchive: error: playlists/pretty/x.md:12: table row 3 has 4 cells, expected 5\n"
    )


def test_multi_line_messages_are_folded_into_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, stderr = _run_decorated(InvalidPlaylistId("first\nsecond"), capsys)
    assert code == 1
    assert stderr.count("\n") == 1
    assert "Traceback" not in stderr


def test_unexpected_error_exits_3_with_a_report_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, stderr = _run_decorated(RuntimeError("boom"), capsys)
    assert code == 3
    assert "internal error: RuntimeError: boom" in stderr
    assert "please report" in stderr
    assert "Traceback" not in stderr


def test_ctrl_c_exits_130(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = _run_decorated(KeyboardInterrupt(), capsys)
    assert code == 130
