"""The one exception tree of gitarchive.

Every error that a user can cause or meet in normal operation derives from
:class:`GitArchiveError`. The CLI turns these into a one-line message and exit
status 1; anything else is a bug (exit 3). Each error carries the playlist,
file, line or commit it concerns so that its message can name them.

    GitArchiveError
    ├── UsageError                 bad arguments the CLI parser could not catch
    │   └── InvalidPlaylistId      not a playlist id, URL or URI
    ├── SettingsError              gitarchive.toml or the environment is wrong
    ├── ArchiveError               the archive on disk or in git
    │   ├── NotAnArchive           no git repository at/above the path
    │   ├── FormatError            a file does not parse (file, line, commit)
    │   ├── RevisionNotFound       a revision or date names no commit
    │   ├── PlaylistNotFound       an id / name that the archive does not hold
    │   ├── LockedError            another sync holds the archive's lock
    │   └── PushError              pushing the sync commit failed
    ├── SpotifyError               anything from the Spotify Web API
    │   ├── AuthError              missing, rejected or expired credentials
    │   ├── PlaylistUnavailable    404 / 400: gone, private or restricted today
    │   ├── Forbidden              403: not allowed, never retried
    │   ├── InvalidResponse        the API answered with data we cannot use
    │   └── RetriesExhausted       429 / 5xx / timeouts outlasted the budget
    └── ValidationFailed           `validate` found problems (carries findings)

Messages never contain secrets: code that raises these errors must not put
tokens, client secrets or Authorization headers into them.
"""

from __future__ import annotations


class GitArchiveError(Exception):
    """An expected error: reported in one line, exit status 1."""

    def __init__(
        self,
        message: str,
        *,
        playlist: str | None = None,
        path: str | None = None,
        line: int | None = None,
        commit: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.playlist = playlist
        self.path = path
        self.line = line
        self.commit = commit

    def __str__(self) -> str:
        where = []
        if self.commit:
            where.append(self.commit[:12])
        if self.path:
            where.append(self.path if self.line is None else f"{self.path}:{self.line}")
        elif self.playlist:
            where.append(f"playlist {self.playlist}")
        prefix = ":".join(where)
        text = " ".join(self.message.splitlines()) or type(self).__name__
        return f"{prefix}: {text}" if prefix else text


class UsageError(GitArchiveError):
    """Arguments that are syntactically fine but make no sense."""


class InvalidPlaylistId(UsageError):
    """A string that is not a playlist id, open.spotify.com URL or spotify: URI."""


class SettingsError(GitArchiveError):
    """gitarchive.toml (or an environment variable) is invalid."""


class ArchiveError(GitArchiveError):
    """The archive in git or on disk cannot be used as asked."""


class NotAnArchive(ArchiveError):
    """No git repository at or above the given path."""


class FormatError(ArchiveError):
    """An archive file does not parse; names the file, line and commit."""


class RevisionNotFound(ArchiveError):
    """A revision, or a date, that names no commit."""


class PlaylistNotFound(ArchiveError):
    """A playlist id or name that the archive does not hold."""


class LockedError(ArchiveError):
    """Another sync of the same archive is running."""


class PushError(ArchiveError):
    """The sync commit could not be pushed."""


class SpotifyError(GitArchiveError):
    """Anything that went wrong talking to the Spotify Web API."""


class AuthError(SpotifyError):
    """Credentials missing, rejected, or a refresh token expired."""


class PlaylistUnavailable(SpotifyError):
    """404 or 400: the playlist is gone, private, or hidden from this app today."""

    def __init__(self, message: str, *, playlist: str | None = None, status: int | None = None):
        super().__init__(message, playlist=playlist)
        self.status = status


class Forbidden(SpotifyError):
    """403: the app may not read this; retrying will not help."""


class InvalidResponse(SpotifyError):
    """The API answered, but with data of the wrong shape or type."""


class RetriesExhausted(SpotifyError):
    """Rate limits, server errors or timeouts lasted longer than the retry budget."""


class ValidationFailed(GitArchiveError):
    """`validate` found problems; ``findings`` holds them all."""

    def __init__(self, message: str, findings: list[object]) -> None:
        super().__init__(message)
        self.findings = findings
