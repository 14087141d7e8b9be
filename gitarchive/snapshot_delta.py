"""A JSON snapshot read against its playlist's previous version: only what changed is parsed.

Consecutive snapshots of a playlist repeat most of their bytes: the header
moves (likes, snapshot id) and a few tracks come and go. :class:`SnapshotDelta`
reads a snapshot as :func:`gitarchive.formats.read_json` does, but

* its track list is compared byte for byte with the previous version's (in C,
  ``bytes.startswith``): the elements both share at the front and at the back
  are that version's very Track objects, only the elements between them are
  parsed (``json``'s own scanner, one element at a time), each distinct element
  text once;
* a track list that did not change at all is the previous version's very tuple,
  which the diff and the cumulative fold take as "no track changed" without a
  look inside;
* the rest of the file (the header) is parsed with the list cut out.

Nothing here depends on how the file is laid out (indentation, key order, line
ends, a final newline, escapes): the list is wherever the top-level ``tracks``
key's value is, which the header's parse proves (the list is replaced by the
one constant ``NaN``, which must come back as that key's value). Anything it
cannot prove, and every error, is the caller's to read in full, for the full
reader's exact message.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import TYPE_CHECKING, Any

from gitarchive import formats
from gitarchive.errors import FormatError
from gitarchive.formats.text import lone_surrogate_in
from gitarchive.model import Playlist, with_tracks

if TYPE_CHECKING:
    from gitarchive.model import Track

# where the top-level "tracks" list may start; the header's parse checks it is that
_TRACKS_KEY = re.compile(rb'"tracks"[ \t\n\r]*:[ \t\n\r]*\[')
_SPACE = re.compile(rb"[ \t\n\r]*")  # JSON's whitespace
# what follows a list's element: a comma and the next element, or the list's end
_NEXT = re.compile(rb"[ \t\n\r]*+(?:,[ \t\n\r]*+(?!\])|(?=\]))")
_DECODER = json.JSONDecoder()
# an element or a header with more brackets than this is left to the full reader: read
# alone, a part is two levels shallower than in the whole file, so near the parser's
# recursion limit the fast path would accept what the full reader rejects as too deep
_MOST_BRACKETS = 256
_MARK = object()  # what the list's place reads as in the header's parse
_LOOK_AHEAD = 4  # elements of the previous list tried where it stopped matching


@dataclasses.dataclass(frozen=True, slots=True)
class _TrackList:
    """One version's track list as read: its text from ``[`` to ``]`` and its elements."""

    text: bytes
    starts: list[int]  # each element's offset in ``text``
    ends: list[int]
    tracks: tuple[Track, ...]
    after: int  # bytes of the file after the closing ``]``


