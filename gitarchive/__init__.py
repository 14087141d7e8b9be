"""gitarchive: a git-native archive of Spotify playlists."""

from __future__ import annotations

# The single source of the version (pyproject reads it through hatch). A literal
# rather than importlib.metadata: that import alone cost ~50 ms of every command's start-up.
__version__ = "0.1.0"
