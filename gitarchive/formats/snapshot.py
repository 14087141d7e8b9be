"""The JSON snapshot, ``playlists/pretty/<id>.json``: every field, lossless.

Keys and layout are spotify-playlist-archive's (``json.dumps(indent=2,
sort_keys=True)``, ASCII-escaped as its default), plus a final newline::

    {url, original_name, unique_name, description, snapshot_id, num_followers,
     owner: {name, url},
     tracks: [{url, name, album: {name, url}, artists: [{name, url}],
               duration_ms, added_at}]}

That project's first snapshots (2021) named the name ``name`` (no
``original_name``, ``unique_name``) and at first had no ``snapshot_id``,
``num_followers`` or ``owner``; the reader and validate take them as they are.

Missing URLs are "" (None in the model). ``added_at`` is "YYYY-MM-DD HH:MM:SS"
in UTC, or null; the reader also accepts ISO 8601 ("...T...Z", offsets) and
fractional seconds, and reads 1970-01-01T00:00:00 (Spotify's "unknown") as
None. ``duration_ms`` is an int, or null when unknown (plain-read tracks).
Unknown extra keys are ignored, so later additions stay readable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from gitarchive.errors import FormatError
from gitarchive.formats.sanitize import (
    clean_count,
    clean_link,
    count_problem,
    duration_problem,
    link_problem,
    read_duration,
)
from gitarchive.formats.text import load_json
from gitarchive.model import Album, Artist, Owner, Playlist, Track, playlist_url

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def format_added_at(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    # isoformat, not strftime: 3x faster, and %Y does not pad a year below 1000 (year 5
    # came out as "5-01-01 00:00:00", which parse_added_at does not read back)
    return value.isoformat(" ", "seconds")[:19]


def parse_added_at(text: str) -> datetime | None:
    """An aware UTC datetime; ValueError if ``text`` is not a date and time."""
    candidate = text.strip()
    if candidate.endswith(("Z", "z")):
        candidate = candidate[:-1] + "+00:00"
    value = datetime.fromisoformat(candidate)
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return None if value == _EPOCH else value


def _track_json(track: Track) -> dict[str, Any]:
    return {
        "url": track.url or "",
        "name": track.name,
        "album": {"name": track.album.name, "url": track.album.url or ""},
        "artists": [{"name": artist.name, "url": artist.url or ""} for artist in track.artists],
        "duration_ms": track.duration_ms,
        "added_at": format_added_at(track.added_at),
    }


def playlist_json(playlist: Playlist) -> dict[str, Any]:
    return {
        "url": playlist.url,
        "original_name": playlist.original_name,
        "unique_name": playlist.unique_name,
        "description": playlist.description,
        "snapshot_id": playlist.snapshot_id,
        "num_followers": playlist.num_followers,
        "owner": {"name": playlist.owner.name, "url": playlist.owner.url},
        "tracks": [_track_json(track) for track in playlist.tracks],
    }


def render_json_reference(playlist: Playlist) -> str:
    """The snapshot's text by definition; :func:`gitarchive.formats.render_json` is the
    same bytes, faster (see :mod:`gitarchive.formats.snapshot_text`)."""
    return json.dumps(playlist_json(playlist), indent=2, sort_keys=True) + "\n"


class _Reader:
    def __init__(self, path: str | None) -> None:
        self.path = path

    def fail(self, where: str, what: str) -> FormatError:
        return FormatError(f"{where}: {what}", path=self.path)

    def obj(self, value: object, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected an object, got {_kind(value)}")
        return value

    def field(self, data: dict[str, Any], key: str, where: str) -> Any:
        if key not in data:
            raise self.fail(where, f"missing key {key!r}")
        return data[key]

    def string(self, data: dict[str, Any], key: str, where: str) -> str:
        value = self.field(data, key, where)
        if not isinstance(value, str):
            raise self.fail(f"{where}.{key}", f"expected a string, got {_kind(value)}")
        return value

    def url(self, data: dict[str, Any], key: str, where: str) -> str | None:
        if data.get(key) is None:
            return None  # tolerate null and missing as "no URL"
        # a link outside the grammar is never handed on (validate reports it: GA031)
        return clean_link(self.string(data, key, where))

    def optional_int(self, data: dict[str, Any], key: str, where: str) -> int | None:
        """A whole number or null; out of the grammar's bounds it reads as unknown (None)."""
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(f"{where}.{key}", f"expected a whole number >= 0, got {_kind(value)}")
        return read_duration(value) if key == "duration_ms" else clean_count(value)

    def track(self, value: object, where: str) -> Track:
        data = self.obj(value, where)
        album = self.obj(self.field(data, "album", where), f"{where}.album")
        artists = self.field(data, "artists", where)
        if not isinstance(artists, list):
            raise self.fail(f"{where}.artists", f"expected a list, got {_kind(artists)}")
        artist_list = []
        for position, item in enumerate(artists):
            artist_where = f"{where}.artists[{position}]"
            artist = self.obj(item, artist_where)
            artist_list.append(
                Artist(
                    name=self.string(artist, "name", artist_where),
                    url=self.url(artist, "url", artist_where),
                )
            )
        added_raw = data.get("added_at")
        added_at = None
        if added_raw is not None:
            if not isinstance(added_raw, str):
                raise self.fail(f"{where}.added_at", f"expected a string, got {_kind(added_raw)}")
            try:
                added_at = parse_added_at(added_raw)
            except (ValueError, OverflowError):  # e.g. year 1 with a positive offset
                what = f"not a date and time: {added_raw!r}"
                raise self.fail(f"{where}.added_at", what) from None
        return Track(
            name=self.string(data, "name", where),
            artists=tuple(artist_list),
            album=Album(
                name=self.string(album, "name", f"{where}.album"),
                url=self.url(album, "url", f"{where}.album"),
            ),
            url=self.url(data, "url", where),
            duration_ms=self.optional_int(data, "duration_ms", where),
            added_at=added_at,
        )


