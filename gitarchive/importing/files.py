"""An imported version as this archive writes it: cleaned text, rendered files, messages."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC
from typing import TYPE_CHECKING

from gitarchive import formats, version_reader
from gitarchive.errors import FormatError
from gitarchive.formats.paths import archive_paths
from gitarchive.formats.sanitize import clean_description, clean_name, clean_playlist_name

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from gitarchive.history import Version
    from gitarchive.model import Playlist, Track

Files = dict[str, bytes | None]


class Cleaner:
    """The source's text in the archive's grammar (formats.sanitize), as the Spotify client
    cleans an answer: names on one line, no control characters, never a blank name. The
    index lists the playlist under the JSON's unique name, so that is never empty either.

    Consecutive versions share their Track objects (the version reader hands out the same
    one for the same line): each is cleaned once.
    """

    def __init__(self) -> None:
        self._tracks: dict[int, tuple[Track, Track]] = {}  # id -> (the track, cleaned)

    def track(self, item: Track) -> Track:
        known = self._tracks.get(id(item))
        if known is not None and known[0] is item:
            return known[1]
        clean = replace(
            item,
            name=clean_name(item.name),
            album=replace(item.album, name=clean_name(item.album.name)),
            artists=tuple(replace(a, name=clean_name(a.name)) for a in item.artists),
        )
        self._tracks[id(item)] = (item, clean)
        return clean

    def playlist(self, playlist: Playlist) -> Playlist:
        return replace(
            playlist,
            original_name=clean_playlist_name(playlist.original_name, playlist.id),
            unique_name=clean_playlist_name(playlist.display_name, playlist.id),
            # line breaks at the end are dropped: the plain file and the page this
            # archive writes for a version without a snapshot cannot hold them, so a
            # later version's snapshot would show a description change that never was
            description=clean_description(playlist.description).rstrip("\n"),
            tracks=tuple(self.track(item) for item in playlist.tracks),
            owner=replace(playlist.owner, name=clean_name(playlist.owner.name)),
        )


def version_files(version: Version, github: str | None, branch: str) -> Files:
    """The files of a (cleaned) version: plain, page, and the snapshot when the source had one."""
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


def message(versions: Sequence[Version], label: str) -> str:
    """One commit's message: the versions of one source commit (one date)."""
    first = versions[0]
    stamp = first.date.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    if len(versions) == 1:
        subject = f"Import {first.playlist.display_name}: its version of {stamp} UTC"
    else:
        subject = f"Import {len(versions)} playlists: their versions of {stamp} UTC"
    return f"{subject}\n\nImported-from: {label} {first.commit}\n"


def index_entries(data: bytes | None) -> dict[str, str] | None:
    """index.md's entries (id -> name) as a dict; None when it cannot be read (the rules
    report it where it is, as before the import)."""
    try:
        text = "" if data is None else formats.decode(data, formats.INDEX_PATH)
        return dict(formats.read_index(text, path=formats.INDEX_PATH))
    except FormatError:
        return None


def render_index(entries: Mapping[str, str]) -> bytes:
    return formats.render_index(sorted(entries.items())).encode()
