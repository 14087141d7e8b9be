"""Output documents: JSON, CSV and markdown of timelines and cumulative views."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

from gitarchive.history.diff import Change
from gitarchive.model import CumulativeView

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from gitarchive.model import Track


def iso_utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def track_document(track: Track) -> dict[str, Any]:
    return {
        "id": track.id,
        "name": track.name,
        "artists": [artist.name for artist in track.artists],
        "album": track.album.name,
        "url": track.url,
        "duration_ms": track.duration_ms,
    }


def history_document(playlist_id: str, name: str, changes: Iterable[Change]) -> dict[str, Any]:
    """The documented JSON of ``gitarchive history --format json`` (docs/history.md)."""
    return {
        "id": playlist_id,
        "name": name,
        "versions": [
            {
                "commit": change.version.commit,
                "date": iso_utc(change.version.date),
                "name": change.playlist.display_name,
                "description": change.playlist.description,
                "likes": change.playlist.num_followers,
                "added": [track_document(track) for track in change.diff.added],
                "removed": [track_document(track) for track in change.diff.removed],
                "updated": [
                    {"before": track_document(update.before), "after": track_document(update.after)}
                    for update in change.diff.updated
                ],
            }
            for change in changes
        ],
    }


def cumulative_document(view: CumulativeView) -> dict[str, Any]:
    """The documented JSON of ``gitarchive cumulative --format json``."""
    return {
        "id": view.id,
        "name": view.name,
        "description": view.description,
        "first_scraped": view.first_scraped.isoformat(),
        "tracks": [
            {
                **track_document(entry.track),
                "added": entry.added.isoformat(),
                "added_before_archive": entry.added_asterisk,
                "removed": entry.removed.isoformat() if entry.removed else None,
            }
            for entry in view.tracks
        ],
    }


def dump_json(document: object) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = (
    "id",
    "name",
    "artists",
    "album",
    "url",
    "duration_ms",
    "added",
    "added_before_archive",
    "removed",
)


def cumulative_csv(view: CumulativeView) -> str:
    """One row per track; artists joined with ", " as in plain files."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for entry in view.tracks:
        track = entry.track
        writer.writerow(
            (
                track.id or "",
                track.name,
                ", ".join(artist.name for artist in track.artists),
                track.album.name,
                track.url or "",
                "" if track.duration_ms is None else track.duration_ms,
                entry.added.isoformat(),
                "true" if entry.added_asterisk else "false",
                entry.removed.isoformat() if entry.removed else "",
            )
        )
    return buffer.getvalue()


_MD_SPECIAL = str.maketrans({char: "\\" + char for char in "\\`*_[]()#|~<>"})


def _md(text: str) -> str:
    return " ".join(text.translate(_MD_SPECIAL).splitlines())


def _md_track(track: Track) -> str:
    artists = ", ".join(artist.name for artist in track.artists)
    title = f"[{_md(track.name)}]({track.url})" if track.url else _md(track.name)
    return f"{title} — {_md(artists)} — {_md(track.album.name)}"


def format_likes_plain(likes: int | None) -> str:
    return "??? likes" if likes is None else f"{likes:,} like{'' if likes == 1 else 's'}"


def timeline_markdown(
    name: str, playlist_id: str, changes: Iterable[Change], *, likes: bool
) -> str:
    """The timeline as markdown, for pasting into issues or notes."""
    lines = [f"# History of {_md(name)}", "", f"<https://open.spotify.com/playlist/{playlist_id}>"]
    for change in changes:
        version = change.version
        lines += ["", f"## {version.date:%Y-%m-%d %H:%M} UTC — `{version.commit[:12]}`", ""]
        playlist = change.playlist
        if change.name_changed and change.previous is not None:
            lines.append(
                f"- Renamed: {_md(change.previous.display_name)} → {_md(playlist.display_name)}"
            )
        if change.description_changed:
            lines.append(f"- Description: {_md(playlist.description)}")
        if likes:
            lines.append(f"- Likes: {format_likes_plain(playlist.num_followers)}")
        lines += [f"- Added: {_md_track(track)}" for track in change.diff.added]
        lines += [f"- Removed: {_md_track(track)}" for track in change.diff.removed]
        lines += [
            f"- Updated: {_md_track(update.before)} → {_md_track(update.after)}"
            for update in change.diff.updated
        ]
        if lines[-1] == "":
            lines.append("- (no track changes)")
    return "\n".join(lines) + "\n"
