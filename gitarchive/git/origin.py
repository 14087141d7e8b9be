"""The GitHub slug of a remote (``owner/repo``), read from ``.git/config`` when that is plain.

The pages and the cumulative markdown link to the archive on GitHub, so a warm
``cumulative`` needs origin's URL; opening the repository with pygit2 for it
cost ~40 ms of a ~100 ms read (see :mod:`gitarchive.git.store`). The file is
read only when nothing could rewrite or add to what it says: any ``insteadOf``,
``include`` or remote in a global or system config, a quoted, continued or
commented value, or a URL given twice leaves the answer to libgit2.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from gitarchive.git.store import Store

_GITHUB_URL = re.compile(
    r"^(?:https?://(?:[^@/]+@)?github\.com/|ssh://git@github\.com(?::\d+)?/|git@github\.com:)"
    r"([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?/?$"
)
_SECTION = re.compile(r'\s*\[\s*([A-Za-z0-9.-]+)(?:\s+"([^"\\]*)")?\s*\]\s*$')
_URL = re.compile(r"\s*url\s*=\s*(.*?)\s*$", re.IGNORECASE)
# what makes a config file more than sections of plain values, for this purpose
_UNUSUAL = ("insteadof", "include", "\\")


def github_slug(store: Store, remote: str = "origin") -> str | None:
    """``owner/repo`` when the remote's URL is on GitHub, else None."""
    url = None if store.is_open else _url_from_files(store.git_dir, remote)
    if url is None:
        url = _url_from_libgit2(store, remote)
    match = _GITHUB_URL.match(url or "")
    return f"{match.group(1)}/{match.group(2)}" if match else None


def _url_from_libgit2(store: Store, remote: str) -> str | None:
    # lazy: pygit2 costs ~40 ms at startup (git/store.py); only a config this
    # module does not settle needs it
    import pygit2

    try:
        return store.repo.remotes[remote].url
    except (KeyError, ValueError, pygit2.GitError):
        return None


def _other_configs() -> list[Path]:
    """Every config file git or libgit2 may read besides the repository's own."""
    home = Path(os.environ.get("HOME", "~")).expanduser()
    xdg = os.environ.get("XDG_CONFIG_HOME") or str(home / ".config")
    named = [os.environ.get("GIT_CONFIG_GLOBAL"), os.environ.get("GIT_CONFIG_SYSTEM")]
    paths = [home / ".gitconfig", Path(xdg) / "git" / "config", Path("/etc/gitconfig")]
    return paths + [Path(name) for name in named if name]


def _url_from_files(git_dir: Path, remote: str) -> str | None:
    """The remote's URL from ``.git/config`` ("": none); None when libgit2 should answer."""
    try:
        for path in _other_configs():
            if path.is_file() and any(
                word in path.read_text(errors="replace").lower()
                for word in ("insteadof", "include", "remote")
            ):
                return None
        text = (git_dir / "config").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if any(word in text.lower() for word in _UNUSUAL):
        return None
    urls: list[str] = []
    section: tuple[str, str | None] | None = None
    for line in text.splitlines():
        header = _SECTION.match(line)
        if header:
            section = (header.group(1).lower(), header.group(2))
        elif line.lstrip().startswith("["):
            return None  # a header this reader does not know
        elif section == ("remote", remote) and (value := _URL.match(line)):
            urls.append(value.group(1))
    if not urls:
        return ""  # no URL here nor in any other config: libgit2 would find none either
    if len(urls) != 1 or any(char in urls[0] for char in "\"';#"):
        return None
    return urls[0]
