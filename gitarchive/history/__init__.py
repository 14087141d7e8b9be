"""History: versions, diffs, timeline entries, the cumulative view and their outputs.

Pure functions over model objects: nothing here touches git, files or the
network. gitarchive.git walks the log; formats reads them into Playlists;
:mod:`gitarchive.version_fold` turns the walk into versions.

The cumulative view is a fold: ``update_cumulative(previous_view, version,
day)`` over every version, oldest first. ``sync`` applies one step of that fold
to the committed view, ``gitarchive cumulative`` applies all of them, so the
two agree by construction. A timeline is a list of
:class:`gitarchive.timeline.Entry`, computed by :mod:`.entries` and written by
:mod:`.documents`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gitarchive.history.cumulative import (
        CumulativeFold,
        cumulative_sort_key,
        fold_cumulative,
        update_cumulative,
    )
    from gitarchive.history.diff import (
        TrackDiff,
        TrackUpdate,
        Version,
        diff_tracks,
    )
    from gitarchive.history.documents import (
        CSV_COLUMNS,
        cumulative_csv,
        format_likes_plain,
        iso_utc,
    )
    from gitarchive.history.keys import (
        LINE_KEY_PREFIX,
        align_keys,
        line_key,
    )
    from gitarchive.timeline import track_document

# Each name is imported from its module when first asked for: importing this package
# (as any of its modules does first) then costs nothing, and a read that needs the
# fold and the diff but no documents (a warm `track`) skips them and csv (~4 ms).
_HOMES = {
    **dict.fromkeys(
        ("CumulativeFold", "cumulative_sort_key", "fold_cumulative", "update_cumulative"),
        "gitarchive.history.cumulative",
    ),
    **dict.fromkeys(
        ("TrackDiff", "TrackUpdate", "Version", "diff_tracks"), "gitarchive.history.diff"
    ),
    **dict.fromkeys(
        ("CSV_COLUMNS", "cumulative_csv", "format_likes_plain", "iso_utc"),
        "gitarchive.history.documents",
    ),
    **dict.fromkeys(("LINE_KEY_PREFIX", "align_keys", "line_key"), "gitarchive.history.keys"),
    "track_document": "gitarchive.timeline",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "CSV_COLUMNS",
    "LINE_KEY_PREFIX",
    "CumulativeFold",
    "TrackDiff",
    "TrackUpdate",
    "Version",
    "align_keys",
    "cumulative_csv",
    "cumulative_sort_key",
    "diff_tracks",
    "fold_cumulative",
    "format_likes_plain",
    "iso_utc",
    "line_key",
    "track_document",
    "update_cumulative",
]


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
