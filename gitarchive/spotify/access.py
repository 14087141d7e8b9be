"""What a Spotify access may read in 2026, and how to say so in plain words.

Spotify's development mode (new apps since 2026-02-11, existing since
2026-03-09): a playlist's entries (``/items``) answer 403 unless the token's
user owns the playlist or collaborates on it; anyone else's playlist gives
metadata only; a client-credentials token has no user and reads no entries;
Spotify-owned editorial and algorithmic playlists answer 404 to apps without
extended quota (since 2024-11); the app owner needs Premium.

Each refusal gets a *cause* (a short stable code, used in JSON and to group
reports), a one-line summary and the fix. The client's errors
(:class:`~gitarchive.errors.Forbidden`, :class:`~gitarchive.errors.PlaylistUnavailable`)
carry the cause; ``doctor`` and sync's grouped report use :data:`CAUSES`.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any

NOT_FOUND = "not_found"
SPOTIFY_OWNED = "spotify_owned"
NOT_OWNER = "not_owner"
NO_USER = "no_user"
PREMIUM_REQUIRED = "premium_required"
FORBIDDEN = "forbidden"
ERROR = "error"  # the probe itself failed (server errors, bad answers): see the detail

#: Reading levels of a probe.
ENTRIES = "entries"
METADATA = "metadata"
NOTHING = "nothing"

#: Editorial and algorithmic playlists live in Spotify's own id namespace.
SPOTIFY_OWNED_PREFIX = "37i9dQZF1"
SPOTIFY_OWNER_ID = "spotify"
LOGIN_FIX = "run `gitarchive login` and store the token it prints as SPOTIFY_REFRESH_TOKEN"


@dataclass(frozen=True, slots=True)
class Cause:
    code: str
    summary: str
    fix: str


CAUSES: dict[str, Cause] = {
    cause.code: cause
    for cause in (
        Cause(
            NOT_FOUND,
            "Spotify answers 404: the playlist was deleted, is private, or is Spotify-owned "
            "and hidden from apps without extended quota",
            "check the id in the Spotify app; Spotify's own playlists need an app with "
            "extended quota",
        ),
        Cause(
            SPOTIFY_OWNED,
            "Spotify answers 404: its own editorial and algorithmic playlists are hidden "
            "from apps without extended quota (since November 2024)",
            "only an app with extended quota can archive it (Spotify grants it to registered "
            "businesses with 250k monthly users); otherwise unregister it",
        ),
        Cause(
            NOT_OWNER,
            "this Spotify account neither owns nor collaborates on the playlist, and "
            "development-mode apps may read only such playlists' tracks (since February 2026)",
            "log in with `gitarchive login` as the playlist's owner, or ask the owner to "
            "make you a collaborator",
        ),
        Cause(
            NO_USER,
            "a client-credentials token has no user: in development mode it reads no "
            "playlist's tracks",
            f"{LOGIN_FIX} (client credentials suffice only for apps with extended quota)",
        ),
        Cause(
            PREMIUM_REQUIRED,
            "Spotify says the app owner's Premium subscription is not active "
            "(development-mode apps need it)",
            "renew Premium on the Spotify account that owns the app",
        ),
        Cause(
            FORBIDDEN,
            "Spotify refuses this access (HTTP 403)",
            "check the app and its users in the Spotify developer dashboard",
        ),
        Cause(ERROR, "the probe failed", "run it again; if it persists, see the detail"),
    )
}


def cause_message(code: str, server_text: str = "") -> str:
    """``summary[ (Spotify: 'text')]: fix`` for a cause code."""
    cause = CAUSES[code]
    said = f" (Spotify: {server_text})" if server_text else ""
    return f"{cause.summary}{said}: {cause.fix}"


def is_spotify_owned(playlist_id: str, owner_id: str | None = None) -> bool:
    return owner_id == SPOTIFY_OWNER_ID or playlist_id.startswith(SPOTIFY_OWNED_PREFIX)


def classify_403(server_text: str, *, has_user: bool) -> str:
    """The cause of a 403 on a playlist's entries or metadata."""
    if "premium" in server_text.lower():
        return PREMIUM_REQUIRED
    if not has_user:
        return NO_USER
    return NOT_OWNER


def classify_404(playlist_id: str, owner_id: str | None = None) -> str:
    return SPOTIFY_OWNED if is_spotify_owned(playlist_id, owner_id) else NOT_FOUND


