"""Blobs of an archive's playlist files read into Playlists, each distinct blob once.

The version walks (:mod:`gitarchive.versions`) and the change index's fold
(:mod:`gitarchive.index.fold`) read thousands of consecutive versions of the
same playlists; what consecutive versions share is read once: plain lines,
JSON track blocks, a snapshot's whole track list when only its header (likes,
snapshot id) moved.
"""

from __future__ import annotations

import dataclasses
import operator
import re
from typing import TYPE_CHECKING, TypeVar

from gitarchive import formats, git
from gitarchive.errors import FormatError
from gitarchive.formats.paths import SOURCE_KINDS
from gitarchive.formats.plain import PlainParts, resolve_header, split_plain, track_from_line
from gitarchive.model import Playlist
from gitarchive.name_keyed import PageFinder, merge_page

if TYPE_CHECKING:
    from collections.abc import Callable

    from gitarchive.git import Store
    from gitarchive.model import Track

# The divider under a page's table header: |---|---| (markdown's delimiter row)
_DIVIDER = re.compile(r"^\|(?:\s*:?-+:?\s*\|)+\s*$")

# The playlist of the one-row pages a page's rows are read as
_ROW_PLAYLIST_ID = "0" * 22
_ROW_PLAYLIST_URL = f"https://open.spotify.com/playlist/{_ROW_PLAYLIST_ID}"
_FIRST_ROW_LINE = 5  # of such a page: title, blank line, table header, divider, rows

# The file kinds a version may be read from, best first.
JSON, PRETTY, PLAIN = SOURCE_KINDS


K = TypeVar("K")
V = TypeVar("V")


def _unnumbered(row: str) -> str:
    """A table row with its number cell as the first row's."""
    cut = row.find("|", 1)
    return row if cut < 0 else "| 1 " + row[cut:]


def _reader(kind: str) -> Callable[..., Playlist]:
    if kind == JSON:
        return formats.read_json
    if kind == PRETTY:
        return formats.read_pretty
    return formats.read_plain


def read_source(
    kind: str, data: bytes, playlist_id: str, path: str, *, commit: str | None = None
) -> Playlist:
    """One file's bytes to a Playlist; a FormatError names the path and commit."""
    try:
        return _reader(kind)(formats.decode(data, path), playlist_id, path=path)
    except FormatError as exc:
        if exc.commit is None:
            exc.commit = commit
        if exc.path is None:
            exc.path = path
        raise


