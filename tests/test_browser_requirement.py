"""The README's test command on a machine without a browser: the run stops at once with the
one line that says what to install, and fails (never a skip, never 8 tracebacks)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.browser import BROWSER_NEEDED, run_includes_browser_tests

PROJECT = Path(__file__).resolve().parent.parent


def pytest_without_a_browser(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GITARCHIVE_CHROMIUM": str(PROJECT / "no-such-chromium")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n0", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_run_with_the_browser_tests_stops_with_one_line_and_fails() -> None:
    for args in ((), ("tests/test_site_browser.py",)):
        done = pytest_without_a_browser(*args)
        assert done.returncode != 0, args
        lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
        assert lines == [f"ERROR: {BROWSER_NEEDED}"], args


def test_the_readme_says_the_same_next_to_the_test_command() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    command = readme.index("python -m pytest")
    assert "apt-get install chromium" in readme[command - 600 : command + 600]


def test_which_runs_include_the_browser_tests() -> None:
    tests = PROJECT / "tests"
    assert run_includes_browser_tests(["tests"], PROJECT)
    assert run_includes_browser_tests(["test_site_browser.py::test_x"], tests)
    assert run_includes_browser_tests([str(PROJECT)], Path("/"))
    assert not run_includes_browser_tests(["tests/test_lock.py"], PROJECT)
