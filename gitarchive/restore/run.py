"""One restore end to end: check who may write, read the target, write what it lacks, verify.

Nothing is written before the user, the target's owner and the token's scopes are known
to allow it. The writes are :func:`.plan.write_plan`'s; afterwards the target is read
again and must hold the version's items (a retried write that had reached Spotify would
show as duplicates here, and is repaired by one more pass).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gitarchive import git
from gitarchive.errors import NotYourPlaylist, RestoreError, WriteOutcomeUnknown
from gitarchive.restore.plan import Diff, Wanted, diff_items, matches, wanted_items, write_plan
from gitarchive.spotify.writes import PlaylistWriter, Target

if TYPE_CHECKING:
    from collections.abc import Callable

    from gitarchive.restore.source import RestoreSource
    from gitarchive.spotify.client import SpotifyClient
    from gitarchive.spotify.writes import Item


@dataclass(frozen=True, slots=True)
class RestoreOptions:
    into: str | None = None  # a playlist id; None: a new playlist
    name: str | None = None  # the new playlist's name
    dry_run: bool = False
    strict: bool = False
    #: Asked with the difference before the first write; False stops the restore.
    confirm: Callable[[Diff], bool] | None = None


@dataclass
class RestoreResult:
    target: Target | None
    created: bool
    diff: Diff
    wanted: Wanted
    writes: int = 0
    unavailable: list[str] = field(default_factory=list)
    edited_meanwhile: bool = False
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target.id if self.target else None,
            "url": self.target.url if self.target else None,
            "created": self.created,
            "dry_run": self.dry_run,
            "items": len(self.wanted.uris),
            "added": list(self.diff.added),
            "removed": list(self.diff.removed),
            "moved": list(self.diff.moved),
            "skipped": [s.line() for s in self.wanted.skipped],
            "unavailable": self.unavailable,
            "write_requests": self.writes,
            "edited_meanwhile": self.edited_meanwhile,
        }


def new_name(source: RestoreSource) -> str:
    label = "cumulative, as of" if source.cumulative else "as of"
    return f"{source.name} ({label} {source.date.isoformat()})"


def description(source: RestoreSource) -> str:
    return f"{source.marker} ({source.date.isoformat()}), restored by gitarchive."


def _strict_check(wanted: Wanted, options: RestoreOptions) -> None:
    if options.strict and wanted.skipped:
        listed = "; ".join(skip.line() for skip in wanted.skipped[:5])
        more = len(wanted.skipped) - 5
        raise RestoreError(
            f"--strict: {len(wanted.skipped)} tracks cannot be restored ({listed}"
            + (f"; and {more} more" if more > 0 else "")
            + "); nothing was written"
        )


async def restore(
    client: SpotifyClient, source: RestoreSource, options: RestoreOptions
) -> RestoreResult:
    """Make a playlist hold ``source``'s items (see the module docs)."""
    wanted = wanted_items(source.tracks)
    _strict_check(wanted, options)
    writer = PlaylistWriter(client)
    user = await writer.user_id()
    if options.into is not None:
        target: Target | None = await _writable_target(writer, user, options.into)
        created = False
    else:
        writer.require_scope(public=False)
        target = await writer.find_own(user, source.marker)
        created = target is None
    current = [] if target is None else await writer.items(target.id)
    pairs = list(zip(wanted.uris, wanted.names, strict=True))
    diff = diff_items([(item.uri, item.name) for item in current], pairs)
    result = RestoreResult(target, created, diff, wanted, dry_run=options.dry_run)
    if options.dry_run:
        return result
    if options.confirm is not None and not diff.empty and not options.confirm(diff):
        raise RestoreError("not confirmed: nothing was written")
    if target is None:
        target = await writer.create(options.name or new_name(source), description(source))
        result.target = target
        git.fault_point("restore-after-create")
    await _write_and_verify(writer, target.id, current, wanted, result)
    if options.strict and result.unavailable:
        # known only once written: Spotify takes the URI and serves an empty entry back
        raise RestoreError(
            f"--strict: Spotify no longer serves {len(result.unavailable)} of the tracks "
            f"written ({'; '.join(result.unavailable[:5])})",
            playlist=target.id,
        )
    return result


async def _writable_target(writer: PlaylistWriter, user: str, playlist_id: str) -> Target:
    target = await writer.target(playlist_id)
    if target.owner_id != user and not (
        target.collaborative and await writer.collaborates(playlist_id)
    ):
        raise NotYourPlaylist(
            f"{target.name or playlist_id} belongs to {target.owner_id or 'another user'}: "
            "restore writes only into playlists you own or collaborate on "
            "(use --new for a copy in your account); nothing was written",
            playlist=playlist_id,
        )
    writer.require_scope(public=target.public and not target.collaborative)
    return target


async def _write_and_verify(
    writer: PlaylistWriter,
    playlist_id: str,
    current: list[Item],
    wanted: Wanted,
    result: RestoreResult,
) -> None:
    have: list[str | None] = [item.uri for item in current]
    for attempt in (1, 2):
        try:
            snapshot = await _apply(writer, playlist_id, have, list(wanted.uris))
        except WriteOutcomeUnknown:
            snapshot = None  # what the lost answer would have said is read back below
        after = await writer.items(playlist_id)
        have = [item.uri for item in after]
        if matches(have, wanted.uris):
            break
        if attempt == 2:
            raise RestoreError(
                f"after writing, the playlist holds {len(have)} items, not the version's "
                f"{len(wanted.uris)} (edited meanwhile?): run the same restore again",
                playlist=playlist_id,
            )
    result.writes = writer.writes
    result.unavailable = [name for name, uri in zip(wanted.names, have, strict=True) if uri is None]
    if snapshot is not None:
        result.edited_meanwhile = (await writer.target(playlist_id)).snapshot_id != snapshot


async def _apply(
    writer: PlaylistWriter, playlist_id: str, have: list[str | None], wanted: list[str]
) -> str | None:
    """The planned writes; the snapshot_id of the last one (None when nothing was written)."""
    snapshot = None
    plan = write_plan(have, wanted)
    for index, write in enumerate(plan):
        if write.kind == "replace":
            snapshot = await writer.replace(playlist_id, list(write.uris))
            git.fault_point("restore-after-replace")
        else:
            snapshot = await writer.add(playlist_id, list(write.uris), write.position)
            if index < len(plan) - 1:
                git.fault_point("restore-between-adds")
    return snapshot
