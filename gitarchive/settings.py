"""Settings: ``gitarchive.toml`` at the archive's root, plus environment variables.

Every key is optional. Unknown keys and wrong types are errors that name the
file and key, so that a typo never silently changes what a scheduled sync does.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Settings:
    github: str | None = None  # "owner/repo", for githistory links
    branch: str = "main"
    author_name: str | None = None
    author_email: str | None = None
    concurrency: int = DEFAULT_CONCURRENCY
    market: str | None = None
    likes_every: str = DEFAULT_LIKES_EVERY


_TYPES: dict[str, type] = {
    "github": str,
    "branch": str,
    "author_name": str,
    "author_email": str,
    "concurrency": int,
    "market": str,
    "likes_every": str,
}


def parse_settings(text: str, *, path: str = SETTINGS_FILE) -> Settings:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"not valid TOML: {exc}", path=path) from None
    values: dict[str, Any] = {}
    for key, value in data.items():
        expected = _TYPES.get(key)
        if expected is None:
            known = ", ".join(sorted(_TYPES))
            raise SettingsError(f"unknown key {key!r} (known keys: {known})", path=path)
        # bool is an int in Python; a TOML `true` is never a valid concurrency
        if not isinstance(value, expected) or isinstance(value, bool):
            raise SettingsError(
                f"{key} must be a {expected.__name__}, not {type(value).__name__}", path=path
            )
        values[key] = value
    github = values.get("github")
    if github is not None and not _GITHUB_SLUG.match(github):
        raise SettingsError(f"github must look like 'owner/repo', not {github!r}", path=path)
    concurrency = values.get("concurrency")
    if concurrency is not None and not 1 <= concurrency <= 256:
        raise SettingsError(f"concurrency must be between 1 and 256, not {concurrency}", path=path)
    market = values.get("market")
    if market is not None and not re.fullmatch(r"[A-Z]{2}", market):
        raise SettingsError(f"market must be an ISO 3166-1 alpha-2 code, not {market!r}", path=path)
    likes_every = values.get("likes_every")
    if likes_every is not None and likes_every not in LIKES_EVERY:
        choices = ", ".join(repr(choice) for choice in LIKES_EVERY)
        raise SettingsError(f"likes_every must be one of {choices}, not {likes_every!r}", path=path)
    return Settings(**values)


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
