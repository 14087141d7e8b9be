"""The sync step that keeps ``playlists/status.json`` (:mod:`gitarchive.formats.status`).

The file is committed with the sync, so a fresh clone knows which playlists the
last sync could not archive. It changes only when the set of failures (or their
reasons) changes; a sync whose every playlist failed commits the status alone.
"""

from __future__ import annotations

import logging
from datetime import UTC
from typing import TYPE_CHECKING

from gitarchive import git
from gitarchive.errors import FormatError, redact
from gitarchive.formats.paths import STATUS_PATH
from gitarchive.formats.status import Failure, read_status_file, render_status
from gitarchive.sync.result import last_sync_record

if TYPE_CHECKING:
    from collections.abc import Collection
    from datetime import datetime

    from gitarchive.git import Store
    from gitarchive.sync.result import SyncResult

logger = logging.getLogger(__name__)


def committed_status(store: Store, commit: str | None) -> dict[str, Failure]:
    """The failures ``commit`` records; none when it has no status file (or an unreadable one)."""
    if commit is None:
        return {}
    try:
        return read_status_file(git.read_file(store, commit, STATUS_PATH))
    except FormatError as exc:
        # a hand-broken status must not stop the sync that rewrites it
        logger.warning("%s: %s (rewritten by this sync)", STATUS_PATH, exc)
        return {}


def status_change(
    store: Store,
    base: str | None,
    registered: Collection[str],
    synced: Collection[str],
    now: datetime,
    result: SyncResult,
) -> dict[str, bytes]:
    """``{STATUS_PATH: bytes}`` when this sync's failures change the committed status."""
    previous = committed_status(store, base)
    day = now.astimezone(UTC).date().isoformat()
    failed = {
        playlist_id: failure
        for playlist_id, failure in previous.items()
        if playlist_id in registered and playlist_id not in synced
    }
    for missing in result.unavailable:
        earlier = previous.get(missing.id)
        failed[missing.id] = Failure(
            since=earlier.since if earlier is not None else day,
            kind=missing.kind,
            cause=missing.cause,
            reason=redact(missing.reason),
        )
    data = render_status(failed).encode("utf-8")
    old = git.entry_id(store, base, STATUS_PATH) if base is not None else None
    if old == git.blob_id_of(data) or (old is None and not failed):
        return {}
    result.status_changed = True
    return {STATUS_PATH: data}


def last_failures(store: Store) -> dict[str, str]:
    """Playlists the last sync did not archive: ``{id: "kind: reason"}``.

    The committed status (what every clone has) joined with this machine's own
    record of its last sync (which also covers ``--no-commit`` runs).
    """
    failures = {
        playlist_id: f"{failure.kind}: {failure.reason} (since {failure.since})"
        for playlist_id, failure in committed_status(store, git.head_id(store)).items()
    }
    local = last_sync_record(store).get("unavailable")
    if isinstance(local, dict):
        for playlist_id, reason in local.items():
            if isinstance(playlist_id, str) and playlist_id not in failures:
                failures[playlist_id] = f"unavailable: {reason}"
    return failures
