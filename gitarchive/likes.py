"""Likes from spotify-playlist-archive's ``playlists/followers/<id>.json``.

That project records a playlist's likes by day in a file of their own, and its
pages of some periods carry none (``??? likes``). Where a version's page does
not say, the count recorded for the version's day (UTC) is used: never a count
of another day, which would put a number on a version that nobody measured.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from gitarchive import git
from gitarchive.errors import FormatError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from gitarchive.git import Store
    from gitarchive.history import Version
    from gitarchive.model import Playlist
    from gitarchive.timeline import Entry

    # a playlist id to its followers record's blob id at HEAD, None when it has none
    Recorded = Callable[[str], str | None]


def fill_likes(versions: Iterable[Version], by_day: Mapping[date, int | None]) -> list[Version]:
    """``versions`` with unknown likes taken from ``by_day`` (pure)."""
    filled = []
    for version in versions:
        playlist = version.playlist
        count = by_day.get(version.date.date()) if playlist.num_followers is None else None
        if count is not None:
            playlist = dataclasses.replace(playlist, num_followers=count)
            version = dataclasses.replace(version, playlist=playlist)
        filled.append(version)
    return filled


def followers_by_day(store: Store, playlist_id: str) -> dict[date, int | None]:
    """The day -> likes record at HEAD (empty when there is none)."""
    # lazy: the formats package costs 3 ms at import (python -X importtime, min of 9, load
    # 13 on 2 cores); a warm `history` whose versions all carry likes loads no formats module
    from gitarchive.formats.paths import followers_path

    # lazy: formats.spa costs 15 ms at import (python -X importtime, min of 9, load 9 on
    # 2 cores), and a warm `history` whose versions all carry likes never reads the record
    from gitarchive.formats.spa import followers_problems

    head = git.head_id(store)
    path = followers_path(playlist_id)
    data = None if head is None else git.read_file(store, head, path)
    if data is None:
        return {}
    try:
        document = json.loads(data)
    except RecursionError:  # formats.text.load_json's rule; that package is not a warm read's
        raise FormatError("not JSON (nested too deeply)", path=path) from None
    except (UnicodeDecodeError, ValueError) as exc:  # ValueError: JSON's, or an int's digits
        raise FormatError(f"not JSON ({exc})", path=path) from None
    problems = followers_problems(document)
    if problems:
        raise FormatError(problems[0], path=path, commit=head)
    return {date.fromisoformat(day): count for day, count in document.items()}


def fill_entry_likes(entries: Iterable[Entry], by_day: Mapping[date, int | None]) -> list[Entry]:
    """Timeline entries (one per version, oldest first) with unknown likes from ``by_day``;
    each entry's ``previous_likes`` follows its predecessor's (pure)."""
    filled: list[Entry] = []
    for entry in entries:
        likes = entry.likes if entry.likes is not None else by_day.get(entry.date.date())
        previous = filled[-1].likes if filled else entry.previous_likes
        if likes != entry.likes or previous != entry.previous_likes:
            entry = dataclasses.replace(entry, likes=likes, previous_likes=previous)
        filled.append(entry)
    return filled


def with_followers(
    store: Store, playlist_id: str, entries: list[Entry], recorded: Recorded | None = None
) -> list[Entry]:
    """``history``'s entries completed from the followers record, when the archive has one.

    ``recorded``: the record's blob id at HEAD as the change index keeps it (None when
    there is none), so that a playlist without one costs no read of HEAD's tree.
    """
    if all(entry.likes is not None for entry in entries):
        return entries
    if recorded is not None and recorded(playlist_id) is None:
        return entries
    by_day = followers_by_day(store, playlist_id)
    return fill_entry_likes(entries, by_day) if by_day else entries


def playlist_with_followers(
    store: Store, playlist: Playlist, when: datetime, recorded: Recorded | None = None
) -> Playlist:
    """One version (``show``) completed from the followers record for its day
    (``recorded`` as in :func:`with_followers`)."""
    if playlist.num_followers is not None:
        return playlist
    if recorded is not None and recorded(playlist.id) is None:
        return playlist
    count = followers_by_day(store, playlist.id).get(when.astimezone(UTC).date())
    return playlist if count is None else dataclasses.replace(playlist, num_followers=count)