def _kind(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    for kind, name in names.items():
        if isinstance(value, kind):
            return name
    return "a number" if isinstance(value, int | float) else type(value).__name__


def read_json(text: str, playlist_id: str, *, path: str | None = None) -> Playlist:
    try:
        raw = load_json(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno) from None
    return read_json_data(raw, playlist_id, path=path)


def read_json_track(text: str, *, path: str | None = None) -> Track:
    """One object of a snapshot's ``tracks`` list, as :func:`read_json` reads it there.

    For the version readers, which parse each distinct track block of a
    snapshot once (a new snapshot mostly repeats the previous one's blocks).
    """
    try:
        raw = load_json(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno) from None
    return read_json_track_data(raw, path=path)


def read_json_track_data(raw: object, *, path: str | None = None) -> Track:
    """:func:`read_json_track` of an object already parsed by ``json``."""
    track = _usual_track(raw)
    return _Reader(path).track(raw, "tracks[]") if track is None else track


def _usual_track(raw: object) -> Track | None:
    """The track ``_Reader.track`` reads from ``raw`` when every field has its usual type,
    without building the error locations it needs only on failure; None otherwise (the
    reader then reads it, with its exact message)."""
    if type(raw) is not dict:
        return None
    album, artists, name = raw.get("album"), raw.get("artists"), raw.get("name")
    if type(album) is not dict or type(artists) is not list or type(name) is not str:
        return None
    album_name = album.get("name")
    if type(album_name) is not str:
        return None
    artist_list = []
    for artist in artists:
        if type(artist) is not dict or type(artist_name := artist.get("name")) is not str:
            return None
        artist_list.append(Artist(name=artist_name, url=_usual_url(artist.get("url"))))
    duration, added_raw = raw.get("duration_ms"), raw.get("added_at")
    if not (duration is None or type(duration) is int) or not (
        added_raw is None or type(added_raw) is str
    ):
        return None
    try:
        added_at = None if added_raw is None else parse_added_at(added_raw)
    except (ValueError, OverflowError):
        return None
    url, album_url = raw.get("url"), album.get("url")
    if _odd_url(url) or _odd_url(album_url) or any(_odd_url(a.get("url")) for a in artists):
        return None
    return Track(
        name=name,
        artists=tuple(artist_list),
        album=Album(name=album_name, url=_usual_url(album_url)),
        url=_usual_url(url),
        duration_ms=None if duration is None else read_duration(duration),
        added_at=added_at,
    )


def _odd_url(value: object) -> bool:
    """A link the reader rejects (neither null nor a string): its message is the reader's."""
    return value is not None and type(value) is not str


def _usual_url(value: object) -> str | None:
    return clean_link(value) if type(value) is str else None


def read_json_data(raw: object, playlist_id: str, *, path: str | None = None) -> Playlist:
    """:func:`read_json` of a document already parsed by ``json.loads``."""
    reader = _Reader(path)
    data = reader.obj(raw, "top level")
    url = data.get("url")
    if isinstance(url, str) and url and url.rstrip("/") != playlist_url(playlist_id):
        tail = url.rstrip("/").rsplit("/", 1)[-1]
        if tail != playlist_id:
            raise reader.fail("url", f"is for another playlist: {url!r}")
    tracks = reader.field(data, "tracks", "top level")
    if not isinstance(tracks, list):
        raise reader.fail("tracks", f"expected a list, got {_kind(tracks)}")
    owner_raw = data.get("owner")
    owner = Owner(name="", url="")
    if owner_raw is not None:
        owner_data = reader.obj(owner_raw, "owner")
        owner = Owner(
            name=reader.string(owner_data, "name", "owner"),
            url=reader.url(owner_data, "url", "owner") or "",
        )
    # spotify-playlist-archive's first snapshots (2021) have "name", no original_name
    name_key = "name" if "original_name" not in data and "name" in data else "original_name"
    original_name = reader.string(data, name_key, "top level")
    unique_name = data.get("unique_name")
    if unique_name is None:
        unique_name = original_name  # the oldest snapshots have no unique_name
    elif not isinstance(unique_name, str):
        raise reader.fail("unique_name", f"expected a string, got {_kind(unique_name)}")
    snapshot_id = data.get("snapshot_id")
    if snapshot_id is not None and not isinstance(snapshot_id, str):
        raise reader.fail("snapshot_id", f"expected a string, got {_kind(snapshot_id)}")
    return Playlist(
        id=playlist_id,
        original_name=original_name,
        unique_name=unique_name,
        description=reader.string(data, "description", "top level"),
        tracks=tuple(
            reader.track(track, f"tracks[{position}]") for position, track in enumerate(tracks)
        ),
        snapshot_id=snapshot_id or "",
        num_followers=reader.optional_int(data, "num_followers", "top level"),
        owner=owner,
    )


# what moves between most consecutive snapshots of a playlist (the likes daily)
_MOVING = frozenset({"num_followers", "snapshot_id"})


def reread_json_data(
    raw: dict[str, Any], earlier: dict[str, Any], read: Playlist, *, path: str | None = None
) -> Playlist | None:
    """:func:`read_json_data` of ``raw`` when it differs from ``earlier`` (which read as
    ``read``) only in its likes and snapshot id, without reading the rest again; None
    when anything else differs."""
    if raw.keys() != earlier.keys():
        return None
    for key, value in raw.items():
        if key not in _MOVING and earlier[key] != value:
            return None
    reader = _Reader(path)
    snapshot_id = raw.get("snapshot_id")
    if snapshot_id is not None and not isinstance(snapshot_id, str):
        raise reader.fail("snapshot_id", f"expected a string, got {_kind(snapshot_id)}")
    likes = reader.optional_int(raw, "num_followers", "top level")
    return Playlist(  # every field (what dataclasses.replace does, in a fifth of its time)
        id=read.id,
        original_name=read.original_name,
        unique_name=read.unique_name,
        description=read.description,
        tracks=read.tracks,
        snapshot_id=snapshot_id or "",
        num_followers=likes,
        owner=read.owner,
    )


# The shape sync writes, key by key: what ``gitarchive validate`` requires (GA031).
# The reader above is more tolerant (older snapshots lack some keys).
_STR = (str,)
_NAMED_KEYS: dict[str, tuple[type, ...]] = {"name": _STR, "url": _STR}
_TRACK_KEYS: dict[str, tuple[type, ...]] = {
    "url": _STR,
    "name": _STR,
    "album": (dict,),
    "artists": (list,),
    "duration_ms": (int, type(None)),  # null: unknown (a track read from a plain file)
    "added_at": (str, type(None)),
}
_TOP_KEYS: dict[str, tuple[type, ...]] = {
    "url": _STR,
    "original_name": _STR,
    "unique_name": _STR,
    "description": _STR,
    "snapshot_id": _STR,
    "num_followers": (int, type(None)),
    "owner": (dict,),
    "tracks": (list,),
}


def _type_problems(value: Any, keys: Mapping[str, tuple[type, ...]], where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where or 'the snapshot'} is not an object"]
    problems: list[str] = []
    for key, types in keys.items():
        label = f"{where}.{key}" if where else key
        if key not in value:
            problems.append(f"missing {label}")
        elif isinstance(value[key], bool) or not isinstance(value[key], types):
            wanted = " or ".join("null" if t is type(None) else t.__name__ for t in types)
            problems.append(f"{label} is {type(value[key]).__name__}, expected {wanted}")
    return problems


def _link_problems(value: Any, where: str) -> list[str]:
    """A named object's (or a track's) ``url``: empty, or a link of the grammar."""
    url = value.get("url") if isinstance(value, dict) else None
    if isinstance(url, str) and url and (problem := link_problem(url)) is not None:
        return [f"{where}.url {problem}"]
    return []


def _track_problems(track: Any, where: str) -> list[str]:
    problems = _type_problems(track, _TRACK_KEYS, where)
    if not isinstance(track, dict):
        return problems
    duration = track.get("duration_ms")
    if type(duration) is int and (problem := duration_problem(duration)) is not None:
        # the Spotify client's rule (formats.sanitize): what it accepts, validate accepts
        problems.append(f"{where}.duration_ms {problem}")
    problems += _link_problems(track, where)
    if isinstance(track.get("album"), dict):
        problems += _type_problems(track["album"], _NAMED_KEYS, f"{where}.album")
        problems += _link_problems(track["album"], f"{where}.album")
    if isinstance(track.get("artists"), list):
        for position, artist in enumerate(track["artists"]):
            label = f"{where}.artists[{position}]"
            problems += _type_problems(artist, _NAMED_KEYS, label)
            problems += _link_problems(artist, label)
    return problems


# spotify-playlist-archive's first snapshots (2021): "name" for the name, and at first
# no snapshot_id, num_followers or owner; those are checked only where present.
_FIRST_TOP_KEYS: dict[str, tuple[type, ...]] = {
    "url": _STR,
    "name": _STR,
    "description": _STR,
    "tracks": (list,),
}
_FIRST_OPTIONAL_KEYS = ("snapshot_id", "num_followers", "owner")


def _top_keys(document: dict[str, Any]) -> dict[str, tuple[type, ...]]:
    if "original_name" in document or "name" not in document:
        return _TOP_KEYS
    present = {key: _TOP_KEYS[key] for key in _FIRST_OPTIONAL_KEYS if key in document}
    return {**_FIRST_TOP_KEYS, **present}


def shape_problems(document: Any) -> list[str]:
    """Missing keys and wrong types of a snapshot, as 'tracks[3].album.url is int...' lines."""
    keys = _top_keys(document) if isinstance(document, dict) else _TOP_KEYS
    problems = _type_problems(document, keys, "")
    if not isinstance(document, dict):
        return problems
    if isinstance(document.get("owner"), dict):
        problems += _type_problems(document["owner"], _NAMED_KEYS, "owner")
        problems += _link_problems(document["owner"], "owner")
    likes = document.get("num_followers")
    if type(likes) is int and (problem := count_problem(likes)) is not None:
        problems.append(f"num_followers {problem}")
    tracks = document.get("tracks")
    if isinstance(tracks, list):
        for number, track in enumerate(tracks):
            problems += _track_problems(track, f"tracks[{number}]")
    return problems


def key_line(text: str, problem: str) -> int | None:
    """Best effort: the line of the top-level key a problem names."""
    match = re.match(r"(?:missing )?(\w+)", problem)
    if match is None or problem.startswith("tracks["):
        return None
    found = re.search(rf'^\s*"{match.group(1)}":', text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else None
