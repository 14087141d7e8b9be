"""Settings: ``gitarchive.toml`` at the archive's root, plus environment variables.

Every key is optional. Unknown keys and wrong types are errors that name the
file and key, so that a typo never silently changes what a scheduled sync does.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from gitarchive.errors import SettingsError

SETTINGS_FILE = "gitarchive.toml"
DEFAULT_API_URL = "https://api.spotify.com/v1"
DEFAULT_ACCOUNTS_URL = "https://accounts.spotify.com"
# Requests in flight. bench/fetch.py (50 ms latency, 2 shared cores, medians of 6 runs): 16 →
# 12x the sequential baseline, 32 → 19x, 64 → 21x; beyond that the client's CPU (~2 ms per
# request in httpx) is the limit. A 429 closes one shared gate: hitting the limit costs a pause.
DEFAULT_CONCURRENCY = 64
# How often a playlist whose tracks did not change has its likes recorded (docs/formats.md,
# "Likes"): likes move on nearly every playlist every day, and each recording rewrites the
# playlist's page and snapshot. bench/likes.py measures the bytes per sync of each choice.
LIKES_EVERY = ("daily", "weekly", "on-track-change")
DEFAULT_LIKES_EVERY = "weekly"
_GITHUB_SLUG = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
# A sync that would remove more than this share of a playlist's tracks keeps its files and
# reports a failure instead (a changed API shape or a bad answer looks exactly like this).
DEFAULT_MAX_DROP = 0.5
_PLAYLIST_ID = re.compile(r"^[0-9A-Za-z]{22}$")


@dataclass(frozen=True, slots=True)
class PlaylistSettings:
    """``[playlists.<id>]``: one playlist's own limits."""

    max_drop: float | None = None  # overrides the archive's max_drop
    accept_drops: bool = False  # commit any drop (a playlist that is being emptied on purpose)


@dataclass(frozen=True, slots=True)
class Settings:
    github: str | None = None  # "owner/repo", for githistory links
    branch: str = "main"
    author_name: str | None = None
    author_email: str | None = None
    concurrency: int = DEFAULT_CONCURRENCY
    market: str | None = None
    likes_every: str = DEFAULT_LIKES_EVERY
    max_drop: float = DEFAULT_MAX_DROP
    authorized_on: date | None = None  # when `gitarchive login` last authorized (not a secret)
    playlists: dict[str, PlaylistSettings] = field(default_factory=dict)

    def drop_limit(self, playlist_id: str) -> float | None:
        """The share of tracks one sync may remove; None: any drop is accepted."""
        own = self.playlists.get(playlist_id)
        if own is not None and own.accept_drops:
            return None
        if own is not None and own.max_drop is not None:
            return own.max_drop
        return self.max_drop


_TYPES: dict[str, type | tuple[type, ...]] = {
    "github": str,
    "branch": str,
    "author_name": str,
    "author_email": str,
    "concurrency": int,
    "market": str,
    "max_drop": (float, int),
    "authorized_on": date,
    "playlists": dict,
    "likes_every": str,
}


def parse_settings(text: str, *, path: str = SETTINGS_FILE) -> Settings:
    # lazy: tomllib costs ~2 ms of CPU at start (python -c, medians of 5, load 5), paid by
    # every `show` in markdown for its links even where there is no gitarchive.toml
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"not valid TOML: {exc}", path=path) from None
    except RecursionError:  # tomllib recurses once per level of nesting
        raise SettingsError("not valid TOML: nested too deeply", path=path) from None
    values: dict[str, Any] = {}
    for key, value in data.items():
        expected = _TYPES.get(key)
        if expected is None:
            known = ", ".join(sorted(_TYPES))
            raise SettingsError(f"unknown key {key!r} (known keys: {known})", path=path)
        # bool is an int in Python; a TOML `true` is never a valid concurrency
        if not isinstance(value, expected) or isinstance(value, bool):
            raise SettingsError(
                f"{key} must be a {_type_name(expected)}, not {type(value).__name__}", path=path
            )
        values[key] = value
    github = values.get("github")
    if github is not None and not _GITHUB_SLUG.fullmatch(github):
        raise SettingsError(f"github must look like 'owner/repo', not {github!r}", path=path)
    concurrency = values.get("concurrency")
    if concurrency is not None and not 1 <= concurrency <= 256:
        raise SettingsError(f"concurrency must be between 1 and 256, not {concurrency}", path=path)
    market = values.get("market")
    if market is not None and not re.fullmatch(r"[A-Z]{2}", market):
        raise SettingsError(f"market must be an ISO 3166-1 alpha-2 code, not {market!r}", path=path)
    _check_share("max_drop", values.get("max_drop"), path)
    if "max_drop" in values:
        values["max_drop"] = float(values["max_drop"])
    if "playlists" in values:
        values["playlists"] = _playlist_settings(values["playlists"], path)
    likes_every = values.get("likes_every")
    if likes_every is not None and likes_every not in LIKES_EVERY:
        choices = ", ".join(repr(choice) for choice in LIKES_EVERY)
        raise SettingsError(f"likes_every must be one of {choices}, not {likes_every!r}", path=path)
    for key in ("author_name", "author_email"):
        if key in values:
            _check_identity_part(key, values[key], path)
    if "branch" in values:
        _check_branch(values["branch"], path)
    return Settings(**values)


