"""The files spotify-playlist-archive's writers produced, rendered from the generator's state.

Each function follows one writer's formatter as tests/support/foreign_archive.py's docstring
describes it (where each fact was read); none of them is gitarchive's own renderer.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import timedelta
from typing import TYPE_CHECKING

from tests.support.foreign_model import SPOTIFY

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from datetime import date

    from tests.support.foreign_model import Stay, TrackTruth

GITHUB_2019 = "https://github.com/mackorone/spotify-playlist-archive/blob/master/playlists"
HISTORY_2021 = (
    "https://github.githistory.xyz/mackorone/spotify-playlist-archive/blob/main/playlists"
)
OWNER = ("Spotify", f"{SPOTIFY}/user/spotify")
#: What the later writer escapes in names and descriptions (a backslash before each).
_ESCAPED = ("\\", ". ", "#", "(", ")", "[", "]", "-", "*", "_", "`", "|", "~")


def plain_text(name: str, description: str, tracks: Iterable[TrackTruth], *, final: bool) -> str:
    """Name, description (as given: a final newline in it stays), a blank line, then the
    track lines sorted by ``line.lower()``; the 2019 and 2021 writers add no final newline."""
    lines = sorted((track.plain_line for track in tracks), key=str.lower)
    text = "\n".join([name, description, "", *lines])
    return text + "\n" if final else text


def merge_sorted_plain(name: str, description: str, tracks: Iterable[TrackTruth]) -> str:
    """A plain file as some merges left it: header lines sorted in among the tracks."""
    lines = [name, description, *(track.plain_line for track in tracks)]
    return "\n".join(sorted(lines, key=str.lower))


def early_duration(ms: int) -> str:
    """The 2019-2021 writers strip every leading "0" and ":": 0:00:49 -> "49"."""
    text = str(timedelta(seconds=ms // 1000))
    index = 0
    while text[index] in ":0":
        index += 1
    return text[index:]


def later_duration(ms: int) -> str:
    """The later writer keeps the minutes digit: 0:00:49 -> "0:49"."""
    text = str(timedelta(seconds=ms // 1000))
    index = 0
    while index < len(text) - 4 and text[index] in "0:":
        index += 1
    return text[index:]


def english_duration(ms: int) -> str:
    days, ms = divmod(ms, 86_400_000)
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    seconds = ms // 1000
    if not (days or hours or minutes):
        return f"{seconds} sec"
    if not (days or hours):
        return f"{minutes} min {seconds} sec"
    if not days:
        return f"{hours} hr {minutes} min"
    return f"{days:,} day {hours} hr {minutes} min"


def escape(text: str) -> str:
    for pattern in _ESCAPED:
        text = text.replace(pattern, "\\" + pattern)
    return text


def _link(text: str, url: str) -> str:
    return f"[{text}]({url})"


def _cells(track: TrackTruth, style: str) -> str:
    """``[Title](url) | [A](url), [B](url) | [Album](url) | length`` in a writer's style:
    "early" (nothing escaped, bare seconds) or "later" (escaped, the minutes digit kept)."""
    found = track.cells.get(style)
    if found is not None:
        return found
    early = style == "early"
    shown = str if early else escape
    artists = ", ".join(
        _link(shown(name), url) for name, url in zip(track.artists, track.artist_urls, strict=True)
    )
    length = early_duration(track.duration_ms) if early else later_duration(track.duration_ms)
    text = " | ".join(
        (
            _link(shown(track.title), track.url),
            artists,
            _link(shown(track.album), track.album_url),
            length,
        )
    )
    track.cells[style] = text
    return text


def pretty_2019(playlist_id: str, name: str, description: str, tracks: Sequence[TrackTruth]) -> str:
    plain = _link(playlist_id, f"{GITHUB_2019}/plain/{playlist_id}")
    lines = [
        f"### {_link(name, f'{SPOTIFY}/playlist/{playlist_id}')} ({plain})",
        "",
        f"> {description}",
        "",
        "| No. | Title | Artist(s) | Album | Length |",
        "|-----|-------|-----------|-------|--------|",
    ]
    lines += [f"| {number} | {_cells(track, 'early')} |" for number, track in enumerate(tracks, 1)]
    return "\n".join(lines)


def _header_2021(playlist_id: str, name: str, description: str, current: str) -> list[str]:
    quoted = name.replace(" ", "%20")
    pretty = "pretty" if current == "pretty" else _link("pretty", f"/playlists/pretty/{quoted}.md")
    cumulative = (
        "cumulative"
        if current == "cumulative"
        else _link("cumulative", f"/playlists/cumulative/{quoted}.md")
    )
    plain = _link("plain", f"/playlists/plain/{playlist_id}")
    history = _link("githistory", f"{HISTORY_2021}/plain/{playlist_id}")
    return [
        f"{pretty} - {cumulative} - {plain} ({history})",
        "",
        f"### {_link(name, f'{SPOTIFY}/playlist/{playlist_id}')}",
        "",
        f"> {description}",
        "",
    ]


def pretty_2021(playlist_id: str, name: str, description: str, tracks: Sequence[TrackTruth]) -> str:
    lines = _header_2021(playlist_id, name, description, "pretty")
    lines += ["| No. | Title | Artist(s) | Album | Length |", "|---|---|---|---|---|"]
    lines += [f"| {number} | {_cells(track, 'early')} |" for number, track in enumerate(tracks, 1)]
    return "\n".join(lines)


def cumulative_2021(
    playlist_id: str, name: str, description: str, stays: Mapping[str, Stay]
) -> str:
    """Rows sorted by the lower-cased plain line (the writer's row key); no final newline."""
    lines = _header_2021(playlist_id, name, description, "cumulative")
    lines += [
        "| Title | Artist(s) | Album | Length | Added | Removed |",
        "|---|---|---|---|---|---|",
    ]
    lines += [_stay_row(stay, "early") for _, stay in sorted(stays.items())]
    return "\n".join(lines)


def _stay_row(stay: Stay, style: str) -> str:
    row = stay.rows.get(style)
    if row is None:
        removed = stay.removed.isoformat() if stay.removed else ""
        row = f"| {_cells(stay.track, style)} | {stay.added.isoformat()} | {removed} |"
        stay.rows[style] = row
    return row


def _header_today(playlist_id: str, name: str, description: str, current: str) -> list[str]:
    pretty = (
        "pretty" if current == "pretty" else _link("pretty", f"/playlists/pretty/{playlist_id}.md")
    )
    cumulative = (
        "cumulative"
        if current == "cumulative"
        else _link("cumulative", f"/playlists/cumulative/{playlist_id}.md")
    )
    plain = _link("plain", f"/playlists/plain/{playlist_id}")
    history = _link("githistory", f"{HISTORY_2021}/plain/{playlist_id}")
    return [
        f"{pretty} - {cumulative} - {plain} - {history}",
        "",
        f"### {_link(escape(name), f'{SPOTIFY}/playlist/{playlist_id}')}",
        "",
        f"> {escape(description.strip())}",
        "",
    ]


def _count(number: int, word: str) -> str:
    return f"{number:,} {word}" + ("s" if number > 1 else "")


def pretty_today(
    playlist_id: str, name: str, description: str, tracks: Sequence[TrackTruth], likes: int
) -> str:
    lines = _header_today(playlist_id, name, description, "pretty")
    total = sum(track.duration_ms for track in tracks)
    owner = _link(escape(OWNER[0]), OWNER[1])
    songs = _count(len(tracks), "song")
    lines += [
        f"{owner} - {_count(likes, 'like')} - {songs} - {english_duration(total)}",
        "",
        "| No. | Title | Artist(s) | Album | Length |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {number} | {_cells(track, 'later')} |" for number, track in enumerate(tracks, 1)]
    lines += ["", f"Snapshot ID: `{snapshot_id(playlist_id, tracks)}`"]
    return "\n".join(lines) + "\n"


def snapshot_id(playlist_id: str, tracks: Sequence[TrackTruth]) -> str:
    """A stand-in for Spotify's snapshot id: changes with the tracks, stable otherwise."""
    digest = hashlib.blake2b(playlist_id.encode(), digest_size=18)
    for track in tracks:
        digest.update(track.id.encode())
    return base64.b64encode(digest.digest()).decode()


def _cumulative_order(stays: Mapping[str, Stay]) -> list[Stay]:
    return sorted(stays.values(), key=lambda stay: (stay.added, stay.track.plain_line.lower()))


def cumulative_today(
    playlist_id: str, name: str, description: str, stays: Mapping[str, Stay], first: date
) -> str:
    lines = _header_today(playlist_id, name, description, "cumulative")
    ordered = _cumulative_order(stays)
    total = sum(stay.track.duration_ms for stay in ordered)
    lines += [
        f"{_count(len(ordered), 'song')} - {english_duration(total)}",
        "",
        "| Title | Artist(s) | Album | Length | Added | Removed |",
        "|---|---|---|---|---|---|",
    ]
    lines += [_stay_row(stay, "later") for stay in ordered]
    lines += [
        "",
        f"\\*This playlist was first scraped on {first.isoformat()}. "
        "Prior content cannot be recovered.",
    ]
    return "\n".join(lines) + "\n"


def dumps(value: object) -> str:
    return json.dumps(value, indent=2, sort_keys=True) + "\n"


def _track_json(stay: Stay) -> dict[str, object]:
    track = stay.track
    return {
        "album": {"name": track.album, "url": track.album_url},
        "artists": [
            {"name": name, "url": url}
            for name, url in zip(track.artists, track.artist_urls, strict=True)
        ],
        "date_added": stay.added.isoformat(),
        "date_added_asterisk": False,
        "date_removed": stay.removed.isoformat() if stay.removed else None,
        "duration_ms": track.duration_ms,
        "name": track.title,
        "url": track.url,
    }


def cumulative_json(
    playlist_id: str, name: str, description: str, stays: Mapping[str, Stay], first: date
) -> str:
    return dumps(
        {
            "date_first_scraped": first.isoformat(),
            "description": description,
            "name": name,
            "published_playlist_ids": [],
            "tracks": [_track_json(stay) for stay in _cumulative_order(stays)],
            "url": f"{SPOTIFY}/playlist/{playlist_id}",
        }
    )
