"""The gitarchive CLI run in this process: fast, and its output is captured by capsys."""

from __future__ import annotations

import ast
import subprocess
import sys
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


def imported_after(
    argv: list[str], names: tuple[str, ...], *, cwd: Path | None = None, succeeds: bool = False
) -> list[str]:
    """Which of ``names`` a new process has imported after running ``gitarchive ARGV``
    (sorted); with ``succeeds``, the command must also have exited 0."""
    ending = "assert not exc.code, exc.code" if succeeds else "pass"
    code = (
        "import sys; from gitarchive.cli import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit as exc:\n    {ending}\n"
        f"print(sorted(m for m in {names!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=cwd
    )
    found: list[str] = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    return found