# What a commit header line cannot hold: a line break would start a header line of its
# own (a forged parent or author), and git ends the name at "<" and the email at ">".
_IDENTITY_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f<>]")
_IDENTITY_MAX = 200


def _check_identity_part(key: str, value: str, path: str) -> None:
    if not value.strip():
        raise SettingsError(f"{key} must not be empty", path=path)
    if len(value) > _IDENTITY_MAX:
        raise SettingsError(f"{key} must be at most {_IDENTITY_MAX} characters", path=path)
    bad = _IDENTITY_FORBIDDEN.search(value)
    if bad is not None:
        raise SettingsError(
            f"{key} must not contain {_shown(bad.group())} (a commit's author line cannot hold it)",
            path=path,
        )
    if key == "author_email" and any(char.isspace() for char in value):
        raise SettingsError(f"{key} must not contain spaces", path=path)


# git's rules for a branch name (git check-ref-format --branch), and the characters that
# would end the markdown link every page's githistory link puts the branch in.
_REF_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//")
_LINK_FORBIDDEN = re.compile(r"[()<>]")


def _check_branch(value: str, path: str) -> None:
    bad = _REF_FORBIDDEN.search(value)
    link = _LINK_FORBIDDEN.search(value)
    if bad is not None:
        reason = f"must not contain {_shown(bad.group())}"
    elif link is not None:
        raise SettingsError(
            f"branch must not contain {link.group()!r} (every page links to the branch)", path=path
        )
    elif value in ("", "@", "HEAD") or value.startswith("-"):
        reason = "is not a branch name"
    elif value.startswith("/") or value.endswith(("/", ".")):
        reason = "must not begin or end with '/' or end with '.'"
    elif any(part.startswith(".") or part.endswith(".lock") for part in value.split("/")):
        reason = "must not have a part beginning with '.' or ending with '.lock'"
    else:
        return
    raise SettingsError(f"branch {reason} (git's rules for a branch name)", path=path)


def _shown(text: str) -> str:
    """A character as a message can show it: control characters spelled out, never raw."""
    return repr(text) if text.isprintable() and not text.isspace() else ascii(text)


def _type_name(expected: type | tuple[type, ...]) -> str:
    if expected == (float, int):
        return "number"
    if expected is date:
        return "date (YYYY-MM-DD, unquoted)"
    return expected.__name__ if isinstance(expected, type) else "value"


def _check_share(key: str, value: object, path: str) -> None:
    if value is not None and not (isinstance(value, int | float) and 0 <= value <= 1):
        raise SettingsError(f"{key} must be a share between 0 and 1, not {value!r}", path=path)


def _playlist_settings(tables: dict[str, Any], path: str) -> dict[str, PlaylistSettings]:
    """``[playlists.<id>]`` tables: ``max_drop`` (a share) and ``accept_drops`` (a boolean)."""
    result: dict[str, PlaylistSettings] = {}
    for playlist_id, table in tables.items():
        where = f"playlists.{playlist_id}"
        if not _PLAYLIST_ID.fullmatch(playlist_id) or not isinstance(table, dict):
            raise SettingsError(f"{where}: expected a table named by a playlist id", path=path)
        unknown = set(table) - {"max_drop", "accept_drops"}
        if unknown:
            raise SettingsError(
                f"{where}: unknown key {sorted(unknown)[0]!r} (known: accept_drops, max_drop)",
                path=path,
            )
        share = table.get("max_drop")
        if share is not None and (isinstance(share, bool) or not isinstance(share, int | float)):
            raise SettingsError(f"{where}.max_drop must be a number", path=path)
        _check_share(f"{where}.max_drop", share, path)
        accept = table.get("accept_drops", False)
        if not isinstance(accept, bool):
            raise SettingsError(f"{where}.accept_drops must be true or false", path=path)
        result[playlist_id] = PlaylistSettings(
            max_drop=None if share is None else float(share), accept_drops=accept
        )
    return result


def record_authorization(root: Path, day: date) -> Path:
    """Write ``authorized_on = day`` into ``root``'s gitarchive.toml (created if missing).

    The date is not a secret: it only says when the six-month refresh token expires.
    """
    file = root / SETTINGS_FILE
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    # lazy: tomlkit adds ~40-100 ms to start-up (python -X importtime), and only login edits
    from gitarchive.settings_edit import set_top_level

    text = set_top_level(
        text,
        "authorized_on",
        day,
        comment="when `gitarchive login` authorized: the refresh token lasts six months",
        path=SETTINGS_FILE,
    )
    parse_settings(text, path=SETTINGS_FILE)  # never leave a file that does not parse
    file.write_text(text, encoding="utf-8")
    return file


def load_settings(root: Path | None) -> Settings:
    """Read ``gitarchive.toml`` from an archive's work tree; defaults when absent."""
    if root is None:
        return Settings()
    file = root / SETTINGS_FILE
    if file.is_symlink():
        raise SettingsError(
            "is a symbolic link: gitarchive never reads through a link", path=SETTINGS_FILE
        )
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot read: {exc}", path=SETTINGS_FILE) from None
    return parse_settings(text, path=SETTINGS_FILE)


def api_url() -> str:
    return os.environ.get("GITARCHIVE_API_URL", DEFAULT_API_URL).rstrip("/")


def accounts_url() -> str:
    return os.environ.get("GITARCHIVE_ACCOUNTS_URL", DEFAULT_ACCOUNTS_URL).rstrip("/")
