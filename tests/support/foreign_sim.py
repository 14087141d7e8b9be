"""What happens to the generator's playlists, day by day: the real shape, without any file.

Editorial playlists change on their own weekday (a few tracks most weeks, 20-40% in some),
now and then on other days; likes move every day; a few are renamed or reordered. The
quirks that are events (case-only edits, merges) are planned here, day by day, from the seed.
"""

from __future__ import annotations

import base64
import random
import string
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tests.support.foreign_model import Stay, TrackTruth

if TYPE_CHECKING:
    from datetime import date

    from tests.support.foreign_model import Shape


def _words(text: str) -> list[str]:
    return text.split()


BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_WORDS = _words(
    "again alicante blue breathe burning carry close colours cross delilah dream drift "
    "evergreen fire flower forever golden heaven hiding jungle keep leave lighthouse lonely "
    "moving natural never ocean ordinary pandora perfect promise proud reckless reverie secret "
    "silent troubled waves yellow morning river summer night city neon velvet paper glass "
    "shadow echo orbit"
)
_SYLLABLES = _words("ka lo mi ra ven to sa ri el an yeb ba mo nu zi da lu fe ro")
_PLAYLIST_WORDS = _words(
    "Chill Focus Morning Evening Indie Acoustic Dance Rock Jazz Soul Lofi Workout Sleep Party "
    "Road Trip Coffee Rainy Summer Winter Fresh Deep Hits Classics Vibes Beats Mix Anthems"
)
_REMIX = (" - Radio Edit", " - Remix", " (feat. {artist})", " - Acoustic", "", "", "", "", "")


_ALPHANUMERIC = bytes.maketrans(b"+/", b"Qz")


def random_id(rng: random.Random) -> str:
    """22 letters and digits, as Spotify's ids."""
    return base64.b64encode(rng.randbytes(17)).translate(_ALPHANUMERIC)[:22].decode()


def _artist_name(rng: random.Random) -> str:
    name = "".join(rng.choices(_SYLLABLES, k=rng.randint(2, 3))).capitalize()
    if rng.random() < 0.3:
        name += " " + "".join(rng.choices(_SYLLABLES, k=2)).capitalize()
    return name.upper() if rng.random() < 0.15 else name


