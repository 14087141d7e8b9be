"""``gitarchive restore``: an archived version (or the cumulative view) back into Spotify.

:mod:`.source` reads what to restore out of the archive, :mod:`.plan` decides (purely)
what the target lacks and which writes make it whole, :mod:`.run` reads the target,
checks who may change it and writes through :mod:`gitarchive.spotify.writes`.
"""

from __future__ import annotations

from gitarchive.restore.plan import Diff, Skip, Wanted, diff_items, wanted_items, write_plan
from gitarchive.restore.run import RestoreOptions, RestoreResult, restore
from gitarchive.restore.source import RestoreSource, cumulative_source, version_source

__all__ = [
    "Diff",
    "RestoreOptions",
    "RestoreResult",
    "RestoreSource",
    "Skip",
    "Wanted",
    "cumulative_source",
    "diff_items",
    "restore",
    "version_source",
    "wanted_items",
    "write_plan",
]
