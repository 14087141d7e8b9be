"""The gitarchive CLI run in this process: fast, and its output is captured by capsys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive.cli import main

if TYPE_CHECKING:
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