@dataclass(frozen=True, slots=True)
class AccessReport:
    """What this access can read of one playlist, and why not more."""

    playlist_id: str
    level: str  # ENTRIES | METADATA | NOTHING
    cause: str | None = None  # a CAUSES code when level is not ENTRIES
    detail: str = ""  # the full one-line message (cause, Spotify's words, fix)
    name: str | None = None
    owner_id: str | None = None
    collaborative: bool | None = None

    @property
    def fix(self) -> str | None:
        return CAUSES[self.cause].fix if self.cause in CAUSES else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.playlist_id,
            "level": self.level,
            "cause": self.cause,
            "detail": self.detail,
            "fix": self.fix,
            "name": self.name,
            "owner_id": self.owner_id,
            "collaborative": self.collaborative,
        }


@dataclass(frozen=True, slots=True)
class SpotifyUser:
    """The user a token belongs to (``GET /me``)."""

    id: str
    display_name: str


@dataclass(frozen=True, slots=True)
class PlaylistSummary:
    """One playlist of ``GET /me/playlists``."""

    id: str
    name: str
    owner_id: str
    owner_name: str
    collaborative: bool
    owned: bool  # the token's user owns it
    total: int | None  # number of entries, when Spotify says

    @property
    def readable(self) -> bool:
        """Owned or collaborative: a development-mode app may read its entries."""
        return self.owned or self.collaborative


@dataclass(frozen=True, slots=True)
class CauseGroup:
    """Playlists refused for one cause: reported once, with the count and the ids."""

    cause: str
    ids: tuple[str, ...]

    @property
    def summary(self) -> str:
        return CAUSES[self.cause].summary

    @property
    def fix(self) -> str:
        return CAUSES[self.cause].fix

    def line(self, *, shown_ids: int = 5) -> str:
        """``3 playlists (a, b, c): summary: fix``: one line per cause."""
        count = len(self.ids)
        listed = ", ".join(self.ids[:shown_ids]) + (", ..." if count > shown_ids else "")
        noun = "playlist" if count == 1 else "playlists"
        return f"{count} {noun} ({listed}): {self.summary}: {self.fix}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "cause": self.cause,
            "count": len(self.ids),
            "ids": list(self.ids),
            "summary": self.summary,
            "fix": self.fix,
        }


def group_by_cause(causes: dict[str, str | None]) -> list[CauseGroup]:
    """``{playlist id: cause or None}`` → one group per cause, most playlists first.

    Sync passes its failed playlists' ``error.cause`` (Forbidden, PlaylistUnavailable);
    doctor passes its reports' ``cause``. Ids without a cause are left out.
    """
    groups: dict[str, list[str]] = {}
    for playlist_id, cause in causes.items():
        if cause is not None and cause in CAUSES:
            groups.setdefault(cause, []).append(playlist_id)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return [CauseGroup(cause, tuple(sorted(ids))) for cause, ids in ordered]


#: Spotify's refresh tokens expire six months after the user's original authorization;
#: refreshing does not extend them (Spotify's 2026-06-18 refresh-token announcement).
TOKEN_LIFETIME_MONTHS = 6
EXPIRY_WARNING_DAYS = 30


def refresh_token_expiry(authorized_on: date) -> date:
    """Six calendar months after ``authorized_on`` (the last day of a shorter month)."""
    month = authorized_on.month - 1 + TOKEN_LIFETIME_MONTHS
    year, month = authorized_on.year + month // 12, month % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(authorized_on.day, last_day))


def expiry_warning(authorized_on: date, today: date) -> str | None:
    """The warning every sync gives from 30 days before the refresh token expires."""
    expires = refresh_token_expiry(authorized_on)
    left = (expires - today).days
    if left > EXPIRY_WARNING_DAYS:
        return None
    renew = (
        "run `gitarchive login` again and store the new token as the SPOTIFY_REFRESH_TOKEN "
        "secret (GitHub: Settings > Secrets and variables > Actions)"
    )
    if left < 0:
        return f"the Spotify refresh token expired on {expires.isoformat()}: {renew}"
    return (
        f"the Spotify refresh token expires on {expires.isoformat()} ({left} days; "
        f"authorized {authorized_on.isoformat()}): {renew}"
    )
