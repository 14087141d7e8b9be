"""``export m3u8``: extended M3U in UTF-8, each track's Spotify URL as its location.

``#EXTM3U``, then per track ``#EXTINF:<seconds>,<artists> - <title>`` and its
URL. Seconds are rounded; -1 (M3U's "unknown") where the archive has no
duration. A track without a Spotify URL (a local file, a track read from a
plain file) has no location to give: it is left out, and counted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive.exports.playlist import one_line

if TYPE_CHECKING:
    from gitarchive.exports.playlist import ExportedPlaylist


def render(playlist: ExportedPlaylist) -> tuple[bytes, int]:
    """The m3u8 file and how many tracks it left out (no URL)."""
    lines = ["#EXTM3U"]
    skipped = 0
    for entry in playlist.tracks:
        track = entry.track
        if track.url is None:
            skipped += 1
            continue
        ms = track.duration_ms
        seconds = -1 if ms is None else (ms + 500) // 1000
        artists = ", ".join(artist.name for artist in track.artists)
        title = f"{artists} - {track.name}" if artists else track.name
        lines += [f"#EXTINF:{seconds},{one_line(title)}", track.url]
    return ("\n".join(lines) + "\n").encode("utf-8"), skipped
