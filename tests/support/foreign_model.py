"""The value types of the foreign-shaped archive generator (see tests/support/foreign_archive.py).

``Shape`` says what to generate; ``Truth`` says what each playlist's versions really were
(what a reader of the generated repository should find), and where each quirk was written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date, datetime
    from pathlib import Path

SPOTIFY = "https://open.spotify.com"
LAYOUTS = ("2019", "2021", "today", "own", "mixed")
#: The quirks a generated archive may hold (``Truth.quirks``' kinds).
QUIRK_KINDS = (
    "no_final_newline",  # a plain file written without its final newline (2019, 2021: always)
    "blank_description",  # the plain file's description line is empty
    "description_newline",  # the description ends in a newline: one more blank line in plain
    "merge_sorted",  # a merge commit's plain file with name and description sorted among tracks
    "case_edit",  # one track line changed only in case (an artist "YEBBA" -> "Yebba")
    "alias",  # playlists/aliases/<id> holds the name the pages use
    "bare_seconds",  # a page writes a track under a minute as bare seconds ("| 49 |")
    "pipe_in_name",  # a page holds a "|" unescaped inside a track's title
)


@dataclass(frozen=True, slots=True)
class Shape:
    """What to generate. Every field is part of :func:`cached`'s key."""

    playlists: int = 250
    commits: int = 1000
    min_tracks: int = 50
    max_tracks: int = 100
    layout: str = "2021"
    quirks: bool = True
    seed: int = 1

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS:
            raise ValueError(f"layout {self.layout!r} is not one of {', '.join(LAYOUTS)}")
        if self.playlists < 1 or self.commits < 1:
            raise ValueError("a shape needs at least one playlist and one commit")
        if not 1 <= self.min_tracks <= self.max_tracks:
            raise ValueError("tracks: need 1 <= min_tracks <= max_tracks")

    @property
    def key(self) -> str:
        return (
            f"{self.layout}-p{self.playlists}-c{self.commits}-t{self.min_tracks}-{self.max_tracks}"
            f"-q{int(self.quirks)}-s{self.seed}"
        )


@dataclass(frozen=True, slots=True)
class TrackTruth:
    """One track as Spotify answered: the pages link each name to these ids."""

    title: str
    artists: tuple[str, ...]
    album: str
    duration_ms: int
    id: str
    artist_ids: tuple[str, ...]
    album_id: str
    #: ``Title -- Artist, Artist -- Album``, as every plain file writes a track.
    plain_line: str = field(init=False, compare=False, repr=False)
    #: Renderings of this track by style, filled by the page writers.
    cells: dict[str, str] = field(init=False, compare=False, repr=False, hash=False)

    def __post_init__(self) -> None:
        line = f"{self.title} -- {', '.join(self.artists)} -- {self.album}"
        object.__setattr__(self, "plain_line", line)
        object.__setattr__(self, "cells", {})

    @property
    def url(self) -> str:
        return f"{SPOTIFY}/track/{self.id}"

    @property
    def artist_urls(self) -> tuple[str, ...]:
        return tuple(f"{SPOTIFY}/artist/{artist_id}" for artist_id in self.artist_ids)

    @property
    def album_url(self) -> str:
        return f"{SPOTIFY}/album/{self.album_id}"


@dataclass(frozen=True, slots=True)
class Version:
    """A playlist as one commit wrote it (a commit that changed any of its files)."""

    commit: str
    date: datetime
    name: str
    description: str  # as Spotify gave it (may be empty, may end in a newline)
    tracks: tuple[TrackTruth, ...]
    likes: int
    layout: str  # the writer of that commit: "2019", "2021", "today" or "own"
    paths: tuple[str, ...]  # the playlist's files this commit changed
    content_changed: bool  # name, description or tracks (order included) differ from before

    @property
    def track_ids(self) -> tuple[str, ...]:
        return tuple(track.id for track in self.tracks)


@dataclass(frozen=True, slots=True)
class Quirk:
    """Where a quirk was written: its kind, playlist, commit and file."""

    kind: str
    playlist_id: str
    commit: str
    path: str
    detail: str = ""


@dataclass
class Truth:
    """What the generated repository holds, for tests to compare readers against."""

    shape: Shape
    path: Path
    head: str = ""
    commits: list[str] = field(default_factory=list)  # the main line, oldest first
    dates: dict[str, datetime] = field(default_factory=dict)  # every commit, merges' sides too
    layouts: dict[str, str] = field(default_factory=dict)  # main-line commit -> its writer
    versions: dict[str, list[Version]] = field(default_factory=dict)  # playlist id -> oldest first
    quirks: list[Quirk] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)  # main-line commits with two parents

    @property
    def playlist_ids(self) -> list[str]:
        return sorted(self.versions)

    def quirks_of(self, kind: str) -> list[Quirk]:
        if kind not in QUIRK_KINDS:
            raise ValueError(f"unknown quirk {kind!r}")
        return [quirk for quirk in self.quirks if quirk.kind == kind]

    def version_at(self, playlist_id: str, commit: str) -> Version | None:
        """The playlist as it stood at main-line ``commit`` (its latest version up to it)."""
        position = {oid: index for index, oid in enumerate(self.commits)}
        limit = position[commit]
        found = None
        for version in self.versions.get(playlist_id, []):
            if position[version.commit] > limit:
                break
            found = version
        return found

    def content_versions(self, playlist_id: str) -> list[Version]:
        """The versions whose name, description or tracks changed (the first one included)."""
        return [v for v in self.versions.get(playlist_id, []) if v.content_changed]


@dataclass(slots=True)
class Stay:
    """A track's row of a cumulative page: its latest metadata, first added, last removed.

    ``rows`` caches the rendered row per writer style; whoever changes a field clears it.
    """

    track: TrackTruth
    added: date
    removed: date | None = None
    rows: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
