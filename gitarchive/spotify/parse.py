"""Spotify Web API JSON → model: pure functions, strict about types.

The API's shape drifts (``item`` replaced ``track`` in 2026; ``followers`` and
``popularity`` may be missing; old entries carry ``added_at`` null or the Unix
epoch), so every field is read through a checker that names the path of a value
with the wrong type. A bad value becomes an ``InvalidResponse`` for that one
playlist instead of a crash of the whole sync. Text and numbers pass through
:mod:`gitarchive.formats.sanitize`, the rule set the validator uses too: names
lose control characters, a blank playlist name becomes the caller's fallback,
null or implausible durations are clamped, follower counts out of bounds are unknown,
and a link outside the ``https://open.spotify.com/<kind>/<id>`` grammar is no link.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from gitarchive.errors import InvalidResponse, redacted_excerpt
from gitarchive.formats.sanitize import (
    MAX_DURATION_MS,
    clean_count,
    clean_description,
    clean_duration,
    clean_link,
    clean_name,
    clean_playlist_name,
)
from gitarchive.model import SPOTIFY_WEB, Album, Artist, Owner, Playlist, Track

if TYPE_CHECKING:
    from collections.abc import Sequence

_ID_RE = re.compile(r"^[0-9A-Za-z]{22}$")
_UNKNOWN_ADDED_AT = "1970-01-01T00:00:00Z"


@dataclass(frozen=True, slots=True)
class ParseStats:
    """What parse_playlist had to leave out or could not know."""

    unavailable: int = 0  # entries whose item was null (removed from Spotify, region-locked)
    local_files: int = 0
    episodes: int = 0
    shapeless: int = 0  # entries carrying neither `item` nor `track`: an API shape we do not know
    tracks: int = 0  # entries that became tracks (local files and episodes included)
    unknown_durations: int = 0  # durations null, negative or implausibly long: clamped
    blank_name: bool = False  # Spotify sent a blank playlist name; the fallback stands in


class _Reader:
    """Typed access to decoded JSON; errors name the JSON path and the playlist."""

    def __init__(self, playlist_id: str | None) -> None:
        self.playlist_id = playlist_id

    def fail(self, where: str, expected: str, value: object) -> InvalidResponse:
        got = "null" if value is None else type(value).__name__
        return InvalidResponse(
            f"Spotify sent invalid data: {where} should be {expected}, not {got}",
            playlist=self.playlist_id,
        )

    def obj(self, value: object, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "an object", value)
        return value

    def opt_obj(self, parent: dict[str, Any], key: str, where: str) -> dict[str, Any] | None:
        value = parent.get(key)
        return None if value is None else self.obj(value, f"{where}.{key}")

    def lst(self, value: object, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(where, "a list", value)
        return value

    def opt_str(self, parent: dict[str, Any], key: str, where: str) -> str | None:
        value = parent.get(key)
        if value is None or isinstance(value, str):
            return value
        raise self.fail(f"{where}.{key}", "a string", value)

    def opt_int(self, parent: dict[str, Any], key: str, where: str) -> int | None:
        value = parent.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{where}.{key}", "an integer", value)
        return value

    def opt_bool(self, parent: dict[str, Any], key: str, where: str) -> bool:
        value = parent.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", "true or false", value)
        return value

    def url(self, node: dict[str, Any], kind: str, where: str) -> str | None:
        """The open.spotify.com URL of an object: from its id, else external_urls.spotify."""
        object_id = self.opt_str(node, "id", where)
        if object_id and _ID_RE.match(object_id):
            return f"{SPOTIFY_WEB}/{kind}/{object_id}"
        external = self.opt_obj(node, "external_urls", where)
        if external is not None:
            # only a link of the grammar: never javascript:, another host or a query
            return clean_link(self.opt_str(external, "spotify", f"{where}.external_urls"))
        return None


def parse_added_at(value: str | None, reader: _Reader, where: str) -> datetime | None:
    if value is None or value == "" or value == _UNKNOWN_ADDED_AT:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise reader.fail(where, "an ISO 8601 time", value) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    parsed = parsed.astimezone(UTC)
    if parsed.year <= 1970 and parsed == datetime(1970, 1, 1, tzinfo=UTC):
        return None
    return parsed


def _plain_track(entry: object) -> Track | None:
    """The common case, fast: a well-typed, linkable track; None for anything else.

    ``str.isprintable`` (C speed) is stricter than the sanitize rules: names it
    refuses (control characters, but also e.g. no-break spaces) take the slow path,
    which cleans exactly the sanitize set.

    Syncs parse hundreds of thousands of entries; building paths for error messages
    up front cost more than the HTTP requests. Anything unusual (or wrong) goes to
    the validating reader below, which gives the same Track or a precise error.
    """
    if type(entry) is not dict:
        return None
    item = _plain_item(entry)
    if item is None:
        return None
    name, duration, track_id = item["name"], item["duration_ms"], item["id"]
    album = _plain_album(item["album"])
    linked = _plain_artists(item["artists"])
    if album is None or linked is None:
        return None
    added = entry.get("added_at")
    if added is None or added == _UNKNOWN_ADDED_AT:
        added_at = None
    else:
        added_at = _plain_added_at(added)
        if added_at is None:
            return None
    return Track(
        name=name,
        artists=tuple(linked),
        album=album,
        url=f"{SPOTIFY_WEB}/track/{track_id}",
        duration_ms=duration,
        added_at=added_at,
    )


def _plain_item(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The entry's track object when its name, duration, id, album and artists are
    well-typed and plain; None sends the entry to the validating reader."""
    item = entry.get("item", entry.get("track"))
    if type(item) is not dict or entry.get("is_local") or item.get("is_local"):
        return None
    if item.get("type", "track") != "track" or item.get("episode"):
        return None
    name, duration, track_id = item.get("name"), item.get("duration_ms"), item.get("id")
    if (
        type(name) is not str
        or type(duration) is not int
        or not 0 <= duration <= MAX_DURATION_MS
        or not name.isprintable()
        or type(track_id) is not str
        or type(item.get("album")) is not dict
        or type(item.get("artists")) is not list
        or not _ID_RE.match(track_id)
    ):
        return None
    return item