class _ConstantCounter:
    """Reads each JSON constant as _MARK, counting them."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, name: str) -> object:
        del name
        self.count += 1
        return _MARK


class SnapshotDelta:
    """Snapshots read as ``read_json`` reads them, each against its playlist's last one."""

    KEPT_BYTES = 64 << 20  # the last track lists kept for comparison, all playlists together

    def __init__(self) -> None:
        self._last: dict[str, _TrackList] = {}
        self._kept = 0
        self._elements: dict[str, Track] = {}  # an element's text -> its track
        # per playlist: its last header, as bytes before and after the list, as parsed, as read
        self._headers: dict[str, tuple[bytes, bytes, dict[str, Any], Playlist]] = {}
        # the header's parse: each constant (NaN, Infinity) counted and read as _MARK. The
        # counter is its own object: a decoder refers to itself (its scanner), and a bound
        # method here would put this reader, with its track lists, in that cycle, left
        # for a full collection to free when a fold replaces its reader
        self._constants = _ConstantCounter()
        self._decoder = json.JSONDecoder(parse_constant=self._constants)

    def read(self, data: bytes, playlist_id: str, path: str) -> Playlist | None:
        """The snapshot, or None when only the full reader can say (an error, no list found)."""
        found = _TRACKS_KEY.search(data)
        if found is None:
            return None
        start = found.end() - 1
        try:
            tracks = self._track_list(data, start, self._last.get(playlist_id), path)
            end = start + len(tracks.text)
            header = self._header(data[:start], data[end:], playlist_id, path)
        except (ValueError, FormatError, RecursionError):  # JSONDecodeError, UnicodeDecodeError
            return None
        if header is None:
            return None
        self._keep(playlist_id, tracks)
        return with_tracks(header, tracks.tracks)

    def _track_list(
        self, data: bytes, start: int, last: _TrackList | None, path: str
    ) -> _TrackList:
        """The list starting at ``data[start]`` (a ``[``); ValueError when it is not a list."""
        if last is not None and data.startswith(last.text, start):
            after = len(data) - start - len(last.text)
            if after == last.after:
                return last
            return _TrackList(last.text, last.starts, last.ends, last.tracks, after)
        offset = _skip(data, start + 1) - start  # in bytes from ``start``
        starts: list[int] = []
        ends: list[int] = []
        tracks: list[Track] = []
        shared = 0  # the next element of ``last`` expected
        text, text_at = "", -1  # the file decoded from ``text_at`` on, when an element needs it
        while not data.startswith(b"]", start + offset):
            run = None if last is None else _shared_run(data, start + offset, last, shared)
            if run is not None:  # elements ``last`` had, in a row: its very tracks
                assert last is not None
                first, count = run
                shift = offset - last.starts[first]
                if shift:  # ``map`` with a bound method: the loop runs in C
                    starts += map(shift.__add__, last.starts[first : first + count])
                    ends += map(shift.__add__, last.ends[first : first + count])
                else:
                    starts += last.starts[first : first + count]
                    ends += last.ends[first : first + count]
                tracks += last.tracks[first : first + count]
                shared = first + count
                offset = ends[-1]
            else:
                # an element ``last`` did not have next: parsed (decoded once per list
                # while it is ASCII, as JSON writers escape by default)
                if text_at < 0 or not text.isascii():
                    text, text_at = data[start + offset :].decode("utf-8"), offset
                at = offset - text_at
                track, end = self._element(text, at, path)
                size = end - at if text.isascii() else len(text[at:end].encode())
                starts.append(offset)
                ends.append(offset + size)
                tracks.append(track)
                offset += size
            found = _NEXT.match(data, start + offset)
            if found is None:
                raise ValueError("expected , or ]")
            offset = found.end() - start  # at the next element, or at the "]"
        text_bytes = data[start : start + offset + 1]
        return _TrackList(text_bytes, starts, ends, tuple(tracks), len(data) - start - offset - 1)

    def _element(self, text: str, at: int, path: str) -> tuple[Track, int]:
        """The track of the list element at ``text[at]``, and where the element ends."""
        value, end = _DECODER.raw_decode(text, at)
        element = text[at:end]
        track = self._elements.get(element)  # its brackets were counted when it was kept
        if track is None:
            if element.count("[") + element.count("{") > _MOST_BRACKETS:
                raise ValueError("nested deeper than the fast path reads")
            if lone_surrogate_in(element, value):
                raise ValueError("a lone surrogate: the full reader's error")
            track = formats.read_json_track_data(value, path=path)
            if len(self._elements) > 1_000_000:  # bound memory on enormous archives
                self._elements.clear()
            self._elements[element] = track
        return track, end

    def _header(self, before: bytes, after: bytes, playlist_id: str, path: str) -> Playlist | None:
        """The snapshot around its track list, read with the list left out; None when the
        list was not the top-level ``tracks`` value."""
        last = self._headers.get(playlist_id)
        if last is not None and last[0] == before and last[1] == after:
            return last[3]
        brackets = before.count(b"[") + before.count(b"{") + after.count(b"[") + after.count(b"{")
        if brackets > _MOST_BRACKETS:
            return None
        self._constants.count = 0
        text = formats.decode(before, path) + "NaN" + after.decode("utf-8")
        raw = self._decoder.decode(text)
        if lone_surrogate_in(text, raw):
            return None  # the full reader's error
        marked_once = self._constants.count == 1
        if not isinstance(raw, dict) or raw.get("tracks") is not _MARK or not marked_once:
            return None
        raw["tracks"] = []
        header = None if last is None else formats.reread_json_data(raw, last[2], last[3])
        if header is None:
            header = formats.read_json_data(raw, playlist_id, path=path)
        if len(self._headers) > 100_000:
            self._headers.clear()
        self._headers[playlist_id] = (before, after, raw, header)
        return header

    def _keep(self, playlist_id: str, tracks: _TrackList) -> None:
        old = self._last.pop(playlist_id, None)
        if old is not None:
            self._kept -= len(old.text)
        self._last[playlist_id] = tracks
        self._kept += len(tracks.text)
        while self._kept > self.KEPT_BYTES and len(self._last) > 1:
            self._kept -= len(self._last.pop(next(iter(self._last))).text)


def _skip(data: bytes, at: int) -> int:
    """Past the whitespace at ``data[at]``."""
    found = _SPACE.match(data, at)
    return at if found is None else found.end()


def _shared_run(data: bytes, at: int, last: _TrackList, expected: int) -> tuple[int, int] | None:
    """(first, count): the longest run of ``last``'s elements that ``data`` has at ``at``,
    starting from its ``expected`` element or one of the few after it (the ones between
    were removed); None when none of them is there.

    Found by comparing bytes (in C) a run at a time, the run's length by bisection, so
    the elements that did not change cost a few comparisons, not a parse each. Each
    comparison covers only the bytes after the part already known to match, so a run
    costs about twice its bytes, not its bytes times the bisection's steps.
    """
    view = memoryview(last.text)
    starts, ends = last.starts, last.ends
    for first in range(expected, min(expected + _LOOK_AHEAD, len(starts))):
        origin = starts[first]
        if not data.startswith(view[origin : ends[first]], at):
            continue
        low, high = 1, len(starts) - first  # ``low`` elements from ``first`` match
        known = ends[first]
        if data.startswith(view[known : ends[-1]], at + known - origin):
            return first, high  # the rest of the list, the usual case after an edit
        while low < high:
            middle = (low + high + 1) // 2
            known = ends[first + low - 1]  # the bytes up to here match
            if data.startswith(view[known : ends[first + middle - 1]], at + known - origin):
                low = middle
            else:
                high = middle - 1
        return first, low
    return None
