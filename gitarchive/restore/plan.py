"""What a restore writes, decided from the version and the target's current items (pure).

The target is compared with the version, never with a log of an earlier run: a run cut
short leaves the target holding a prefix of the version (the first write replaces, the
others append in order), and the next run appends only what is missing. Anything else
is replaced whole.

An unavailable entry (``None``: Spotify serves ``item: null``) cannot be told apart by
reading (in development mode ``/tracks`` answers 403, so the version's track cannot be
looked up either): where the target holds the version whole, it matches the version's
track at its place, so that a restore whose written track Spotify serves back empty is
not written again on every run. A prefix to append to must be the version's own
entries: a run cut short wrote them moments ago, and an unavailable entry there is far
likelier the playlist's than ours. A local file is never a version's track
(``spotify:local:`` items, :data:`gitarchive.spotify.writes.LOCAL_PREFIX`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gitarchive.spotify.writes import MAX_WRITE_ITEMS

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitarchive.model import Track

_URL_RE = re.compile(r"^https://open\.spotify\.com/(track|episode)/([0-9A-Za-z]{22})\Z")


@dataclass(frozen=True, slots=True)
class Skip:
    """A track of the version that cannot be written back, and why."""

    position: int  # 1-based, in the version
    name: str
    reason: str

    def line(self) -> str:
        return f"#{self.position} {self.name}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Wanted:
    """The items the target must hold, in order, and what the version holds that it cannot."""

    uris: tuple[str, ...]
    names: tuple[str, ...]
    skipped: tuple[Skip, ...]


def _label(track: Track) -> str:
    artists = ", ".join(artist.name for artist in track.artists)
    return f"{track.name} – {artists}" if artists else track.name


def _why_not(track: Track) -> str:
    if track.url is not None:
        return f"not a track or episode link ({track.url})"
    if track.duration_ms is not None:  # snapshots keep a local file's duration, plain files none
        return "a local file (the Web API cannot add local files)"
    return "no Spotify id in the archive (this version was read from a plain file)"


def wanted_items(tracks: Sequence[Track]) -> Wanted:
    """The URIs of ``tracks`` in order, duplicates kept; local files and id-less tracks apart."""
    uris: list[str] = []
    names: list[str] = []
    skipped: list[Skip] = []
    for position, track in enumerate(tracks, start=1):
        match = _URL_RE.match(track.url or "")
        if match is None:
            skipped.append(Skip(position, _label(track), _why_not(track)))
            continue
        uris.append(f"spotify:{match.group(1)}:{match.group(2)}")
        names.append(_label(track))
    return Wanted(tuple(uris), tuple(names), tuple(skipped))


def matches(current: Sequence[str | None], wanted: Sequence[str]) -> bool:
    return len(current) == len(wanted) and all(
        have is None or have == want for have, want in zip(current, wanted, strict=True)
    )


@dataclass(frozen=True, slots=True)
class Write:
    """One write request: ``replace`` the whole playlist, or ``add`` at ``position``."""

    kind: str
    uris: tuple[str, ...]
    position: int


def write_plan(current: Sequence[str | None], wanted: Sequence[str]) -> list[Write]:
    """The fewest writes of this shape that make ``current`` equal ``wanted``.

    At most ceil(n / 100) requests for n wanted items (one when n is 0).
    """
    if matches(current, wanted):
        return []
    held = len(current)
    if held <= len(wanted) and list(current) == list(wanted[:held]):
        start = held  # a prefix is in place (a run cut short, or an empty playlist)
        writes: list[Write] = []
    else:
        first = tuple(wanted[:MAX_WRITE_ITEMS])
        start = len(first)
        writes = [Write("replace", first, 0)]
    for offset in range(start, len(wanted), MAX_WRITE_ITEMS):
        writes.append(Write("add", tuple(wanted[offset : offset + MAX_WRITE_ITEMS]), offset))
    return writes


@dataclass(frozen=True, slots=True)
class Diff:
    """What a restore changes in the target, by name."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    moved: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.moved)


def diff_items(
    current: Sequence[tuple[str | None, str]], wanted: Sequence[tuple[str, str]]
) -> Diff:
    """Added and removed items (counted with their duplicates), and those out of place.

    Items are ``(uri, name)``; an unavailable current item (uri None) counts by its name.
    """

    def key(uri: str | None, name: str) -> str:
        return uri if uri is not None else f"name:{name}"

    have = Counter(key(uri, name) for uri, name in current)
    want = Counter(key(uri, name) for uri, name in wanted)
    names = {key(uri, name): name for uri, name in [*current, *wanted]}
    added = want - have
    removed = have - want
    common = want & have
    kept_want = _common_order([key(u, n) for u, n in wanted], common)
    kept_have = _common_order([key(u, n) for u, n in current], common)
    moved = [names[w] for w, h in zip(kept_want, kept_have, strict=True) if w != h]
    return Diff(
        added=tuple(names[k] for k in added.elements()),
        removed=tuple(names[k] for k in removed.elements()),
        moved=tuple(moved),
    )


def _common_order(keys: list[str], common: Counter[str]) -> list[str]:
    left = Counter(common)
    kept = []
    for item in keys:
        if left[item] > 0:
            left[item] -= 1
            kept.append(item)
    return kept