def _plain_album(album: dict[str, Any]) -> Album | None:
    album_name, album_id = album.get("name"), album.get("id")
    if type(album_name) is not str or type(album_id) is not str or not _ID_RE.match(album_id):
        return None
    if not album_name.isprintable():
        return None
    return Album(album_name, f"{SPOTIFY_WEB}/album/{album_id}")


def _plain_artists(artists: list[Any]) -> list[Artist] | None:
    linked: list[Artist] = []
    for artist in artists:
        if type(artist) is not dict:
            return None
        artist_name, artist_id = artist.get("name"), artist.get("id")
        if type(artist_name) is not str or type(artist_id) is not str:
            return None
        if not _ID_RE.match(artist_id) or not artist_name.isprintable():
            return None
        linked.append(Artist(artist_name, f"{SPOTIFY_WEB}/artist/{artist_id}"))
    return linked


def _plain_added_at(added: object) -> datetime | None:
    if type(added) is not str or len(added) != 20 or added[-1] != "Z":
        return None
    try:
        return datetime.fromisoformat(added)
    except ValueError:
        return None


def _parse_entry(reader: _Reader, entry: object, where: str) -> tuple[Track | None, str]:
    """One playlist entry → (Track, kind) or (None, "unavailable" | "shapeless").

    Entries carry ``item`` (2026), ``track`` (before), or both during the rollout:
    the first that holds an object wins. Neither key is a shape we do not know.
    """
    node = reader.obj(entry, where)
    if "item" not in node and "track" not in node:
        return None, "shapeless"
    item_key = "item" if isinstance(node.get("item"), dict) or "track" not in node else "track"
    item = node.get(item_key)
    if item is None or item is False:
        return None, "unavailable"
    where_item = f"{where}.{item_key}"
    item = reader.obj(item, where_item)
    added_at = parse_added_at(reader.opt_str(node, "added_at", where), reader, f"{where}.added_at")
    is_local = reader.opt_bool(node, "is_local", where) or reader.opt_bool(
        item, "is_local", where_item
    )
    name = clean_name(reader.opt_str(item, "name", where_item) or "")
    raw_duration = reader.opt_int(item, "duration_ms", where_item)
    duration = clean_duration(raw_duration)
    kind_suffix = "+unknown_duration" if duration != raw_duration else ""
    album = _entry_album(reader, item, where_item, is_local=is_local)
    artists = _entry_artists(reader, item, where_item, is_local=is_local)
    show_node = reader.opt_obj(item, "show", where_item)
    if not artists and show_node is not None:
        publisher = reader.opt_str(show_node, "publisher", f"{where_item}.show")
        artists.append(Artist(name=clean_name(publisher or album.name), url=None))
    kind = _entry_kind(reader, item, where_item, is_local=is_local)
    url = None if kind == "local" else reader.url(item, kind, where_item)
    track = Track(
        name=name,
        artists=tuple(artists),
        album=album,
        url=url,
        duration_ms=duration,
        added_at=added_at,
    )
    return track, kind + kind_suffix


