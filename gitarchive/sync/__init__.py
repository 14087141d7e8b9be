"""One refresh of the archive, end to end, in named steps (:mod:`.run`).

prepare (settings, registry, identity) → fetch every playlist concurrently from
a :class:`PlaylistSource` → sort outcomes (unavailable playlists recorded) →
render (:mod:`.plan`: names by alias and uniqueness, plain / pretty md / JSON /
cumulative files, registry and index changes; only files whose bytes changed)
→ status (:mod:`.status`: ``playlists/status.json`` lists the playlists this
sync could not archive, committed so that every clone knows) → commit (one
commit built from HEAD's tree; a sync in which every playlist failed commits
the status alone) → record the result locally → optional push (rebuilt on the
remote's tip if it moved).

A playlist whose track count falls by more than its drop limit (``max_drop``
in gitarchive.toml, 50% by default; ``[playlists.<id>]`` overrides) keeps its
files and is reported as failed, unless ``accept_drops``.

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
from gitarchive.sync.status import committed_status, last_failures

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
    "committed_status",
    "default_source",
    "last_failures",
    "last_sync_record",
    "plan_sync",
    "resolve_unique_names",
    "run_sync",
]
