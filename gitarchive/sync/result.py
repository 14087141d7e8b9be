"""What a sync was asked to do and what it did: options, per-playlist changes, the result."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from gitarchive.errors import redact

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitarchive.git import Store

MAX_PUSH_ATTEMPTS = 4
LAST_SYNC_FILE = "gitarchive-last-sync.json"
#: The cause of a failure Spotify answered with 400: gitarchive's own bug, so the run fails.
BAD_REQUEST = "bad_request"


@dataclass(frozen=True, slots=True)
class SyncOptions:
    only: tuple[str, ...] = ()
    commit: bool = True
    push: bool = False
    now: datetime | None = None  # the version date; default: the wall clock
    message: str | None = None
    strict: bool = False
    push_attempts: int = MAX_PUSH_ATTEMPTS
    accept_drops: bool = False  # commit playlists whose track count fell past the limit


@dataclass(frozen=True, slots=True)
class PlaylistChange:
    id: str
    name: str
    added: int
    removed: int
    new: bool = False
    before: int = 0  # tracks in the previous version
    after: int = 0  # tracks in this one


@dataclass(frozen=True, slots=True)
class Unavailable:
    """A playlist this sync did not archive; its files are kept byte for byte.

    ``kind``: "unavailable" (Spotify's answer was an error or unusable), "dropped"
    (its track count fell past the drop limit) or "skipped" (the run's time budget
    ran out first). ``cause``: a :mod:`gitarchive.spotify.access` cause, when known.
    """

    id: str
    name: str | None
    reason: str
    cause: str | None = None
    kind: str = "unavailable"


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int
    playlist_id: str
    ok: bool


@dataclass(slots=True)
class SyncResult:
    date: datetime
    registered: int = 0
    fetched: int = 0
    changed: list[PlaylistChange] = field(default_factory=list)
    unavailable: list[Unavailable] = field(default_factory=list)
    invalid_entries: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    files_changed: int = 0
    commit: str | None = None
    message: str | None = None
    pushed: bool = False
    push_attempts: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    strict: bool = False
    # Spotify answered a refresh with a new refresh token: the stored one may stop working.
    refresh_token_rotated: bool = False
    refresh_token_file: str | None = None
    warnings: list[str] = field(default_factory=list)  # e.g. the refresh token expires soon
    status_changed: bool = False  # playlists/status.json was written

    @property
    def tracks_added(self) -> int:
        return sum(change.added for change in self.changed)

    @property
    def tracks_removed(self) -> int:
        return sum(change.removed for change in self.changed)

    @property
    def unchanged(self) -> int:
        """Fetched and archived, with nothing new."""
        return max(0, self.fetched - len(self.changed))

    @property
    def exit_code(self) -> int:
        """0 when the commit (if any) was made; 1 when nothing could be fetched, Spotify
        called a request malformed (400), or (strict) anything failed."""
        if self.registered and not self.fetched:
            return 1
        if any(u.cause == BAD_REQUEST for u in self.unavailable):
            return 1  # a request Spotify calls malformed is a bug to fix, not a bad day
        if self.strict and (self.unavailable or self.invalid_entries):
            return 1
        return 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "registered": self.registered,
            "fetched": self.fetched,
            "changed": [
                {"id": c.id, "name": c.name, "added": c.added, "removed": c.removed, "new": c.new}
                for c in self.changed
            ],
            "unavailable": [
                {
                    "id": u.id,
                    "name": u.name,
                    "reason": redact(u.reason),
                    "cause": u.cause,
                    "kind": u.kind,
                }
                for u in self.unavailable
            ],
            "unchanged": self.unchanged,
            "warnings": [redact(w) for w in self.warnings],
            "invalid_entries": [{"path": p, "reason": r} for p, r in self.invalid_entries],
            "tracks_added": self.tracks_added,
            "tracks_removed": self.tracks_removed,
            "files_changed": self.files_changed,
            "commit": self.commit,
            "message": self.message,
            "pushed": self.pushed,
            "exit_code": self.exit_code,
            "refresh_token_rotated": self.refresh_token_rotated,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"


def commit_message(now: datetime, changed: Sequence[PlaylistChange], *, failed: int = 0) -> str:
    stamp = now.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    count = len(changed)
    noun = "playlist" if count == 1 else "playlists"
    added = sum(c.added for c in changed)
    removed = sum(c.removed for c in changed)
    if not count and failed:
        failed_noun = "playlist" if failed == 1 else "playlists"
        return f"Sync {stamp} UTC: status only, {failed} {failed_noun} failed (files kept)"
    if not count:
        return f"Sync {stamp} UTC: playlist index updated"
    return f"Sync {stamp} UTC: {count} {noun} changed, +{added} \u2212{removed} tracks"


def record_last_sync(store: Store, result: SyncResult) -> None:
    """Remember which playlists were unavailable, for `gitarchive list` (best effort).

    A local copy of what playlists/status.json commits, for --no-commit runs.
    """
    record = {
        "date": result.to_dict()["date"],
        "unavailable": {u.id: redact(u.reason) for u in result.unavailable},
    }
    with contextlib.suppress(OSError):
        (store.git_dir / LAST_SYNC_FILE).write_text(json.dumps(record) + "\n", encoding="utf-8")


def last_sync_record(store: Store) -> dict[str, Any]:
    try:
        data = json.loads((store.git_dir / LAST_SYNC_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
