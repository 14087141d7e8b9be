"""Each layout's files for one playlist's state, and the files the whole archive shares.

"2019", "2021" and "today" are spotify-playlist-archive's writers (tests/support/foreign_pages.py);
"own" is gitarchive's own renderers, as a sync writes them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from gitarchive import formats
from gitarchive.history import update_cumulative
from gitarchive.model import Album, Artist, Owner, Playlist, Track
from tests.support import foreign_pages as pages
from tests.support.foreign_model import SPOTIFY

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from gitarchive.model import CumulativeView
    from tests.support.foreign_model import TrackTruth
    from tests.support.foreign_sim import PlaylistState

P = "playlists"


def start_of(layout: str) -> str:
    """The first day of a generated archive of ``layout`` (daily commits from there)."""
    return {"today": "2021-12-15", "own": "2024-01-01"}.get(layout, "2019-05-01")


class Renderer:
    """Files of one layout, with what a layout must remember between days."""

    def __init__(self) -> None:
        self.first_day: dict[str, date] = {}
        self.views: dict[str, CumulativeView] = {}
        self.likes: dict[str, dict[str, int]] = {}
        self._tracks: dict[TrackTruth, Track] = {}

    def playlist_files(self, layout: str, state: PlaylistState, day: date) -> dict[str, str]:
        self.first_day.setdefault(state.id, day)
        if layout == "2019":
            return self._files_2019(state)
        if layout == "2021":
            return self._files_2021(state)
        if layout == "today":
            return self._files_today(state, day)
        return self._files_own(state, day)

    def _files_2019(self, state: PlaylistState) -> dict[str, str]:
        name = state.name("2019")
        return {
            f"{P}/plain/{state.id}": pages.plain_text(
                name, state.description, state.tracks, final=False
            ),
            f"{P}/pretty/{name}.md": pages.pretty_2019(
                state.id, name, state.description, state.tracks
            ),
        }

    def _files_2021(self, state: PlaylistState) -> dict[str, str]:
        name = state.name("2021")
        description = state.description
        files = {
            f"{P}/plain/{state.id}": pages.plain_text(name, description, state.tracks, final=False),
            f"{P}/pretty/{name}.md": pages.pretty_2021(state.id, name, description, state.tracks),
            f"{P}/cumulative/{name}.md": pages.cumulative_2021(
                state.id, name, description, state.stays
            ),
        }
        if state.alias:
            files[f"{P}/aliases/{state.id}"] = state.alias + "\n"
        return files

    def _files_today(self, state: PlaylistState, day: date) -> dict[str, str]:
        pid, name, description = state.id, state.name("today"), state.description
        first = self.first_day[pid]
        likes = self.likes.setdefault(pid, {})
        likes[day.isoformat()] = state.likes
        return {
            f"{P}/registry/{pid}": f"{state.alias}\n" if state.alias else "",
            f"{P}/plain/{pid}": pages.plain_text(name, description, state.tracks, final=True),
            f"{P}/pretty/{pid}.md": pages.pretty_today(
                pid, name, description, state.tracks, state.likes
            ),
            f"{P}/pretty/{pid}.json": formats.render_json(self.model(state, "today")),
            f"{P}/cumulative/{pid}.md": pages.cumulative_today(
                pid, name, description, state.stays, first
            ),
            f"{P}/cumulative/{pid}.json": pages.cumulative_json(
                pid, name, description, state.stays, first
            ),
            f"{P}/followers/{pid}.json": pages.dumps(likes),
        }

    def _files_own(self, state: PlaylistState, day: date) -> dict[str, str]:
        playlist = self.model(state, "own")
        view = update_cumulative(self.views.get(state.id), playlist, day)
        self.views[state.id] = view
        return {
            formats.registry_path(state.id): f"{state.alias}\n" if state.alias else "",
            formats.plain_path(state.id): formats.render_plain(playlist),
            formats.pretty_path(state.id): formats.render_pretty(playlist, github=None),
            formats.json_path(state.id): formats.render_json(playlist),
            formats.cumulative_path(state.id): formats.render_cumulative(view, github=None),
        }

    def model(self, state: PlaylistState, layout: str) -> Playlist:
        """The state as gitarchive's model (for the JSON snapshot and the "own" layout)."""
        name = state.name(layout)
        return Playlist(
            id=state.id,
            original_name=name,
            unique_name=name,
            description=state.description,
            tracks=tuple(self._track(track) for track in state.tracks),
            snapshot_id=pages.snapshot_id(state.id, state.tracks),
            num_followers=state.likes,
            owner=Owner(*pages.OWNER),
        )

    def _track(self, track: TrackTruth) -> Track:
        found = self._tracks.get(track)
        if found is None:
            artists = tuple(
                Artist(name, url)
                for name, url in zip(track.artists, track.artist_urls, strict=True)
            )
            found = Track(
                name=track.title,
                artists=artists,
                album=Album(track.album, track.album_url),
                url=track.url,
                duration_ms=track.duration_ms,
            )
            self._tracks[track] = found
        return found


def shared_files(layout: str, states: Iterable[PlaylistState], notes: list[str]) -> dict[str, str]:
    """README.md (with the notes merges brought in), and the layout's archive-wide files."""
    states = list(states)
    readme = ["# spotify-playlist-archive", "", "> Daily snapshots of public Spotify playlists", ""]
    readme += [*notes, "## Playlists", ""]
    base = pages.GITHUB_2019 if layout == "2019" else f"/{P}"
    if layout in ("2019", "2021"):
        names = sorted((state.name(layout) for state in states), key=str.lower)
        readme += [f"- [{name}]({base}/pretty/{name.replace(' ', '%20')}.md)" for name in names]
    else:
        readme.append(f"- [playlists/index.md](/{P}/index.md)")
    files = {"README.md": "\n".join(readme) + "\n"}
    if layout == "today":
        files.update(_metadata(states))
    if layout == "own":
        files[formats.INDEX_PATH] = formats.render_index((s.id, s.name("own")) for s in states)
    return files


def _metadata(states: list[PlaylistState]) -> dict[str, str]:
    full = {
        state.id: {
            "description": state.description,
            "num_followers": state.likes,
            "original_name": state.spotify_name,
            "owner": {"name": pages.OWNER[0], "url": pages.OWNER[1]},
            "snapshot_id": pages.snapshot_id(state.id, state.tracks),
            "unique_name": state.name("today"),
            "url": f"{SPOTIFY}/playlist/{state.id}",
        }
        for state in states
    }
    compact = {state.id: state.name("today") for state in states}
    return {
        f"{P}/metadata/metadata-full.json": pages.dumps(full),
        f"{P}/metadata/metadata-compact.json": json.dumps(compact, sort_keys=True),
    }
