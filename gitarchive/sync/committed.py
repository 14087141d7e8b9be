"""What the base commit holds for one playlist, read once per sync and shared by the steps.

On a usual day most playlists keep their tracks and only their likes move: the
committed snapshot then lists exactly the tracks rendered today, and the
previous version is known without parsing those tracks again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from gitarchive import formats, git
from gitarchive.errors import FormatError
from gitarchive.formats.snapshot import read_json_data
from gitarchive.formats.snapshot_text import json_with_tracks
from gitarchive.formats.text import load_json

if TYPE_CHECKING:
    from collections.abc import Mapping

    from gitarchive.git import Store
    from gitarchive.model import Playlist


@dataclass(frozen=True, slots=True)
class CommittedSnapshot:
    """``playlists/pretty/<id>.json`` in the base commit: its bytes and, if it parses, its data."""

    data: bytes
    document: Any  # json.loads of data; None when it is not JSON


def committed_snapshot(
    store: Store, listing: Mapping[str, str | None], playlist_id: str
) -> CommittedSnapshot | None:
    blob = listing.get(formats.json_path(playlist_id))
    if blob is None:
        return None
    data = git.read_blob(store, blob)
    try:
        document = load_json(data)
    except ValueError:
        document = None
    return CommittedSnapshot(data, document)


def previous_with_same_tracks(
    snapshot: CommittedSnapshot | None,
    playlist: Playlist,
    document: Mapping[str, Any],
    tracks_text: str,
    *,
    base: str | None,
) -> Playlist | None:
    """The committed version when its snapshot lists exactly ``playlist``'s tracks, else None.

    ``document`` is ``playlist_json(playlist)``, ``tracks_text`` its tracks as the
    snapshot writes them (:func:`~gitarchive.formats.snapshot_text.json_tracks`).
    The tracks are taken from ``playlist`` instead of being parsed from the
    snapshot; that is exact
    because the snapshot's bytes are then checked to be the rendering of the
    version returned (and reading a rendered snapshot gives its tracks back).
    Everything else is read by :func:`~gitarchive.formats.snapshot.read_json_data`,
    which raises on a malformed snapshot as reading the whole file would.
    """
    if snapshot is None or not isinstance(snapshot.document, dict):
        return None
    if snapshot.document.get("tracks") != document["tracks"]:
        return None
    path = formats.json_path(playlist.id)
    try:
        head = read_json_data({**snapshot.document, "tracks": []}, playlist.id, path=path)
    except FormatError as exc:
        exc.commit = exc.commit or base
        raise
    candidate = replace(head, tracks=playlist.tracks)
    if json_with_tracks(candidate, tracks_text).encode() != snapshot.data:
        return None  # not byte for byte what gitarchive writes: read it in full
    return candidate
