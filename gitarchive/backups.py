"""``gitarchive import FILE``: another tool's backup of a playlist as one dated version.

Read here: an Exportify CSV (github.com/watsonbox/exportify: one playlist per
file, its "Track URI", "Track Name", "Artist URI(s)", "Artist Name(s)", ...
columns; older files' "Spotify URI" and "Artist Name" too), and a
spotify-backup file (github.com/caseychu/spotify-backup): its JSON, a list of
the Web API's playlist objects with their items (newer versions: under
``"playlists"``), or its tab-separated text, a playlist's name on a line, then
``name<TAB>artists<TAB>album<TAB>uri[<TAB>release date]`` per track and a
blank line. The version then goes through :func:`importing.import_playlist`:
the same insert-before-the-first-version rules, the same refusal to rewrite
pushed history. Every file is hostile input: bad values become one error
naming the file and line, names are cleaned as the API's are.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitarchive import importing, versions
from gitarchive.errors import FormatError, InvalidResponse, UsageError
from gitarchive.exports.playlist import url_of
from gitarchive.formats.sanitize import MAX_DURATION_MS, clean_name, clean_playlist_name
from gitarchive.history import Version
from gitarchive.model import LIKED_SONGS_ID, LIKED_SONGS_NAME, Album, Artist, Playlist, Track
from gitarchive.spotify.parse import parse_playlist
from gitarchive.version_reader import JSON

if TYPE_CHECKING:
    from gitarchive.git import Identity, Store
    from gitarchive.importing import ImportResult

MAX_BYTES = 64 * 1024 * 1024  # far above any real playlist's backup (10,000 tracks: ~5 MB)
_ARTIST_SEPARATOR = re.compile(r"(?<!\\), ")


def is_backup_file(spec: str) -> bool:
    """Whether ``import SPEC`` names a file (a backup), not an archive or a URL."""
    return not importing.is_url(spec) and Path(spec).expanduser().is_file()


def _load(path: Path) -> tuple[str, str]:
    """The file's text and a short digest that names it in commit messages."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise FormatError(f"larger than {MAX_BYTES // 2**20} MiB: not a backup", path=str(path))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(f"not UTF-8 text (byte {exc.start})", path=str(path)) from None
    return text, "sha256:" + hashlib.sha256(data).hexdigest()[:16]


def read_backup(path: Path, playlist_id: str, name: str) -> Playlist:
    """The playlist ``playlist_id`` in the backup at ``path``; ``name`` if the file has none."""
    text, _ = _load(path)
    return _parse(text, str(path), playlist_id, name)


def _parse(text: str, where: str, playlist_id: str, name: str) -> Playlist:
    if text.lstrip().startswith(("[", "{")):
        return _from_backup_json(text, where, playlist_id, name)
    header = next(csv.reader([text.split("\n", 1)[0]]), [])
    if "Track URI" in header or "Spotify URI" in header:
        tracks = _from_exportify(text, where)
        return Playlist(id=playlist_id, original_name=name, unique_name=name, tracks=tracks)
    if "\t" in text:
        return _from_backup_text(text, where, playlist_id, name)
    raise FormatError(
        'neither an Exportify CSV (a "Track URI" column) nor a spotify-backup file '
        "(JSON, or tab-separated text)",
        path=where,
    )


# ------------------------------------------------------------------ Exportify


def _split_artists(text: str) -> list[str]:
    """Exportify's "Artist Name(s)": joined with ", ", a comma inside a name as ``\\,``."""
    if not text.strip():
        return []
    return [clean_name(part.replace("\\,", ",")) for part in _ARTIST_SEPARATOR.split(text)]


def _duration(text: str, where: str, line: int) -> int | None:
    value = text.strip()
    if not value:
        return None
    # str.isdigit() takes '²' and other digits int() refuses: ASCII digits only
    digits = value.isascii() and value.isdigit()
    if not digits or len(value) > 12 or int(value) > MAX_DURATION_MS:
        raise FormatError(f"Track Duration (ms) {value[:40]!r} is not a duration", path=where,
                          line=line)  # fmt: skip
    return int(value)


def _moment(text: str) -> datetime | None:
    value = text.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None  # Spotify's own "unknown" is a null: an unreadable time is unknown too
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _exportify_track(row: dict[str, str], where: str, line: int) -> Track:
    def field(*names: str) -> str:
        return next((row[n] for n in names if row.get(n) is not None), "")

    uri = field("Track URI", "Spotify URI")
    names = _split_artists(field("Artist Name(s)", "Artist Name"))
    uris = [part.strip() for part in field("Artist URI(s)").split(",") if part.strip()]
    links = [url_of(u, "artist") for u in uris] if len(uris) == len(names) else []
    return Track(
        name=clean_name(field("Track Name")),
        artists=tuple(
            Artist(artist, links[i] if links else None) for i, artist in enumerate(names)
        ),
        album=Album(clean_name(field("Album Name")), url_of(field("Album URI"), "album")),
        url=url_of(uri, "track") or url_of(uri, "episode"),
        duration_ms=_duration(field("Track Duration (ms)"), where, line),
        added_at=_moment(field("Added At")),
    )