def _entry_kind(reader: _Reader, item: dict[str, Any], where_item: str, *, is_local: bool) -> str:
    """ "local", "episode" or "track": what the entry is, and the kind of its link."""
    item_type = reader.opt_str(item, "type", where_item) or "track"
    is_episode = item_type == "episode" or reader.opt_bool(item, "episode", where_item) is True
    if is_local:
        return "local"
    return "episode" if is_episode else "track"


def _entry_artists(
    reader: _Reader, item: dict[str, Any], where_item: str, *, is_local: bool | None
) -> list[Artist]:
    artists: list[Artist] = []
    raw_artists = item.get("artists")
    if raw_artists is None:
        return artists
    for index, raw in enumerate(reader.lst(raw_artists, f"{where_item}.artists")):
        where_artist = f"{where_item}.artists[{index}]"
        artist = reader.obj(raw, where_artist)
        artists.append(
            Artist(
                name=clean_name(reader.opt_str(artist, "name", where_artist) or ""),
                url=None if is_local else reader.url(artist, "artist", where_artist),
            )
        )
    return artists


def _entry_album(
    reader: _Reader, item: dict[str, Any], where_item: str, *, is_local: bool | None
) -> Album:
    album_node = reader.opt_obj(item, "album", where_item)
    show_node = reader.opt_obj(item, "show", where_item)
    if album_node is not None:
        return Album(
            name=clean_name(reader.opt_str(album_node, "name", f"{where_item}.album") or ""),
            url=None if is_local else reader.url(album_node, "album", f"{where_item}.album"),
        )
    if show_node is not None:  # an episode: its show stands in for the album
        return Album(
            name=clean_name(reader.opt_str(show_node, "name", f"{where_item}.show") or ""),
            url=reader.url(show_node, "show", f"{where_item}.show"),
        )
    return Album(name="")


