"""``changes.html``: what changed everywhere, newest first, grouped by day, filterable.

The same changes as ``gitarchive changes`` (:mod:`gitarchive.changes`), the
newest :data:`CHANGES_PAGE_ENTRIES` of them. Written as plain HTML (every name
escaped, in a ``<bdi>``); the site's one inline script filters the entries by
playlist name and hides the days left empty.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive.changes import by_day, summary
from gitarchive.history.documents import track_title
from gitarchive.site.pages import site_page, text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitarchive.changes import Change

# The page lists the newest changes only, so it stays quick to open (docs/site.md).
CHANGES_PAGE_ENTRIES = 1000


def _tracks(change: Change) -> str:
    entry = change.entry
    if entry.first:
        return ""
    rows = [f'<li class="added">+ <bdi>{text(track_title(doc))}</bdi></li>' for doc in entry.added]
    rows += [
        f'<li class="removed">− <bdi>{text(track_title(doc))}</bdi></li>' for doc in entry.removed
    ]
    rows += [
        f'<li class="updated">~ <bdi>{text(track_title(before))}</bdi> → '
        f"<bdi>{text(track_title(after))}</bdi></li>"
        for before, after in entry.updated
    ]
    return f'<ul class="tracks">{"".join(rows)}</ul>' if rows else ""


def _change(change: Change) -> str:
    entry = change.entry
    href = f"p/{change.playlist_id}.html#{entry.commit[:12]}"
    return (
        f'<li data-name="{text(change.playlist_name)}">'
        f'<span class="muted">{entry.date:%H:%M}</span> '
        f'<a class="name" href="{href}"><bdi>{text(change.playlist_name)}</bdi></a> '
        f"<span>{text(summary(entry))}</span>{_tracks(change)}</li>"
    )


def changes_page(changes: Sequence[Change], *, title: str, generated: str) -> str:
    """The page of ``changes`` (newest first, at most :data:`CHANGES_PAGE_ENTRIES`)."""
    days = [
        f'<section class="day"><h2>{day}</h2><ul>'
        + "".join(_change(change) for change in group)
        + "</ul></section>"
        for day, group in by_day(changes)
    ]
    body = (
        '<nav><a href="index.html">← All playlists</a> · <a href="feed.atom">Atom feed</a></nav>\n'
        f"<header><h1>What changed — {text(title)}</h1>"
        f'<p class="muted">The newest {len(changes):,} changes of every playlist '
        f"(at most {CHANGES_PAGE_ENTRIES:,}), newest first; times in UTC. "
        f"Rebuilt by gitarchive on {text(generated)}.</p></header>\n"
        '<input id="filter" type="search" placeholder="Filter changes by playlist name" '
        'aria-label="Filter changes by playlist name" autocomplete="off">\n'
        '<p class="muted" id="shown" aria-live="polite"></p>\n'
        f'<div id="changes">\n{chr(10).join(days)}\n</div>\n'
    )
    return site_page(f"What changed — {title}", body, feed="feed.atom")
