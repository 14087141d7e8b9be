"""``export csv``: Exportify's columns, so tools that read Exportify files read ours.

The header and quoting are Exportify's (github.com/watsonbox/exportify, its
README's "Export Format"): every field quoted, ``\\n`` line ends, several
artists joined with ", " and a comma inside an artist's name written ``\\,``.
The archive keeps no album artists, release dates, images, disc or track
numbers, preview URLs, explicit flags, popularity, ISRCs, playability or
who added a track: those columns are empty.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC
from typing import TYPE_CHECKING

from gitarchive.exports.playlist import uri_of
from gitarchive.history import iso_utc

if TYPE_CHECKING:
    from datetime import datetime

    from gitarchive.exports.playlist import ExportedPlaylist, ExportedTrack

COLUMNS = (
    "Track URI",
    "Track Name",
    "Artist URI(s)",
    "Artist Name(s)",
    "Album URI",
    "Album Name",
    "Album Artist URI(s)",
    "Album Artist Name(s)",
    "Album Release Date",
    "Album Image URL",
    "Disc Number",
    "Track Number",
    "Track Duration (ms)",
    "Track Preview URL",
    "Explicit",
    "Popularity",
    "ISRC",
    "Is Playable",
    "Added By",
    "Added At",
)


def escape_artist(name: str) -> str:
    return name.replace(",", "\\,")


def _added_at(moment: datetime) -> str:
    """ISO 8601 in UTC, as Exportify writes it: ``2026-11-01T06:00:00Z`` (four-digit years)."""
    return iso_utc(moment.astimezone(UTC) if moment.tzinfo is not None else moment)


def _row(entry: ExportedTrack) -> dict[str, str]:
    track = entry.track
    artist_uris = [uri_of(artist.url) for artist in track.artists]
    added = track.added_at
    return {
        "Track URI": uri_of(track.url),
        "Track Name": track.name,
        # all or nothing: a partial list would pair URIs with the wrong names
        "Artist URI(s)": ", ".join(artist_uris) if all(artist_uris) else "",
        "Artist Name(s)": ", ".join(escape_artist(artist.name) for artist in track.artists),
        "Album URI": uri_of(track.album.url),
        "Album Name": track.album.name,
        "Track Duration (ms)": "" if track.duration_ms is None else str(track.duration_ms),
        "Added At": _added_at(added) if added else "",
    }


def render(playlist: ExportedPlaylist) -> tuple[bytes, int]:
    """The CSV file (UTF-8, no BOM, as Exportify writes it) and how many tracks it left out."""
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=COLUMNS, restval="", quoting=csv.QUOTE_ALL, lineterminator="\n"
    )
    writer.writeheader()
    for entry in playlist.tracks:
        writer.writerow(_row(entry))
    return buffer.getvalue().encode("utf-8"), 0
