"""One sync in named steps: prepare, fetch, render, commit, record, push."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from gitarchive import git
from gitarchive.errors import (
    BadRequest,
    FormatError,
    PushError,
    Skipped,
    SpotifyError,
    UsageError,
)
from gitarchive.formats.paths import (
    CUMULATIVE_DIR,
    PLAIN_DIR,
    PRETTY_DIR,
    REGISTRY_DIR,
)
from gitarchive.model import parse_playlist_id
from gitarchive.registry import read_registry, unique_names_at
from gitarchive.settings import SETTINGS_FILE, Settings, load_settings, parse_settings
from gitarchive.spotify.access import expiry_warning
from gitarchive.sync.plan import Plan, plan_sync
from gitarchive.sync.result import (
    BAD_REQUEST,
    Progress,
    SyncOptions,
    SyncResult,
    Unavailable,
    commit_message,
    record_last_sync,
)
from gitarchive.sync.source import (
    OnResult,
    SourceFactory,
    default_source,
    fetch_playlists,
    store_rotated_token,
)
from gitarchive.sync.status import status_change
from gitarchive.words import plural

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from gitarchive.git import Identity, Store
    from gitarchive.model import Playlist
    from gitarchive.registry import Registry

logger = logging.getLogger(__name__)

Outcomes = dict[str, "Playlist | SpotifyError"]

# a link at any of these would send a sync's writes anywhere on the machine
ARCHIVE_FOLDERS = (PLAIN_DIR, PRETTY_DIR, CUMULATIVE_DIR, REGISTRY_DIR)


@dataclass(frozen=True, slots=True)
class SyncContext:
    """Everything the steps share, read once under the archive lock."""

    store: Store
    options: SyncOptions
    now: datetime
    environ: Mapping[str, str]
    settings: Settings
    registry: Registry
    ids: list[str]  # the playlists this sync fetches
    identity: Identity | None  # None when not committing
    github: str | None


def run_sync(
    store: Store,
    options: SyncOptions,
    *,
    client_factory: SourceFactory | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    before_ref_update: Callable[[str], None] | None = None,
    env: Mapping[str, str] | None = None,
) -> SyncResult:
    """Refresh every registered playlist and commit what changed (see the package docs)."""
    environ = os.environ if env is None else env
    now = options.now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    result = SyncResult(date=now, strict=options.strict)
    if store.workdir is None and not options.commit:
        raise UsageError("--no-commit writes files, but this repository is bare")

    with git.ArchiveLock(store):
        git.recover_pending(store)
        context = prepare(store, options, now, environ, result)
        outcomes = fetch(context, result, client_factory or default_source, on_progress)
        git.fault_point("after-fetch")
        base = git.head_id(store)
        fetched = sort_outcomes(store, base, context.ids, outcomes, result)
        if not context.ids and (base is None or options.only):
            return result  # an empty registry on an empty archive: nothing to record
        # Nothing fetched: only the status changes (every playlist's files are kept).
        if context.ids and not fetched:
            plan = Plan(base=base)
        else:
            plan = render(context, result, base, fetched)
        plan.files.update(
            status_change(store, base, context.registry.entries, context.ids, context.now, result)
        )
        if not plan.files:
            record_last_sync(store, result)
            if options.push and options.commit:
                push_waiting(context, result, fetched)
            return result
        commit(context, result, plan, before_ref_update)
        record_last_sync(store, result)
        if options.push and result.commit is not None:
            push(context, result, fetched)
        maintain(context, result)
    return result


def prepare(
    store: Store,
    options: SyncOptions,
    now: datetime,
    environ: Mapping[str, str],
    result: SyncResult,
) -> SyncContext:
    """Settings, registry, the playlists to fetch and the commit identity.

    Everything that would make the commit or the push fail is checked here,
    before anything is fetched or written: a merge in progress, a linked
    archive folder, a detached HEAD or a missing remote with --push.
    """
    if options.commit:
        git.check_can_commit(store)
    git.check_folders(store, ARCHIVE_FOLDERS)
    if options.push:
        git.push_target(store)
    settings = _load_settings(store)
    registry = read_registry(store)
    result.invalid_entries = [(e.path, e.reason) for e in registry.invalid]
    if options.strict and registry.invalid:
        raise registry.invalid[0].to_error()
    ids = _selected_ids(registry, options.only)
    result.registered = len(ids)
    if settings.authorized_on is not None:
        warning = expiry_warning(settings.authorized_on, now.astimezone(UTC).date())
        if warning is not None:
            result.warnings.append(warning)
    identity = None
    if options.commit:
        identity = git.resolve_identity(
            store, name=settings.author_name, email=settings.author_email, env=environ
        )
    return SyncContext(
        store=store,
        options=options,
        now=now,
        environ=environ,
        settings=settings,
        registry=registry,
        ids=ids,
        identity=identity,
        github=settings.github or git.github_slug(store),
    )


def _load_settings(store: Store) -> Settings:
    if store.workdir is not None:
        return load_settings(store.workdir)
    head = git.head_id(store)
    data = None if head is None else git.read_file(store, head, SETTINGS_FILE)
    if data is None:
        return Settings()
    return parse_settings(data.decode("utf-8", errors="replace"), path=SETTINGS_FILE)


def _selected_ids(registry: Registry, only: tuple[str, ...]) -> list[str]:
    if not only:
        return registry.ids
    wanted = [parse_playlist_id(value) for value in only]
    missing = [playlist_id for playlist_id in wanted if playlist_id not in registry.entries]
    if missing:
        raise UsageError(f"not registered: {', '.join(missing)} (gitarchive add {missing[0]})")
    return sorted(set(wanted))


def fetch(
    context: SyncContext,
    result: SyncResult,
    source_factory: SourceFactory,
    on_progress: Callable[[Progress], None] | None,
) -> Outcomes:
    """Every selected playlist from the source, concurrently; stores a rotated token."""
    started = time.perf_counter()
    outcomes: Outcomes = {}
    if context.ids:
        counter = _progress_counter(len(context.ids), on_progress)
        source = source_factory(context.settings)
        # a blank name from Spotify falls back to the archived one (then to the id)
        names = unique_names_at(context.store, git.head_id(context.store))
        outcomes, rotated = asyncio.run(fetch_playlists(source, context.ids, counter, names))
        if rotated is not None:
            result.refresh_token_rotated = True
            result.refresh_token_file = store_rotated_token(rotated, context.environ)
    result.timings["fetch"] = time.perf_counter() - started
    return outcomes


def _progress_counter(total: int, on_progress: Callable[[Progress], None] | None) -> OnResult:
    done = 0

    def progress(playlist_id: str, outcome: Playlist | SpotifyError) -> None:
        nonlocal done
        done += 1
        if on_progress is not None:
            ok = not isinstance(outcome, SpotifyError)
            on_progress(Progress(done, total, playlist_id, ok))

    return progress


def sort_outcomes(
    store: Store, base: str | None, ids: list[str], outcomes: Outcomes, result: SyncResult
) -> dict[str, Playlist]:
    """The playlists fetched; the others are recorded as unavailable under their last name."""
    fetched: dict[str, Playlist] = {}
    names = unique_names_at(store, base)
    for playlist_id in ids:
        outcome = outcomes.get(playlist_id)
        if outcome is None:
            outcome = SpotifyError("no answer from the client", playlist=playlist_id)
        if isinstance(outcome, SpotifyError):
            kind = "skipped" if isinstance(outcome, Skipped) else "unavailable"
            cause = (
                BAD_REQUEST if isinstance(outcome, BadRequest) else getattr(outcome, "cause", None)
            )
            result.unavailable.append(
                Unavailable(
                    playlist_id,
                    names.get(playlist_id),
                    outcome.message,
                    cause=cause if isinstance(cause, str) else None,
                    kind=kind,
                )
            )
        else:
            fetched[playlist_id] = outcome
    result.fetched = len(fetched)
    return fetched


def render(
    context: SyncContext, result: SyncResult, base: str | None, fetched: dict[str, Playlist]
) -> Plan:
    """Names, files, registry and index changes on top of ``base`` (see :mod:`.plan`).

    Playlists kept back by the drop rule leave ``fetched`` (the push's rebuild uses it).
    """
    started = time.perf_counter()
    plan = _plan(context, base, fetched)
    if plan.dropped:
        # Kept back: re-plan without them, so their names and the index stay as committed.
        names = unique_names_at(context.store, base)
        for playlist_id, (before, after) in sorted(plan.dropped.items()):
            reason = _drop_reason(context.settings, playlist_id, before, after)
            result.unavailable.append(
                Unavailable(playlist_id, names.get(playlist_id), reason, kind="dropped")
            )
        for playlist_id in plan.dropped:
            del fetched[playlist_id]
        result.fetched = len(fetched)
        plan = _plan(context, base, fetched)
    result.timings["render"] = time.perf_counter() - started
    result.changed = plan.playlists
    result.files_changed = len(plan.files)
    return plan


def _plan(context: SyncContext, base: str | None, fetched: Mapping[str, Playlist]) -> Plan:
    return plan_sync(
        context.store,
        base,
        context.registry,
        fetched,
        settings=context.settings,
        github=context.github,
        now=context.now,
        accept_drops=context.options.accept_drops,
    )


def _drop_reason(settings: Settings, playlist_id: str, before: int, after: int) -> str:
    limit = settings.drop_limit(playlist_id) or 0.0
    return (
        f"the track count fell from {before} to {after} in one sync (more than {limit:.0%}); "
        "its files are kept. If the playlist really lost them, run `gitarchive sync "
        "--accept-drops` (or set accept_drops for it in gitarchive.toml)"
    )


def commit(
    context: SyncContext,
    result: SyncResult,
    plan: Plan,
    before_ref_update: Callable[[str], None] | None,
) -> None:
    """One commit from the base's tree plus the plan's files (or, --no-commit, the files)."""
    store = context.store
    message = context.options.message or commit_message(
        context.now, plan.playlists, failed=len(result.unavailable)
    )
    result.message = message
    started = time.perf_counter()
    if not context.options.commit:
        git.write_worktree_files(store, plan.files)
        result.timings["commit"] = time.perf_counter() - started
        return
    assert context.identity is not None

    def objects_written(new_commit: str) -> None:
        result.timings["commit_objects"] = time.perf_counter() - started
        if before_ref_update is not None:
            before_ref_update(new_commit)

    result.commit = git.commit_changes(
        store,
        plan.files,
        message=message,
        identity=context.identity,
        when=context.now,
        parent=plan.base,
        before_ref_update=objects_written,
    )
    result.timings["commit"] = time.perf_counter() - started
    if result.commit is not None:
        # the change index is a cache: an up-to-date one stays so; never fails the sync
        from gitarchive.index import fold_new_commit

        fold_new_commit(store, logger.warning)


def maintain(context: SyncContext, result: SyncResult) -> None:
    """After a commit, fold small packs and loose objects into delta packs (git/maintenance.py).

    Last, after the push: the commit is safe whatever happens here, and the
    work is skipped (in milliseconds) while the packs are in progression.
    """
    if result.commit is None:
        return
    started = time.perf_counter()
    git.keep_packs_healthy(context.store)
    result.timings["maintain"] = time.perf_counter() - started


def push(context: SyncContext, result: SyncResult, fetched: Mapping[str, Playlist]) -> None:
    """Push the sync's commit (see :func:`_push_until_accepted`).

    A failed push leaves the commit in the local branch; the message says so,
    and the next ``sync --push`` pushes it even when nothing changed.
    """
    started = time.perf_counter()
    try:
        _push_until_accepted(context, result, fetched)
    except PushError as exc:
        commit = result.commit or git.head_id(context.store) or ""
        raise PushError(
            f"{exc.message}; commit {commit[:12]} stays in the local branch: fix the cause, "
            "then run `gitarchive sync --push` again (or `git push`)",
            commit=exc.commit,
        ) from None
    result.timings["push"] = time.perf_counter() - started


def push_waiting(context: SyncContext, result: SyncResult, fetched: Mapping[str, Playlist]) -> None:
    """Push a commit an earlier sync made but could not push (the remote's tip lacks it)."""
    store = context.store
    head = git.head_id(store)
    if head is None:
        return
    target = git.push_target(store)
    remote_tip = git.ref_id(store, target.tracking_ref)
    if remote_tip is not None and git.is_ancestor(store, head, remote_tip):
        return
    result.commit = head
    push(context, result, fetched)


def _push_until_accepted(
    context: SyncContext, result: SyncResult, fetched: Mapping[str, Playlist]
) -> None:
    """Push; when the remote moved, rebuild this sync on its new tip and try again."""
    store = context.store
    attempts = context.options.push_attempts
    token = context.environ.get("GITHUB_TOKEN") or None
    target = git.push_target(store)
    assert result.commit is not None
    our_parent = git.commit_info(store, result.commit).parents
    for attempt in range(1, attempts + 1):
        result.push_attempts = attempt
        if git.push_head(store, target, token=token):
            result.pushed = True
            return
        if attempt == attempts:
            break
        tip = git.fetch_tip(store, target, token=token)
        if tip is None:
            raise PushError(f"{target.remote} rejected the push and has no {target.remote_ref}")
        if our_parent and not git.is_ancestor(store, our_parent[0], tip):
            raise PushError(
                f"the local branch and {target.remote} have diverged; "
                "pull (or rebase) and run the sync again"
            )
        new_commit = _rebuild_on(context, result, fetched, tip)
        our_parent = (tip,)
        if new_commit == tip:
            # Someone already pushed exactly what we would: their tip is ours.
            result.commit = None
            result.pushed = True
            return
        result.commit = new_commit
    raise PushError(
        f"push to {target.remote} was rejected {plural(attempts, 'time')} "
        "(the remote keeps moving); run the sync again"
    )


def _rebuild_on(
    context: SyncContext, result: SyncResult, fetched: Mapping[str, Playlist], tip: str
) -> str:
    """This sync's commit rebuilt on the remote's ``tip``, checked out; its id (or ``tip``)."""
    store = context.store
    assert context.identity is not None
    previous_commit = git.head_id(store)
    own_registry = _own_registry_changes(store, previous_commit)
    registry = _registry_on(store, tip, own_registry)
    # playlists the remote unregistered stay unregistered; those it registered
    # are left to the next sync
    kept = {pid: playlist for pid, playlist in fetched.items() if pid in registry.entries}
    plan = plan_sync(
        store,
        tip,
        registry,
        kept,
        settings=context.settings,
        github=context.github,
        now=context.now,
        include_registry=False,
        accept_drops=context.options.accept_drops,
    )
    plan.files.update(own_registry)
    for path in _own_deletions(store, previous_commit):
        plan.files.setdefault(path, None)
    plan.files.update(status_change(store, tip, registry.entries, context.ids, context.now, result))
    message = context.options.message or commit_message(
        context.now, plan.playlists, failed=len(result.unavailable)
    )
    new_commit = git.build_commit(
        store, tip, plan.files, message=message, identity=context.identity, when=context.now
    )
    if new_commit is None:
        new_commit = tip
    git.update_head(
        store, new_commit, expected=previous_commit, message="gitarchive: rebuilt on remote"
    )
    # Our archive paths follow the new commit; the remote's other changes
    # follow it where the user has not modified the file.
    ours = set(plan.files) | set(_commit_paths(store, previous_commit))
    other = [
        path
        for path in git.changed_paths(store, previous_commit, new_commit)
        if path not in ours and git.worktree_matches(store, previous_commit, path)
    ]
    git.checkout_paths(store, new_commit, sorted(ours | set(other)))
    result.changed = plan.playlists
    result.files_changed = len(plan.files)
    result.message = message
    return new_commit


def _own_registry_changes(store: Store, commit: str | None) -> dict[str, bytes | None]:
    """The registry files this sync's commit added, changed or deleted: its own changes."""
    changes: dict[str, bytes | None] = {}
    if commit is None:
        return changes
    for path in _commit_paths(store, commit):
        if path.startswith(REGISTRY_DIR + "/"):
            changes[path] = git.read_file(store, commit, path)
    return changes


def _own_deletions(store: Store, commit: str | None) -> list[str]:
    """Archive files this sync's commit deleted (``remove --purge`` recorded by the sync)."""
    if commit is None:
        return []
    return [
        path
        for path in _commit_paths(store, commit)
        if not path.startswith(REGISTRY_DIR + "/") and git.read_file(store, commit, path) is None
    ]


def _registry_on(store: Store, tip: str, own: Mapping[str, bytes | None]) -> Registry:
    """The remote tip's registry as it is, with this sync's own registry changes on top."""
    from gitarchive.registry import RegistryEntry, parse_entry

    registry = read_registry(store, commit=tip)
    for path, data in own.items():
        name = path.rsplit("/", 1)[1]
        if data is None:
            registry.entries.pop(name, None)
            registry.raw.pop(path, None)
            continue
        try:
            entry: RegistryEntry = parse_entry(name, data)
        except FormatError:
            continue
        registry.entries[entry.id] = entry
        registry.raw[path] = data
    return registry


def _commit_paths(store: Store, commit: str | None) -> list[str]:
    """Archive paths a sync commit touched (its diff against its parent)."""
    if commit is None:
        return []
    parents = git.commit_info(store, commit).parents
    return git.changed_paths(store, parents[0] if parents else None, commit)
