"""Building the demo archive: the real sync once per demo day, then a summary."""

from __future__ import annotations

import shlex
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from gitarchive import __version__, git
from gitarchive.archive_init import init_archive
from gitarchive.demo.api import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DemoTransport,
)
from gitarchive.demo.data import DemoData, load_demo_data
from gitarchive.errors import NotAnArchive, UsageError
from gitarchive.registry import add_entries
from gitarchive.settings import SETTINGS_FILE, parse_settings
from gitarchive.spotify import Auth, SpotifyClient
from gitarchive.sync import SyncOptions, run_sync
from gitarchive.words import plural

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from gitarchive.git import Store
    from gitarchive.settings import Settings
    from gitarchive.sync import PlaylistSource, SourceFactory, SyncResult


DEMO_AUTHOR_NAME = "gitarchive demo"
DEMO_AUTHOR_EMAIL = "demo@gitarchive.invalid"
DEFAULT_DEMO_FOLDER = "gitarchive-demo"


@dataclass(slots=True)
class DemoResult:
    path: Path
    playlists: list[tuple[str, str]]  # (id, name) in registry order
    syncs: int = 0
    commits: int = 0
    unavailable: dict[str, int] = field(default_factory=dict)  # playlist id -> days of 404
    seconds: float = 0.0
    requests: dict[str, int] = field(default_factory=dict)
    first_day: datetime | None = None
    last_day: datetime | None = None


def check_demo_target(path: Path) -> None:
    """The demo only ever writes into a new or empty folder."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"{path}: exists and is not a folder; give the demo a new folder")
    if path.is_dir() and any(path.iterdir()):
        raise UsageError(
            f"{path}: folder exists and is not empty; the demo only writes into a new folder "
            "(gitarchive demo PATH)"
        )


def _client_factory(transport: DemoTransport) -> SourceFactory:
    def factory(settings: Settings) -> PlaylistSource:
        return SpotifyClient(
            Auth(client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET),
            api_url=transport.api_url,
            accounts_url=transport.accounts_url,
            concurrency=settings.concurrency,
            transport=transport,
        )

    return factory


def build_demo(
    path: Path,
    *,
    on_sync: Callable[[datetime, SyncResult], None] | None = None,
) -> DemoResult:
    """Make a new archive at ``path`` by running the real sync once per demo day.

    The archive is built in a scratch folder outside any repository, then moved
    into place: ``path`` may lie inside another git repository (a clone of
    gitarchive, say), and the demo must never commit into that one.
    """
    started = time.perf_counter()
    check_demo_target(path)
    data = load_demo_data()
    result = DemoResult(
        path=path,
        playlists=[(p.id, p.name) for p in data.playlists.values()],
        first_day=data.days[0],
        last_day=data.days[-1],
    )
    with tempfile.TemporaryDirectory(prefix="gitarchive-demo-") as scratch:
        work = Path(scratch) / "archive"
        _refuse_enclosing_repository(Path(scratch))
        _sync_every_day(work, data, result, on_sync)
        check_demo_target(path)  # nothing appeared there meanwhile
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.is_dir():
                path.rmdir()
            shutil.move(str(work), str(path))
        except OSError as exc:
            raise UsageError(f"{path}: cannot create the demo archive: {exc.strerror}") from None
    result.seconds = time.perf_counter() - started
    return result


def _refuse_enclosing_repository(folder: Path) -> None:
    try:
        enclosing = git.Store.discover(folder)
    except NotAnArchive:
        return
    raise UsageError(
        f"the temporary folder {folder} is inside the git repository {enclosing.git_dir}; "
        "set TMPDIR to a folder outside any repository"
    )


def _sync_every_day(
    work: Path,
    data: DemoData,
    result: DemoResult,
    on_sync: Callable[[datetime, SyncResult], None] | None,
) -> None:
    store = _new_archive(work, list(data.playlists), data.days[0] - timedelta(hours=1))
    transport = DemoTransport(data)
    factory = _client_factory(transport)
    for moment in data.days:
        transport.now = moment
        # env={}: the demo's commits never depend on the user's git identity or tokens.
        synced = run_sync(store, SyncOptions(now=moment), client_factory=factory, env={})
        result.syncs += 1
        result.commits += synced.commit is not None
        for missing in synced.unavailable:
            result.unavailable[missing.id] = result.unavailable.get(missing.id, 0) + 1
        if on_sync is not None:
            on_sync(moment, synced)
    result.commits += 1  # the set-up commit
    result.requests = dict(transport.requests)


DEMO_IDENTITY_SETTINGS = f"""
# The demo signs its commits with a fixed identity, so it runs without any git config.
author_name = "{DEMO_AUTHOR_NAME}"
author_email = "{DEMO_AUTHOR_EMAIL}"
# The demo shows likes moving from day to day (`gitarchive history ... --likes`).
likes_every = "daily"
"""


def _new_archive(path: Path, playlist_ids: Sequence[str], when: datetime) -> Store:
    """``gitarchive init`` + ``add`` at ``path``, committed as the archive's first commit."""
    store, actions, _ = init_archive(path, version=__version__)
    files: dict[str, bytes | None] = {}
    for action in actions:
        files[action.path] = git.read_worktree_file(store, action.path)
    settings = (files.get(SETTINGS_FILE) or b"").decode("utf-8") + DEMO_IDENTITY_SETTINGS
    parse_settings(settings)  # the demo's own addition must keep the file valid
    files[SETTINGS_FILE] = settings.encode("utf-8")
    _, registered = add_entries(store, playlist_ids)
    files.update(registered)
    git.commit_changes(
        store,
        files,
        message=f"Set up the gitarchive demo: {len(playlist_ids)} playlists registered",
        identity=git.Identity(DEMO_AUTHOR_NAME, DEMO_AUTHOR_EMAIL),
        when=when,
    )
    return store


