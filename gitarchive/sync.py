"""One refresh of the archive, end to end.

registry → fetch every playlist concurrently → names (alias, duplicates) →
render plain / pretty md / JSON / cumulative / index → only the files whose
bytes changed → one commit built from HEAD's tree (gitstore) → optional push.

The cost of a sync depends on the size of the archive, never on the length of
its history: the previous state is HEAD's tree (blob ids compared before any
blob is read), and the cumulative view is one step of
:func:`gitarchive.history.update_cumulative` on the committed view.

Playlists that could not be fetched keep their files byte for byte; their
previous unique name still takes part in duplicate-name resolution.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from gitarchive import formats, gitstore, history
from gitarchive.errors import (
    ArchiveError,
    FormatError,
    GitArchiveError,
    PushError,
    SpotifyError,
    UsageError,
)
from gitarchive.formats.page import nav_line
from gitarchive.formats.paths import CUMULATIVE_DIR, PLAIN_DIR, PRETTY_DIR
from gitarchive.formats.snapshot import playlist_json
from gitarchive.model import parse_playlist_id
from gitarchive.registry import REGISTRY_DIR, Registry, read_registry, registry_path
from gitarchive.settings import SETTINGS_FILE, Settings, load_settings, parse_settings

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from gitarchive.gitstore import Store
    from gitarchive.model import CumulativeView, Playlist

logger = logging.getLogger(__name__)

MAX_PUSH_ATTEMPTS = 4
LAST_SYNC_FILE = "gitarchive-last-sync.json"


@dataclass(frozen=True, slots=True)
class SyncOptions:
    only: tuple[str, ...] = ()
    commit: bool = True
    push: bool = False
    now: datetime | None = None  # the version date; default: the wall clock
    message: str | None = None
    strict: bool = False
    push_attempts: int = MAX_PUSH_ATTEMPTS


@dataclass(frozen=True, slots=True)
class PlaylistChange:
    id: str
    name: str
    added: int
    removed: int
    new: bool = False


@dataclass(frozen=True, slots=True)
class Unavailable:
    id: str
    name: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int
    playlist_id: str
    ok: bool


@dataclass(slots=True)
class SyncResult:
    date: datetime
    registered: int = 0
    fetched: int = 0
    changed: list[PlaylistChange] = field(default_factory=list)
    unavailable: list[Unavailable] = field(default_factory=list)
    invalid_entries: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    files_changed: int = 0
    commit: str | None = None
    message: str | None = None
    pushed: bool = False
    push_attempts: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    strict: bool = False
    # Spotify answered a refresh with a new refresh token: the stored one may stop working.
    refresh_token_rotated: bool = False
    refresh_token_file: str | None = None

    @property
    def tracks_added(self) -> int:
        return sum(change.added for change in self.changed)

    @property
    def tracks_removed(self) -> int:
        return sum(change.removed for change in self.changed)

    @property
    def exit_code(self) -> int:
        """0 when the commit (if any) was made; 1 when nothing could be fetched (or strict)."""
        if self.registered and not self.fetched:
            return 1
        if self.strict and (self.unavailable or self.invalid_entries):
            return 1
        return 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "registered": self.registered,
            "fetched": self.fetched,
            "changed": [
                {"id": c.id, "name": c.name, "added": c.added, "removed": c.removed, "new": c.new}
                for c in self.changed
            ],
            "unavailable": [
                {"id": u.id, "name": u.name, "reason": u.reason} for u in self.unavailable
            ],
            "invalid_entries": [{"path": p, "reason": r} for p, r in self.invalid_entries],
            "tracks_added": self.tracks_added,
            "tracks_removed": self.tracks_removed,
            "files_changed": self.files_changed,
            "commit": self.commit,
            "message": self.message,
            "pushed": self.pushed,
            "exit_code": self.exit_code,
            "refresh_token_rotated": self.refresh_token_rotated,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------------- fetching


def _default_client(settings: Settings) -> Any:
    from gitarchive import settings as settings_module
    from gitarchive.spotify import SpotifyClient, auth_from_env

    return SpotifyClient(
        auth_from_env(),
        api_url=settings_module.api_url(),
        accounts_url=settings_module.accounts_url(),
        concurrency=settings.concurrency,
        market=settings.market,
    )


async def _fetch_all(
    client: Any,
    ids: Sequence[str],
    on_result: Callable[[str, Playlist | SpotifyError], None] | None,
) -> tuple[dict[str, Playlist | SpotifyError], str | None]:
    """Every playlist's outcome, and the refresh token if Spotify rotated it meanwhile."""
    async with client:
        results: dict[str, Playlist | SpotifyError] = await client.get_playlists(
            ids, on_result=on_result
        )
    rotated = getattr(client, "rotated_refresh_token", None)
    return results, rotated if isinstance(rotated, str) else None


