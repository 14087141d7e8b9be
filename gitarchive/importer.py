"""``gitarchive import``: a playlist's past from another archive, in date order.

The source is any spotify-playlist-archive-style repository (a local path, or a
git URL cloned bare into a temporary folder): its id-keyed files
(``pretty/<id>.json``, ``pretty/<id>.md``, ``plain/<id>``) or, in 2021 clones,
the name-keyed page ``pretty/<Name>.md`` that links to the playlist. Each
source version where the playlist changed becomes one commit here, dated (author
and committer) at the source version's date, carrying this archive's rendering
of it (plain, pretty page, and the JSON snapshot when the source had one).

Only source versions older than the playlist's first version here are taken:
from then on this archive's own history is the truth. They are put at their
place in date order on the first-parent chain, and every later commit is
replayed on top (same author, committer, dates, message; its tree plus the
imported files it did not hold). That rewrites commits, so it is refused when
the first rewritten commit is already on a remote, unless the caller allows it
(then the branch must be force-pushed: docs/import.md). A last commit brings the
cumulative page up to date with the whole history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from gitarchive import formats, git, version_reader, versions
from gitarchive.errors import (
    ArchiveError,
    FormatError,
    PlaylistNotFound,
    UsageError,
    redact_url,
)
from gitarchive.formats.paths import PRETTY_DIR, archive_paths, classify
from gitarchive.formats.sanitize import clean_description, clean_name, clean_playlist_name
from gitarchive.history import Version, fold_cumulative

if TYPE_CHECKING:
    from gitarchive.git import CommitInfo, Identity, Store
    from gitarchive.model import Playlist, Track

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^[\w.-]+@[\w.-]+:")


@dataclass(frozen=True, slots=True)
class ImportResult:
    playlist_id: str
    name: str
    imported: tuple[datetime, ...]  # the dates of the versions brought in
    newer_skipped: int  # source versions not older than the first version here
    replayed: int  # existing commits rebuilt on top
    tip: str | None
    cumulative_commit: str | None
    # merges replayed with their first parent only: their other parents reach commits the
    # import rewrote, which would have stayed reachable beside their rewritten copies
    flattened: tuple[str, ...] = ()


def is_url(spec: str) -> bool:
    return bool(_URL.match(spec))


def open_source(spec: str, scratch: Path) -> Store:
    """The source repository: a local path as it is, a URL cloned bare into ``scratch``."""
    if is_url(spec):
        return git.clone_bare(spec, scratch / "source.git")
    path = Path(spec).expanduser()
    if not path.exists():
        raise UsageError(f"import source {source_label(spec)}: no such path (or a URL)")
    return git.Store.discover(path)


def source_label(spec: str) -> str:
    """The source as messages, commit messages and reports name it: never a URL's user,
    password or credential query parameters."""
    return redact_url(spec)


def source_versions(source: Store, playlist_id: str) -> list[Version]:
    """The playlist's versions in ``source``: its 2021 name-keyed pages up to the first
    id-keyed version (a clone that lived through both layouts), then the id-keyed files."""
    found = versions.list_versions(source, playlist_id)
    older = [
        version
        for version in _name_keyed_versions(source, playlist_id)
        if not found or version.date < found[0].date
    ]
    return older + found


def _name_keyed_versions(source: Store, playlist_id: str) -> list[Version]:
    link = f"open.spotify.com/playlist/{playlist_id}".encode()
    found: list[Version] = []
    last_blob: str | None = None
    for change in git.walk_folders(source, [PRETTY_DIR]):
        for path, blob in sorted(change.changes.items()):
            if blob is None or blob == last_blob or classify(path).kind != "legacy":
                continue
            data = git.read_blob(source, blob)
            # the page's title ("### [Name](https://open.spotify.com/playlist/<id>)") links
            # to its playlist: that is how a name-keyed page finds its id
            title = next((line for line in data.splitlines() if line.startswith(b"### ")), b"")
            if link not in title:
                continue
            playlist = version_reader.read_source(
                version_reader.PRETTY, data, playlist_id, path, commit=change.commit
            )
            found.append(
                Version(change.commit, change.date, playlist, source=version_reader.PRETTY)
            )
            last_blob = blob
    return found


def _cleaned(playlist: Playlist) -> Playlist:
    """The source's text in the archive's grammar (formats.sanitize), as the Spotify client
    cleans an answer: names on one line, no control characters, never a blank name. The
    index lists the playlist under the JSON's unique name, so that is never empty either."""

    def track(item: Track) -> Track:
        return replace(
            item,
            name=clean_name(item.name),
            album=replace(item.album, name=clean_name(item.album.name)),
            artists=tuple(replace(a, name=clean_name(a.name)) for a in item.artists),
        )

    return replace(
        playlist,
        original_name=clean_playlist_name(playlist.original_name, playlist.id),
        unique_name=clean_playlist_name(playlist.display_name, playlist.id),
        description=clean_description(playlist.description),
        tracks=tuple(track(item) for item in playlist.tracks),
        owner=replace(playlist.owner, name=clean_name(playlist.owner.name)),
    )


