"""``export json``: one document per playlist, described by gitarchive/schemas/export.json."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from gitarchive.history import iso_utc, track_document

if TYPE_CHECKING:
    from gitarchive.exports.playlist import ExportedPlaylist, ExportedTrack

SCHEMA_ID = "https://github.com/gitarchive/gitarchive/blob/main/gitarchive/schemas/export.json"


def _track(entry: ExportedTrack, *, cumulative: bool) -> dict[str, Any]:
    added_at = entry.track.added_at
    document = {
        **track_document(entry.track),
        "artist_urls": [artist.url for artist in entry.track.artists],
        "album_url": entry.track.album.url,
        "added_at": iso_utc(added_at) if added_at else None,
    }
    if cumulative:
        document["first_seen"] = entry.added.isoformat() if entry.added else None
        document["removed"] = entry.removed.isoformat() if entry.removed else None
    return document


def render(playlist: ExportedPlaylist) -> tuple[bytes, int]:
    """The JSON document (UTF-8) and how many tracks it left out (none)."""
    document = {
        "$schema": SCHEMA_ID,
        "id": playlist.id,
        "name": playlist.name,
        "description": playlist.description,
        "url": playlist.url,
        "kind": "cumulative" if playlist.cumulative else "version",
        "commit": playlist.commit,
        "date": iso_utc(playlist.date) if playlist.date else None,
        "tracks": [_track(entry, cumulative=playlist.cumulative) for entry in playlist.tracks],
    }
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return text.encode("utf-8"), 0