def _store_rotated_token(token: str, environ: Mapping[str, str]) -> str | None:
    """Write a rotated refresh token where the user asked for it; the file written, if any.

    Never to stdout, logs or the archive: CI logs are public on many forks. The
    file named by GITARCHIVE_REFRESH_TOKEN_FILE is created with mode 0600.
    """
    target = environ.get("GITARCHIVE_REFRESH_TOKEN_FILE")
    if not target:
        return None
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    return target


# ---------------------------------------------------------------------- planning


@dataclass(slots=True)
class Plan:
    """What one sync would write on top of ``base``."""

    base: str | None
    changes: dict[str, bytes | None] = field(default_factory=dict)
    changed: list[PlaylistChange] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)


def resolve_unique_names(
    fetched: Mapping[str, Playlist], reserved: Mapping[str, str]
) -> dict[str, str]:
    """Unique names: the most-liked keeps the name, the others get " (2)", " (3)"...

    ``reserved`` maps playlists that were not fetched to the unique name they
    keep; those names are taken before anyone else's.
    """
    taken = set(reserved.values())
    groups: dict[str, list[Playlist]] = {}
    for playlist in fetched.values():
        groups.setdefault(playlist.original_name, []).append(playlist)
    names: dict[str, str] = dict(reserved)
    for base_name in sorted(groups):
        members = sorted(
            groups[base_name],
            key=lambda p: (-(p.num_followers if p.num_followers is not None else -1), p.id),
        )
        suffix = 1
        for playlist in members:
            while True:
                candidate = base_name if suffix == 1 else f"{base_name} ({suffix})"
                suffix += 1
                if candidate not in taken:
                    break
            taken.add(candidate)
            names[playlist.id] = candidate
    return names


def _track_counts(old: Playlist | None, new: Playlist) -> tuple[int, int]:
    before = Counter(track.key for track in old.tracks) if old else Counter()
    after = Counter(track.key for track in new.tracks)
    return sum((after - before).values()), sum((before - after).values())


def _read_previous(store: Store, base: str | None, playlist_id: str) -> Playlist | None:
    if base is None:
        return None
    files: dict[str, bytes] = {}
    for path in (
        formats.json_path(playlist_id),
        formats.pretty_path(playlist_id),
        formats.plain_path(playlist_id),
    ):
        data = store.read_file(base, path)
        if data is not None:
            files[path] = data
            break  # the best source is enough
    if not files:
        return None
    try:
        return formats.read_version(files, playlist_id)
    except FormatError as exc:
        exc.commit = exc.commit or base
        raise


def _previous_names(store: Store, base: str | None) -> dict[str, str]:
    """Unique names as HEAD's index.md records them (one small file)."""
    if base is None:
        return {}
    data = store.read_file(base, formats.INDEX_PATH)
    if data is None:
        return {}
    try:
        return dict(formats.read_index(data.decode("utf-8"), path=formats.INDEX_PATH))
    except (FormatError, UnicodeDecodeError):
        return {}


def _blob_changed(store: Store, base_ids: dict[str, str | None], path: str, data: bytes) -> bool:
    return base_ids.get(path) != gitstore.blob_id_of(data)


