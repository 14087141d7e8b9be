"""The browser the site's tests drive: Debian's Chromium, or the one GITARCHIVE_CHROMIUM names."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

BROWSER_FILE = Path(__file__).resolve().parent.parent / "test_site_browser.py"
# the one line a run without a browser stops with (README.md says the same next to the
# test command)
BROWSER_NEEDED = (
    "the browser tests (tests/test_site_browser.py) need Chromium: install it with "
    "`apt-get install chromium`, or set GITARCHIVE_CHROMIUM to a Chromium executable"
)


def system_chromium() -> str | None:
    """The Chromium executable to drive, if there is one."""
    named = os.environ.get("GITARCHIVE_CHROMIUM")
    if named:
        return named if os.access(named, os.X_OK) and Path(named).is_file() else None
    return shutil.which("chromium")


def run_includes_browser_tests(args: list[str], base: Path) -> bool:
    """Whether pytest's path arguments (relative to ``base``) cover the browser tests."""
    for arg in args:
        target = (base / arg.split("::", 1)[0]).resolve()
        if target == BROWSER_FILE or target in BROWSER_FILE.parents:
            return True
    return False
