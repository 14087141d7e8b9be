"""What every step of a sync reads: settled once, under the archive lock, by ``prepare``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gitarchive.sync.result import SyncResult
from gitarchive.sync.status import status_change

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping
    from datetime import datetime

    from gitarchive.git import Identity, Store
    from gitarchive.registry import Registry
    from gitarchive.settings import Settings
    from gitarchive.sync.result import SyncOptions, Unavailable


@dataclass(frozen=True, slots=True)
class SyncContext:
    """Everything the steps share, read once under the archive lock."""

    store: Store
    options: SyncOptions
    now: datetime
    environ: Mapping[str, str]
    settings: Settings
    registry: Registry
    ids: list[str]  # the playlists this sync fetches
    identity: Identity | None  # None when not committing
    github: str | None
    head: str | None  # HEAD when the sync began
    names: Mapping[str, str]  # the unique names HEAD's index.md records (read once)


def status_files(
    context: SyncContext,
    base: str | None,
    registered: Collection[str],
    unavailable: list[Unavailable],
) -> dict[str, bytes]:
    """``{STATUS_PATH: bytes}`` when this sync's failures change ``base``'s status file."""
    # status_change reads the failures from a result; it is handed one holding only them
    failures = SyncResult(date=context.now, unavailable=list(unavailable))
    return status_change(context.store, base, registered, context.ids, context.now, failures)
