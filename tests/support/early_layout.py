"""Files of spotify-playlist-archive's name-keyed layout (2019-2021), written as that writer did.

Learned from the writer's own code (mackorone/spotify-playlist-archive before the project
moved to id-keyed pages), re-stated here, not copied:

- ``plain/<id>``: name, description, a blank line, the sorted track lines, joined by
  newlines with NO final newline; a description that ends in a newline leaves an extra
  blank line, so the tracks start a line later;
- ``pretty/<Name>.md`` and ``cumulative/<Name>.md``: named by the playlist's name, nothing
  escaped (a ``|`` in a name splits its row), no owner line, no snapshot line, no
  "first scraped" line, no final newline; the links line ends ``([githistory](...))``;
- lengths with every leading ``0`` and ``:`` stripped: ``3:05``, and ``49`` under a minute;
- ``aliases/<id>``: a file holding the alias name.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gitarchive.model import Playlist, Track

_BASE = "/playlists"
_HISTORY = "https://github.githistory.xyz/mackorone/spotify-playlist-archive/blob/main/playlists"


def early_length(ms: int) -> str:
    """``str(timedelta)`` with its leading zeros and colons stripped, as that writer showed it."""
    return str(timedelta(seconds=ms // 1000)).lstrip("0:")


def _link(text: str, url: str | None) -> str:
    return f"[{text}]({url})" if url else text


def _plain_line(track: Track) -> str:
    return f"{track.name} -- {', '.join(a.name for a in track.artists)} -- {track.album.name}"


def early_plain(playlist: Playlist) -> str:
    lines = sorted((_plain_line(track) for track in playlist.tracks), key=str.lower)
    return "\n".join([playlist.unique_name, playlist.description, "", *lines])


def _header(playlist: Playlist, *, cumulative: bool) -> list[str]:
    quoted = playlist.unique_name.replace(" ", "%20")
    pretty = _link("pretty", f"{_BASE}/pretty/{quoted}.md") if cumulative else "pretty"
    other = "cumulative" if cumulative else _link("cumulative", f"{_BASE}/cumulative/{quoted}.md")
    plain = _link("plain", f"{_BASE}/plain/{playlist.id}")
    history = _link("githistory", f"{_HISTORY}/plain/{playlist.id}")
    url = f"https://open.spotify.com/playlist/{playlist.id}"
    return [
        f"{pretty} - {other} - {plain} ({history})",
        "",
        f"### {_link(playlist.unique_name, url)}",
        "",
        f"> {playlist.description}",
        "",
    ]


def _cells(track: Track) -> list[str]:
    return [
        _link(track.name, track.url),
        ", ".join(_link(artist.name, artist.url) for artist in track.artists),
        _link(track.album.name, track.album.url),
        early_length(track.duration_ms or 0),
    ]


def early_pretty(playlist: Playlist, *, year: int = 2021) -> str:
    """The name-keyed page; ``year=2019``: the first writer's, which began with the title."""
    if year == 2019:
        url = f"https://open.spotify.com/playlist/{playlist.id}"
        plain = f"https://github.com/mackorone/spotify-playlist-archive/blob/master{_BASE}/plain"
        title = f"### {_link(playlist.unique_name, url)} ([{playlist.id}]({plain}/{playlist.id}))"
        lines = [title, "", f"> {playlist.description}", ""]
        divider = "|-----|-------|-----------|-------|--------|"
    else:
        lines = _header(playlist, cumulative=False)
        divider = "|---|---|---|---|---|"
    lines += ["| No. | Title | Artist(s) | Album | Length |", divider]
    for number, track in enumerate(playlist.tracks, start=1):
        lines.append("| " + " | ".join([str(number), *_cells(track)]) + " |")
    return "\n".join(lines)


def early_cumulative(playlist: Playlist, added: date, removed: list[Track] | None = None) -> str:
    lines = _header(playlist, cumulative=True)
    lines += [
        "| Title | Artist(s) | Album | Length | Added | Removed |",
        "|---|---|---|---|---|---|",
    ]
    rows = [(track, "") for track in playlist.tracks]
    rows += [(track, (added + timedelta(days=1)).isoformat()) for track in removed or []]
    for track, gone in sorted(rows, key=lambda row: _plain_line(row[0]).lower()):
        lines.append("| " + " | ".join([*_cells(track), added.isoformat(), gone]) + " |")
    return "\n".join(lines)


def early_files(
    playlists: list[Playlist], *, added: date, aliases: dict[str, str] | None = None
) -> dict[str, bytes]:
    """Every file of a name-keyed clone holding ``playlists`` (aliases: id -> alias)."""
    files: dict[str, bytes] = {}
    for playlist in playlists:
        files[f"playlists/plain/{playlist.id}"] = early_plain(playlist).encode()
        name = playlist.unique_name
        files[f"playlists/pretty/{name}.md"] = early_pretty(playlist).encode()
        files[f"playlists/cumulative/{name}.md"] = early_cumulative(playlist, added).encode()
    for playlist_id, alias in (aliases or {}).items():
        files[f"playlists/aliases/{playlist_id}"] = (alias + "\n").encode()
    return files
