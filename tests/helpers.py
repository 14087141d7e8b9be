"""Small helpers shared by test modules: the CLI in-process, and the git CLI as an oracle."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

from gitarchive.cli import main

if TYPE_CHECKING:
    from pathlib import Path


def run_cli(*args: str) -> int:
    """Run ``gitarchive ARGS`` in this process; its exit status."""
    try:
        main(list(args))
    except SystemExit as done:
        return int(done.code or 0)
    return 0


def git(cwd: Path, *args: str) -> str:
    """The git CLI's stdout (tests may use git itself; the package never does)."""
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout
