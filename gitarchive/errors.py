"""The one exception tree of gitarchive.

Every error that a user can cause or meet in normal operation derives from
:class:`GitArchiveError`. The CLI turns these into a one-line message and exit
status 1; anything else is a bug (exit 3). Each error carries the playlist,
file, line or commit it concerns so that its message can name them.

    GitArchiveError
    ├── UsageError                 bad arguments the CLI parser could not catch
    │   └── InvalidPlaylistId      not a playlist id, URL or URI
    ├── SettingsError              gitarchive.toml or the environment is wrong
    ├── ExportError                an export's output path is refused or cannot be written
    ├── ArchiveError               the archive on disk or in git
    │   ├── NotAnArchive           no git repository at/above the path
    │   ├── FormatError            a file does not parse (file, line, commit)
    │   ├── RevisionNotFound       a revision or date names no commit
    │   ├── PlaylistNotFound       an id / name that the archive does not hold
    │   ├── LockedError            another sync holds the archive's lock
    │   └── PushError              pushing the sync commit failed
    ├── SpotifyError               anything from the Spotify Web API (messages redacted)
    │   ├── AuthError              missing, rejected or expired credentials
    │   ├── QuotaExceeded          429 QUOTA_EXCEEDED: the app's quota, stops the whole run
    │   ├── BadRequest             400: gitarchive's own bad request (shows the request)
    │   ├── PlaylistUnavailable    404: gone, private, or Spotify-owned (``cause``)
    │   ├── Forbidden              403: this access may not read it (``cause``), never retried
    │   ├── InvalidResponse        the API answered with data we cannot use
    │   │   └── IncompleteResponse pages or counts that do not add up: a failed fetch
    │   ├── RetriesExhausted       429 / 5xx / timeouts outlasted the budget
    │   │   ├── Skipped            never tried: the run's time budget was spent
    │   │   └── WriteOutcomeUnknown a write reached Spotify, its answer was lost
    │   └── Unreachable            no connection to a Spotify host: stops the whole run
    ├── ValidationFailed           `validate` found problems (carries findings)
    └── RestoreError               a restore may not, or did not, write the version
        ├── WriteAccessMissing     the token lacks the playlist-modify scopes
        └── NotYourPlaylist        the target is neither the user's nor collaborative

Messages never contain secrets: code that raises these errors must not put
tokens, client secrets or Authorization headers into them, and every
SpotifyError's message passes through :func:`redact` as a second line of
defence (servers echo tokens and secrets in their error texts).
"""

from __future__ import annotations

import os
import re

#: Environment variables whose values are secrets wherever they appear.
SECRET_ENV_VARS = (
    "SPOTIFY_CLIENT_SECRET",
    "SPOTIFY_REFRESH_TOKEN",
    "GITHUB_TOKEN",
    "GH_TOKEN",
)
REDACTED = "[redacted]"
_known_secrets: set[str] = set()
_BEARER_RE = re.compile(r"(?i)\b(bearer|basic)\s+[^\s'\",;]+")
# Token-shaped: a run of 32+ base64/base64url/hex characters holding both a letter and a
# digit. Spotify ids (22 characters) and English words stay; access tokens (~200),
# refresh tokens (~130), client secrets (32 hex) and GitHub tokens (40) go.
_TOKEN_RE = re.compile(r"[A-Za-z0-9_\-+=]{32,}")
_MIN_SECRET = 8  # shorter values would redact ordinary words (real secrets are 32+)


def remember_secret(value: str | None) -> None:
    """Add a secret that :func:`redact` must remove from every text it is given."""
    if value and len(value) >= _MIN_SECRET:
        _known_secrets.add(value)


