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
from typing import TYPE_CHECKING, TypeVar

from gitarchive import formats, git
from gitarchive.errors import FormatError
from gitarchive.formats.paths import SOURCE_KINDS
from gitarchive.formats.plain import PlainParts, resolve_header, split_plain, track_from_line
from gitarchive.model import Playlist, with_tracks
from gitarchive.name_keyed import (
    PageFinder,
    joined_version,
    merged_tracks,
    page_lists_the_lines,
)
from gitarchive.snapshot_delta import SnapshotDelta

if TYPE_CHECKING:
    from collections.abc import Callable

    from gitarchive.git import Store
    from gitarchive.model import Track

# The playlist of the one-row pages a page's rows are read as
_ROW_PLAYLIST_ID = "0" * 22
_ROW_PLAYLIST_URL = f"https://open.spotify.com/playlist/{_ROW_PLAYLIST_ID}"
_FIRST_ROW_LINE = 5  # of such a page: title, blank line, table header, divider, rows

# The file kinds a version may be read from, best first.
JSON, PRETTY, PLAIN = SOURCE_KINDS


K = TypeVar("K")
V = TypeVar("V")


def _first_bad_row(
    bad: dict[str, str], rows: list[str], divider: int, path: str, commit: str
) -> FormatError:
    """The error read_pretty fails with: at the first row it cannot read, on its line."""
    place, row = next((place, row) for place, row in enumerate(rows) if row in bad)
    return FormatError(bad[row], path=path, line=divider + 2 + place, commit=commit)


