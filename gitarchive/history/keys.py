"""Track identity across versions: keys, and matching across the plain/JSON boundary."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from collections.abc import Set as AbstractSet

    from gitarchive.model import Track


LINE_KEY_PREFIX = "line:"


def line_key(track: Track) -> str:
    """The key a track read from a plain file has: its plain line, case-folded."""
    return LINE_KEY_PREFIX + track.plain_line.casefold()


def align_keys(
    old: Mapping[str, Track],
    new_tracks: Sequence[Track],
    keys: list[str] | None = None,
    *,
    old_sides: tuple[Iterable[str], Iterable[str]] | None = None,
    new_keys: AbstractSet[str] | None = None,
) -> list[str]:
    """Keys for ``new_tracks``, matched across the plain/JSON boundary.

    A track read from a plain file (or a local file) has no Spotify id and is
    keyed by its line; the same track read from JSON is keyed by its id. When a
    new track's key is unknown in ``old``, and ``old`` holds an entry on the
    other side of that boundary with the same plain line that is gone from the
    new version, the new track takes that entry's key. So the switch from an
    archive's plain-only versions to JSON versions is not every track removed
    and re-added. Each old entry is claimed at most once; among several old
    entries with the same line the smallest key wins (independent of order).

    ``keys`` (the tracks' own keys, if already known) is updated in place.
    ``old_sides`` optionally gives ``old``'s line-keyed and id-keyed keys, so
    that a caller keeping them apart spares scanning every old entry.
    ``new_keys``: every key of the new version, when ``new_tracks`` are only
    the tracks that changed (the others are known to be in ``old``).
    """
    if keys is None:
        keys = [track.key for track in new_tracks]
    if all(map(old.__contains__, keys)):
        return keys  # the common case, tested in C: every key known, nothing to match
    unmatched = [index for index, key in enumerate(keys) if key not in old]
    if not unmatched or not old:
        return keys
    present = set(keys) if new_keys is None else new_keys
    line_spare, id_spare = _spare_entries(
        old, [keys[index] for index in unmatched], present, old_sides
    )
    if not line_spare and not id_spare:
        return keys
    claimed = _claims(keys, unmatched, new_tracks, line_spare, id_spare)
    if claimed:
        for index in unmatched:
            keys[index] = claimed.get(keys[index], keys[index])
    return keys


def _claims(
    keys: list[str],
    unmatched: list[int],
    new_tracks: Sequence[Track],
    line_spare: dict[str, str],
    id_spare: dict[str, str],
) -> dict[str, str]:
    """New key -> the old key it claims, decided once per distinct key by its first
    occurrence, so that every occurrence of a key maps the same way."""
    claimed: dict[str, str] = {}
    decided: set[str] = set()
    for index in unmatched:
        key = keys[index]
        if key in decided:
            continue
        decided.add(key)
        if key.startswith(LINE_KEY_PREFIX):
            candidate = id_spare.pop(key, None)
        else:
            candidate = line_spare.pop(line_key(new_tracks[index]), None)
        if candidate is not None:
            claimed[key] = candidate
    return claimed


def _spare_entries(
    old: Mapping[str, Track],
    unmatched_keys: list[str],
    present: AbstractSet[str],
    old_sides: tuple[Iterable[str], Iterable[str]] | None,
) -> tuple[dict[str, str], dict[str, str]]:
    """The old entries gone from the new version that an unmatched key may claim.

    Returns (line key -> old line-keyed entry, for new id keys; line key -> old
    id-keyed entry, for new line keys). Only the side some unmatched key needs
    is scanned.
    """
    need_id_side = any(key.startswith(LINE_KEY_PREFIX) for key in unmatched_keys)
    need_line_side = not all(key.startswith(LINE_KEY_PREFIX) for key in unmatched_keys)
    candidates: Iterable[str]
    if old_sides is None:
        candidates = old.keys()
    else:
        line_side, id_side = old_sides
        candidates = itertools.chain(
            line_side if need_line_side else (), id_side if need_id_side else ()
        )
    line_spare: dict[str, str] = {}
    id_spare: dict[str, str] = {}
    for key in candidates:
        if key in present:
            continue
        if key.startswith(LINE_KEY_PREFIX):
            if need_line_side:
                line_spare[key] = key
        elif need_id_side:
            line = line_key(old[key])
            if line not in id_spare or key < id_spare[line]:
                id_spare[line] = key
    return line_spare, id_spare


def same_metadata(before: Track, after: Track) -> bool:
    """Whether two tracks with the same key show the same thing.

    Keys match plain lines ignoring case (so ``YEBBA`` and ``Yebba`` are one
    track), but a change of case is still a change: it is an update.
    """
    if before.url is None or after.url is None:
        # plain files carry no ids and split lines best-effort: compare lines
        return before.plain_line == after.plain_line
    return (
        before.name == after.name
        and before.album.name == after.album.name
        and tuple(artist.name for artist in before.artists)
        == tuple(artist.name for artist in after.artists)
    )
