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
from typing import TYPE_CHECKING

from gitarchive import formats
from gitarchive.errors import FormatError

if TYPE_CHECKING:
    from gitarchive.model import Playlist, Track

# where the top-level "tracks" list may start; the header's parse checks it is that
_TRACKS_KEY = re.compile(rb'"tracks"[ \t\n\r]*:[ \t\n\r]*\[')
_SPACE = re.compile(r"[ \t\n\r]*")  # JSON's whitespace
_DECODER = json.JSONDecoder()
_MARK = object()  # what the list's place reads as in the header's parse


@dataclasses.dataclass(frozen=True, slots=True)
class _TrackList:
    """One version's track list as read: its text from ``[`` to ``]`` and its elements."""

    text: bytes
    starts: list[int]  # each element's offset in ``text``
    ends: list[int]
    tracks: tuple[Track, ...]
    after: int  # bytes of the file after the closing ``]``


class SnapshotDelta:
    """Snapshots read as ``read_json`` reads them, each against its playlist's last one."""

    KEPT_BYTES = 64 << 20  # the last track lists kept for comparison, all playlists together

    def __init__(self) -> None:
        self._last: dict[str, _TrackList] = {}
        self._kept = 0
        self._elements: dict[str, Track] = {}  # an element's text -> its track
        self._headers: dict[str, tuple[bytes, bytes, Playlist]] = {}  # per playlist: its last

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
        return dataclasses.replace(header, tracks=tracks.tracks)

    def _track_list(
        self, data: bytes, start: int, last: _TrackList | None, path: str
    ) -> _TrackList:
        """The list starting at ``data[start]`` (a ``[``); ValueError when it is not a list."""
        if last is None:
            return self._parse(data, start, None, 0, path)
        if data.startswith(last.text, start):
            if len(data) - start - len(last.text) == last.after:
                return last
            return dataclasses.replace(last, after=len(data) - start - len(last.text))
        view = memoryview(last.text)
        ends = last.ends
        low, high = 0, len(ends)  # how many elements the two lists share at the front
        while low < high:
            middle = (low + high + 1) // 2
            if data.startswith(view[: ends[middle - 1]], start):
                low = middle
            else:
                high = middle - 1
        return self._parse(data, start, last, low, path)

    def _parse(
        self, data: bytes, start: int, last: _TrackList | None, shared: int, path: str
    ) -> _TrackList:
        """The list at ``start``, its first ``shared`` elements ``last``'s, the elements from
        the first one ``last`` ends with again (``_tail``) taken from it too."""
        offset = 1 if last is None or shared == 0 else last.ends[shared - 1]
        starts = [] if last is None else last.starts[:shared]
        ends = [] if last is None else last.ends[:shared]
        tracks = [] if last is None else list(last.tracks[:shared])
        tail, tail_at = _tail(data, start, last, shared)
        text = data[start + offset :].decode("utf-8")
        ascii_only = text.isascii()
        at = 0  # in ``text``; ``offset`` follows it in bytes from ``start``
        first = not starts
        while True:
            skipped = _skip(text, at)
            offset, at = offset + skipped - at, skipped
            if text.startswith("]", at):
                break
            if not first:
                if not text.startswith(",", at):
                    raise ValueError("expected , or ]")
                skipped = _skip(text, at + 1)
                offset, at = offset + skipped - at, skipped
            first = False
            if last is not None and tail is not None and offset == tail_at:
                shift = offset - last.starts[tail]
                starts += [position + shift for position in last.starts[tail:]]
                ends += [position + shift for position in last.ends[tail:]]
                tracks += last.tracks[tail:]
                offset = len(last.text) - 1 + shift
                break
            track, end = self._element(text, at, path)
            size = end - at if ascii_only else len(text[at:end].encode())
            starts.append(offset)
            ends.append(offset + size)
            tracks.append(track)
            offset, at = offset + size, end
        text_bytes = data[start : start + offset + 1]
        after = len(data) - start - len(text_bytes)
        return _TrackList(text_bytes, starts, ends, tuple(tracks), after)

    def _element(self, text: str, at: int, path: str) -> tuple[Track, int]:
        """The track of the list element at ``text[at]``, and where the element ends."""
        value, end = _DECODER.raw_decode(text, at)
        element = text[at:end]
        track = self._elements.get(element)
        if track is None:
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
            return last[2]
        constants: list[str] = []

        def constant(name: str) -> object:
            constants.append(name)
            return _MARK

        text = formats.decode(before, path) + "NaN" + after.decode("utf-8")
        raw = json.JSONDecoder(parse_constant=constant).decode(text)
        if not isinstance(raw, dict) or raw.get("tracks") is not _MARK or len(constants) != 1:
            return None
        raw["tracks"] = []
        header = formats.read_json_data(raw, playlist_id, path=path)
        if len(self._headers) > 100_000:
            self._headers.clear()
        self._headers[playlist_id] = (before, after, header)
        return header

    def _keep(self, playlist_id: str, tracks: _TrackList) -> None:
        old = self._last.pop(playlist_id, None)
        if old is not None:
            self._kept -= len(old.text)
        self._last[playlist_id] = tracks
        self._kept += len(tracks.text)
        while self._kept > self.KEPT_BYTES and len(self._last) > 1:
            self._kept -= len(self._last.pop(next(iter(self._last))).text)


def _skip(text: str, at: int) -> int:
    """Past the whitespace at ``text[at]``."""
    found = _SPACE.match(text, at)
    return at if found is None else found.end()


def _tail(data: bytes, start: int, last: _TrackList | None, shared: int) -> tuple[int | None, int]:
    """The first element of ``last`` (after its ``shared`` first ones) from which ``data``
    ends as ``last`` did, and where it starts in the new list (bytes from ``start``).

    The new list's end is taken where ``last``'s would be if the file after it did not
    change; when it did, no element matches and the rest is parsed.
    """
    if last is None or shared >= len(last.starts):
        return None, -1
    view = memoryview(last.text)
    end = len(data) - last.after  # past the new list's "]", if the file after it is the same
    size = len(last.text)

    def matches(index: int) -> bool:
        return data.startswith(view[last.starts[index] :], end - (size - last.starts[index]))

    low, high = shared, len(last.starts)  # high: none matches
    while low < high:
        middle = (low + high) // 2
        if matches(middle):
            high = middle
        else:
            low = middle + 1
    if low == len(last.starts):
        return None, -1
    return low, end - (size - last.starts[low]) - start
