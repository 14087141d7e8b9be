"""One sync in named steps: prepare, fetch, render, commit, record, push."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from gitarchive import git
from gitarchive.errors import BadRequest, Skipped, SpotifyError, UsageError
from gitarchive.formats.paths import CUMULATIVE_DIR, PLAIN_DIR, PRETTY_DIR, REGISTRY_DIR
from gitarchive.listing import unique_names_at
from gitarchive.model import parse_playlist_id
from gitarchive.registry import read_registry
from gitarchive.settings import SETTINGS_FILE, Settings, load_settings, parse_settings
from gitarchive.spotify.access import expiry_warning
from gitarchive.sync.context import SyncContext, status_files
from gitarchive.sync.plan import Plan, plan_sync
from gitarchive.sync.push import Pushed, ThisSync, push, push_waiting
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
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from gitarchive.git import Store
    from gitarchive.model import Playlist
    from gitarchive.registry import Registry

logger = logging.getLogger(__name__)

Answers = dict[str, "Playlist | SpotifyError"]

# a link at any of these would send a sync's writes anywhere on the machine
ARCHIVE_FOLDERS = (PLAIN_DIR, PRETTY_DIR, CUMULATIVE_DIR, REGISTRY_DIR)


def run_sync(
    store: Store,
    options: SyncOptions,
    *,
    client_factory: SourceFactory | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    before_ref_update: Callable[[str], None] | None = None,
    env: Mapping[str, str] | None = None,
) -> SyncResult:
    """Refresh every registered playlist and commit what changed (see the package docs).

    Each step returns what it did; the result is assembled from those values.
    """
    environ = os.environ if env is None else env
    now = options.now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    if store.workdir is None and not options.commit:
        raise UsageError("--no-commit writes files, but this repository is bare")
    with git.ArchiveLock(store):
        git.recover_pending(store)
        context, prepared = prepare(store, options, now, environ)
        fetched = fetch(context, client_factory or default_source, on_progress)
        git.fault_point("after-fetch")
        base = git.head_id(store)
        names = context.names if base == context.head else unique_names_at(store, base)
        outcomes = sort_outcomes(context.ids, fetched.answers, names)
        result = replace(
            prepared,
            fetched=len(outcomes.playlists),
            unavailable=outcomes.unavailable,
            timings=fetched.timings,
            refresh_token_rotated=fetched.token_rotated,
            refresh_token_file=fetched.token_file,
            warnings=[*prepared.warnings]
            + ([fetched.token_notice] if fetched.token_notice else []),
        )
        if not context.ids and (base is None or options.only):
            return result  # an empty registry on an empty archive: nothing to record
        return _write(context, result, base, outcomes, names, before_ref_update)


def _write(
    context: SyncContext,
    result: SyncResult,
    base: str | None,
    outcomes: Outcomes,
    names: Mapping[str, str],
    before_ref_update: Callable[[str], None] | None,
) -> SyncResult:
    """Render, commit, record, push and maintain; the result with what each of them did."""
    # Nothing fetched: only the status changes (every playlist's files are kept).
    if context.ids and not outcomes.playlists:
        plan, playlists = Plan(base=base), outcomes.playlists
    else:
        rendered = render(context, base, outcomes.playlists, names)
        result = _with_render(result, rendered)
        plan, playlists = rendered.plan, rendered.playlists
    status = status_files(context, base, context.registry.entries, result.unavailable)
    plan.files.update(status)
    result = replace(result, status_changed=bool(status))
    ours = ThisSync(playlists, result.unavailable)
    if not plan.files:
        record_last_sync(context.store, result)
        if context.options.push and context.options.commit:
            result = _with_push(result, push_waiting(context, ours))
        return result
    committed = commit(context, plan, len(result.unavailable), before_ref_update)
    result = replace(
        result,
        commit=committed.commit,
        message=committed.message,
        timings=result.timings | committed.timings,
    )
    record_last_sync(context.store, result)
    if context.options.push and result.commit is not None:
        result = _with_push(result, push(context, result.commit, ours))
    if result.commit is not None:
        result = replace(result, timings=result.timings | {"maintain": maintain(context)})
    return result


def _with_render(result: SyncResult, rendered: Rendered) -> SyncResult:
    return replace(
        result,
        unavailable=[*result.unavailable, *rendered.dropped],
        timings=result.timings | {"render": rendered.seconds},
        fetched=len(rendered.playlists),
        changed=rendered.plan.playlists,
        files_changed=len(rendered.plan.files),
    )


def _with_push(result: SyncResult, pushed: Pushed | None) -> SyncResult:
    if pushed is None:
        return result
    result = replace(
        result,
        commit=pushed.commit,
        pushed=True,
        push_attempts=pushed.attempts,
        timings=result.timings | {"push": pushed.seconds},
    )
    rebuilt = pushed.rebuilt
    if rebuilt is None:
        return result
    return replace(
        result,
        changed=rebuilt.changed,
        files_changed=rebuilt.files_changed,
        message=rebuilt.message,
        status_changed=result.status_changed or rebuilt.status_changed,
    )


def prepare(
    store: Store,
    options: SyncOptions,
    now: datetime,
    environ: Mapping[str, str],
) -> tuple[SyncContext, SyncResult]:
    """Settings, registry, the playlists to fetch and the commit identity; the result so far.

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
    if options.strict and registry.invalid:
        raise registry.invalid[0].to_error()
    ids = _selected_ids(registry, options.only)
    identity = None
    if options.commit:
        identity = git.resolve_identity(
            store, name=settings.author_name, email=settings.author_email, env=environ
        )
    head = git.head_id(store)
    context = SyncContext(
        store=store,
        options=options,
        now=now,
        environ=environ,
        settings=settings,
        registry=registry,
        ids=ids,
        identity=identity,
        github=settings.github or git.github_slug(store),
        head=head,
        names=unique_names_at(store, head),
    )
    return context, _prepared(context)