def _version_files(version: Version, github: str | None, branch: str) -> dict[str, bytes | None]:
    playlist = version.playlist
    paths = archive_paths(playlist.id)
    snapshot = (
        formats.render_json(playlist).encode() if version.source == version_reader.JSON else None
    )
    return {
        paths.plain: formats.render_plain(playlist).encode(),
        paths.pretty: formats.render_pretty(playlist, github=github, branch=branch).encode(),
        paths.json: snapshot,  # None: an older snapshot must not outrank this version's page
    }


def _message(version: Version, label: str) -> str:
    stamp = version.date.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    name = version.playlist.display_name
    return f"Import {name}: its version of {stamp} UTC\n\nImported-from: {label} {version.commit}\n"


def _refuse_uncommitted(store: Store, playlist_id: str) -> None:
    """The import rewrites the playlist's files in the work tree: never over your changes."""
    if store.workdir is None:
        return
    head = git.head_id(store)
    for path in archive_paths(playlist_id).generated().values():
        if not git.worktree_matches(store, head, path):
            raise ArchiveError(
                "has uncommitted changes: commit or discard them before importing", path=path
            )


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


def import_playlist(
    store: Store,
    source: Store | list[Version],
    playlist_id: str,
    *,
    label: str,
    identity: Identity,
    github: str | None,
    branch: str,
    allow_pushed: bool = False,
    now: datetime | None = None,
) -> ImportResult:
    """Bring ``playlist_id``'s source versions older than its history here into this branch.

    ``source`` is another archive, or versions already read (:mod:`gitarchive.backups`).
    """
    found = source if isinstance(source, list) else source_versions(source, playlist_id)
    if not found:
        raise PlaylistNotFound(
            f"playlist {playlist_id} has no version in {label}", playlist=playlist_id
        )
    local = versions.list_versions(store, playlist_id)
    cutoff = local[0].date if local else None
    todo = [v for v in found if cutoff is None or v.date < cutoff]
    name = clean_name((local[-1] if local else found[-1]).playlist.display_name)
    if not todo:
        return ImportResult(playlist_id, name, (), len(found), 0, git.head_id(store), None)
    _refuse_uncommitted(store, playlist_id)
    chain = git.first_parent_chain(store)
    keep = _rewrite_start(store, chain, todo[0].date, allow_pushed=allow_pushed)
    first_local = next(
        (i for i, info in enumerate(chain) if local and info.id == local[0].commit), len(chain)
    )
    steps = _steps(store, chain, keep, first_local, todo, label, identity, github, branch)
    base = chain[keep - 1].id if keep else None
    tip = git.rebuild(store, base, steps, reflog=f"gitarchive: import {playlist_id}")
    cumulative = _refresh_cumulative(store, playlist_id, identity, github, branch, now)
    return ImportResult(
        playlist_id,
        name,
        tuple(v.date for v in todo),
        len(found) - len(todo),
        len(chain) - keep,
        tip,
        cumulative,
        _flattened(steps),
    )


