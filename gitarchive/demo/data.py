"""The shipped demo data: snapshots expanded into one state per playlist and day."""

from __future__ import annotations

import base64
import hashlib
import html
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import TYPE_CHECKING, Any

from gitarchive.model import SPOTIFY_WEB, Album, Artist, Owner, Playlist, Track

if TYPE_CHECKING:
    from collections.abc import Sequence


@dataclass(frozen=True, slots=True)
class DemoTrack:
    id: str
    name: str
    artists: tuple[tuple[str, str], ...]  # (name, artist id)
    album: tuple[str, str]  # (name, album id)
    duration_ms: int
    added_at: str | None  # Spotify's form, "2026-10-04T05:12:00Z"; null on old playlists


@dataclass(frozen=True, slots=True)
class DemoState:
    """A playlist as Spotify would answer for it on one day."""

    id: str
    name: str
    description: str  # HTML-escaped, as the API sends it
    owner_id: str
    owner_name: str
    followers: int
    tracks: tuple[DemoTrack, ...]
    snapshot_id: str


@dataclass(frozen=True, slots=True)
class DemoPlaylist:
    id: str
    name: str
    states: tuple[DemoState | None, ...]  # one per demo day; None: 404 that day


@dataclass(frozen=True, slots=True)
class DemoData:
    days: tuple[datetime, ...]  # the moments of the demo's syncs, UTC
    playlists: dict[str, DemoPlaylist] = field(default_factory=dict)

    def state(self, playlist_id: str, when: datetime) -> DemoState | None:
        """What the API holds for ``playlist_id`` at ``when``; None when it answers 404."""
        playlist = self.playlists.get(playlist_id)
        if playlist is None:
            return None
        index = self.day_index(when)
        return None if index is None else playlist.states[index]

    def day_index(self, when: datetime) -> int | None:
        """The last demo day at or before ``when`` (None before the first)."""
        found = None
        for index, moment in enumerate(self.days):
            if moment <= when:
                found = index
        return found


def _package_file(name: str) -> str:
    return (resources.files("gitarchive") / "demo_data" / name).read_text(encoding="utf-8")


def load_demo_data() -> DemoData:
    """Read the shipped snapshots and expand them into one state per playlist and day."""
    manifest = json.loads(_package_file("demo.json"))
    first = date.fromisoformat(manifest["first_day"])
    hour, minute = (int(part) for part in manifest["sync_time"].split(":"))
    days = tuple(
        datetime(first.year, first.month, first.day, hour, minute, tzinfo=UTC) + timedelta(days=n)
        for n in range(manifest["days"])
    )
    playlists = {}
    for playlist_id in manifest["playlists"]:
        raw = json.loads(_package_file(f"{playlist_id}.json"))
        playlists[playlist_id] = DemoPlaylist(
            id=playlist_id, name=raw["name"], states=_expand(raw, days)
        )
    return DemoData(days=days, playlists=playlists)


def _expand(raw: dict[str, Any], days: Sequence[datetime]) -> tuple[DemoState | None, ...]:
    """One state per day (None: the playlist answers 404 that day), from base plus changes."""
    catalog = _catalog(raw)
    changes: dict[date, dict[str, Any]] = {
        date.fromisoformat(change["date"]): change for change in raw["changes"]
    }
    name, description = raw["name"], raw["description"]
    followers: int = raw["followers"]
    tracks = [catalog[track_id] for track_id in raw["base"]]
    available = True
    content_changed = days[0]
    states: list[DemoState | None] = []
    for moment in days:
        change = changes.get(moment.date())
        if change is not None:
            before = (name, description, tuple(tracks))
            name = change.get("name", name)
            description = change.get("description", description)
            followers = change.get("followers", followers)
            if "unavailable" in change:
                available = not change["unavailable"]
            tracks = _changed_tracks(tracks, catalog, change, moment)
            if (name, description, tuple(tracks)) != before:
                content_changed = moment
        states.append(
            DemoState(
                id=raw["id"],
                name=name,
                description=description,
                owner_id=raw["owner"]["id"],
                owner_name=raw["owner"]["display_name"],
                followers=followers,
                tracks=tuple(tracks),
                snapshot_id=_snapshot_id(content_changed, name, description, tracks),
            )
            if available
            else None
        )
    return tuple(states)


def _catalog(raw: dict[str, Any]) -> dict[str, DemoTrack]:
    return {
        track_id: DemoTrack(
            id=track_id,
            name=entry["name"],
            artists=tuple((name, artist_id) for name, artist_id in entry["artists"]),
            album=(entry["album"][0], entry["album"][1]),
            duration_ms=entry["duration_ms"],
            added_at=entry["added_at"],
        )
        for track_id, entry in raw["tracks"].items()
    }


def _changed_tracks(
    tracks: list[DemoTrack],
    catalog: dict[str, DemoTrack],
    change: dict[str, Any],
    moment: datetime,
) -> list[DemoTrack]:
    """The track list after one day's change; album renames also update ``catalog``."""
    removed = set(change.get("remove", ()))
    tracks = [track for track in tracks if track.id not in removed]
    # Editors add tracks shortly before the sync runs; Spotify stamps that time.
    stamp = (moment - timedelta(minutes=47)).strftime("%Y-%m-%dT%H:%M:%SZ")
    tracks += [replace(catalog[track_id], added_at=stamp) for track_id in change.get("add", ())]
    for track_id, album in change.get("album", {}).items():
        catalog[track_id] = replace(catalog[track_id], album=(album, catalog[track_id].album[1]))
        tracks = [
            replace(t, album=catalog[track_id].album) if t.id == track_id else t for t in tracks
        ]
    if "order" in change:
        rank = {track_id: n for n, track_id in enumerate(change["order"])}
        tracks.sort(key=lambda t: rank.get(t.id, len(rank)))
    return tracks


def _snapshot_id(when: datetime, name: str, description: str, tracks: Sequence[DemoTrack]) -> str:
    """Spotify's snapshot ids look like base64("<unix time>,<hash>"); so do these."""
    content = json.dumps([name, description, [(t.id, t.album[0], t.added_at) for t in tracks]])
    digest = hashlib.sha256(content.encode()).hexdigest()[:32]
    return base64.b64encode(f"{int(when.timestamp())},{digest}".encode()).decode()


def _parse_added_at(text: str | None) -> datetime | None:
    """Spotify's added_at; null and the 1970 epoch both mean unknown."""
    if text is None or text.startswith("1970-01-01"):
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def expected_playlist(state: DemoState) -> Playlist:
    """The model Playlist a correct client makes of ``state`` (independently of the client)."""
    return Playlist(
        id=state.id,
        original_name=state.name,
        unique_name=state.name,
        description=html.unescape(state.description),
        tracks=tuple(
            Track(
                name=track.name,
                artists=tuple(
                    Artist(name=name, url=f"{SPOTIFY_WEB}/artist/{artist_id}")
                    for name, artist_id in track.artists
                ),
                album=Album(name=track.album[0], url=f"{SPOTIFY_WEB}/album/{track.album[1]}"),
                url=f"{SPOTIFY_WEB}/track/{track.id}",
                duration_ms=track.duration_ms,
                added_at=_parse_added_at(track.added_at),
            )
            for track in state.tracks
        ),
        snapshot_id=state.snapshot_id,
        num_followers=state.followers,
        owner=Owner(name=state.owner_name, url=f"{SPOTIFY_WEB}/user/{state.owner_id}"),
    )
