"""One import, end to end: the plan, the checks before any write, the rewrite, the report."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from gitarchive import collector, formats, git, versions
from gitarchive.errors import ArchiveError, FormatError
from gitarchive.formats.paths import archive_paths
from gitarchive.formats.sanitize import clean_name
from gitarchive.history import fold_cumulative, iso_utc
from gitarchive.importing.plan import Target, read_target, taken
from gitarchive.importing.report import ImportReport, ImportResult
from gitarchive.importing.steps import Group, Steps, Writing

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from gitarchive.git import CommitInfo, Store
    from gitarchive.history import Version
    from gitarchive.importing.source import SourceRead
    from gitarchive.model import CumulativeView

    Progress = Callable[[str, int, int], None]

# more playlists with a history here than this: their cumulative views come from one
# pass over the log rather than one walk each
_WALKS_UP_TO = 8

logger = logging.getLogger(__name__)


def import_archive(
    store: Store,
    read: SourceRead,
    writing: Writing,
    *,
    allow_pushed: bool = False,
    strict: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Bring every playlist's source versions this archive lacks into this branch, in one
    rewrite of the commits after the oldest of them (docs/import.md)."""
    # a shallow clone's chain starts at its boundary: rebuilt, it would drop every
    # commit before it from the branch
    git.require_full_history(store)
    if strict and read.skipped:
        _refuse_skips(read)
    target = read_target(store)
    groups = _groups(read, target)
    repair = _missing_cumulative(store, read, target)
    keep = len(target.chain)
    writes = {v.playlist.id for g in groups for v in g.versions} | set(repair)
    if writes:
        _check_before_writing(store, writes)
    if groups:
        keep = _rewrite_start(store, target.chain, groups[0].date, allow_pushed=allow_pushed)
    steps = Steps(store, target, keep, writing)
    tip = _rewrite(store, steps, groups, progress) if groups else None
    cumulative = _refresh_cumulative(store, steps, writing, now, repair) if tip or repair else None
    return ImportReport(
        source=writing.label,
        playlists=_results(read, target, steps, tip or git.head_id(store), cumulative),
        commits=steps.inserts,
        replayed=len(target.chain) - keep,
        tip=tip or git.head_id(store),
        cumulative_commit=cumulative,
        flattened=tuple(steps.flattened),
        skipped=tuple(read.skipped),
    )


def _refuse_skips(read: SourceRead) -> None:
    """``--strict``: a source file that could not be read stops the import before any write."""
    first = read.skipped[0]
    raise FormatError(
        f"--strict: {len(read.skipped)} source files could not be read, so nothing was "
        f"imported (the first: {first.reason})",
        path=first.path,
        line=first.line,
        commit=first.commit,
    )


def _rewrite(
    store: Store, steps: Steps, groups: list[Group], progress: Progress | None
) -> str | None:
    """The chain rebuilt with the groups inserted, in one pass; the new tip."""
    chain, keep = steps.target.chain, steps.keep
    total = len(groups) + len(chain) - keep
    done = iter(range(1, total + 1))
    with collector.paused():
        return git.rebuild(
            store,
            chain[keep - 1].id if keep else None,
            steps.steps(groups),
            reflog=f"gitarchive: import from {steps.writing.label}",
            on_commit=None if progress is None else lambda: progress("writing", next(done), total),
        )


def _groups(read: SourceRead, target: Target) -> list[Group]:
    """The versions to take, one group per source commit, in the source's log order."""
    dates, moved = _source_dates(read)
    by_commit: dict[str, list[Version]] = {}
    for playlist_id in sorted(read.versions):
        found = [replace(v, date=dates[v.commit]) for v in read.versions[playlist_id]]
        for version in taken(found, target.held.get(playlist_id)):
            by_commit.setdefault(version.commit, []).append(version)
    for commit in sorted(moved.keys() & by_commit.keys(), key=lambda c: read.order.get(c, 0)):
        was, after = moved[commit]
        logger.warning(
            "source commit %s is dated %s, before %s which comes before it in the source's "
            "log: its versions are dated %s, so that they keep the source's order",
            commit[:12],
            iso_utc(was),
            after[:12],
            iso_utc(dates[commit]),
        )
    ordered = sorted(
        by_commit.items(), key=lambda item: (read.order.get(item[0], 0), item[1][0].date)
    )
    return [Group(found[0].date, tuple(found)) for _, found in ordered]


def _source_dates(
    read: SourceRead,
) -> tuple[dict[str, datetime], dict[str, tuple[datetime, str]]]:
    """Each source commit's date, never before the date of a commit before it in the log
    (a cherry-pick or a rebase keeps its old author date); and the commits moved so,
    with their own date and the commit they now share a date with."""
    own = {v.commit: v.date for found in read.versions.values() for v in found}
    dates: dict[str, datetime] = {}
    moved: dict[str, tuple[datetime, str]] = {}
    latest: tuple[datetime, str] | None = None
    # without a log order (a backup's versions), date order is the only order there is
    for commit in sorted(own, key=lambda c: (read.order.get(c, 0), own[c])):
        if latest is not None and own[commit] < latest[0]:
            dates[commit] = latest[0]
            moved[commit] = (own[commit], latest[1])
        else:
            dates[commit] = own[commit]
            latest = (own[commit], commit)
    return dates, moved