def _is_token_shaped(run: str) -> bool:
    return any(c.isdigit() for c in run) and any(c.isalpha() for c in run)


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` without known secrets, environment secrets, or anything token-shaped."""
    values = set(_known_secrets) | {s for s in secrets if s and len(s) >= _MIN_SECRET}
    for name in SECRET_ENV_VARS:
        value = (os.environ.get(name) or "").strip()
        if len(value) >= _MIN_SECRET:
            values.add(value)
    for value in sorted(values, key=len, reverse=True):  # longest first: no partial leftovers
        text = text.replace(value, REDACTED)
    text = _BEARER_RE.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    return _TOKEN_RE.sub(lambda m: REDACTED if _is_token_shaped(m.group(0)) else m.group(0), text)


def redacted_excerpt(text: str, limit: int) -> str:
    """``text`` on one line, redacted, then cut to ``limit`` characters.

    In that order: a cut first can leave a secret's prefix, which :func:`redact` no longer
    knows (a known secret is matched whole, a token-shaped run from 32 characters on).
    """
    return redact(" ".join(text.split()))[:limit]


# A query parameter whose name says it carries a credential (access_token, private_token,
# password, client_secret, api_key, sig, X-Amz-Signature, ...).
_SENSITIVE_PARAM_RE = re.compile(r"(?i)token|secret|pass|key|auth|sig|code|cred|session")
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_URL_IN_TEXT_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")


def _split_url(url: str) -> tuple[str, str, str, str]:
    """(scheme and ``//``, userinfo, the rest up to the query, query and fragment)."""
    scheme = _SCHEME_RE.match(url)
    if scheme is None:
        first = url.split("/", 1)[0]
        user, at, host = first.rpartition("@")
        if url.startswith((".", "~")) or not at or ":" not in host:
            return "", "", url, ""  # a local path: an "@" in it is part of a folder's name
        return "", user, url[len(user) + 1 :], ""  # scp-like ``user[:password]@host:path``
    rest = url[scheme.end() :]
    end = min((i for i in (rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    before, query = rest[:end], rest[end:]
    # A password may hold a raw "@" (the host follows the last one) or even a "/": what
    # precedes the last "@" is credentials when it has a ":" or is one path segment.
    user, at, _host = before.rpartition("@")
    if not at or ("/" in user and ":" not in user):
        user, at, _host = before.split("/", 1)[0].rpartition("@")
    if not at:
        return scheme.group(0), "", before, query
    return scheme.group(0), user, before[len(user) + 1 :], query


def _redact_query(query: str) -> str:
    def one(match: re.Match[str]) -> str:
        name, value = match.group(1), match.group(2)
        if value and _SENSITIVE_PARAM_RE.search(name):
            return f"{name}={REDACTED}"
        return match.group(0)

    return re.sub(r"([^?&#=;]+)=([^&#;]*)", one, query)


def redact_url(url: str) -> str:
    """A URL (or scp-like git address) as it may be shown or recorded: no user or password
    (everything up to the authority's last ``@``) and no credential in its query."""
    scheme, _user, rest, query = _split_url(url.strip())
    return scheme + rest + _redact_query(query)


def url_secrets(url: str) -> tuple[str, ...]:
    """The parts of ``url`` that :func:`redact_url` removes, to scrub them from other texts
    (a library's error may quote a URL's pieces, or its path and query without the scheme)."""
    _scheme, user, _rest, query = _split_url(url.strip())
    parts = [user, *user.split(":", 1)] if user else []
    for name, value in re.findall(r"([^?&#=;]+)=([^&#;]*)", query):
        if value and _SENSITIVE_PARAM_RE.search(name):
            parts.append(value)
    return tuple(sorted({part for part in parts if len(part) >= 3}, key=len, reverse=True))


def redact_url_text(text: str, url: str | None = None) -> str:
    """``text`` (say a git library's error about ``url``) with every URL in it redacted,
    ``url`` shown redacted, and no piece of ``url``'s credentials left anywhere."""
    if url:
        text = text.replace(url, redact_url(url))
    text = _URL_IN_TEXT_RE.sub(lambda match: redact_url(match.group(0)), text)
    for part in url_secrets(url or ""):
        text = text.replace(part, REDACTED)
    return text


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


class ExportError(GitArchiveError):
    """An export's output path is refused (a link, a device, a folder) or cannot be written."""


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


class TrackNotFound(ArchiveError):
    """A track that no archived version of any playlist held."""


class LockedError(ArchiveError):
    """Another sync of the same archive is running."""


class PushError(ArchiveError):
    """The sync commit could not be pushed."""


class SpotifyError(GitArchiveError):
    """Anything that went wrong talking to the Spotify Web API; the message is redacted."""

    def __init__(self, message: str, *, playlist: str | None = None) -> None:
        super().__init__(redact(message), playlist=playlist)


class AuthError(SpotifyError):
    """Credentials missing, rejected, or a refresh token expired."""


class QuotaExceeded(SpotifyError):
    """429 with ``QUOTA_EXCEEDED``: the app's quota is spent; waiting will not help today."""


class BadRequest(SpotifyError):
    """400: Spotify says gitarchive's request was malformed: a bug in gitarchive."""

    def __init__(self, message: str, *, playlist: str | None = None, request: str = "") -> None:
        super().__init__(message, playlist=playlist)
        self.request = redact(request)


class PlaylistUnavailable(SpotifyError):
    """404: the playlist is gone, private, or Spotify-owned and hidden from this app.

    ``cause`` is one of :mod:`gitarchive.spotify.access`'s causes.
    """

    def __init__(
        self,
        message: str,
        *,
        playlist: str | None = None,
        status: int | None = None,
        cause: str = "not_found",
    ) -> None:
        super().__init__(message, playlist=playlist)
        self.status = status
        self.cause = cause


class Forbidden(SpotifyError):
    """403: this access may not read it (``cause`` says which rule); never retried."""

    def __init__(
        self, message: str, *, playlist: str | None = None, cause: str = "forbidden"
    ) -> None:
        super().__init__(message, playlist=playlist)
        self.cause = cause


class InvalidResponse(SpotifyError):
    """The API answered, but with data of the wrong shape or type."""


class IncompleteResponse(InvalidResponse):
    """Pages or counts that do not add up (loops, gaps, totals): never an emptied playlist."""


class RetriesExhausted(SpotifyError):
    """Rate limits, server errors or timeouts lasted longer than the retry budget."""


class WriteOutcomeUnknown(RetriesExhausted):
    """A write reached Spotify and its answer was lost: never sent again blindly.

    Whoever sent it reads the target back to learn what happened (restore does).
    """


class Skipped(RetriesExhausted):
    """Never fetched: the run's time budget was spent before this playlist's turn."""


class Unreachable(SpotifyError):
    """No connection to a Spotify host could be opened (DNS, refused, no answer): stops the run.

    ``host`` is the host (and port) that could not be reached.
    """

    def __init__(self, message: str, *, host: str) -> None:
        super().__init__(message)
        self.host = host


class ValidationFailed(GitArchiveError):
    """`validate` found problems; ``findings`` holds them all."""

    def __init__(self, message: str, findings: list[object]) -> None:
        super().__init__(message)
        self.findings = findings


class RestoreError(GitArchiveError):
    """A restore that may not, or did not, make the target hold the version's items."""


class WriteAccessMissing(RestoreError):
    """The token was granted without the playlist-modify scopes (a plain `login`)."""


class NotYourPlaylist(RestoreError):
    """The target is a playlist the user neither owns nor collaborates on."""