def summary_lines(result: DemoResult, shown: Path) -> list[str]:
    """What ``gitarchive demo`` prints once the archive is built: facts, then what to try."""
    names = dict(result.playlists)
    first = result.first_day.date().isoformat() if result.first_day else "?"
    last = result.last_day.date().isoformat() if result.last_day else "?"
    quiet = result.syncs - (result.commits - 1)
    lines = [
        f"Done in {result.seconds:.1f} s: {plural(result.syncs, 'daily sync')} from {first} "
        f"to {last} made {plural(result.commits, 'commit')} (1 set-up commit; "
        f"{plural(quiet, 'sync')} found nothing new).",
    ]
    for playlist_id, days in result.unavailable.items():
        lines.append(
            f"{names.get(playlist_id, playlist_id)} answered 404 on {days} days; "
            "its files were kept as they were."
        )
    lines.append("")
    lines.append("Playlists:")
    lines.extend(f"  {playlist_id}  {name}" for playlist_id, name in result.playlists)
    seed_id, seed_name = result.playlists[0]
    middle = (
        (result.first_day + (result.last_day - result.first_day) / 3).date().isoformat()
        if (result.first_day and result.last_day)
        else first
    )
    cd = str(shown)
    lines += [
        "",
        "Try next:",
        f"  cd {_shell_quote(cd)}",
        "  gitarchive list",
        f"  gitarchive history {seed_id}",
        f"  gitarchive history {_shell_quote(seed_name)} --likes",
        f"  gitarchive cumulative {seed_id}",
        f"  gitarchive show {seed_id} --at {middle}",
        "  gitarchive validate --all",
        "  gitarchive site site/",
        "  git log --oneline",
    ]
    return lines


def display_path(target: Path, cwd: Path) -> Path:
    """``target`` as the user can ``cd`` to it from ``cwd``: relative when below it."""
    try:
        return target.resolve().relative_to(cwd.resolve())
    except ValueError:
        return target.resolve()


def _shell_quote(text: str) -> str:
    return shlex.quote(text)