def _unchanged_since(
    store: Store,
    base_listing: Mapping[str, str | None],
    playlist: Playlist,
    github: str | None,
    branch: str,
) -> bool:
    """Whether the committed files already say exactly what ``playlist`` would render.

    Rendering JSON and markdown for every playlist costs more than comparing,
    so an unchanged playlist is recognised by its committed JSON document being
    equal (as data) to the one it would render, and by its pretty page carrying
    the same navigation links.
    """
    playlist_id = playlist.id
    json_blob = base_listing.get(formats.json_path(playlist_id))
    pretty_blob = base_listing.get(formats.pretty_path(playlist_id))
    if json_blob is None or pretty_blob is None:
        return False
    if base_listing.get(formats.cumulative_path(playlist_id)) is None:
        return False
    # JSON documents compared as data: json.loads runs in C, and the snapshot's
    # dict is what render_json would write (read_json on it would cost 10x more)
    try:
        committed = json.loads(store.read_blob(json_blob))
    except ValueError:
        return False
    if committed != playlist_json(playlist):
        return False
    nav = nav_line(playlist_id, current="pretty", github=github, branch=branch)
    return nav.encode() in store.read_blob(pretty_blob)


def plan_sync(
    store: Store,
    base: str | None,
    registry: Registry,
    fetched: Mapping[str, Playlist],
    *,
    settings: Settings,
    github: str | None,
    now: datetime,
    include_registry: bool = True,
) -> Plan:
    """Render this sync's snapshots on top of ``base`` and keep the changed files only."""
    plan = Plan(base=base)
    day = now.astimezone(UTC).date()
    previous_names = _previous_names(store, base)
    base_listing: dict[str, str | None] = {}
    if base is not None:
        for folder in (
            PLAIN_DIR,
            PRETTY_DIR,
            CUMULATIVE_DIR,
            REGISTRY_DIR,
        ):
            for name, blob in store.list_dir(base, folder).items():
                base_listing[f"{folder}/{name}"] = blob
        base_listing[formats.INDEX_PATH] = gitstore.tree_id(store, base, formats.INDEX_PATH)

    # Names: alias, then uniqueness; playlists not fetched keep the name they had.
    named: dict[str, Playlist] = {}
    for playlist_id, playlist in fetched.items():
        entry = registry.entries.get(playlist_id)
        original = entry.alias if entry is not None and entry.alias else playlist.original_name
        named[playlist_id] = replace(playlist, original_name=original, unique_name=original)
    reserved: dict[str, str] = {}
    for playlist_id in registry.entries:
        if playlist_id in named:
            continue
        if base_listing.get(formats.plain_path(playlist_id)) is None and (
            base_listing.get(formats.json_path(playlist_id)) is None
        ):
            continue  # never archived: nothing to keep, no name to hold
        kept_name = previous_names.get(playlist_id)
        if kept_name is None:
            previous = _read_previous(store, base, playlist_id)
            kept_name = previous.display_name if previous else playlist_id
        reserved[playlist_id] = kept_name
    unique = resolve_unique_names(named, reserved)
    plan.names = unique

    for playlist_id in sorted(named):
        playlist = replace(named[playlist_id], unique_name=unique[playlist_id])
        plain = formats.render_plain(playlist).encode()
        if not _blob_changed(
            store, base_listing, formats.plain_path(playlist_id), plain
        ) and _unchanged_since(store, base_listing, playlist, github, settings.branch):
            continue
        rendered = {
            formats.plain_path(playlist_id): plain,
            formats.pretty_path(playlist_id): formats.render_pretty(
                playlist, github=github, branch=settings.branch
            ).encode(),
            formats.json_path(playlist_id): formats.render_json(playlist).encode(),
        }
        changed = {
            path: data
            for path, data in rendered.items()
            if _blob_changed(store, base_listing, path, data)
        }
        if not changed:
            continue
        previous = _read_previous(store, base, playlist_id)
        cumulative_file = formats.cumulative_path(playlist_id)
        previous_view = None
        if base is not None:
            old_cumulative = store.read_file(base, cumulative_file)
            if old_cumulative is not None:
                try:
                    previous_view = formats.read_cumulative(
                        old_cumulative.decode("utf-8"), playlist_id, path=cumulative_file
                    )
                except FormatError as exc:
                    exc.commit = exc.commit or base
                    raise
                except UnicodeDecodeError:
                    raise FormatError("not UTF-8 text", path=cumulative_file, commit=base) from None
        if previous_view is None and previous is not None:
            # An archive imported without cumulative files (or one deleted by
            # hand): rebuild this playlist's view from its log, once; from then
            # on every sync is one step on the committed view again.
            previous_view = _rebuild_cumulative(store, base, playlist_id)
        view = history.update_cumulative(previous_view, playlist, day)
        cumulative = formats.render_cumulative(view, github=github, branch=settings.branch).encode()
        if _blob_changed(store, base_listing, cumulative_file, cumulative):
            changed[cumulative_file] = cumulative
        plan.changes.update(changed)
        added, removed = _track_counts(previous, playlist)
        plan.changed.append(
            PlaylistChange(
                id=playlist_id,
                name=playlist.unique_name,
                added=added,
                removed=removed,
                new=previous is None,
            )
        )

    if include_registry:
        # The registry entries of the playlists archived, and entries the user removed.
        for playlist_id in named:
            path = registry_path(playlist_id)
            data = registry.raw.get(path, b"")
            if _blob_changed(store, base_listing, path, data):
                plan.changes[path] = data
        for listed, listed_blob in base_listing.items():
            if listed.startswith(REGISTRY_DIR + "/") and listed_blob is not None:
                playlist_id = listed.rsplit("/", 1)[1]
                if playlist_id not in registry.entries and not playlist_id.startswith("."):
                    plan.changes[listed] = None
                    for archived in _archive_paths(playlist_id):
                        if gitstore.read_worktree_file(store, archived) is None and (
                            store.workdir is not None and base_listing.get(archived)
                        ):
                            plan.changes[archived] = None  # purged by `remove --purge`

    index_entries = sorted(
        (playlist_id, name)
        for playlist_id, name in unique.items()
        if playlist_id in registry.entries
    )
    index = formats.render_index(index_entries).encode()
    if _blob_changed(store, base_listing, formats.INDEX_PATH, index):
        plan.changes[formats.INDEX_PATH] = index
    return plan


