"""The site's Atom feeds: ``feed.atom`` for the whole archive, ``p/<id>.atom`` per playlist.

One entry per listed version (what ``history`` lists), linking to that
version on the playlist's page (``p/<id>.html#<commit>``), and one entry
"the last sync of this playlist failed since DATE" while ``status.json``
records a failure, so silence shows in a reader too.

Entry ids are ``tag:`` URIs built from the playlist id and the commit id (or
the failure's first day), and every date is the version's own: a rebuild
writes the same entries, so a reader never shows one twice. Names are hostile
input: every text and attribute is escaped as :mod:`xml.etree.ElementTree`
escapes them (its serialisation, written here as text: the same bytes, a
feed per playlist at a fraction of the cost; a test compares them),
characters XML cannot carry are replaced, and the entries' HTML content is
escaped before that.
"""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING

from gitarchive.changes import Change, likes_delta, summary
from gitarchive.history.documents import track_title
from gitarchive.site.data import iso_date

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from gitarchive.formats.status import Failure

ATOM = "http://www.w3.org/2005/Atom"
TAG = "tag:gitarchive,2026:"
# The whole-archive feed carries the newest versions only (docs/site.md).
ARCHIVE_FEED_ENTRIES = 200
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_EPOCH = "1970-01-01T00:00:00Z"


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (controls, lone surrogates)."""
    return _NOT_XML.sub("\ufffd", text)


def feed_href(playlist_id: str) -> str:
    """Where a playlist's feed lives, relative to the index (ids are [0-9A-Za-z] only)."""
    return f"p/{playlist_id}.atom"


class _Feed:
    """An Atom document written as text, escaped as ElementTree's serialisation escapes it."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, tag: str, text: str | None = None, **attributes: str) -> None:
        """An element without children: ``<tag a="v">text</tag>``, or ``<tag a="v" />``."""
        parts = self.parts
        parts.append(f"<{tag}")
        for name, value in attributes.items():
            parts.append(f' {name}="{_attribute(value)}"')
        if text:
            parts.append(f">{_text(xml_text(text))}</{tag}>")
        else:
            parts.append(" />")

    def open(self, tag: str, **attributes: str) -> None:
        self.parts.append(f"<{tag}")
        self.parts.extend(f' {name}="{_attribute(value)}"' for name, value in attributes.items())
        self.parts.append(">")

    def close(self, tag: str) -> None:
        self.parts.append(f"</{tag}>")


def _text(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _attribute(value: str) -> str:
    value = _text(value)
    for character, reference in (
        ('"', "&quot;"),
        ("\r", "&#13;"),
        ("\n", "&#10;"),
        ("\t", "&#09;"),
    ):
        if character in value:
            value = value.replace(character, reference)
    return value


def _content(change: Change) -> str:
    entry = change.entry
    lines = [f"<p>{escape(xml_text(summary(entry)))}</p>"]
    items = [
        (sign, track_title(doc))
        for sign, docs in (("+", entry.added), ("−", entry.removed))
        if not entry.first
        for doc in docs
    ]
    items += [("~", f"{track_title(a)} → {track_title(b)}") for a, b in entry.updated]
    items += [("↕", f"{track_title(doc)}  {old} → {new}") for doc, old, new, _ in entry.moved]
    if items:
        rows = "".join(f"<li>{sign} {escape(xml_text(text))}</li>" for sign, text in items)
        lines.append(f"<ul>{rows}</ul>")
    if entry.likes is not None:
        delta = likes_delta(entry)
        change_text = f" ({delta:+,})" if delta else ""
        lines.append(f"<p>Likes: {entry.likes:,}{change_text}</p>")
    return "".join(lines)


def _version_entry(feed: _Feed, change: Change, page_prefix: str) -> None:
    entry = change.entry
    feed.open("entry")
    feed.add("id", f"{TAG}playlist/{change.playlist_id}/version/{entry.commit}")
    feed.add("title", f"{change.playlist_name}: {summary(entry)}")
    when = iso_date(entry.date)
    feed.add("updated", when)
    feed.add("published", when)
    href = f"{page_prefix}{change.playlist_id}.html#{entry.commit[:12]}"
    feed.add("link", rel="alternate", type="text/html", href=href)
    feed.add("content", _content(change), type="html")
    feed.close("entry")


def _failure_entry(
    feed: _Feed, playlist_id: str, name: str, failure: Failure, page_prefix: str
) -> None:
    feed.open("entry")
    feed.add("id", f"{TAG}playlist/{playlist_id}/failed/{failure.since}")
    feed.add("title", f"{name}: the last sync of this playlist failed since {failure.since}")
    feed.add("updated", f"{failure.since}T00:00:00Z")
    feed.add("link", rel="alternate", type="text/html", href=f"{page_prefix}{playlist_id}.html")
    feed.add("content", f"{failure.kind}: {failure.reason}", type="text")
    feed.close("entry")


def _feed(feed_id: str, title: str, alternate: str, updated: str) -> _Feed:
    feed = _Feed()
    feed.open("feed", xmlns=ATOM)
    feed.add("id", feed_id)
    feed.add("title", title)
    feed.add("updated", updated)
    feed.open("author")
    feed.add("name", "gitarchive")
    feed.close("author")
    feed.add("link", rel="alternate", type="text/html", href=alternate)
    feed.add("generator", "gitarchive")
    return feed


def _serialise(feed: _Feed) -> str:
    feed.close("feed")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + "".join(feed.parts) + "\n"


def _items(
    changes: Sequence[Change], failures: Mapping[str, tuple[str, Failure]]
) -> list[tuple[str, Change | tuple[str, str, Failure]]]:
    """Versions and failures by date, newest first (a failure dated its first day)."""
    items: list[tuple[str, Change | tuple[str, str, Failure]]] = [
        (f"{change.entry.date:%Y-%m-%dT%H:%M:%SZ}", change) for change in changes
    ]
    items += [
        (f"{failure.since}T00:00:00Z", (playlist_id, name, failure))
        for playlist_id, (name, failure) in sorted(failures.items())
    ]
    items.sort(key=lambda item: item[0], reverse=True)
    return items


def _write_items(
    feed: _Feed,
    items: Sequence[tuple[str, Change | tuple[str, str, Failure]]],
    page_prefix: str,
) -> None:
    for _when, item in items:
        if isinstance(item, Change):
            _version_entry(feed, item, page_prefix)
        else:
            _failure_entry(feed, *item, page_prefix=page_prefix)


def playlist_feed(
    playlist_id: str, name: str, changes: Sequence[Change], failure: Failure | None
) -> str:
    """``p/<id>.atom``: the playlist's versions (``changes``: newest first), and its failure."""
    failures = {playlist_id: (name, failure)} if failure is not None else {}
    items = _items(changes, failures)
    feed = _feed(
        f"{TAG}playlist/{playlist_id}",
        f"{name} — gitarchive",
        f"{playlist_id}.html",
        items[0][0] if items else _EPOCH,
    )
    _write_items(feed, items, "")
    return _serialise(feed)


def archive_feed(
    changes: Sequence[Change], failures: Mapping[str, tuple[str, Failure]], *, title: str
) -> str:
    """``feed.atom``: the newest versions of every playlist, and every failure.

    The bound counts versions only: a failure, however old, stays in the feed
    while it lasts.
    """
    items = _items(changes[:ARCHIVE_FEED_ENTRIES], failures)
    feed = _feed(f"{TAG}archive", title, "index.html", items[0][0] if items else _EPOCH)
    _write_items(feed, items, "p/")
    return _serialise(feed)
