"""Files of current spotify-playlist-archive clones that gitarchive reads but never writes.

Shapes as that project writes them (``json.dumps(indent=2, sort_keys=True)``):

- ``playlists/cumulative/<id>.json``: ``{date_first_scraped: "YYYY-MM-DD", name,
  description, tracks: [{url, name, album{name,url}, artists[{name,url}],
  duration_ms, date_added: "YYYY-MM-DD", date_added_asterisk: bool,
  date_removed: "YYYY-MM-DD" | null}]}``, and in later versions ``url`` and
  ``published_playlist_ids: [id]``; the first writer of this file called
  ``date_first_scraped`` ``date_initialized``;
- ``playlists/followers/<id>.json``: likes by day, ``{"YYYY-MM-DD": count}``
  (count null when Spotify did not say);
- ``playlists/metadata/metadata-full.json``: ``{id: {url, original_name,
  unique_name, description, snapshot_id, num_followers, owner{name,url}}}``;
  ``metadata-compact.json``: ``{id: name}``; ``*.br`` are brotli-compressed
  copies of those (binary, not read).

Each ``*_problems`` function lists what is wrong with a parsed document, as
"tracks[3].date_added is not a date" lines; an empty list means the shape holds.
"""

from __future__ import annotations

from typing import Any

from gitarchive.formats.cumulative import parse_day
from gitarchive.formats.sanitize import MAX_COUNT, count_problem
from gitarchive.model import is_playlist_id

_NAMED = {"name": str, "url": str}


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _keys(
    value: Any, keys: dict[str, Any], where: str, *, optional: tuple[str, ...] = ()
) -> list[str]:
    label = where or "the document"
    if not isinstance(value, dict):
        return [f"{label} is {_kind(value)}, expected an object"]
    problems = []
    for key, wanted in keys.items():
        if key not in value:
            if key not in optional:
                problems.append(f"missing {where + '.' if where else ''}{key}")
        elif isinstance(value[key], bool) is not (wanted is bool) or not isinstance(
            value[key], wanted
        ):
            got = _kind(value[key])
            expected = wanted.__name__
            problems.append(f"{where + '.' if where else ''}{key} is {got}, expected {expected}")
    return problems


def _day_problem(value: Any, where: str, *, nullable: bool = False) -> list[str]:
    if value is None and nullable:
        return []
    if not isinstance(value, str) or parse_day(value) is None:
        return [f"{where} is {value!r}, expected a YYYY-MM-DD date"]
    return []


_CUMULATIVE_TRACK = {
    "url": str,
    "name": str,
    "album": dict,
    "artists": list,
    "duration_ms": int,
    "date_added_asterisk": bool,
}


def _cumulative_track_problems(track: Any, where: str) -> list[str]:
    problems = _keys(track, _CUMULATIVE_TRACK, where)
    if not isinstance(track, dict):
        return problems
    if isinstance(track.get("album"), dict):
        problems += _keys(track["album"], _NAMED, f"{where}.album")
    for position, artist in enumerate(track.get("artists") or []):
        problems += _keys(artist, _NAMED, f"{where}.artists[{position}]")
    problems += _day_problem(track.get("date_added"), f"{where}.date_added")
    problems += _day_problem(track.get("date_removed"), f"{where}.date_removed", nullable=True)
    return problems


def cumulative_json_problems(document: Any) -> list[str]:
    wanted = {"name": str, "description": str, "tracks": list, "url": str}
    problems = _keys(document, wanted, "", optional=("url",))
    if not isinstance(document, dict):
        return problems
    # the writer's field was "date_initialized" before it was renamed "date_first_scraped"
    first = "date_first_scraped" if "date_first_scraped" in document else "date_initialized"
    problems += _day_problem(document.get(first), first)
    published = document.get("published_playlist_ids", [])
    if not isinstance(published, list) or not all(isinstance(i, str) for i in published):
        problems.append("published_playlist_ids is not a list of playlist ids")
    for number, track in enumerate(document.get("tracks") or []):
        problems += _cumulative_track_problems(track, f"tracks[{number}]")
    return problems


def followers_problems(document: Any) -> list[str]:
    if not isinstance(document, dict):
        return [f"the document is {_kind(document)}, expected an object"]
    problems = []
    for day, count in document.items():
        problems += _day_problem(day, f"key {day!r}")
        if count_problem(count) is not None:
            shown = repr(count)[:40]
            problems.append(f"{day} is {shown}, expected a whole number in 0..{MAX_COUNT} or null")
    return problems


_METADATA_ENTRY = {
    "url": str,
    "original_name": str,
    "unique_name": str,
    "description": str,
    "snapshot_id": str,
    "owner": dict,
}


def _metadata_entry_problems(entry: Any, where: str) -> list[str]:
    if isinstance(entry, str):
        return []  # metadata-compact.json: id -> name
    problems = _keys(entry, _METADATA_ENTRY, where)
    if isinstance(entry, dict):
        if isinstance(entry.get("owner"), dict):
            problems += _keys(entry["owner"], _NAMED, f"{where}.owner")
        likes = entry.get("num_followers")
        if likes is not None and (not isinstance(likes, int) or isinstance(likes, bool)):
            problems.append(f"{where}.num_followers is {_kind(likes)}, expected int or null")
        elif (problem := count_problem(likes)) is not None:
            problems.append(f"{where}.num_followers {problem}")
    return problems


def metadata_problems(document: Any) -> list[str]:
    """``metadata-full.json`` (id -> playlist summary) or ``metadata-compact.json`` (id -> name)."""
    if not isinstance(document, dict):
        return [f"the document is {_kind(document)}, expected an object"]
    problems = []
    for key, entry in document.items():
        if not is_playlist_id(key):
            problems.append(f"key {key!r} is not a playlist id")
        problems += _metadata_entry_problems(entry, str(key))
    return problems