def parse_playlist_with_stats(
    meta: dict[str, Any],
    entries: Sequence[object],
    *,
    playlist_id: str | None = None,
    name_fallback: str | None = None,
) -> tuple[Playlist, ParseStats]:
    """Like :func:`parse_playlist`, also counting the entries it skipped or could not link.

    A blank name becomes ``name_fallback`` (sync passes the previous name), else the id.
    Metadata without the playlist's id (``{}``, an error page's JSON) is invalid.
    """
    reader = _Reader(playlist_id)
    meta = reader.obj(meta, "playlist")
    playlist_id = _answer_id(reader, meta, playlist_id)
    raw_name = reader.opt_str(meta, "name", "playlist") or ""
    name = clean_playlist_name(raw_name, name_fallback or playlist_id)
    description = clean_description(
        html.unescape(reader.opt_str(meta, "description", "playlist") or "")
    )
    snapshot_id = clean_name(reader.opt_str(meta, "snapshot_id", "playlist") or "")
    followers_node = reader.opt_obj(meta, "followers", "playlist")
    followers = (
        None
        if followers_node is None
        else clean_count(reader.opt_int(followers_node, "total", "playlist.followers"))
    )
    tracks, counts = _parse_entries(reader, entries)
    playlist = Playlist(
        id=playlist_id,
        original_name=name,
        unique_name=name,
        description=description,
        tracks=tuple(tracks),
        snapshot_id=snapshot_id,
        num_followers=followers,
        owner=_owner(reader, meta),
    )
    stats = ParseStats(
        unavailable=counts["unavailable"],
        local_files=counts["local"],
        episodes=counts["episode"],
        shapeless=counts["shapeless"],
        tracks=len(tracks),
        unknown_durations=counts["unknown_durations"],
        blank_name=not raw_name.strip(),
    )
    return playlist, stats


def _answer_id(reader: _Reader, meta: dict[str, Any], playlist_id: str | None) -> str:
    """The playlist id the answer is for: the one asked for, or else the answer's own."""
    found_id = reader.opt_str(meta, "id", "playlist")
    if not found_id:
        raise reader.fail("playlist.id", "the playlist's id", meta.get("id"))
    if playlist_id is None:
        reader.playlist_id = found_id
        return found_id
    if found_id != playlist_id:
        shown = redacted_excerpt(found_id, 40)
        raise InvalidResponse(
            f"Spotify sent invalid data: the answer is for playlist {shown!r}",
            playlist=playlist_id,
        )
    return playlist_id


def _owner(reader: _Reader, meta: dict[str, Any]) -> Owner:
    owner_node = reader.opt_obj(meta, "owner", "playlist") or {}
    owner_name = clean_name(
        reader.opt_str(owner_node, "display_name", "playlist.owner")
        or reader.opt_str(owner_node, "id", "playlist.owner")
        or ""
    )
    owner_id = reader.opt_str(owner_node, "id", "playlist.owner")
    owner_url = clean_link(f"{SPOTIFY_WEB}/user/{owner_id}") if owner_id else None
    if owner_url is None:
        external = reader.opt_obj(owner_node, "external_urls", "playlist.owner") or {}
        owner_url = clean_link(reader.opt_str(external, "spotify", "playlist.owner.external_urls"))
    return Owner(name=owner_name, url=owner_url or "")


def _parse_entries(
    reader: _Reader, entries: Sequence[object]
) -> tuple[list[Track], dict[str, int]]:
    """The tracks, and counts per entry kind (plus ``unknown_durations``)."""
    tracks: list[Track] = []
    counts = {"unavailable": 0, "local": 0, "episode": 0, "track": 0, "shapeless": 0}
    unknown_durations = 0
    for index, entry in enumerate(entries):
        track = _plain_track(entry)
        if track is not None:
            tracks.append(track)
            counts["track"] += 1
            continue
        track, kind = _parse_entry(reader, entry, f"items[{index}]")
        kind, _, unknown = kind.partition("+")
        unknown_durations += bool(unknown)
        counts[kind] += 1
        if track is not None:
            tracks.append(track)
    counts["unknown_durations"] = unknown_durations
    return tracks, counts


def parse_playlist(meta: dict[str, Any], entries: Sequence[object]) -> Playlist:
    """Playlist metadata (``GET /playlists/{id}``) plus its entries → a model Playlist.

    Null items (tracks no longer available) are skipped; local files keep no
    url; episodes link to open.spotify.com/episode/<id>; added_at null or the
    epoch means unknown (None); missing followers means unknown (None).
    Raises InvalidResponse naming the JSON path of any value of the wrong type.
    """
    return parse_playlist_with_stats(meta, entries)[0]
