"""Position changes between two versions' track lists (``history --moves``).

The rule, as docs/history.md states it: occurrences of a key are matched in
order (the first occurrence before with the first after, and so on; the
surplus ones are added or removed). The matched occurrences are the tracks
present in both versions; a track's *rank* is its place among them. A track
moved by the distance between its rank before and its rank after, so a track
added or removed above it does not move it, and a track that jumps from 48 to
3 moves by 45 while the 45 it passed move by 1 each. ``from`` and ``to`` are
its 1-based positions in the whole lists, as a reader of the playlist sees them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Hashable, Sequence


def moves(
    before_keys: Sequence[Hashable], after_keys: Sequence[Hashable]
) -> list[tuple[int, int, int, int]]:
    """(index in ``after_keys``, from, to, distance) of every track whose rank changed,
    in the new list's order; distance is at least 1. A key is anything that names a
    track the same way in both lists."""
    if _same_order(before_keys, after_keys):
        return []
    occurrences: dict[Hashable, list[int]] = {}
    for index, key in enumerate(before_keys):
        occurrences.setdefault(key, []).append(index)
    taken: dict[Hashable, int] = {}
    matched: list[tuple[int, int]] = []  # (index before, index after), in the new order
    for index, key in enumerate(after_keys):
        found = occurrences.get(key)
        if found is None:
            continue
        count = taken.get(key, 0)
        if count < len(found):
            taken[key] = count + 1
            matched.append((found[count], index))
    if not matched:
        return []
    rank_before = {old: rank for rank, old in enumerate(sorted(old for old, _ in matched))}
    result = []
    for rank_after, (old, new) in enumerate(matched):
        distance = abs(rank_before[old] - rank_after)
        if distance:
            result.append((new, old + 1, new + 1, distance))
    return result


def _same_order(before_keys: Sequence[Hashable], after_keys: Sequence[Hashable]) -> bool:
    """Whether no rank changed, where each side lists every key once (the common case:
    tracks added or removed, none moved). Set operations, not the matching loop: an
    index build asks this of every version."""
    before = set(before_keys)
    after = set(after_keys)
    if len(before) != len(before_keys) or len(after) != len(after_keys):
        return False  # repeated keys: matched occurrence by occurrence
    return list(filter(after.__contains__, before_keys)) == list(
        filter(before.__contains__, after_keys)
    )
