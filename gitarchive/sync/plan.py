"""What one sync writes: names, rendered files, registry and index changes, on top of a commit.

Only files whose bytes changed are kept, decided by comparing blob ids with the
base commit's tree before any blob is read; the cumulative view is one step of
:func:`gitarchive.history.update_cumulative` on the committed view.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC
from typing import TYPE_CHECKING, Any

from gitarchive import formats, git, history
from gitarchive.errors import FormatError, GitArchiveError
from gitarchive.formats.cumulative_fast import read_cumulative_fast
from gitarchive.formats.page import nav_line
from gitarchive.formats.paths import (
    CUMULATIVE_DIR,
    PLAIN_DIR,
    PRETTY_DIR,
    REGISTRY_DIR,
    archive_paths,
    registry_path,
)
from gitarchive.formats.snapshot import playlist_json
from gitarchive.formats.snapshot_text import json_tracks, json_with_tracks
from gitarchive.listing import unique_names_at
from gitarchive.model import is_playlist_id
from gitarchive.sync.committed import (
    CommittedSnapshot,
    committed_snapshot,
    previous_with_same_tracks,
)
from gitarchive.sync.likes import hold_likes
from gitarchive.sync.result import PlaylistChange

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date, datetime

    from gitarchive.git import Store
    from gitarchive.model import CumulativeView, Playlist
    from gitarchive.registry import Registry
    from gitarchive.settings import Settings

logger = logging.getLogger(__name__)

# path -> blob id in the base commit (None: not there)
Listing = dict[str, str | None]


@dataclass(slots=True)
class Plan:
    """What one sync would write on top of ``base``."""

    base: str | None
    files: dict[str, bytes | None] = field(default_factory=dict)  # path -> bytes; None: delete
    playlists: list[PlaylistChange] = field(default_factory=list)  # the playlists that changed
    names: dict[str, str] = field(default_factory=dict)  # playlist id -> unique name
    # playlists kept back: their track count fell past the drop limit (before, after)
    dropped: dict[str, tuple[int, int]] = field(default_factory=dict)


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
    accept_drops: bool = False,
    names: Mapping[str, str] | None = None,
) -> Plan:
    """Render this sync's snapshots on top of ``base`` and keep the changed files only.

    A playlist whose track count falls by more than its drop limit
    (:meth:`Settings.drop_limit`) is left out and listed in ``dropped``, unless
    ``accept_drops``. ``names``: the unique names base's index.md records, when the
    caller has read them already.
    """
    listing = base_listing(store, base)
    aliased = apply_aliases(registry, fetched)
    named = hold_likes(store, base, listing, aliased, likes_every=settings.likes_every, now=now)
    if names is None:
        names = unique_names_at(store, base)
    unique = resolve_names(store, base, listing, registry, named, names)
    plan = Plan(base=base, names=unique)
    day = now.astimezone(UTC).date()
    for playlist_id in sorted(named):
        playlist = replace(named[playlist_id], unique_name=unique[playlist_id])
        rendered = render_playlist(
            store, base, listing, playlist, github=github, branch=settings.branch, day=day
        )
        if rendered is not None:
            files, change = rendered
            limit = None if accept_drops else settings.drop_limit(playlist_id)
            if too_big_a_drop(change.before, change.after, limit):
                plan.dropped[playlist_id] = (change.before, change.after)
                continue
            plan.files.update(files)
            plan.playlists.append(change)
    if include_registry:
        plan.files.update(registry_changes(store, listing, registry, list(named)))
    plan.files.update(index_change(listing, registry, unique))
    return plan


def too_big_a_drop(before: int, after: int, limit: float | None) -> bool:
    """Whether losing ``before - after`` of ``before`` tracks exceeds the ``limit`` share."""
    if limit is None or before <= 0 or after >= before:
        return False
    return (before - after) / before > limit


def base_listing(store: Store, base: str | None) -> Listing:
    """Blob ids of the archive's folders and index in ``base`` (no blob is read)."""
    listing: Listing = {}
    if base is None:
        return listing
    for folder in (PLAIN_DIR, PRETTY_DIR, CUMULATIVE_DIR, REGISTRY_DIR):
        for name, blob in git.list_dir(store, base, folder).items():
            listing[f"{folder}/{name}"] = blob
    listing[formats.INDEX_PATH] = git.entry_id(store, base, formats.INDEX_PATH)
    return listing


# ------------------------------------------------------------------------- names


def apply_aliases(registry: Registry, fetched: Mapping[str, Playlist]) -> dict[str, Playlist]:
    """Each fetched playlist under its registry alias, when it has one."""
    named: dict[str, Playlist] = {}
    for playlist_id, playlist in fetched.items():
        entry = registry.entries.get(playlist_id)
        original = entry.alias if entry is not None and entry.alias else playlist.original_name
        named[playlist_id] = replace(playlist, original_name=original, unique_name=original)
    return named


def resolve_names(
    store: Store,
    base: str | None,
    listing: Listing,
    registry: Registry,
    named: Mapping[str, Playlist],
    previous_names: Mapping[str, str],
) -> dict[str, str]:
    """Unique names of every playlist; those not fetched keep the name they had
    (``previous_names``: base's index.md)."""
    reserved: dict[str, str] = {}
    for playlist_id in registry.entries:
        if playlist_id in named:
            continue
        if listing.get(formats.plain_path(playlist_id)) is None and (
            listing.get(formats.json_path(playlist_id)) is None
        ):
            continue  # never archived: nothing to keep, no name to hold
        kept_name = previous_names.get(playlist_id)
        if kept_name is None:
            previous = read_previous(store, base, playlist_id)
            kept_name = previous.display_name if previous else playlist_id
        reserved[playlist_id] = kept_name
    return resolve_unique_names(named, reserved)


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


def read_previous(store: Store, base: str | None, playlist_id: str) -> Playlist | None:
    """The playlist as ``base`` archived it, from its best file (JSON, pretty, plain)."""
    if base is None:
        return None
    files: dict[str, bytes] = {}
    for path in (
        formats.json_path(playlist_id),
        formats.pretty_path(playlist_id),
        formats.plain_path(playlist_id),
    ):
        data = git.read_file(store, base, path)
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


# ------------------------------------------------------------------------ render


def render_playlist(
    store: Store,
    base: str | None,
    listing: Listing,
    playlist: Playlist,
    *,
    github: str | None,
    branch: str,
    day: date,
) -> tuple[dict[str, bytes], PlaylistChange] | None:
    """The files of ``playlist`` whose bytes changed since ``base``, or None if none did."""
    playlist_id = playlist.id
    snapshot = committed_snapshot(store, listing, playlist_id)
    document = playlist_json(playlist)
    plain = formats.render_plain(playlist).encode()
    if not _differs(listing, formats.plain_path(playlist_id), plain) and _unchanged_since(
        store, listing, playlist, github, branch, snapshot, document
    ):
        return None
    tracks_text = json_tracks(playlist.tracks)  # shared: today's snapshot, the committed one
    files = _changed_files(listing, playlist, plain, tracks_text, github=github, branch=branch)
    if not files:
        return None
    previous = previous_with_same_tracks(snapshot, playlist, document, tracks_text, base=base)
    same_tracks = previous is not None
    if previous is None:
        previous = read_previous(store, base, playlist_id)
    view = history.update_cumulative(
        previous_cumulative(store, base, playlist_id, previous, listing), playlist, day
    )
    cumulative_file = formats.cumulative_path(playlist_id)
    cumulative = formats.render_cumulative(view, github=github, branch=branch).encode()
    if _differs(listing, cumulative_file, cumulative):
        files[cumulative_file] = cumulative
    return files, _change(playlist, previous, same_tracks)


def _changed_files(
    listing: Listing,
    playlist: Playlist,
    plain: bytes,
    tracks_text: str,
    *,
    github: str | None,
    branch: str,
) -> dict[str, bytes]:
    """The playlist's plain file, page and snapshot, those whose bytes differ from base's."""
    rendered = {
        formats.plain_path(playlist.id): plain,
        formats.pretty_path(playlist.id): formats.render_pretty(
            playlist, github=github, branch=branch
        ).encode(),
        formats.json_path(playlist.id): json_with_tracks(playlist, tracks_text).encode(),
    }
    return {path: data for path, data in rendered.items() if _differs(listing, path, data)}


def _change(playlist: Playlist, previous: Playlist | None, same_tracks: bool) -> PlaylistChange:
    added, removed = (0, 0) if same_tracks else _track_counts(previous, playlist)
    return PlaylistChange(
        id=playlist.id,
        name=playlist.unique_name,
        added=added,
        removed=removed,
        new=previous is None,
        before=len(previous.tracks) if previous is not None else 0,
        after=len(playlist.tracks),
    )


