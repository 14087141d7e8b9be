"""Helpers for the defect and hostile-repository tests: archives in a bare remote, the CLI
in a child process, read-only mounts, and a watch on everything outside a repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING, Any

from tests.support.builder import register
from tests.support.gitcli import git
from tests.support.leaks import (
    URL_PASSWORD_CANARY,
    URL_PASSWORD_TAIL_CANARY,
    URL_QUERY_CANARY,
    URL_USER_CANARY,
)

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from tests.support.fakespotify import FakeSpotify

SYNC_DATE = "2026-11-28T06:00:00Z"


def new_archive(root: Path, *ids: str) -> Path:
    """A git CLI repository on ``main`` with ``ids`` registered and committed."""
    git(root.parent, "init", "-q", "-b", "main", str(root))
    register(root, *ids)
    (root / "playlists/registry/.gitkeep").write_text("")
    git(root, "add", "playlists")
    git(root, "commit", "-qm", "registry")
    return root


def synced_twice(root: Path, playlist_id: str, fake: FakeSpotify) -> Path:
    """:func:`new_archive` with two syncs of ``playlist_id`` (named Alpha) from ``fake``
    (its environment set by the caller): tracks [0, 1] on Nov 1, [0, 1, 2] on Nov 2."""
    # lazy: tests.support.cli imports the CLI, which most users of this module do not need
    from tests.support.api import playlist_with_tracks
    from tests.support.cli import run_cli

    new_archive(root, playlist_id)
    for day, tracks in ((1, [0, 1]), (2, [0, 1, 2])):
        fake.add_playlist(playlist_with_tracks(playlist_id, tracks, name="Alpha"))
        assert run_cli("-C", str(root), "sync", "--date", f"2026-11-0{day}T06:00:00Z") == 0
    return root


def with_bare_remote(root: Path) -> Path:
    """A bare repository beside ``root``, set as its origin, with main pushed to it."""
    remote = root.parent / f"{root.name}-remote.git"
    git(root.parent, "init", "-q", "--bare", "-b", "main", str(remote))
    git(root, "remote", "add", "origin", str(remote))
    git(root, "push", "-q", "-u", "origin", "main")
    return remote


def head(root: Path, ref: str = "HEAD") -> str:
    return git(root, "rev-parse", ref).strip()


def run_child(
    args: list[str], *, env: Mapping[str, str] | None = None, readonly: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m gitarchive ARGS`` in a child process; ``readonly`` is mounted read-only
    for it (a private mount namespace when root, who ignores permissions; else chmod)."""
    command = [sys.executable, "-m", "gitarchive", *args]
    full_env = {**os.environ, **(env or {})}
    if readonly is None:
        return _run(command, full_env)
    if os.geteuid() != 0:
        modes = _make_readonly(readonly)
        try:
            return _run(command, full_env)
        finally:
            for path, mode in modes:
                path.chmod(mode)
    unshare = shutil.which("unshare")
    assert unshare, "unshare (util-linux) is needed to mount a folder read-only as root"
    script = 'mount --bind -o ro "$1" "$1" && shift && exec "$@"'
    wrapped = [unshare, "-m", "sh", "-c", script, "sh", str(readonly), *command]
    return _run(wrapped, full_env)


def _run(command: list[str], env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, env=dict(env), timeout=120, check=False
    )


def _make_readonly(root: Path) -> list[tuple[Path, int]]:
    modes: list[tuple[Path, int]] = []
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = root.__class__(folder) / name
            if path.is_symlink():
                continue
            modes.append((path, path.stat().st_mode))
    modes.append((root, root.stat().st_mode))
    for path, mode in modes:
        path.chmod(mode & ~0o222)
    return modes[::-1]


def snapshot_outside(parent: Path, inside: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``parent`` but outside ``inside``: (size, mtime_ns), links not followed."""
    found: dict[str, tuple[int, int]] = {}
    for folder, dirs, files in os.walk(parent):
        here = parent.__class__(folder)
        if here == inside or inside in here.parents:
            dirs[:] = []
            continue
        for name in [*dirs, *files]:
            path = here / name
            if path == inside:
                continue
            info = path.lstat()
            found[str(path.relative_to(parent))] = (info.st_size, info.st_mtime_ns)
    return found


def hostile_source_urls(host: str, path: str = "o/archive.git") -> list[str]:
    """Git URLs of an import source that carry credentials, in every place they hide: a
    user and password, a password with a raw "@" (its tail follows the first "@"), a
    percent-encoded one, credential query parameters, an scp-like address with a password."""
    user, password = URL_USER_CANARY, URL_PASSWORD_CANARY
    tail = URL_PASSWORD_TAIL_CANARY
    return [
        f"https://{user}:{password}@{host}/{path}",
        f"https://{user}:{password}@{tail}@{host}/{path}",
        f"https://{user}:{password}%40{tail}@{host}/{path}",
        f"https://{host}/{path}?access_token={URL_QUERY_CANARY}",
        f"https://{host}/{path}?ref=main&private_token={URL_QUERY_CANARY}#frag",
        f"http://{user}@{host}/{path}?password={URL_QUERY_CANARY}",
        f"ssh://{user}:{password}@{tail}@{host}/{path}",
        f"git://{user}:{password}@{host}/{path}",
        f"{user}:{password}@{host.split(':')[0]}:{path}",
    ]


#: A name as a hand-made or foreign archive may commit it: a terminal title change, a screen
#: clear, a colour, a C1 control sequence introducer and a right-to-left override.
TERMINAL_ESCAPES = "Name \x1b]0;owned\x07\x1b[2J\x1b[31mred\x9b1m\u202eevil"


def hostile_snapshot(document: dict[str, Any], *, javascript: str) -> dict[str, Any]:
    """A JSON snapshot edited by hand out of the grammar's bounds: a like count beyond any
    integer column, a ``javascript:`` track link, another host's album link and a duration
    of 10^30 ms (tracks 0, 1 and 2)."""
    document = {**document, "num_followers": 10**30}
    tracks = [dict(track) for track in document["tracks"]]
    tracks[0]["url"] = javascript
    tracks[1]["album"] = {**tracks[1]["album"], "url": "https://evil.invalid/album/x"}
    tracks[2]["duration_ms"] = 10**30
    document["tracks"] = tracks
    return document