def _rebuild_cumulative(store: Store, base: str | None, playlist_id: str) -> CumulativeView | None:
    from gitarchive import versions

    try:
        found = versions.list_versions(store, playlist_id, start=base)
    except GitArchiveError as exc:
        # an unreadable old version must not stop today's sync; start afresh
        logger.warning("cannot rebuild the cumulative view of %s: %s", playlist_id, exc)
        return None
    return history.fold_cumulative(found)


def _archive_paths(playlist_id: str) -> tuple[str, ...]:
    return (
        formats.plain_path(playlist_id),
        formats.pretty_path(playlist_id),
        formats.json_path(playlist_id),
        formats.cumulative_path(playlist_id),
    )


def commit_message(now: datetime, changed: Sequence[PlaylistChange]) -> str:
    stamp = now.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    count = len(changed)
    noun = "playlist" if count == 1 else "playlists"
    added = sum(c.added for c in changed)
    removed = sum(c.removed for c in changed)
    if not count:
        return f"Sync {stamp} UTC: playlist index updated"
    return f"Sync {stamp} UTC: {count} {noun} changed, +{added} \u2212{removed} tracks"


# ---------------------------------------------------------------------- the sync


def _load_settings(store: Store) -> Settings:
    if store.workdir is not None:
        return load_settings(store.workdir)
    head = store.head_id()
    data = None if head is None else store.read_file(head, SETTINGS_FILE)
    if data is None:
        return Settings()
    return parse_settings(data.decode("utf-8", errors="replace"), path=SETTINGS_FILE)


