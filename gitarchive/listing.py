"""``gitarchive list``: each registered playlist with what HEAD holds for it.

Also the names HEAD's ``index.md`` records (the names ``list`` shows, and the
unique names a sync keeps).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from gitarchive import formats, git
from gitarchive.errors import FormatError
from gitarchive.formats.paths import INDEX_PATH, PLAIN_DIR, json_path, plain_path
from gitarchive.registry import InvalidEntry, RegistryEntry, read_registry

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from gitarchive.git import Store
    from gitarchive.model import Playlist


@dataclass(frozen=True, slots=True)
class ListedPlaylist:
    id: str
    name: str | None
    tracks: int | None
    last_change: datetime | None
    status: str

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "tracks": self.tracks,
            "last_change": (
                self.last_change.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                if self.last_change
                else None
            ),
            "status": self.status,
        }


@dataclass(frozen=True, slots=True)
class _Head:
    """What HEAD holds that every row reads: its id, committed entries and names."""

    id: str | None
    committed: frozenset[str]
    names: dict[str, str]


def list_playlists(
    store: Store,
    unavailable: dict[str, str] | None = None,
    last_changes: Callable[[], Mapping[str, datetime]] | None = None,
) -> list[ListedPlaylist]:
    """Every registry entry with what HEAD holds for it (no history walk beyond last change).

    ``last_changes``: when each plain file last changed, from the change index;
    without it, the log is walked back until every entry's change is found.
    """
    registry = read_registry(store)
    head_id = git.head_id(store)
    head = _Head(
        head_id,
        frozenset(read_registry(store, commit=head_id).entries) if head_id else frozenset(),
        unique_names_at(store, head_id),
    )
    if last_changes is not None:
        changed = last_changes()
    else:
        walked = git.last_changed(store, PLAIN_DIR, registry.entries)
        changed = {playlist_id: info.date for playlist_id, info in walked.items()}
    rows = [
        _row(store, head, entry, changed.get(playlist_id), (unavailable or {}).get(playlist_id))
        for playlist_id, entry in sorted(registry.entries.items())
    ]
    return rows + [_invalid_row(invalid) for invalid in registry.invalid]


def _row(
    store: Store,
    head: _Head,
    entry: RegistryEntry,
    last_change: datetime | None,
    unavailable: str | None,
) -> ListedPlaylist:
    version = _head_version(store, head.id, entry.id)
    tracks = len(version.tracks) if version is not None else None
    name = head.names.get(entry.id) or (version.display_name if version is not None else None)
    if unavailable is not None:
        status = unavailable  # "kind: reason": never "ok"
    elif tracks is None:
        status = "not synced yet"
    elif entry.id not in head.committed:
        status = "registry entry not committed"
    else:
        status = "ok"
    return ListedPlaylist(
        id=entry.id, name=name or entry.alias, tracks=tracks, last_change=last_change, status=status
    )


def _invalid_row(invalid: InvalidEntry) -> ListedPlaylist:
    return ListedPlaylist(
        id=invalid.path.rsplit("/", 1)[1],
        name=None,
        tracks=None,
        last_change=None,
        status=f"invalid: {invalid.reason}",
    )


def unique_names_at(store: Store, commit: str | None) -> dict[str, str]:
    """Unique names as ``commit``'s index.md records them (one small file); none when it
    is missing or unreadable. What `list` shows, and the names a sync keeps."""
    if commit is None:
        return {}
    return read_unique_names(git.read_file(store, commit, INDEX_PATH))


def read_unique_names(index: bytes | None) -> dict[str, str]:
    """The unique names an ``index.md``'s bytes record; none when missing or unreadable."""
    if index is None:
        return {}
    try:
        return dict(formats.read_index(formats.decode(index), path=INDEX_PATH))
    except FormatError:
        return {}


def _head_version(store: Store, head: str | None, playlist_id: str) -> Playlist | None:
    """The playlist as HEAD holds it (JSON, else plain); None when absent or unreadable."""
    if head is None:
        return None
    for path in (json_path(playlist_id), plain_path(playlist_id)):
        data = git.read_file(store, head, path)
        if data is not None:
            try:
                return formats.read_version({path: data}, playlist_id)
            except FormatError:
                return None
    return None
