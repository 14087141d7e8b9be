"""``export xspf``: XSPF version 1 (xspf.org), valid against its schema.

The playlist's title, description (annotation) and Spotify URL (info); each
track's Spotify URL (location) and URI (identifier), title, artists
(creator), album and duration in milliseconds. A version names its commit in
a ``meta`` element; a cumulative export gives each track's first and removal
days the same way. Tracks without a link keep their names: XSPF allows a
track without a location.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from gitarchive.exports.playlist import uri_of

if TYPE_CHECKING:
    from gitarchive.exports.playlist import ExportedPlaylist, ExportedTrack

NAMESPACE = "http://xspf.org/ns/0/"
META = "https://github.com/gitarchive/gitarchive/blob/main/docs/export.md#"
# XML 1.0 cannot carry these at all, not even escaped
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _add(parent: ET.Element, tag: str, text: str, **attributes: str) -> None:
    child = ET.SubElement(parent, tag, attributes)
    child.text = _NOT_XML.sub("", text)


def _track(parent: ET.Element, entry: ExportedTrack) -> None:
    track = entry.track
    element = ET.SubElement(parent, "track")
    if track.url is not None:
        _add(element, "location", track.url)
    if uri_of(track.url):
        _add(element, "identifier", uri_of(track.url))
    _add(element, "title", track.name)
    if track.artists:
        _add(element, "creator", ", ".join(artist.name for artist in track.artists))
    if track.album.name:
        _add(element, "album", track.album.name)
    if track.duration_ms is not None:
        _add(element, "duration", str(track.duration_ms))
    if entry.added is not None:
        _add(element, "meta", entry.added.isoformat(), rel=META + "added")
    if entry.removed is not None:
        _add(element, "meta", entry.removed.isoformat(), rel=META + "removed")


def render(playlist: ExportedPlaylist) -> tuple[bytes, int]:
    """The XSPF document (UTF-8) and how many tracks it left out (none)."""
    # the namespace as a plain attribute: every element is in it, none needs a prefix
    root = ET.Element("playlist", {"version": "1", "xmlns": NAMESPACE})
    _add(root, "title", playlist.name)
    if playlist.description:
        _add(root, "annotation", playlist.description)
    _add(root, "info", playlist.url)
    if playlist.commit is not None:
        _add(root, "meta", playlist.commit, rel=META + "commit")
    tracks = ET.SubElement(root, "trackList")
    for entry in playlist.tracks:
        _track(tracks, entry)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8"), 0
