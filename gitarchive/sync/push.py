"""The push step of a sync: push, and when the remote moved, rebuild the sync on its tip."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gitarchive import git
from gitarchive.errors import FormatError, PushError
from gitarchive.formats.paths import REGISTRY_DIR, STATUS_PATH
from gitarchive.registry import RegistryEntry, parse_entry, read_registry
from gitarchive.sync.context import SyncContext, status_files
from gitarchive.sync.plan import plan_sync
from gitarchive.sync.result import PlaylistChange, Unavailable, commit_message
from gitarchive.words import plural

if TYPE_CHECKING:
    from collections.abc import Mapping

    from gitarchive.git import Store
    from gitarchive.model import Playlist
    from gitarchive.registry import Registry


@dataclass(frozen=True, slots=True)
class Rebuilt:
    """This sync's commit written again on the remote's new tip."""

    commit: str  # the tip itself when the remote already holds exactly this sync
    changed: list[PlaylistChange]
    files_changed: int
    message: str
    status_changed: bool


@dataclass(frozen=True, slots=True)
class Pushed:
    """A push the remote accepted."""

    commit: str | None  # this sync's commit on the remote; None: the remote's tip was it
    attempts: int
    seconds: float
    rebuilt: Rebuilt | None = None  # the last rebuild, when the remote had moved


@dataclass(frozen=True, slots=True)
class ThisSync:
    """What the push rebuilds from: this sync's playlists and failures."""

    playlists: Mapping[str, Playlist]
    unavailable: list[Unavailable]


def push(context: SyncContext, commit: str, fetched: ThisSync) -> Pushed:
    """Push the sync's commit (see :func:`_push_until_accepted`).

    A failed push leaves the commit in the local branch; the message says so,
    and the next ``sync --push`` pushes it even when nothing changed.
    """
    started = time.perf_counter()
    try:
        commit_now, attempts, rebuilt = _push_until_accepted(context, commit, fetched)
    except PushError as exc:
        local = git.head_id(context.store) or commit
        raise PushError(
            f"{exc.message}; commit {local[:12]} stays in the local branch: fix the cause, "
            "then run `gitarchive sync --push` again (or `git push`)",
            commit=exc.commit,
        ) from None
    return Pushed(commit_now, attempts, time.perf_counter() - started, rebuilt)


def push_waiting(context: SyncContext, fetched: ThisSync) -> Pushed | None:
    """Push a commit an earlier sync made but could not push (the remote's tip lacks it)."""
    store = context.store
    head = git.head_id(store)
    if head is None:
        return None
    target = git.push_target(store)
    remote_tip = git.ref_id(store, target.tracking_ref)
    if remote_tip is not None and git.is_ancestor(store, head, remote_tip):
        return None
    return push(context, head, fetched)


def _push_until_accepted(
    context: SyncContext, commit: str, fetched: ThisSync
) -> tuple[str | None, int, Rebuilt | None]:
    """Push; when the remote moved, rebuild this sync on its new tip and try again.

    The commit on the remote, the attempts it took, and the last rebuild.
    """
    store = context.store
    attempts = context.options.push_attempts
    token = context.environ.get("GITHUB_TOKEN") or None
    target = git.push_target(store)
    our_parent = git.commit_info(store, commit).parents
    rebuilt = None
    for attempt in range(1, attempts + 1):
        if git.push_head(store, target, token=token):
            return commit, attempt, rebuilt
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
        rebuilt = _rebuild_on(context, fetched, tip)
        our_parent = (tip,)
        if rebuilt.commit == tip:
            # Someone already pushed exactly what we would: their tip is ours.
            return None, attempt, rebuilt
        commit = rebuilt.commit
    raise PushError(
        f"push to {target.remote} was rejected {plural(attempts, 'time')} "
        "(the remote keeps moving); run the sync again"
    )


def _rebuild_on(context: SyncContext, fetched: ThisSync, tip: str) -> Rebuilt:
    """This sync's commit rebuilt on the remote's ``tip``, checked out."""
    store = context.store
    assert context.identity is not None
    previous_commit = git.head_id(store)
    files, changed = _files_on(context, fetched, tip, previous_commit)
    message = context.options.message or commit_message(
        context.now, changed, failed=len(fetched.unavailable)
    )
    new_commit = git.build_commit(
        store, tip, files, message=message, identity=context.identity, when=context.now
    )
    if new_commit is None:
        new_commit = tip
    git.update_head(
        store, new_commit, expected=previous_commit, message="gitarchive: rebuilt on remote"
    )
    # Our archive paths follow the new commit; the remote's other changes
    # follow it where the user has not modified the file.
    ours = set(files) | set(_commit_paths(store, previous_commit))
    other = [
        path
        for path in git.changed_paths(store, previous_commit, new_commit)
        if path not in ours and git.worktree_matches(store, previous_commit, path)
    ]
    git.checkout_paths(store, new_commit, sorted(ours | set(other)))
    return Rebuilt(new_commit, changed, len(files), message, STATUS_PATH in files)


def _files_on(
    context: SyncContext, fetched: ThisSync, tip: str, previous_commit: str | None
) -> tuple[dict[str, bytes | None], list[PlaylistChange]]:
    """This sync's files on top of ``tip``: its playlists, registry changes, deletions, status."""
    store = context.store
    own_registry = _own_registry_changes(store, previous_commit)
    registry = _registry_on(store, tip, own_registry)
    # playlists the remote unregistered stay unregistered; those it registered
    # are left to the next sync
    kept = {pid: p for pid, p in fetched.playlists.items() if pid in registry.entries}
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
    plan.files.update(status_files(context, tip, registry.entries, fetched.unavailable))
    return plan.files, plan.playlists


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