def run_sync(
    store: Store,
    options: SyncOptions,
    *,
    client_factory: Callable[[Settings], Any] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    before_ref_update: Callable[[str], None] | None = None,
    env: Mapping[str, str] | None = None,
) -> SyncResult:
    """Refresh every registered playlist and commit what changed (see module docs)."""
    environ = os.environ if env is None else env
    now = options.now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    result = SyncResult(date=now, strict=options.strict)
    if store.workdir is None and not options.commit:
        raise UsageError("--no-commit writes files, but this repository is bare")

    with gitstore.ArchiveLock(store):
        gitstore.recover_pending(store)
        settings = _load_settings(store)
        registry = read_registry(store)
        result.invalid_entries = [(e.path, e.reason) for e in registry.invalid]
        if options.strict and registry.invalid:
            raise registry.invalid[0].to_error()
        ids = registry.ids
        if options.only:
            wanted = [parse_playlist_id(value) for value in options.only]
            missing = [playlist_id for playlist_id in wanted if playlist_id not in registry.entries]
            if missing:
                raise UsageError(
                    f"not registered: {', '.join(missing)} (gitarchive add {missing[0]})"
                )
            ids = sorted(set(wanted))
        result.registered = len(ids)
        identity = None
        if options.commit:
            identity = gitstore.resolve_identity(
                store, name=settings.author_name, email=settings.author_email, env=environ
            )
        github = settings.github or gitstore.github_slug(store)

        # ---- fetch
        started = time.perf_counter()
        done = 0

        def progress(playlist_id: str, outcome: Playlist | SpotifyError) -> None:
            nonlocal done
            done += 1
            if on_progress is not None:
                ok = not isinstance(outcome, SpotifyError)
                on_progress(Progress(done, len(ids), playlist_id, ok))

        outcomes: dict[str, Playlist | SpotifyError] = {}
        if ids:
            factory = client_factory or _default_client
            outcomes, rotated = asyncio.run(_fetch_all(factory(settings), ids, progress))
            if rotated is not None:
                result.refresh_token_rotated = True
                result.refresh_token_file = _store_rotated_token(rotated, environ)
        result.timings["fetch"] = time.perf_counter() - started
        fetched: dict[str, Playlist] = {}
        base = store.head_id()
        names = _previous_names(store, base)
        for playlist_id in ids:
            outcome = outcomes.get(playlist_id)
            if outcome is None:
                outcome = SpotifyError("no answer from the client", playlist=playlist_id)
            if isinstance(outcome, SpotifyError):
                result.unavailable.append(
                    Unavailable(playlist_id, names.get(playlist_id), outcome.message)
                )
            else:
                fetched[playlist_id] = outcome
        result.fetched = len(fetched)
        if ids and not fetched:
            return result  # nothing to build on: exit status 1, archive untouched
        if not ids and (base is None or options.only):
            return result  # an empty registry on an empty archive: nothing to record

        # ---- render
        started = time.perf_counter()
        plan = plan_sync(store, base, registry, fetched, settings=settings, github=github, now=now)
        result.timings["render"] = time.perf_counter() - started
        result.changed = plan.changed
        result.files_changed = len(plan.changes)
        if not plan.changes:
            _record_last_sync(store, result)
            return result
        message = options.message or commit_message(now, plan.changed)
        result.message = message

        # ---- commit
        started = time.perf_counter()
        if not options.commit:
            gitstore.write_worktree_files(store, plan.changes)
            result.timings["commit"] = time.perf_counter() - started
            _record_last_sync(store, result)
            return result
        assert identity is not None
        commit_started = started

        def objects_written(new_commit: str) -> None:
            result.timings["commit_objects"] = time.perf_counter() - commit_started
            if before_ref_update is not None:
                before_ref_update(new_commit)

        result.commit = gitstore.commit_changes(
            store,
            plan.changes,
            message=message,
            identity=identity,
            when=now,
            parent=base,
            before_ref_update=objects_written,
        )
        result.timings["commit"] = time.perf_counter() - started
        _record_last_sync(store, result)
        if result.commit is not None:
            from gitarchive.index import fold_new_commit

            fold_new_commit(store, logger.warning)

        # ---- push
        if options.push and result.commit is not None:
            started = time.perf_counter()
            _push_with_rebuild(
                store,
                result,
                registry,
                fetched,
                settings=settings,
                github=github,
                now=now,
                identity=identity,
                options=options,
                token=environ.get("GITHUB_TOKEN") or None,
            )
            result.timings["push"] = time.perf_counter() - started
    return result