def _results(
    read: SourceRead, target: Target, steps: Steps, tip: str | None, cumulative: str | None
) -> tuple[ImportResult, ...]:
    results = []
    for playlist_id, found in sorted(read.versions.items()):
        imported = steps.imported.get(playlist_id, [])
        already = steps.already_here[playlist_id]
        results.append(
            ImportResult(
                playlist_id,
                clean_name(found[-1].playlist.display_name),
                tuple(imported),
                len(found) - len(imported) - already,
                len(target.chain) - steps.keep if steps.inserts else 0,
                tip,
                cumulative,
                tuple(steps.flattened),
                already,
            )
        )
    return tuple(results)


def _check_before_writing(store: Store, playlist_ids: Iterable[str]) -> None:
    """Every check the writes make, made before the first of them: the rewrite moves the
    branch, so a last step refused afterwards would leave the import half done."""
    git.check_can_commit(store)
    if store.workdir is None:
        return
    head = git.head_id(store)
    paths = [formats.INDEX_PATH]
    for playlist_id in sorted(playlist_ids):
        paths += archive_paths(playlist_id).generated().values()
    git.check_writable(store, paths)
    # the import rewrites these files in the work tree: never over your changes
    for path in paths:
        if not git.worktree_matches(store, head, path):
            raise ArchiveError(
                "has uncommitted changes: commit or discard them before importing", path=path
            )


def _missing_cumulative(store: Store, read: SourceRead, target: Target) -> list[str]:
    """The playlists an earlier import brought that have no cumulative page at HEAD (that
    import stopped before its last commit): this run writes it."""
    head = git.head_id(store)
    if head is None:
        return []
    return [
        playlist_id
        for playlist_id in sorted(read.versions)
        if (held := target.held.get(playlist_id)) is not None
        and held.last_imported is not None
        and git.read_file(store, head, formats.cumulative_path(playlist_id)) is None
    ]


def _rewrite_start(
    store: Store, chain: list[CommitInfo], first: datetime, *, allow_pushed: bool
) -> int:
    """How many commits of the chain stay as they are; refuse to rewrite pushed ones."""
    keep = 0
    while keep < len(chain) and chain[keep].date <= first:
        keep += 1
    if keep < len(chain) and not allow_pushed:
        unpushed = set(git.commits_not_on_remotes(store, chain[-1].id))
        if chain[keep].id not in unpushed:
            raise ArchiveError(
                f"importing versions from {first:%Y-%m-%d} on would rewrite commit "
                f"{chain[keep].id[:12]} and the {len(chain) - keep - 1} after it, which a "
                "remote already has: import in a clone and force-push it, or pass "
                "--rewrite-pushed (docs/import.md)"
            )
    return keep


def _refresh_cumulative(
    store: Store, steps: Steps, writing: Writing, now: datetime | None, repair: list[str]
) -> str | None:
    """One commit that brings the imported playlists' cumulative pages (and the missing
    ones of ``repair``) up to their whole history, where that changed them."""
    views = _cumulative_views(store, steps, repair)
    head = git.head_id(store)
    changes: dict[str, bytes | None] = {}
    names = []
    for playlist_id, view in sorted(views.items()):
        page = formats.render_cumulative(view, github=writing.github, branch=writing.branch)
        path = formats.cumulative_path(playlist_id)
        if head is None or git.read_file(store, head, path) != page.encode():
            changes[path] = page.encode()
            names.append(view.name)
    if not changes:
        return None
    subject = (
        f"Cumulative view of {names[0]} over its imported history"
        if len(names) == 1
        else f"Cumulative views of {len(names)} playlists over their imported history"
    )
    return git.commit_changes(
        store, changes, message=subject, identity=writing.identity, when=now or datetime.now(UTC)
    )


def _cumulative_views(store: Store, steps: Steps, repair: list[str]) -> dict[str, CumulativeView]:
    """Each imported playlist's view: folded during the rewrite when it had no version
    here, else from its whole history here, read again (one walk each, or one pass over
    the log for them all when they are many)."""
    views = {pid: view for pid, fold in steps.folds.items() if (view := fold.view()) is not None}
    held = [playlist_id for playlist_id in steps.imported if playlist_id not in steps.folds]
    held += [playlist_id for playlist_id in repair if playlist_id not in steps.imported]
    if len(held) > _WALKS_UP_TO:
        every = versions.all_cumulative_views(store)
        views.update(
            (playlist_id, every[playlist_id]) for playlist_id in held if playlist_id in every
        )
        return views
    for playlist_id in held:
        view = fold_cumulative(versions.list_versions(store, playlist_id))
        if view is not None:
            views[playlist_id] = view
    return views
