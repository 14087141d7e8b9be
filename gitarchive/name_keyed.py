"""Pages of the 2021 name-keyed layout, read as part of the versions they belong to.

spotify-playlist-archive's 2021 writer kept the plain file by playlist id
(``playlists/plain/<id>``) but named the page by the playlist's name
(``playlists/pretty/<Name>.md``), its title linking to the playlist::

    ### [Name](https://open.spotify.com/playlist/<id>)

A version of such an archive is found by its plain file, which carries no
links or lengths; the page of the same commit carries them all. The page is
looked up by the playlist's name at that commit (its plain file's name line,
then the previous version's name, which follows a rename committed before the
pages were), and taken only when its title links to the playlist. How the two
are joined, and which one is believed when they disagree: :func:`merge_page`
and docs/history.md.

This is the one way the read side finds such pages: the walks, the change
index's fold and ``show --at`` all read plain versions through
:class:`gitarchive.version_reader.VersionReader`, which asks :class:`PageFinder`;
an import finds which playlist a page belongs to by :func:`title_playlist_id`.
"""

from __future__ import annotations

import operator
import re
from typing import TYPE_CHECKING

from gitarchive import git
from gitarchive.errors import RevisionNotFound
from gitarchive.formats.paths import PRETTY_DIR, classify
from gitarchive.formats.plain import one_line
from gitarchive.model import with_contents

if TYPE_CHECKING:
    from collections.abc import Iterable

    from gitarchive.git import FolderEntries, Store
    from gitarchive.model import Playlist, Track

_PLAIN_LINE = operator.attrgetter("plain_line")  # a list of them made in C
_COMMIT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_PLAYLIST_LINK = re.compile(rb"open\.spotify\.com/playlist/([0-9A-Za-z]{22})\b")


def page_path(name: str) -> str | None:
    """Where the 2021 writer put the page of a playlist called ``name``; None when no
    file can have that name (empty, a folder separator, a NUL, a dot name)."""
    if not name or "/" in name or "\x00" in name or name in {".", ".."}:
        return None
    path = f"{PRETTY_DIR}/{name}.md"
    return path if classify(path).kind == "legacy" else None


def _title(data: bytes) -> bytes:
    """A page's title, its first ``### `` line (empty when it has none): the first
    of ``data.splitlines()`` that starts so (lines cut at ``\\r\\n``, ``\\n`` or
    ``\\r``), found without splitting the page, by ``bytes.find`` (a regular
    expression tried its lookbehind at every byte of the links line before the title).
    """
    at = data.find(b"### ")
    while at > 0 and data[at - 1] not in b"\r\n":
        at = data.find(b"### ", at + 1)
    if at < 0:
        return b""
    end = data.find(b"\n", at)
    if end < 0:
        end = len(data)
    cr = data.find(b"\r", at, end)  # not the rest of the page: ~25 KB of rows
    return data[at : end if cr < 0 else cr]


def title_links_to(data: bytes, playlist_id: str) -> bool:
    """Whether a page's title links to the playlist."""
    return f"open.spotify.com/playlist/{playlist_id}".encode() in _title(data)


def title_playlist_id(data: bytes) -> str | None:
    """The playlist a page's title links to: how a name-keyed page names its owner."""
    match = _PLAYLIST_LINK.search(_title(data))
    return None if match is None else match.group(1).decode()


