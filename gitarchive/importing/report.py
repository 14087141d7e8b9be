"""What an import did: per playlist, the whole run, and the files it could not read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from gitarchive.errors import FormatError


@dataclass(frozen=True, slots=True)
class Skip:
    """A source file that did not parse: it cost one version, never the import.

    ``instead`` names the file of the same commit the version was read from
    instead; None when no file of that commit could be read (the version is skipped).
    """

    commit: str
    path: str
    line: int | None
    reason: str
    playlist: str | None
    instead: str | None = None

    @classmethod
    def of(cls, exc: FormatError, playlist: str | None, instead: str | None = None) -> Skip:
        return cls(
            commit=exc.commit or "",
            path=exc.path or "",
            line=exc.line,
            reason=" ".join(exc.message.splitlines()),
            playlist=playlist,
            instead=instead,
        )

    def where(self) -> str:
        place = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{self.commit[:12]}:{place}"


@dataclass(frozen=True, slots=True)
class ImportResult:
    """One playlist's part of an import."""

    playlist_id: str
    name: str
    imported: tuple[datetime, ...]  # the dates of the versions brought in
    newer_skipped: int  # source versions not older than its own history here
    replayed: int  # existing commits rebuilt on top (of the whole run)
    tip: str | None
    cumulative_commit: str | None
    # merges replayed with their first parent only: their other parents reach commits the
    # import rewrote, which would have stayed reachable beside their rewritten copies
    flattened: tuple[str, ...] = ()
    # source versions the archive already held (a source joined to one imported before)
    already_here: int = 0


@dataclass(frozen=True, slots=True)
class ImportReport:
    """The whole run: every playlist's result, the rewrite, the files skipped."""

    source: str
    playlists: tuple[ImportResult, ...]
    commits: int  # commits written for imported versions
    replayed: int
    tip: str | None
    cumulative_commit: str | None
    flattened: tuple[str, ...]
    skipped: tuple[Skip, ...]

    @property
    def versions(self) -> int:
        return sum(len(result.imported) for result in self.playlists)
