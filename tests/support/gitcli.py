"""The git CLI, for tests only: an independent oracle of what pygit2 wrote (the package
itself never runs git)."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def git_process(
    cwd: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``git ARGS`` in ``cwd``, whatever its exit status (for tests that expect a refusal)."""
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, input=stdin, timeout=60
    )


def git(cwd: Path, *args: str, stdin: str | None = None) -> str:
    """``git ARGS``'s stdout; a failure fails the test with git's own words."""
    done = git_process(cwd, *args, stdin=stdin)
    if done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout
