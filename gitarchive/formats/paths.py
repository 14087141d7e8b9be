"""Where each file of a playlist lives in the archive (spotify-playlist-archive's layout)."""

from __future__ import annotations

import re

from gitarchive.model import is_playlist_id

PLAYLISTS_DIR = "playlists"
PLAIN_DIR = "playlists/plain"
PRETTY_DIR = "playlists/pretty"
CUMULATIVE_DIR = "playlists/cumulative"
REGISTRY_DIR = "playlists/registry"
INDEX_PATH = "playlists/index.md"

_KINDS = (
    ("plain", re.compile(r"^playlists/plain/([^/.]+)\Z")),
    ("pretty", re.compile(r"^playlists/pretty/([^/.]+)\.md\Z")),
    ("json", re.compile(r"^playlists/pretty/([^/.]+)\.json\Z")),
    ("cumulative", re.compile(r"^playlists/cumulative/([^/.]+)\.md\Z")),
    ("registry", re.compile(r"^playlists/registry/([^/.]+)\Z")),
)


def plain_path(playlist_id: str) -> str:
    return f"{PLAIN_DIR}/{playlist_id}"


def pretty_path(playlist_id: str) -> str:
    return f"{PRETTY_DIR}/{playlist_id}.md"


def json_path(playlist_id: str) -> str:
    return f"{PRETTY_DIR}/{playlist_id}.json"


def cumulative_path(playlist_id: str) -> str:
    return f"{CUMULATIVE_DIR}/{playlist_id}.md"


def registry_path(playlist_id: str) -> str:
    return f"{REGISTRY_DIR}/{playlist_id}"


def classify_path(path: str) -> tuple[str, str] | None:
    """``("plain" | "pretty" | "json" | "cumulative" | "registry", id)`` for an archive path.

    None for anything else, including names whose id part is not a playlist id.
    """
    for kind, pattern in _KINDS:
        match = pattern.match(path)
        if match and is_playlist_id(match.group(1)):
            return kind, match.group(1)
    return None