def make_pool(rng: random.Random, size: int, quirks: bool) -> list[TrackTruth]:
    """``size`` distinct tracks; with quirks, a few under a minute and a few with a "|"."""
    artists = [(_artist_name(rng), random_id(rng)) for _ in range(max(8, size // 4))]
    pool = []
    taken: set[tuple[str, str]] = set()  # no two tracks share a plain line, whatever the case
    for number in range(size):
        words = rng.sample(_WORDS, rng.randint(1, 3))
        credited = rng.sample(artists, rng.choice((1, 1, 1, 2, 2, 3)))
        title = " ".join(word.capitalize() for word in words)
        title += rng.choice(_REMIX).format(artist=credited[-1][0])
        if quirks and number % 97 == 13:
            title = f"{title} | {rng.choice(_WORDS).capitalize()}"
        while (title.lower(), credited[0][0].lower()) in taken:
            title += " " + rng.choice(_WORDS).capitalize()
        taken.add((title.lower(), credited[0][0].lower()))
        duration = rng.randint(120_000, 330_000)
        if quirks and number % 89 == 7:
            duration = rng.randint(15_000, 59_999)
        album = title if rng.random() < 0.4 else " ".join(rng.sample(_WORDS, 2)).title()
        pool.append(
            TrackTruth(
                title=title,
                artists=tuple(name for name, _ in credited),
                album=album,
                duration_ms=duration,
                id=_base62(number, 4) + random_id(rng)[4:],
                artist_ids=tuple(artist_id for _, artist_id in credited),
                album_id=random_id(rng),
            )
        )
    return pool


def toggled_case(track: TrackTruth) -> TrackTruth:
    """The same track with its first artist's name in another case ("YEBBA" <-> "Yebba")."""
    first = track.artists[0]
    other = first.title() if first.isupper() else first.upper()
    if other == first:
        other = first.swapcase()
    return TrackTruth(
        title=track.title,
        artists=(other, *track.artists[1:]),
        album=track.album,
        duration_ms=track.duration_ms,
        id=track.id,
        artist_ids=track.artist_ids,
        album_id=track.album_id,
    )


@dataclass
class PlaylistState:
    id: str
    spotify_name: str
    description: str
    tracks: list[TrackTruth]
    likes: int
    weekday: int
    alias: str | None = None
    stays: dict[str, Stay] = field(default_factory=dict)

    def name(self, layout: str) -> str:
        """The 2019 writer knew no aliases; later ones name the pages by the alias."""
        return self.alias if self.alias and layout != "2019" else self.spotify_name

    def record_stays(self, day: date) -> None:
        """The cumulative rows after this day's version, keyed by the lower-cased plain line."""
        current = {track.plain_line.lower(): track for track in self.tracks}
        for key, stay in self.stays.items():
            if key not in current and stay.removed is None:
                stay.removed = day
                stay.rows.clear()
        for key, track in current.items():
            found = self.stays.get(key)
            if found is None:
                self.stays[key] = Stay(track, day)
            elif found.track is not track or found.removed is not None:
                found.track, found.removed = track, None
                found.rows.clear()


@dataclass(frozen=True, slots=True)
class Event:
    """A quirk that happened to a playlist on a day (its commit is known later)."""

    kind: str
    playlist_id: str
    detail: str = ""


class Simulation:
    """The playlists' real states, advanced one day at a time."""

    def __init__(self, shape: Shape) -> None:
        self.shape = shape
        self.rng = random.Random(shape.seed)
        size = min(max(400, shape.playlists * shape.max_tracks * 2), 20_000)
        self.pool = make_pool(self.rng, size, shape.quirks)
        self.playlists = self._initial_playlists()
        self.ids = sorted(self.playlists)
        self.case_days, self.merge_days = self._quirk_days()

    def _initial_playlists(self) -> dict[str, PlaylistState]:
        shape, rng = self.shape, self.rng
        names: set[str] = set()
        found: dict[str, PlaylistState] = {}
        for number in range(shape.playlists):
            name = " ".join(rng.sample(_PLAYLIST_WORDS, 2))
            while name in names:
                name += " " + rng.choice(_PLAYLIST_WORDS)
            names.add(name)
            count = rng.randint(shape.min_tracks, shape.max_tracks)
            tracks = rng.sample(self.pool, count)
            if shape.quirks and number == 0:
                tracks[0] = next(t for t in self.pool if t.duration_ms < 60_000)
                tracks[-1] = next(t for t in self.pool if "|" in t.title)
            state = PlaylistState(
                id=f"37i9dQZF1{random_id(rng)[:13]}",
                spotify_name=name,
                description=self._description(number, name),
                tracks=_unique(tracks),
                likes=int(rng.lognormvariate(10, 2)),
                weekday=rng.randrange(7),
            )
            if shape.quirks and (number % 41 == 3 or number == min(3, shape.playlists - 1)):
                state.alias = f"{name} (Archive)"
            found[state.id] = state
        return found

    def _description(self, number: int, name: str) -> str:
        opening = ("All the", "The best of", "Your daily")[number % 3]
        text = f"{opening} {name.lower()}: {self.rng.choice(_WORDS)} and more. Cover: Someone"
        if self.shape.quirks and (number % 17 == 1 or number == min(1, self.shape.playlists - 1)):
            return ""
        if self.shape.quirks and (number % 17 == 2 or number == min(2, self.shape.playlists - 1)):
            return text + "\n"
        return text

    def _quirk_days(self) -> tuple[set[int], set[int]]:
        commits = self.shape.commits
        if not self.shape.quirks or commits < 8:
            return set(), set()
        cases = {commits * share // 8 for share in (2, 4, 6)}
        merges = {commits * share // 20 for share in (3, 5, 11, 17)}
        return cases - merges - {0}, merges - {0}

    def merge_sorted_ids(self) -> list[str]:
        """The playlists a merge leaves with sorted headers: about half, ordinary ones only."""
        ordinary = [
            pid
            for pid in self.ids
            if self.playlists[pid].description.strip() == self.playlists[pid].description
            and self.playlists[pid].description
        ]
        chosen = {pid for pid in ordinary if self.rng.random() < 0.5}
        # where the description sorts first, reading the first line as the name misreads it
        first = [pid for pid in ordinary if _sorts_first(self.playlists[pid])]
        chosen.update(first[:2])
        return sorted(chosen or ordinary[:1])

    def advance(self, index: int, day: date) -> tuple[set[str], list[Event]]:
        """The playlists whose name, description or tracks changed on ``day``, and the events."""
        changed: set[str] = set()
        for pid in self.ids:
            state = self.playlists[pid]
            state.likes = max(0, state.likes + int(state.likes * self.rng.gauss(0.0005, 0.002)))
            if self._change(state, index):
                changed.add(pid)
        if index == self.shape.commits // 2 and self.shape.commits >= 4:
            plain = [pid for pid in self.ids if self.playlists[pid].alias is None] or self.ids
            self._rename(self.playlists[plain[0]])
            changed.add(plain[0])
        events: list[Event] = []
        if index in self.case_days:
            events.append(self._case_edit())
            changed.add(events[-1].playlist_id)
        if not changed:
            state = self.playlists[self.rng.choice(self.ids)]
            self._swap(state, 1)
            changed.add(state.id)
        for pid in changed:
            self.playlists[pid].record_stays(day)
        return changed, events

    def _change(self, state: PlaylistState, index: int) -> bool:
        rng = self.rng
        touched = False
        if index % 7 == state.weekday:
            if rng.random() < 0.12:
                self._burst(state)
            else:
                self._swap(state, rng.randint(1, 5))
            touched = True
        elif rng.random() < 0.04:
            self._swap(state, 1)
            touched = True
        if rng.random() < 0.02:
            self._reorder(state)
            touched = True
        if rng.random() < 1 / 1500:
            self._rename(state)
            touched = True
        return touched

    def _fresh(self, present: set[str]) -> TrackTruth:
        while True:
            track = self.rng.choice(self.pool)
            if track.id not in present:
                present.add(track.id)
                return track

    def _swap(self, state: PlaylistState, count: int) -> None:
        present = {track.id for track in state.tracks}
        for _ in range(count):
            state.tracks.pop(self.rng.randrange(len(state.tracks)))
            state.tracks.insert(self.rng.randrange(len(state.tracks) + 1), self._fresh(present))

    def _burst(self, state: PlaylistState) -> None:
        rng, shape = self.rng, self.shape
        share = rng.uniform(0.2, 0.4)
        present = {track.id for track in state.tracks}
        keep = [track for track in state.tracks if rng.random() > share]
        target = rng.randint(shape.min_tracks, shape.max_tracks)
        while len(keep) < target:
            keep.insert(rng.randrange(len(keep) + 1), self._fresh(present))
        state.tracks = keep[:target]

    def _reorder(self, state: PlaylistState) -> None:
        for _ in range(self.rng.randint(1, 3)):
            track = state.tracks.pop(self.rng.randrange(len(state.tracks)))
            state.tracks.insert(self.rng.randrange(len(state.tracks) + 1), track)

    def _rename(self, state: PlaylistState) -> None:
        taken = {other.spotify_name for other in self.playlists.values()}
        taken |= {other.alias for other in self.playlists.values() if other.alias}
        name = state.spotify_name
        while name in taken:
            name = f"{state.spotify_name.split(' (')[0]} ({self.rng.randint(2020, 2029)})"
        state.spotify_name = name

    def _case_edit(self) -> Event:
        state = self.playlists[self.rng.choice(self.ids)]
        position = self.rng.randrange(len(state.tracks))
        old = state.tracks[position]
        new = toggled_case(old)
        state.tracks[position] = new
        return Event("case_edit", state.id, f"{old.plain_line} -> {new.plain_line}")


def _sorts_first(state: PlaylistState) -> bool:
    return state.description.lower() < state.spotify_name.lower()


def _base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 62)
        digits.append(BASE62[digit])
    return "".join(reversed(digits))


def _unique(tracks: list[TrackTruth]) -> list[TrackTruth]:
    seen: set[str] = set()
    kept = []
    for track in tracks:
        if track.id not in seen:
            seen.add(track.id)
            kept.append(track)
    return kept
