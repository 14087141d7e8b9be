"""One version of a playlist from whichever of its files a commit holds, best source first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive.formats.paths import json_path, plain_path, pretty_path
from gitarchive.formats.plain import read_plain
from gitarchive.formats.pretty import read_pretty
from gitarchive.formats.snapshot import read_json
from gitarchive.formats.text import decode

if TYPE_CHECKING:
    from collections.abc import Mapping

    from gitarchive.model import Playlist


def read_version(files: Mapping[str, bytes], playlist_id: str) -> Playlist | None:
    """One version of a playlist from its files, best source first.

    ``files`` maps archive paths (:func:`json_path`, :func:`pretty_path`,
    :func:`plain_path`) to their contents; the JSON snapshot wins, then the
    pretty page, then the plain file. None when none of them is there.
    """
    path = json_path(playlist_id)
    if path in files:
        return read_json(decode(files[path], path), playlist_id, path=path)
    path = pretty_path(playlist_id)
    if path in files:
        return read_pretty(decode(files[path], path), playlist_id, path=path)
    path = plain_path(playlist_id)
    if path in files:
        return read_plain(decode(files[path], path), playlist_id, path=path)
    return None
