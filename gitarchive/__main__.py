"""``python -m gitarchive``."""

from __future__ import annotations

from gitarchive.cli import main

main()
