"""The gitarchive CLI run in this process: fast, and its output is captured by capsys."""

from __future__ import annotations

import ast
import sqlite3
import subprocess
import sys
from typing import TYPE_CHECKING, Any

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
    return output_and_imports(argv, names, cwd=cwd, succeeds=succeeds)[1]


def output_and_imports(
    argv: list[str], names: tuple[str, ...], *, cwd: Path | None = None, succeeds: bool = False
) -> tuple[str, list[str]]:
    """What ``gitarchive ARGV`` printed in a new process, and :func:`imported_after`'s list."""
    ending = "assert not exc.code, exc.code" if succeeds else "pass"
    code = (
        "import sys; from gitarchive.cli import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit as exc:\n    {ending}\n"
        f"print(sorted(m for m in {names!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=cwd
    )
    *printed, last = done.stdout.splitlines()
    found: list[str] = ast.literal_eval(last.strip())
    return "\n".join(printed), found


def index_tables(repo: Path, *, without: tuple[str, ...] = ()) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the repository's change index (but ``without``), its rows sorted."""
    connection = sqlite3.connect(index_file(repo))
    try:
        query = "SELECT name FROM sqlite_master WHERE type = 'table'"
        names = [row[0] for row in connection.execute(query) if row[0] not in without]
        return {
            name: connection.execute(f"SELECT * FROM {name} ORDER BY 1, 2").fetchall()
            for name in names
        }
    finally:
        connection.close()