def _push_with_rebuild(
    store: Store,
    result: SyncResult,
    registry: Registry,
    fetched: Mapping[str, Playlist],
    *,
    settings: Settings,
    github: str | None,
    now: datetime,
    identity: gitstore.Identity,
    options: SyncOptions,
    token: str | None,
) -> None:
    """Push; when the remote moved, rebuild this sync on its new tip and try again."""
    target = gitstore.push_target(store)
    assert result.commit is not None
    our_parent = store.commit_info(result.commit).parents
    for attempt in range(1, options.push_attempts + 1):
        result.push_attempts = attempt
        if gitstore.push_head(store, target, token=token):
            result.pushed = True
            return
        if attempt == options.push_attempts:
            break
        tip = gitstore.fetch_tip(store, target, token=token)
        if tip is None:
            raise PushError(f"{target.remote} rejected the push and has no {target.remote_ref}")
        if our_parent and not gitstore.is_ancestor(store, our_parent[0], tip):
            raise PushError(
                f"the local branch and {target.remote} have diverged; "
                "pull (or rebase) and run the sync again"
            )
        previous_commit = store.head_id()
        plan = plan_sync(store, tip, registry, fetched, settings=settings, github=github, now=now)
        message = options.message or commit_message(now, plan.changed)
        new_commit = gitstore.build_commit(
            store, tip, plan.changes, message=message, identity=identity, when=now
        )
        if new_commit is None:
            # Someone already pushed exactly what we would: adopt their tip.
            new_commit = tip
        gitstore.update_head(
            store, new_commit, expected=previous_commit, message="gitarchive: rebuilt on remote"
        )
        # Our archive paths follow the new commit; the remote's other changes
        # follow it where the user has not modified the file.
        ours = set(plan.changes) | set(result_paths(result, store, previous_commit))
        other = [
            path
            for path in gitstore.changed_paths(store, previous_commit, new_commit)
            if path not in ours and gitstore.worktree_matches(store, previous_commit, path)
        ]
        gitstore.checkout_paths(store, new_commit, sorted(ours | set(other)))
        our_parent = (tip,)
        result.changed = plan.changed
        result.files_changed = len(plan.changes)
        result.message = message
        if new_commit == tip:
            result.commit = None
            result.pushed = True
            return
        result.commit = new_commit
    raise PushError(
        f"push to {target.remote} was rejected {options.push_attempts} times "
        "(the remote keeps moving); run the sync again"
    )


def result_paths(result: SyncResult, store: Store, commit: str | None) -> list[str]:
    """Archive paths a sync commit touched (its diff against its parent)."""
    if commit is None:
        return []
    parents = store.commit_info(commit).parents
    return gitstore.changed_paths(store, parents[0] if parents else None, commit)


def _record_last_sync(store: Store, result: SyncResult) -> None:
    """Remember which playlists were unavailable, for `gitarchive list` (best effort)."""
    record = {
        "date": result.to_dict()["date"],
        "unavailable": {u.id: u.reason for u in result.unavailable},
    }
    with contextlib.suppress(OSError):
        (store.git_dir / LAST_SYNC_FILE).write_text(json.dumps(record) + "\n", encoding="utf-8")


def last_sync_record(store: Store) -> dict[str, Any]:
    try:
        data = json.loads((store.git_dir / LAST_SYNC_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


__all__ = [
    "ArchiveError",
    "GitArchiveError",
    "PlaylistChange",
    "Progress",
    "SyncOptions",
    "SyncResult",
    "Unavailable",
    "commit_message",
    "plan_sync",
    "resolve_unique_names",
    "run_sync",
]