class VersionReader:
    """Reads blobs into Playlists, each distinct blob once.

    Plain files are split by the grammar (:func:`formats.plain.split_plain`,
    so every shape it allows takes this path) and their track lines parsed
    through a cache of parsed lines: consecutive versions share almost all their
    lines, so a pass over a history parses each distinct line once instead of
    every line of every version. A plain version also carries its commit's
    name-keyed page, when there is one (:mod:`gitarchive.name_keyed`).

    ``previous``, given to :meth:`read`, is the playlist's last version: its
    name settles a plain header that a merge sorted in among the tracks, and
    finds the page of a playlist renamed before its page was.
    """

    def __init__(
        self,
        store: Store,
        *,
        cache_size: int = 4096,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.warn = warn
        self.pages = PageFinder(store)
        self._cache: dict[str, Playlist] = {}
        self._cache_size = cache_size
        self._lines: dict[str, Track] = {}
        self._known: dict[str, dict[str, Track]] = {}  # per playlist: recent lines
        self._plain: dict[str, tuple[PlainParts, tuple[Track, ...]]] = {}
        self._plain_versions: dict[tuple[str, str | None, str, str], Playlist] = {}
        self._json_tracks: dict[str, Track | None] = {}
        self._pretty_headers: dict[tuple[str, str], Playlist] = {}
        self._pretty_rows: dict[str, dict[str, Track]] = {}  # per table header: row -> track
        self._bad_rows: dict[str, dict[str, str]] = {}  # per table header: row -> its error
        self._json_headers: dict[str, Playlist] = {}
        # per playlist: its last JSON track list as read (bytes) and as Tracks
        self._json_bodies: dict[str, tuple[bytes, tuple[Track, ...]]] = {}
        self._bodies_size = 0

    def read(
        self,
        kind: str,
        blob_id: str,
        playlist_id: str,
        path: str,
        *,
        commit: str,
        previous: Playlist | None = None,
    ) -> Playlist:
        if kind == PLAIN:
            return self._read_plain(blob_id, playlist_id, path, commit, previous)
        cached = self._cache.get(blob_id)
        if cached is not None and cached.id == playlist_id:
            return cached
        # the passes over many versions that read through here hold
        # git.unverified_reads(): blobs are read as git reads them
        last = self.pages.last_read
        data = (
            last[1]
            if last is not None and last[0] == blob_id
            else git.read_blob(self.store, blob_id)
        )
        playlist: Playlist | None = None
        if kind == JSON:
            playlist = self._read_json_fast(data, playlist_id, path, commit)
        elif kind == PRETTY:
            playlist = self._read_pretty_fast(data, playlist_id, path, commit)
        if playlist is None:
            playlist = read_source(kind, data, playlist_id, path, commit=commit)
        self._remember(blob_id, playlist)
        return playlist

    def _remember(self, blob_id: str, playlist: Playlist) -> None:
        self._bounded_put(self._cache, blob_id, playlist)

    def _bounded_put(self, cache: dict[K, V], key: K, value: V) -> None:
        """``cache[key] = value``, the oldest entry let go when the cache is full."""
        if len(cache) >= self._cache_size:
            cache.pop(next(iter(cache)))
        cache[key] = value

    def _read_plain(
        self, blob_id: str, playlist_id: str, path: str, commit: str, previous: Playlist | None
    ) -> Playlist:
        """A plain version: the file's header settled, its commit's page joined."""
        parts, tracks = self._plain_blob(blob_id, playlist_id, path, commit)
        earlier = () if previous is None else (previous.unique_name,)
        names = (parts.name,) if parts.name is not None else parts.candidates
        found = self.pages.find(commit, playlist_id, (*names, *earlier))
        page = None if found is None else self._page(found, playlist_id, commit)
        if parts.name is not None:
            known = None
        elif page is not None:
            known = (page.unique_name, page.description)
        else:
            known = None if previous is None else (previous.unique_name, previous.description)
        name, description = resolve_header(parts, known)
        key = (blob_id, None if found is None else found[1], name, description)
        playlist = self._plain_versions.get(key)
        if playlist is None or playlist.id != playlist_id:
            playlist = Playlist(
                id=playlist_id,
                original_name=name,
                unique_name=name,
                description=description,
                tracks=tracks,
            )
            if page is not None:
                playlist = merge_page(playlist, page)
            self._bounded_put(self._plain_versions, key, playlist)
        return playlist

    def _page(self, found: tuple[str, str], playlist_id: str, commit: str) -> Playlist | None:
        """The name-keyed page's playlist; None (with a warning) when it cannot be read."""
        path, blob = found
        try:
            return self.read(PRETTY, blob, playlist_id, path, commit=commit)
        except FormatError as exc:
            if self.warn is not None:
                self.warn(f"cannot read a page: {exc}; the version is read from its plain file")
            return None

    def _plain_blob(
        self, blob_id: str, playlist_id: str, path: str, commit: str
    ) -> tuple[PlainParts, tuple[Track, ...]]:
        """A plain file's parts and tracks, each blob split once and each line parsed once."""
        found = self._plain.get(blob_id)
        if found is None:
            try:
                text = formats.decode(git.read_blob(self.store, blob_id), path)
            except FormatError as exc:
                exc.commit = exc.commit or commit
                raise
            parts = split_plain(text)
            tracks = self._plain_tracks(parts.track_lines, playlist_id)
            # its lines are its tracks now: a cached blob holds no copy of its text
            found = (dataclasses.replace(parts, track_lines=[]), tracks)
            self._bounded_put(self._plain, blob_id, found)
        return found

    def _plain_tracks(self, track_lines: list[str], playlist_id: str) -> tuple[Track, ...]:
        """The tracks of a plain file's lines, each distinct line parsed once.

        Consecutive versions of a playlist share nearly all lines: the last
        version's lines are kept per playlist in a small dict and only the new
        ones are looked up in the big cache (sets and itemgetter work in C).
        """
        if not track_lines:
            return ()
        line_set = set(track_lines)
        known = self._known.get(playlist_id)
        if known is None:
            known = self._known[playlist_id] = {}
        cache = self._lines
        for line in line_set.difference(known):
            track = cache.get(line)
            if track is None:
                track = cache[line] = track_from_line(line)
            known[line] = track
        if len(known) > 2 * len(line_set) + 64:
            for line in set(known).difference(line_set):
                del known[line]
        found = operator.itemgetter(*track_lines)(known)
        if len(cache) > 1_000_000:  # bound memory on enormous archives
            cache.clear()
        return found if len(track_lines) > 1 else (found,)

    def _read_pretty_fast(
        self, data: bytes, playlist_id: str, path: str, commit: str
    ) -> Playlist | None:
        """The page as ``formats.read_pretty`` reads it, parsing only what is new.

        Parsing a page is markdown parsing of its whole table (tens of ms for a
        hundred rows), and consecutive versions of a page share nearly all their
        rows and often everything else. The page without its rows is read once
        per distinct text, and the rows not met before are read together as the
        table of one page (each row once; a row's number is its place, which
        shifts whenever a track is added above it, so rows are known without it).
        A row that cannot be read fails the page with read_pretty's error, on
        that row's line. Anything else (no table, a page that states its song
        count, any other error, for its exact message and line) goes to
        ``read_pretty`` on the whole page.
        """
        try:
            text = formats.decode(data, path)
        except FormatError:
            return None
        lines = text.split("\n")
        divider = next((i for i, line in enumerate(lines) if _DIVIDER.match(line)), None)
        if divider is None or divider == 0:
            return None
        end = divider + 1
        while end < len(lines) and lines[end].startswith("|"):
            end += 1
        table_head = "\n".join(lines[divider - 1 : divider + 1])
        numbered = table_head.startswith("| No. |")
        rows = [_unnumbered(row) if numbered else row for row in lines[divider + 1 : end]]
        try:
            header = self._pretty_header(lines[: divider + 1] + lines[end:], playlist_id)
            known = self._pretty_rows_of(table_head, rows)
        except FormatError:
            return None
        if header is None or known is None:
            return None
        bad = self._bad_rows[table_head]
        for place, row in enumerate(rows):
            if row in bad:  # the first row read_pretty would fail at, on its line
                line = divider + 2 + place
                raise FormatError(bad[row], path=path, line=line, commit=commit)
        return dataclasses.replace(header, tracks=tuple(known[row] for row in rows))

    def _pretty_header(self, lines: list[str], playlist_id: str) -> Playlist | None:
        skeleton = "\n".join(lines)
        key = (playlist_id, skeleton)
        header = self._pretty_headers.get(key)
        if header is None:
            header = formats.read_pretty(skeleton, playlist_id)
            if header.tracks:
                return None
            if len(self._pretty_headers) > 100_000:
                self._pretty_headers.clear()
            self._pretty_headers[key] = header
        return header

    def _pretty_rows_of(self, table_head: str, rows: list[str]) -> dict[str, Track] | None:
        """Each row's track (rows under ``table_head``), the new ones parsed in one page;
        a row that cannot be read is remembered with its error (``_bad_rows``)."""
        known = self._pretty_rows.setdefault(table_head, {})
        bad = self._bad_rows.setdefault(table_head, {})
        new = [row for row in dict.fromkeys(rows) if row not in known and row not in bad]
        if new:  # most rows read without markdown; the others (and their errors) with it
            fast = [(row, formats.read_early_row(table_head, row)) for row in new]
            known.update((row, track) for row, track in fast if track is not None)
            new = [row for row, track in fast if track is None]
        while new:
            page = f"### [x]({_ROW_PLAYLIST_URL})\n\n{table_head}\n" + "\n".join(new) + "\n"
            try:
                tracks = formats.read_pretty(page, _ROW_PLAYLIST_ID).tracks
            except FormatError as exc:
                index = -1 if exc.line is None else exc.line - _FIRST_ROW_LINE
                if not 0 <= index < len(new):
                    return None
                # the rows before it were read, but the error took their tracks: again without it
                bad[new.pop(index)] = exc.message
                continue
            if len(tracks) != len(new):
                return None
            if len(known) > 1_000_000:  # bound memory on enormous archives
                known.clear()
            known.update(zip(new, tracks, strict=True))
            break
        return known

    _TRACKS_OPEN = b'\n  "tracks": [\n'
    _TRACKS_CLOSE = b"\n  ]"
    _TRACK_SEPARATOR = "\n    },\n"
    _BODIES_BYTES = 64 << 20  # the last track lists kept for comparison, all playlists together

    def _read_json_fast(
        self, data: bytes, playlist_id: str, path: str, commit: str
    ) -> Playlist | None:
        """The snapshot as ``formats.read_json`` reads it, parsing only what changed.

        Applies only to the layout both gitarchive and spotify-playlist-archive
        write (``indent=2, sort_keys=True``), where each track is a block at
        indent 4 and JSON strings hold no raw newlines; anything else, and any
        error (for its exact message), goes to ``read_json`` on the whole file.
        Most versions of a playlist change only its header (the likes move
        daily): when the track list is byte for byte the previous version's,
        that version's very tuple of Tracks is reused, which the diff and the
        cumulative fold recognise as "no track changed" without a look inside.
        """
        if not data.startswith(b'{\n  "') or b"\r" in data:
            return None
        start = data.find(self._TRACKS_OPEN)
        if start < 0:
            return None
        body_start = start + len(self._TRACKS_OPEN)
        last = self._json_bodies.get(playlist_id)
        end = -1 if last is None else self._end_of_same_body(data, body_start, last[0])
        unchanged = end >= 0
        if not unchanged:
            end = data.find(self._TRACKS_CLOSE, body_start)
            if end < 0:
                return None
        try:
            header_text = (
                data[:start] + b'\n  "tracks": []' + data[end + len(self._TRACKS_CLOSE) :]
            ).decode("utf-8")
            header = self._json_headers.get(header_text)
            if header is None or header.id != playlist_id:
                if len(self._json_headers) > 100_000:
                    self._json_headers.clear()
                header = formats.read_json(header_text, playlist_id, path=path)
                self._json_headers[header_text] = header
            if unchanged and last is not None:
                tracks = last[1]
            else:
                body = data[body_start:end]
                tracks = self._json_track_list(body.decode("utf-8"), path)
                self._remember_body(playlist_id, body, tracks)
        except (FormatError, UnicodeDecodeError):
            return None
        return dataclasses.replace(header, tracks=tracks)

    def _end_of_same_body(self, data: bytes, body_start: int, body: bytes) -> int:
        """Where the track list ends if it is ``body`` again, else -1.

        The same answer as searching for the list's end marker from
        ``body_start``, by a comparison instead of a scan (the search meets a
        near-match on every line of the list: 20 µs a version, as much as
        reading most versions costs otherwise). ``body`` holds no marker (it
        was cut at the first one), and no marker can straddle its end: the
        marker's only newline is its first character, which is where the
        marker after ``body`` starts.
        """
        end = body_start + len(body)
        if data.startswith(body, body_start) and data.startswith(self._TRACKS_CLOSE, end):
            return end
        return -1

    def _json_track_list(self, body: str, path: str) -> tuple[Track, ...]:
        """The tracks of a snapshot's track list (its text between the brackets), each
        distinct block parsed once; FormatError when a block is not one track."""
        tracks: list[Track] = []
        cache = self._json_tracks
        for raw_block in body.split(self._TRACK_SEPARATOR):
            block = raw_block.removesuffix("\n    }")
            track = cache.get(block)
            if track is None:
                track = cache[block] = formats.read_json_track(block + "\n    }", path=path)
            tracks.append(track)
        if len(cache) > 1_000_000:  # bound memory on enormous archives
            cache.clear()
        return tuple(tracks)

    def _remember_body(self, playlist_id: str, body: bytes, tracks: tuple[Track, ...]) -> None:
        bodies = self._json_bodies
        old = bodies.pop(playlist_id, None)
        if old is not None:
            self._bodies_size -= len(old[0])
        bodies[playlist_id] = (body, tracks)
        self._bodies_size += len(body)
        while self._bodies_size > self._BODIES_BYTES and len(bodies) > 1:
            oldest = next(iter(bodies))
            self._bodies_size -= len(bodies.pop(oldest)[0])