def previous_cumulative(
    store: Store,
    base: str | None,
    playlist_id: str,
    previous: Playlist | None,
    listing: Listing | None = None,
) -> CumulativeView | None:
    """The committed cumulative view, rebuilt from the log when the file is missing."""
    if base is None:
        return None
    path = formats.cumulative_path(playlist_id)
    if listing is not None:  # the blob id is known: no lookup of the path in base's tree
        blob = listing.get(path)
        committed = None if blob is None else git.read_blob(store, blob)
    else:
        committed = git.read_file(store, base, path)
    if committed is not None:
        try:
            text = committed.decode("utf-8")
            # the page as gitarchive wrote it, without markdown-it; else the full reader
            fast = read_cumulative_fast(text, playlist_id)
            return (
                fast if fast is not None else formats.read_cumulative(text, playlist_id, path=path)
            )
        except FormatError as exc:
            exc.commit = exc.commit or base
            raise
        except UnicodeDecodeError:
            raise FormatError("not UTF-8 text", path=path, commit=base) from None
    if previous is None:
        return None
    # An archive imported without cumulative files (or one deleted by hand):
    # rebuild this playlist's view from its log, once; from then on every sync
    # is one step on the committed view again.
    return _rebuild_cumulative(store, base, playlist_id)


def _rebuild_cumulative(store: Store, base: str | None, playlist_id: str) -> CumulativeView | None:
    # lazy: versions and the walks under it cost 48 ms at import (python -X importtime, min
    # of 9, load 9 on 2 cores); only a cumulative file missing or out of step needs them
    from gitarchive import versions

    try:
        found = versions.list_versions(store, playlist_id, start=base)
    except GitArchiveError as exc:
        # an unreadable old version must not stop today's sync; start afresh
        logger.warning("cannot rebuild the cumulative view of %s: %s", playlist_id, exc)
        return None
    return history.fold_cumulative(found)


def _unchanged_since(
    store: Store,
    listing: Mapping[str, str | None],
    playlist: Playlist,
    github: str | None,
    branch: str,
    snapshot: CommittedSnapshot | None,
    document: Mapping[str, Any],
) -> bool:
    """Whether the committed files already say exactly what ``playlist`` would render.

    Rendering JSON and markdown for every playlist costs more than comparing,
    so an unchanged playlist is recognised by its committed JSON document being
    equal (as data) to the one it would render, and by its pretty page carrying
    the same navigation links.
    """
    playlist_id = playlist.id
    json_blob = listing.get(formats.json_path(playlist_id))
    pretty_blob = listing.get(formats.pretty_path(playlist_id))
    if json_blob is None or pretty_blob is None:
        return False
    if listing.get(formats.cumulative_path(playlist_id)) is None:
        return False
    # JSON documents compared as data: json.loads runs in C, and the snapshot's
    # dict is what render_json would write (read_json on it would cost 10x more)
    if snapshot is None or snapshot.document is None or snapshot.document != document:
        return False
    nav = nav_line(playlist_id, current="pretty", github=github, branch=branch)
    return nav.encode() in git.read_blob(store, pretty_blob)


def _track_counts(old: Playlist | None, new: Playlist) -> tuple[int, int]:
    before = Counter(track.key for track in old.tracks) if old else Counter()
    after = Counter(track.key for track in new.tracks)
    return sum((after - before).values()), sum((before - after).values())


def _differs(listing: Mapping[str, str | None], path: str, data: bytes) -> bool:
    return listing.get(path) != git.blob_id_of(data)


# ------------------------------------------------------------ registry and index


def registry_changes(
    store: Store, listing: Listing, registry: Registry, archived: list[str]
) -> dict[str, bytes | None]:
    """Registry files of the playlists archived, and deletions of entries the user removed."""
    files: dict[str, bytes | None] = {}
    for playlist_id in archived:
        path = registry_path(playlist_id)
        data = registry.raw.get(path, b"")
        if _differs(listing, path, data):
            files[path] = data
    for listed, listed_blob in listing.items():
        if listed.startswith(REGISTRY_DIR + "/") and listed_blob is not None:
            playlist_id = listed.rsplit("/", 1)[1]
            # an entry whose name is no playlist id is not ours to delete (one a
            # file system cannot hold is missing from every work tree)
            if playlist_id not in registry.entries and is_playlist_id(playlist_id):
                files[listed] = None
                for archived_path in archive_paths(playlist_id).generated().values():
                    if git.read_worktree_file(store, archived_path) is None and (
                        store.workdir is not None and listing.get(archived_path)
                    ):
                        files[archived_path] = None  # purged by `remove --purge`
    return files


def index_change(
    listing: Listing, registry: Registry, names: Mapping[str, str]
) -> dict[str, bytes]:
    """index.md, when the registered playlists or their names changed."""
    entries = sorted(
        (playlist_id, name)
        for playlist_id, name in names.items()
        if playlist_id in registry.entries
    )
    index = formats.render_index(entries).encode()
    if _differs(listing, formats.INDEX_PATH, index):
        return {formats.INDEX_PATH: index}
    return {}
