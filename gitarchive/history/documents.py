"""The read commands' outputs: a timeline as text, markdown and JSON; a cumulative view
as JSON and CSV.

The one place these outputs are made: the CLI only writes what these return.
Every renderer takes :class:`~gitarchive.timeline.Entry` objects (or a
cumulative view), so a walk of the log and the change index print the same
bytes. The JSON is assembled here rather than by ``json.dumps(indent=2)``,
whose indented layout falls back to Python's pure-Python encoder: strings go
through the C string encoder and the layout is built directly (tests compare it
with ``json.dumps(..., ensure_ascii=False, indent=2)`` and with the schemas in
``gitarchive/schemas/``). Text lines carry a style name that the CLI applies
only on a terminal.
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING

from gitarchive.json_scalars import encode_string, scalar_json
from gitarchive.model import playlist_url
from gitarchive.timeline import track_document

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence
    from datetime import datetime

    from gitarchive.model import CumulativeView
    from gitarchive.timeline import Entry, TrackDoc


def iso_utc(moment: datetime) -> str:
    """``%Y-%m-%dT%H:%M:%SZ`` with a four-digit year (strftime's %Y does not pad below 1000)."""
    return f"{moment.isoformat('T', 'seconds')[:19]}Z"


# ---------------------------------------------------------------- JSON


def _value(value: object) -> str:
    return scalar_json(value, _dumps)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _string_list(values: Sequence[str], pad: str) -> str:
    if not values:
        return "[]"
    inner = pad + "  "
    return "[\n" + ",\n".join(inner + encode_string(v) for v in values) + "\n" + pad + "]"


def track_json(doc: TrackDoc, pad: str, extra: Sequence[tuple[str, object]] = ()) -> str:
    """A track document (plus extra keys) as ``json.dumps(indent=2)`` lays it out at ``pad``."""
    inner = pad + "  "
    fields = [
        f'{inner}"id": {_value(doc["id"])}',
        f'{inner}"name": {encode_string(doc["name"])}',
        f'{inner}"artists": {_string_list(doc["artists"], inner)}',
        f'{inner}"album": {encode_string(doc["album"])}',
        f'{inner}"url": {_value(doc["url"])}',
        f'{inner}"duration_ms": {_value(doc["duration_ms"])}',
    ]
    fields += [f"{inner}{encode_string(key)}: {_value(value)}" for key, value in extra]
    return "{\n" + ",\n".join(fields) + "\n" + pad + "}"


def _list(items: list[str], pad: str) -> str:
    if not items:
        return "[]"
    inner = pad + "  "
    return "[\n" + inner + (",\n" + inner).join(items) + "\n" + pad + "]"


def _version_json(entry: Entry) -> str:
    pad = "      "  # a version's keys: inside {"versions": [{ ... }]}
    track_pad = pad + "  "
    updated = [
        "{\n"
        + f'{track_pad}  "before": {track_json(before, track_pad + "  ")},\n'
        + f'{track_pad}  "after": {track_json(after, track_pad + "  ")}\n'
        + track_pad
        + "}"
        for before, after in entry.updated
    ]
    moved = [
        track_json(doc, track_pad, (("from", old), ("to", new)))
        for doc, old, new, _distance in entry.moved
    ]
    fields = [
        f'{pad}"commit": {encode_string(entry.commit)}',
        f'{pad}"date": "{entry.date:%Y-%m-%dT%H:%M:%SZ}"',
        f'{pad}"name": {encode_string(entry.name)}',
        f'{pad}"description": {encode_string(entry.description)}',
        f'{pad}"likes": {_value(entry.likes)}',
        f'{pad}"added": {_list([track_json(t, track_pad) for t in entry.added], pad)}',
        f'{pad}"removed": {_list([track_json(t, track_pad) for t in entry.removed], pad)}',
        f'{pad}"updated": {_list(updated, pad)}',
        f'{pad}"moved": {_list(moved, pad)}',
    ]
    return "{\n" + ",\n".join(fields) + "\n    }"


def history_json(playlist_id: str, name: str, listed: Iterable[Entry]) -> Iterator[str]:
    """``history --format json`` in chunks (the documented schema, docs/history.md)."""
    yield f'{{\n  "id": {encode_string(playlist_id)},\n  "name": {encode_string(name)},\n'
    first = True
    for entry in listed:
        yield ('  "versions": [\n    ' if first else ",\n    ") + _version_json(entry)
        first = False
    yield '  "versions": []\n}\n' if first else "\n  ]\n}\n"


def cumulative_json(view: CumulativeView) -> Iterator[str]:
    """``cumulative --format json`` in chunks."""
    yield (
        f'{{\n  "id": {encode_string(view.id)},\n  "name": {encode_string(view.name)},\n'
        f'  "description": {encode_string(view.description)},\n'
        f'  "first_scraped": "{view.first_scraped.isoformat()}",\n'
    )
    first = True
    for entry in view.tracks:
        extra: list[tuple[str, object]] = [
            ("added", entry.added.isoformat()),
            ("added_before_archive", entry.added_asterisk),
            ("removed", entry.removed.isoformat() if entry.removed else None),
        ]
        yield ('  "tracks": [\n    ' if first else ",\n    ") + track_json(
            track_document(entry.track), "    ", extra
        )
        first = False
    yield '  "tracks": []\n}\n' if first else "\n  ]\n}\n"


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


# ---------------------------------------------------------------- text and markdown


def format_likes_plain(likes: int | None) -> str:
    return "??? likes" if likes is None else f"{likes:,} like{'' if likes == 1 else 's'}"


def _track_text(doc: TrackDoc) -> str:
    return f"{doc['name']} — {', '.join(doc['artists'])} — {doc['album']}"


def timeline_text(
    name: str, playlist_id: str, listed: Iterable[Entry], *, likes: bool
) -> Iterator[tuple[str, str | None]]:
    """``history``'s text lines as (line, style): git log's layout."""
    yield f"{name} ({playlist_id})", "bold"
    yield "", None
    for entry in listed:
        yield f"commit {entry.commit}", "yellow"
        yield f"Date:   {entry.date:%Y-%m-%d %H:%M:%S} UTC", None
        if entry.first:
            yield f"    First archived version: {entry.track_count} tracks", None
        if entry.name_changed and not entry.first:
            yield f"    Renamed: {entry.previous_name} → {entry.name}", None
        if entry.description_changed:
            yield f"    Description: {entry.description}", None
        if likes:
            delta = ""
            if entry.previous_likes is not None and entry.likes is not None:
                delta = f" ({entry.likes - entry.previous_likes:+,})"
            yield f"    Likes: {format_likes_plain(entry.likes)}{delta}", None
        yield from track_change_lines(entry, "    ", _track_text)
        for doc, old, new, _distance in entry.moved:
            yield f"    ~ {track_title(doc)}  {old} → {new}", "blue"
        yield "", None


def track_title(doc: TrackDoc) -> str:
    """A track as a line names it where the album would crowd it: ``Title — Artists``."""
    return f"{doc['name']} — {', '.join(doc['artists'])}"


def track_change_lines(
    entry: Entry, indent: str, describe: Callable[[TrackDoc], str]
) -> Iterator[tuple[str, str | None]]:
    """An entry's added (+), removed (-) and updated (~) tracks as (line, style)."""
    for doc in entry.added:
        yield f"{indent}+ {describe(doc)}", "green"
    for doc in entry.removed:
        yield f"{indent}- {describe(doc)}", "red"
    for before, after in entry.updated:
        yield f"{indent}~ {describe(before)} → {describe(after)}", "cyan"


_MD_SPECIAL = str.maketrans({char: "\\" + char for char in "\\`*_[]()#|~<>"})


def _md(text: str) -> str:
    return " ".join(text.translate(_MD_SPECIAL).splitlines())


def _md_track(doc: TrackDoc) -> str:
    title = f"[{_md(doc['name'])}]({doc['url']})" if doc["url"] else _md(doc["name"])
    return f"{title} — {_md(', '.join(doc['artists']))} — {_md(doc['album'])}"


def timeline_markdown(
    name: str, playlist_id: str, listed: Iterable[Entry], *, likes: bool
) -> Iterator[str]:
    """``history --format markdown``, one version per chunk."""
    yield f"# History of {_md(name)}\n\n<{playlist_url(playlist_id)}>\n"
    for entry in listed:
        lines = ["", f"## {entry.date:%Y-%m-%d %H:%M} UTC — `{entry.commit[:12]}`", ""]
        if entry.name_changed and not entry.first:
            lines.append(f"- Renamed: {_md(entry.previous_name or '')} → {_md(entry.name)}")
        if entry.description_changed:
            lines.append(f"- Description: {_md(entry.description)}")
        if likes:
            lines.append(f"- Likes: {format_likes_plain(entry.likes)}")
        lines += [f"- Added: {_md_track(doc)}" for doc in entry.added]
        lines += [f"- Removed: {_md_track(doc)}" for doc in entry.removed]
        lines += [f"- Updated: {_md_track(b)} → {_md_track(a)}" for b, a in entry.updated]
        lines += [f"- Moved: {_md_track(doc)}: {old} → {new}" for doc, old, new, _ in entry.moved]
        if lines[-1] == "":
            lines.append("- (no track changes)")
        yield "\n".join(lines) + "\n"
