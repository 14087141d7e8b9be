"""The gitarchive CLI run in this process: fast, and its output is captured by capsys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive.cli import main

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def run_cli(*args: str) -> int:
    """Run ``gitarchive ARGS``; its exit status."""
    try:
        main(list(args))
    except SystemExit as done:
        return int(done.code or 0)
    return 0


def run_cli_captured(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``gitarchive ARGS``; its exit status, stdout and stderr."""
    code = run_cli(*args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def invoke_in(repo: Path, *args: str) -> tuple[int, str, str]:
    """``gitarchive -C REPO ARGS`` through typer's runner (exceptions propagate): its exit
    status, stdout and stderr."""
    # lazy: typer's testing module is only wanted by the tests that invoke this way
    from typer.testing import CliRunner

    from gitarchive import cli

    result = CliRunner().invoke(cli.app, ["-C", str(repo), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def index_file(repo: Path) -> Path:
    """Where the repository's change index lives."""
    from gitarchive.git import Store
    from gitarchive.index import db

    return db.index_path(Store.discover(repo))
