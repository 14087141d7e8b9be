"""History: versions, diffs, timelines and the cumulative view.

Pure functions over model objects: nothing here touches git, files or the
network. gitarchive.git walks the log; formats reads them into Playlists.

The cumulative view is a fold: ``update_cumulative(previous_view, version,
day)`` over every version, oldest first. ``sync`` applies one step of that fold
to the committed view, ``gitarchive cumulative`` applies all of them, so the
two agree by construction.
"""

from __future__ import annotations

from gitarchive.history.cumulative import (
    CumulativeFold,
    cumulative_sort_key,
    fold_cumulative,
    update_cumulative,
)
from gitarchive.history.diff import (
    Change,
    TrackDiff,
    TrackUpdate,
    Version,
    diff_tracks,
    select_changes,
    timeline,
)
from gitarchive.history.documents import (
    CSV_COLUMNS,
    cumulative_csv,
    cumulative_document,
    dump_json,
    format_likes_plain,
    history_document,
    iso_utc,
    timeline_markdown,
    track_document,
)
from gitarchive.history.keys import (
    LINE_KEY_PREFIX,
    align_keys,
    line_key,
)

__all__ = [
    "CSV_COLUMNS",
    "LINE_KEY_PREFIX",
    "Change",
    "CumulativeFold",
    "TrackDiff",
    "TrackUpdate",
    "Version",
    "align_keys",
    "cumulative_csv",
    "cumulative_document",
    "cumulative_sort_key",
    "diff_tracks",
    "dump_json",
    "fold_cumulative",
    "format_likes_plain",
    "history_document",
    "iso_utc",
    "line_key",
    "select_changes",
    "timeline",
    "timeline_markdown",
    "track_document",
    "update_cumulative",
]