def _looked_up(known: dict[str, Track], keys: list[str]) -> tuple[Track, ...]:
    """``tuple(known[key] for key in keys)``, the lookups done in C."""
    if len(keys) > 1:
        found: tuple[Track, ...] = operator.itemgetter(*keys)(known)
        return found
    return (known[keys[0]],) if keys else ()


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
    name-keyed page, when there is one (:mod:`gitarchive.name_keyed`); when
    its lines are the page's tracks' lines, the join takes the page whole and
    the lines are not parsed at all (``name_keyed.page_lists_the_lines``).

    ``previous``, given to :meth:`read`, is the playlist's last version: its
    name settles a plain header that a merge sorted in among the tracks, and
    finds the page of a playlist renamed before its page was.

    What a consumer may rely on, read after read of one playlist (the diff and
    the folds use it to skip work): a version whose track list did not change
    hands out the previous version's very ``tracks`` tuple (a JSON list byte for
    byte the same, a page's rows the same but for their numbers, a plain file's
    track lines the same, a plain file joined with a page when both of those
    are); a track both versions have is the very same Track object (JSON
    elements, plain lines and page rows are each parsed once and kept). Equal
    tuples may still be different objects (a cache let go, another layout).
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
        # per playlist: its last plain file's track lines and tracks, its last page join
        self._plain_last: dict[str, tuple[list[str], tuple[Track, ...]]] = {}
        self._merged_last: dict[str, tuple[tuple[Track, ...], ...]] = {}
        self._plain_versions: dict[tuple[str, str | None, str, str], Playlist] = {}
        self._pretty_headers: dict[tuple[str, str], Playlist] = {}
        self._pretty_rows: dict[str, dict[str, Track]] = {}  # per table header: row key -> track
        # per playlist: its last page's table head, rows' keys and their tracks
        self._pretty_last: dict[str, tuple[str, list[str], tuple[Track, ...]]] = {}
        self._bad_rows: dict[str, dict[str, str]] = {}  # per table header: row -> its error
        self.snapshots = SnapshotDelta()

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
            playlist = self.snapshots.read(data, playlist_id, path)
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
        parts, tracks = self._plain_blob(blob_id, path, commit)
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
            tracks = self._joined_tracks(blob_id, parts, tracks, page, playlist_id)
            if page is None:
                playlist = Playlist(playlist_id, name, name, description, tracks)
            else:
                playlist = joined_version(page, name, description, tracks)
            self._bounded_put(self._plain_versions, key, playlist)
        return playlist

    def _joined_tracks(
        self,
        blob_id: str,
        parts: PlainParts,
        tracks: tuple[Track, ...] | None,
        page: Playlist | None,
        playlist_id: str,
    ) -> tuple[Track, ...]:
        """A plain version's tracks (``tracks``: its lines' tracks when parsed before),
        joined with its page's when it has one."""
        if page is None:
            return self._parsed(blob_id, parts, playlist_id) if tracks is None else tracks
        if tracks is None:
            if page_lists_the_lines(parts.track_lines, page.tracks):
                return page.tracks  # what merged_tracks takes: the lines go unparsed
            tracks = self._parsed(blob_id, parts, playlist_id)
        return self._merged(tracks, page)

    def _merged(self, plain: tuple[Track, ...], page: Playlist) -> tuple[Track, ...]:
        """``merged_tracks(plain, page.tracks)``; when both are the playlist's last join's
        very tuples, that join's tracks (the same tuple) without a look inside."""
        last = self._merged_last.get(page.id)
        if last is not None and last[0] is plain and last[1] is page.tracks:
            return last[2]
        tracks = merged_tracks(plain, page.tracks)
        self._bounded_put(self._merged_last, page.id, (plain, page.tracks, tracks))
        return tracks

    def _page(self, found: tuple[str, str], playlist_id: str, commit: str) -> Playlist | None:
        """The name-keyed page's playlist; None (with a warning) when it cannot be read."""
        path, blob = found
        try:
            return self.read(PRETTY, blob, playlist_id, path, commit=commit)
        except FormatError as exc:
            self._page_unreadable(exc)
            return None

    def _page_unreadable(self, exc: FormatError) -> None:
        """A name-keyed page that does not parse: the version is read from its plain file."""
        if self.warn is not None:
            self.warn(f"cannot read a page: {exc}; the version is read from its plain file")

    def _plain_blob(
        self, blob_id: str, path: str, commit: str
    ) -> tuple[PlainParts, tuple[Track, ...] | None]:
        """A plain file's parts and, when it was read before and its lines parsed, its
        tracks (the parts then hold no lines); else the parts with its lines and None."""
        found = self._plain.get(blob_id)
        if found is not None:
            return found
        try:
            text = formats.decode(git.read_blob(self.store, blob_id), path)
        except FormatError as exc:
            exc.commit = exc.commit or commit
            raise
        return split_plain(text), None

    def _parsed(self, blob_id: str, parts: PlainParts, playlist_id: str) -> tuple[Track, ...]:
        """The tracks of a plain file's lines, each line parsed once, kept by blob."""
        tracks = self._plain_tracks(parts.track_lines, playlist_id)
        # its lines are its tracks now: a cached blob holds no copy of its text
        self._bounded_put(
            self._plain, blob_id, (dataclasses.replace(parts, track_lines=[]), tracks)
        )
        return tracks

    def _plain_tracks(self, track_lines: list[str], playlist_id: str) -> tuple[Track, ...]:
        """The tracks of a plain file's lines, each distinct line parsed once.

        Consecutive versions of a playlist share nearly all lines: the last
        version's lines are kept per playlist in a small dict and only the new
        ones are looked up in the big cache (sets and itemgetter work in C).
        """
        if not track_lines:
            return ()
        last = self._plain_last.get(playlist_id)
        if last is not None and last[0] == track_lines:
            return last[1]  # only the header changed: the previous version's very tuple
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
        if len(cache) > 1_000_000:  # bound memory on enormous archives
            cache.clear()
        tracks = _looked_up(known, track_lines)
        self._bounded_put(self._plain_last, playlist_id, (track_lines, tracks))
        return tracks

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
        Rows are cut, unnumbered and looked up a table at a time (regular
        expressions, sets): a version costs its new rows; rows that are the
        previous version's are its very tuple of tracks. A row that cannot be
        read fails the page with read_pretty's error, on its line. Anything else
        (no table, a stated song count, any other error, for its exact message
        and line) goes to ``read_pretty`` on the whole page.
        """
        try:
            text = formats.decode(data, path)
        except FormatError:
            return None
        # lazy: formats.early_table imports the early page, page and markdown modules
        # (~5 ms at startup, time.process_time() medians of 9), which a read of JSON
        # snapshots never uses
        from gitarchive.formats.early_table import page_table

        table = page_table(text)
        if table is None:
            return None
        divider, table_head, rows, prefix, skeleton = table
        try:
            header = self._pretty_header(skeleton, playlist_id)
        except FormatError:
            return None
        last = self._pretty_last.get(playlist_id)
        if last is not None and last[0] == table_head and last[1] == rows:
            tracks = last[2]  # the previous version's rows: its very tuple
        else:
            known = self._pretty_rows_of(table_head, rows, prefix)
            if header is None or known is None:
                return None
            bad = self._bad_rows[table_head]
            if bad and not bad.keys().isdisjoint(rows):
                raise _first_bad_row(bad, rows, divider, path, commit)
            tracks = _looked_up(known, rows)
            self._bounded_put(self._pretty_last, playlist_id, (table_head, rows, tracks))
        if header is None:
            return None
        return with_tracks(header, tracks)

    def _pretty_header(self, skeleton: str, playlist_id: str) -> Playlist | None:
        """The page without its rows, read once per distinct text."""
        key = (playlist_id, skeleton)
        header = self._pretty_headers.get(key)
        if header is None:
            # lazy: formats.early_header imports formats.early (the page and markdown
            # modules, ~5 ms at startup), as formats.early_table in _read_pretty_fast does
            from gitarchive.formats.early_header import read_early_header

            # the early writers' headers without markdown-it (its import is ~15 ms)
            header = read_early_header(skeleton, playlist_id) or formats.read_pretty(
                skeleton, playlist_id
            )
            if header.tracks:
                return None
            if len(self._pretty_headers) > 100_000:
                self._pretty_headers.clear()
            self._pretty_headers[key] = header
        return header

    def _pretty_rows_of(
        self, table_head: str, rows: list[str], prefix: str
    ) -> dict[str, Track] | None:
        """Each row's track (rows under ``table_head`` by their keys, each read as
        ``prefix + key``), the new ones parsed in one page; a row that cannot be read
        is remembered with its error (``_bad_rows``)."""
        known = self._pretty_rows.setdefault(table_head, {})
        if len(known) > 1_000_000:  # bound memory on enormous archives
            known.clear()
        bad = self._bad_rows.setdefault(table_head, {})
        missing = set(rows).difference(known)
        if bad and missing:  # a second argument to difference costs ~4 us even when empty
            missing.difference_update(bad)
        if not missing:
            return known
        new = [row for row in dict.fromkeys(rows) if row in missing]
        if new:  # most rows read without markdown; the others (and their errors) with it
            fast = [(row, formats.read_early_row(table_head, prefix + row)) for row in new]
            known.update((row, track) for row, track in fast if track is not None)
            new = [row for row, track in fast if track is None]
        while new:
            page = f"### [x]({_ROW_PLAYLIST_URL})\n\n{table_head}\n" + "".join(
                f"{prefix}{row}\n" for row in new
            )
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
            known.update(zip(new, tracks, strict=True))
            break
        return known