def _from_exportify(text: str, where: str) -> tuple[Track, ...]:
    # newline="": a quoted name may hold a line break, as the csv module expects
    reader = csv.DictReader(io.StringIO(text, newline=""))
    tracks = []
    try:
        for row in reader:
            tracks.append(_exportify_track(row, where, reader.line_num))
    except csv.Error as exc:
        raise FormatError(f"not CSV: {exc}", path=where, line=reader.line_num) from None
    return tuple(tracks)


# ------------------------------------------------------------------ spotify-backup


def _pick(found: list[tuple[str | None, str]], playlist_id: str, name: str, where: str) -> int:
    """Which of the file's playlists (its id, or None where the file has none; its name) to take.

    Its own id wins. A playlist without an id (spotify-backup's text, its Liked Songs) is
    taken by its name, or as the file's only playlist; one with another id never is.
    """
    ids = [found_id for found_id, _ in found]
    if playlist_id in ids:
        return ids.index(playlist_id)
    wanted = LIKED_SONGS_NAME if playlist_id == LIKED_SONGS_ID else name
    unnamed = [i for i, (found_id, _) in enumerate(found) if found_id is None]
    matches = [i for i in unnamed if found[i][1] == wanted]
    if len(matches) == 1:
        return matches[0]
    if len(found) == 1 and unnamed:
        return 0
    names = ", ".join(repr(found_name[:60]) for _, found_name in found[:10])
    raise FormatError(
        f"holds {len(found)} playlists and none is {playlist_id} or is named {wanted!r} "
        f"({names}{', ...' if len(found) > 10 else ''})",
        path=where,
    )


def _from_backup_json(text: str, where: str, playlist_id: str, name: str) -> Playlist:
    try:
        document: Any = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise FormatError(f"not JSON: {exc}", path=where) from None
    if isinstance(document, dict):
        document = document.get("playlists")
    if not isinstance(document, list) or not all(isinstance(p, dict) for p in document):
        raise FormatError("not a spotify-backup file: no list of playlists", path=where)
    found = [
        (p.get("id") if isinstance(p.get("id"), str) else None, str(p.get("name") or ""))
        for p in document
    ]
    chosen = document[_pick(found, playlist_id, name, where)]
    entries = chosen.get("tracks")
    if not isinstance(entries, list):
        raise FormatError("the playlist's tracks are not a list of items", path=where)
    meta = {key: value for key, value in chosen.items() if key != "tracks"}
    meta["id"] = playlist_id  # Liked Songs has none; any other was matched above
    meta.setdefault("name", name)
    try:
        return parse_playlist(meta, entries)
    except InvalidResponse as exc:
        message = exc.message.removeprefix("Spotify sent invalid data: ")
        raise FormatError(f"not a spotify-backup playlist: {message}", path=where) from None


def _text_track(line: str, where: str, number: int) -> Track:
    fields = line.split("\t")
    if len(fields) < 4:
        raise FormatError("expected name, artists, album and URI between tabs", path=where,
                          line=number)  # fmt: skip
    title, artists, album, uri = fields[:4]
    return Track(
        name=clean_name(title),
        artists=tuple(Artist(clean_name(a)) for a in artists.split(", ") if a.strip()),
        album=Album(clean_name(album)),
        url=url_of(uri, "track") or url_of(uri, "episode"),
    )


def _from_backup_text(text: str, where: str, playlist_id: str, name: str) -> Playlist:
    blocks: list[tuple[str, list[Track]]] = []
    current: list[Track] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() == "Liked Albums:":
            break  # albums, not a playlist's tracks
        if not line.strip() or (number == 1 and line.strip() == "Playlists:"):
            current = None
        elif current is None and "\t" not in line:
            current = []
            blocks.append((clean_name(line), current))
        elif current is None:
            raise FormatError("a track line before any playlist's name", path=where, line=number)
        else:
            current.append(_text_track(line, where, number))
    if not blocks:
        raise FormatError("no playlist in this spotify-backup file", path=where)
    chosen, tracks = blocks[_pick([(None, n) for n, _ in blocks], playlist_id, name, where)]
    title = clean_playlist_name(chosen, name)
    return Playlist(id=playlist_id, original_name=title, unique_name=title, tracks=tuple(tracks))


# ------------------------------------------------------------------ import


def import_backup(
    store: Store,
    path: Path,
    playlist_id: str,
    *,
    when: datetime,
    identity: Identity,
    github: str | None,
    branch: str,
    allow_pushed: bool = False,
) -> ImportResult:
    """The backup at ``path`` as the version of ``playlist_id`` dated ``when``."""
    local = versions.list_versions(store, playlist_id)
    name = local[-1].playlist.display_name if local else path.stem
    text, digest = _load(path)
    playlist = _parse(text, str(path), playlist_id, name)
    # a JSON snapshot is written (source JSON): it keeps the links a plain file cannot
    version = Version(commit=digest, date=when, playlist=playlist, source=JSON)
    return importing.import_playlist(
        store,
        [version],
        playlist_id,
        label=path.name,
        identity=identity,
        github=github,
        branch=branch,
        allow_pushed=allow_pushed,
    )
