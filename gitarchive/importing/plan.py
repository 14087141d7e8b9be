"""What an import takes: each playlist's source versions this archive does not hold yet.

This archive's own history (the versions its syncs wrote) is the record from
its first version on. Before it, imported versions may already be here (an
earlier import of another source): a source's versions are taken where they
are older than everything here, or newer than the last imported version and
older than the first version of its own. So a second source that continues a
first one (its first versions overlapping the first's last) adds only what
comes after the overlap, and the playlist keeps one timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gitarchive import git
from gitarchive.formats.paths import SOURCE_FOLDERS, split_source_path

if TYPE_CHECKING:
    from datetime import datetime

    from gitarchive.git import CommitInfo, Store
    from gitarchive.history import Version

#: The trailer every imported commit's message ends with.
IMPORTED_FROM = "Imported-from: "


@dataclass(slots=True)
class Held:
    """The dates of a playlist's versions here: the first, the last imported, the first own."""

    first: datetime | None = None
    last_imported: datetime | None = None
    first_own: datetime | None = None

    def takes(self, date: datetime) -> bool:
        if self.first is None or date < self.first:
            return True
        if self.last_imported is None or date <= self.last_imported:
            return False
        return self.first_own is None or date < self.first_own


@dataclass(slots=True)
class Target:
    """The archive imported into: its first-parent chain and what each commit holds."""

    chain: list[CommitInfo]
    held: dict[str, Held] = field(default_factory=dict)
    # chain commit id -> the playlists whose files it changed (its versions)
    changed: dict[str, frozenset[str]] = field(default_factory=dict)


def is_imported(message: str) -> bool:
    return any(line.startswith(IMPORTED_FROM) for line in message.splitlines())


def read_target(store: Store) -> Target:
    """One walk of the archive's playlist folders (no file is read)."""
    target = Target(git.first_parent_chain(store))
    messages = {info.id: info.message for info in target.chain}
    for change in git.walk_folders(store, SOURCE_FOLDERS):
        ids = set()
        for path, blob in change.changes.items():
            split = split_source_path(path)
            if split is not None and blob is not None:
                ids.add(split[0])
        if not ids:
            continue
        target.changed[change.commit] = frozenset(ids)
        imported = is_imported(messages.get(change.commit, ""))
        for playlist_id in ids:
            held = target.held.setdefault(playlist_id, Held())
            held.first = held.first or change.date
            if imported:
                held.last_imported = change.date
            elif held.first_own is None:
                held.first_own = change.date
    return target


def taken(found: list[Version], held: Held | None) -> list[Version]:
    """The source versions this archive does not hold yet (see the module's rule)."""
    if held is None:
        return list(found)
    return [version for version in found if held.takes(version.date)]