def _prepared(context: SyncContext) -> SyncResult:
    """The result as prepare knows it: entries registered and invalid, warnings."""
    warnings = []
    authorized_on = context.settings.authorized_on
    if authorized_on is not None:
        warning = expiry_warning(authorized_on, context.now.astimezone(UTC).date())
        if warning is not None:
            warnings.append(warning)
    return SyncResult(
        date=context.now,
        strict=context.options.strict,
        registered=len(context.ids),
        invalid_entries=[(e.path, e.reason) for e in context.registry.invalid],
        warnings=warnings,
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


@dataclass(frozen=True, slots=True)
class FetchStep:
    """Every selected playlist's outcome, and whether Spotify rotated the refresh token."""

    answers: Answers
    timings: dict[str, float]
    token_rotated: bool = False
    token_file: str | None = None  # where the rotated token was stored
    token_notice: str | None = None  # what the user must know about the rotation


def fetch(
    context: SyncContext,
    source_factory: SourceFactory,
    on_progress: Callable[[Progress], None] | None,
) -> FetchStep:
    """Every selected playlist from the source, concurrently; says where a rotated token went."""
    started = time.perf_counter()
    if not context.ids:
        return FetchStep({}, {"fetch": time.perf_counter() - started})
    counter = _progress_counter(len(context.ids), on_progress)
    source = source_factory(context.settings)
    # a blank name from Spotify falls back to the archived one (then to the id)
    answers, rotation = asyncio.run(
        fetch_playlists(source, context.ids, counter, dict(context.names))
    )
    timings = {"fetch": time.perf_counter() - started}
    if rotation is None:
        return FetchStep(answers, timings)
    return FetchStep(answers, timings, True, rotation.stored_in, rotation.notice())


def _progress_counter(total: int, on_progress: Callable[[Progress], None] | None) -> OnResult:
    done = 0

    def progress(playlist_id: str, outcome: Playlist | SpotifyError) -> None:
        nonlocal done
        done += 1
        if on_progress is not None:
            ok = not isinstance(outcome, SpotifyError)
            on_progress(Progress(done, total, playlist_id, ok))

    return progress


@dataclass(frozen=True, slots=True)
class Outcomes:
    """The playlists fetched, and the others recorded as unavailable under their last name."""

    playlists: dict[str, Playlist]
    unavailable: list[Unavailable]


def sort_outcomes(ids: list[str], answers: Answers, names: Mapping[str, str]) -> Outcomes:
    """The playlists fetched; the others are recorded as unavailable under their last name."""
    fetched: dict[str, Playlist] = {}
    unavailable: list[Unavailable] = []
    for playlist_id in ids:
        outcome = answers.get(playlist_id)
        if outcome is None:
            outcome = SpotifyError("no answer from the client", playlist=playlist_id)
        if not isinstance(outcome, SpotifyError):
            fetched[playlist_id] = outcome
            continue
        kind = "skipped" if isinstance(outcome, Skipped) else "unavailable"
        cause = BAD_REQUEST if isinstance(outcome, BadRequest) else getattr(outcome, "cause", None)
        unavailable.append(
            Unavailable(
                playlist_id,
                names.get(playlist_id),
                outcome.message,
                cause=cause if isinstance(cause, str) else None,
                kind=kind,
            )
        )
    return Outcomes(fetched, unavailable)


@dataclass(frozen=True, slots=True)
class Rendered:
    plan: Plan
    playlists: dict[str, Playlist]  # fetched, less those kept back by the drop rule
    dropped: list[Unavailable]  # those kept back
    seconds: float


def render(
    context: SyncContext,
    base: str | None,
    fetched: dict[str, Playlist],
    names: Mapping[str, str],
) -> Rendered:
    """Names, files, registry and index changes on top of ``base`` (see :mod:`.plan`).

    Playlists kept back by the drop rule leave the playlists (the push's rebuild uses them).
    """
    started = time.perf_counter()
    plan = _plan(context, base, fetched, names)
    dropped: list[Unavailable] = []
    if plan.dropped:
        # Kept back: re-plan without them, so their names and the index stay as committed.
        for playlist_id, (before, after) in sorted(plan.dropped.items()):
            reason = _drop_reason(context.settings, playlist_id, before, after)
            dropped.append(Unavailable(playlist_id, names.get(playlist_id), reason, kind="dropped"))
        fetched = {pid: p for pid, p in fetched.items() if pid not in plan.dropped}
        plan = _plan(context, base, fetched, names)
    return Rendered(plan, fetched, dropped, time.perf_counter() - started)


def _plan(
    context: SyncContext,
    base: str | None,
    fetched: Mapping[str, Playlist],
    names: Mapping[str, str],
) -> Plan:
    return plan_sync(
        context.store,
        base,
        context.registry,
        fetched,
        settings=context.settings,
        github=context.github,
        now=context.now,
        accept_drops=context.options.accept_drops,
        names=names,
    )


def _drop_reason(settings: Settings, playlist_id: str, before: int, after: int) -> str:
    limit = settings.drop_limit(playlist_id) or 0.0
    return (
        f"the track count fell from {before} to {after} in one sync (more than {limit:.0%}); "
        "its files are kept. If the playlist really lost them, run `gitarchive sync "
        "--accept-drops` (or set accept_drops for it in gitarchive.toml)"
    )


@dataclass(frozen=True, slots=True)
class Committed:
    commit: str | None  # None: --no-commit, or the tree did not change
    message: str
    timings: dict[str, float]


def commit(
    context: SyncContext,
    plan: Plan,
    failed: int,
    before_ref_update: Callable[[str], None] | None,
) -> Committed:
    """One commit from the base's tree plus the plan's files (or, --no-commit, the files)."""
    store = context.store
    message = context.options.message or commit_message(context.now, plan.playlists, failed=failed)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    if not context.options.commit:
        git.write_worktree_files(store, plan.files)
        timings["commit"] = time.perf_counter() - started
        return Committed(None, message, timings)
    assert context.identity is not None

    def objects_written(new_commit: str) -> None:
        timings["commit_objects"] = time.perf_counter() - started
        if before_ref_update is not None:
            before_ref_update(new_commit)

    new_commit = git.commit_changes(
        store,
        plan.files,
        message=message,
        identity=context.identity,
        when=context.now,
        parent=plan.base,
        before_ref_update=objects_written,
    )
    timings["commit"] = time.perf_counter() - started
    if new_commit is not None:
        # the change index is a cache: an up-to-date one stays so; never fails the sync
        # lazy: the change index (sqlite3, its fold) costs 25 ms at import (python -X
        # importtime, min of 9, load 9 on 2 cores); `list` imports this package, never it
        from gitarchive.index import fold_new_commit

        fold_new_commit(store, logger.warning)
    return Committed(new_commit, message, timings)


def maintain(context: SyncContext) -> float:
    """After a commit, fold small packs and loose objects into delta packs (git/maintenance.py);
    the seconds it took.

    Last, after the push: the commit is safe whatever happens here, and the
    work is skipped (in milliseconds) while the packs are in progression.
    """
    started = time.perf_counter()
    git.keep_packs_healthy(context.store)
    return time.perf_counter() - started
