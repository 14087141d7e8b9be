"""Which likes a sync records: ``likes_every`` in gitarchive.toml.

Likes move on nearly every playlist every day. Recorded daily, they rewrite
every playlist's pretty page and JSON snapshot on every sync, even when none of
its tracks changed: the repository grows with the number of playlists, not with
what changed (bench/likes.py measures the bytes per sync). So a playlist whose
tracks did not change keeps the likes already committed, unless likes are due:

- ``daily``: always due (every sync records every playlist's likes);
- ``weekly`` (the default): due on the first sync of each ISO week (Monday to
  Sunday, UTC), judged by the date of the commit the sync builds on;
- ``on-track-change``: never due; likes are recorded with a track change only.

A playlist whose tracks changed is written anyway, with its fresh likes, in
every mode. The page keeps its format: it shows the likes last recorded.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from gitarchive import formats, git
from gitarchive.formats.snapshot import playlist_json
from gitarchive.formats.text import load_json

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from gitarchive.git import Store
    from gitarchive.model import Playlist

LIKES_DAILY = "daily"
LIKES_WEEKLY = "weekly"
LIKES_ON_TRACK_CHANGE = "on-track-change"


def likes_due(likes_every: str, now: datetime, base_date: datetime | None) -> bool:
    """Whether this sync records the fresh likes of every playlist."""
    if likes_every == LIKES_DAILY or base_date is None:
        return True
    if likes_every == LIKES_WEEKLY:
        return now.isocalendar()[:2] != base_date.isocalendar()[:2]
    return False


def hold_likes(
    store: Store,
    base: str | None,
    listing: Mapping[str, str | None],
    playlists: Mapping[str, Playlist],
    *,
    likes_every: str,
    now: datetime,
) -> dict[str, Playlist]:
    """``playlists``, those whose tracks did not change carrying their committed likes
    when likes are not due today."""
    base_date = None if base is None else git.commit_info(store, base).date
    if likes_due(likes_every, now, base_date):
        return dict(playlists)
    return {
        playlist_id: _committed_likes(store, listing, playlist)
        for playlist_id, playlist in playlists.items()
    }


def _committed_likes(
    store: Store, listing: Mapping[str, str | None], playlist: Playlist
) -> Playlist:
    blob = listing.get(formats.json_path(playlist.id))
    if blob is None:
        return playlist  # never archived (or no snapshot): record what Spotify says
    try:
        committed = load_json(git.read_blob(store, blob))
    except ValueError:
        return playlist  # an unreadable snapshot is rewritten by this sync anyway
    if not isinstance(committed, dict):
        return playlist
    likes = committed.get("num_followers")
    if likes is not None and (type(likes) is not int or likes < 0):
        return playlist
    if committed.get("tracks") != playlist_json(playlist)["tracks"]:
        return playlist
    return replace(playlist, num_followers=likes)