def _flattened(steps: list[git.Insert | git.Replay]) -> tuple[str, ...]:
    """The merges replayed without the parents that reach the rewritten commits."""
    return tuple(
        step.commit
        for step in steps
        if isinstance(step, git.Replay) and step.extra_parents is not None
    )


def _steps(
    store: Store,
    chain: list[CommitInfo],
    keep: int,
    first_local: int,
    todo: list[Version],
    label: str,
    identity: Identity,
    github: str | None,
    branch: str,
) -> list[git.Insert | git.Replay]:
    """The imported versions in date order among the replayed commits.

    Every commit that gets the imported files also gets an index that lists the
    playlist (the rules, and so the pre-push hook, require an index that lists
    every page under its JSON's name).
    """
    steps: list[git.Insert | git.Replay] = []
    files: dict[str, bytes | None] = {}  # the latest imported version's files
    playlist: Playlist | None = None
    queue, index = list(todo), keep
    while queue or index < len(chain):
        if queue and (index >= len(chain) or queue[0].date < chain[index].date):
            version = queue.pop(0)
            playlist = _cleaned(version.playlist)
            version = replace(version, playlist=playlist)
            files = _version_files(version, github, branch)
            under = chain[index - 1].id if index else None
            inserted = files | _index_with(store, under, playlist)
            steps.append(git.Insert(inserted, _message(version, label), identity, version.date))
        else:
            overlay: dict[str, bytes | None] = {}
            if index < first_local and playlist is not None:
                overlay = files | _index_with(store, chain[index].id, playlist)
            extra = _extra_parents(store, chain[index], chain[keep].id)
            steps.append(git.Replay(chain[index].id, overlay, extra))
            index += 1
    return steps


def _extra_parents(
    store: Store, commit: CommitInfo, first_rewritten: str
) -> tuple[str, ...] | None:
    """A merge's other parents that do not reach the rewritten commits (None: all of them).

    Every rewritten commit descends from the first one, so a parent that reaches
    any of them reaches it. Such a parent would keep the pre-import history
    reachable beside its rewritten copy (``git log`` showing every old version
    twice, a push sending both): the merge is replayed without it. Its tree, which
    holds what the merge brought in, is kept whole, and history follows first
    parents, so no version is lost.
    """
    extra = commit.parents[1:]
    kept = tuple(p for p in extra if not git.is_ancestor(store, first_rewritten, p))
    return None if kept == extra else kept


def _index_with(store: Store, commit: str | None, playlist: Playlist) -> dict[str, bytes | None]:
    """index.md of ``commit``'s tree with ``playlist`` listed under its name (nothing when
    that tree's index cannot be read: the rules report it there, as before the import)."""
    data = None if commit is None else git.read_file(store, commit, formats.INDEX_PATH)
    try:
        text = "" if data is None else formats.decode(data, formats.INDEX_PATH)
        entries = formats.read_index(text, path=formats.INDEX_PATH)
    except FormatError:
        return {}
    kept = [(playlist_id, name) for playlist_id, name in entries if playlist_id != playlist.id]
    index = formats.render_index([*kept, (playlist.id, playlist.display_name)]).encode()
    return {} if index == data else {formats.INDEX_PATH: index}


def _refresh_cumulative(
    store: Store,
    playlist_id: str,
    identity: Identity,
    github: str | None,
    branch: str,
    now: datetime | None,
) -> str | None:
    """One commit that brings cumulative/<id>.md up to the whole history, if it changed."""
    view = fold_cumulative(versions.list_versions(store, playlist_id))
    if view is None:
        return None
    page = formats.render_cumulative(view, github=github, branch=branch).encode()
    path = formats.cumulative_path(playlist_id)
    head = git.head_id(store)
    if head is not None and git.read_file(store, head, path) == page:
        return None
    return git.commit_changes(
        store,
        {path: page},
        message=f"Cumulative view of {view.name} over its imported history",
        identity=identity,
        when=now or datetime.now(UTC),
    )
