"""One refresh of the archive, end to end, in named steps (:mod:`.run`).

prepare (settings, registry, identity) → fetch every playlist concurrently from
a :class:`PlaylistSource` → sort outcomes (unavailable playlists recorded) →
render (:mod:`.plan`: names by alias and uniqueness, plain / pretty md / JSON /
cumulative files, registry and index changes; only files whose bytes changed)
→ commit (one commit built from HEAD's tree) → record the result for
`gitarchive list` → optional push (rebuilt on the remote's tip if it moved).

The cost of a sync depends on the size of the archive, never on the length of
its history: the previous state is HEAD's tree (blob ids compared before any
blob is read), and the cumulative view is one step of
:func:`gitarchive.history.update_cumulative` on the committed view.

Playlists that could not be fetched keep their files byte for byte; their
previous unique name still takes part in duplicate-name resolution.
"""

from __future__ import annotations

from gitarchive.errors import ArchiveError, GitArchiveError
from gitarchive.sync.plan import Plan, plan_sync, resolve_unique_names
from gitarchive.sync.result import (
    LAST_SYNC_FILE,
    MAX_PUSH_ATTEMPTS,
    PlaylistChange,
    Progress,
    SyncOptions,
    SyncResult,
    Unavailable,
    commit_message,
    last_sync_record,
)
from gitarchive.sync.run import run_sync
from gitarchive.sync.source import PlaylistSource, SourceFactory, default_source

__all__ = [
    "LAST_SYNC_FILE",
    "MAX_PUSH_ATTEMPTS",
    "ArchiveError",
    "GitArchiveError",
    "Plan",
    "PlaylistChange",
    "PlaylistSource",
    "Progress",
    "SourceFactory",
    "SyncOptions",
    "SyncResult",
    "Unavailable",
    "commit_message",
    "default_source",
    "last_sync_record",
    "plan_sync",
    "resolve_unique_names",
    "run_sync",
]