class PageFinder:
    """The name-keyed page of a playlist at a commit, each page blob's title read once."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # each commit's pages folder parsed once, not once per playlist looked up there;
        # made on the first lookup: a read of JSON snapshots alone never loads libgit2
        self._folder_entries: FolderEntries | None = None
        self._links: dict[tuple[str, str], bool] = {}
        self._paths: dict[str, str | None] = {}  # page_path of each name met
        # the last page read for its title: the reader reads that same page next
        self.last_read: tuple[str, bytes] | None = None

    def find(self, commit: str, playlist_id: str, names: Iterable[str]) -> tuple[str, str] | None:
        """(path, blob id) of the first of ``names`` whose page links to the playlist."""
        if not _COMMIT_ID.fullmatch(commit):
            return None
        tried: set[str] = set()
        paths = self._paths
        for name in names:
            if name in paths:
                path = paths[name]
            else:
                if len(paths) > 100_000:
                    paths.clear()
                path = paths[name] = page_path(name)
            if path is None or path in tried:
                continue
            tried.add(path)
            if self._folder_entries is None:
                self._folder_entries = git.FolderEntries(self.store, PRETTY_DIR)
            try:
                blob = self._folder_entries.entry_id(commit, path.rpartition("/")[2])
            except RevisionNotFound:
                return None
            if blob is not None and self._links_to(blob, playlist_id):
                return path, blob
        return None

    def _links_to(self, blob: str, playlist_id: str) -> bool:
        key = (blob, playlist_id)
        found = self._links.get(key)
        if found is None:
            try:
                data = git.read_blob(self.store, blob)
                self.last_read = (blob, data)
                found = title_links_to(data, playlist_id)
            except RevisionNotFound:  # a folder by that name
                found = False
            if len(self._links) > 100_000:
                self._links.clear()
            self._links[key] = found
        return found


def merge_page(plain: Playlist, page: Playlist) -> Playlist:
    """A plain version with what its commit's page holds.

    The plain file is believed for the name and description (the version was
    found by it, and the versions before and after it may have no page), the
    page for likes, owner and snapshot id, and for the tracks as
    :func:`merged_tracks` joins them.
    """
    return with_page(plain, page, merged_tracks(plain.tracks, page.tracks))


def with_page(plain: Playlist, page: Playlist, tracks: tuple[Track, ...]) -> Playlist:
    """The page's playlist with the plain file's names and description and ``tracks``."""
    return with_contents(page, plain.original_name, plain.unique_name, plain.description, tracks)


def joined_version(
    page: Playlist, name: str, description: str, tracks: tuple[Track, ...]
) -> Playlist:
    """:func:`with_page` of a plain version read as ``name`` (original and unique) and
    ``description``, built without that version."""
    return with_contents(page, name, name, description, tracks)


def merged_tracks(plain: tuple[Track, ...], page: tuple[Track, ...]) -> tuple[Track, ...]:
    """The tracks of a plain version joined with its page's.

    When the page lists the same lines as the plain file (as a multiset), the
    page's tracks are taken whole (the very tuple), in the page's (the
    playlist's) order, with their ids, links and lengths; otherwise the plain
    file's tracks are kept, each taking the data of a page track with exactly
    its line (each page track used once), so a page row that was misread never
    adds, drops or renames a track.
    """
    page_lines = _plain_lines(page)
    plain_lines = list(map(_PLAIN_LINE, plain))
    if _same_multiset(page_lines, plain_lines):
        return page
    spare: dict[str, list[Track]] = {}
    for line, track in zip(page_lines, page, strict=True):
        spare.setdefault(line, []).append(track)
    return tuple(
        spare[line].pop(0) if spare.get(line) else track
        for line, track in zip(plain_lines, plain, strict=True)
    )


def _plain_lines(tracks: tuple[Track, ...]) -> list[str]:
    """Each track's line as a plain file holds it (``one_line``), the common case
    (no line break or NUL in any) checked at once."""
    lines = list(map(_PLAIN_LINE, tracks))
    joined = "".join(lines)
    if "\n" in joined or "\r" in joined or "\x00" in joined:
        return [one_line(line) for line in lines]
    return lines


def page_lists_the_lines(track_lines: list[str], page: tuple[Track, ...]) -> bool:
    """Whether a plain file's track lines (as :func:`formats.plain.split_plain` cuts them)
    are its page's tracks' lines, as a multiset: then :func:`merged_tracks` of the lines'
    tracks takes the page whole, and the lines need not be parsed.

    A track's line always holds two separate " -- " (``Track.plain_line`` puts them
    there, and ``one_line`` leaves them), and a line holding two reads back
    (``track_from_line``) as a track whose line is itself: lines equal to the page's
    are their tracks' lines. Any other plain file is joined by :func:`merged_tracks`.
    """
    return len(track_lines) == len(page) and _same_multiset(_plain_lines(page), track_lines)


def _same_multiset(first: list[str], second: list[str]) -> bool:
    """Whether the two lists hold the same strings as many times each: by sets when the
    first has no repeats and both are as long (the usual case; two sorts cost more)."""
    if first == second:
        return True
    if len(first) != len(second):
        return False
    distinct = set(first)
    if len(distinct) == len(first):
        return distinct == set(second)
    return sorted(first) == sorted(second)
