"""gitarchive: a git-native archive of Spotify playlists."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gitarchive")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
