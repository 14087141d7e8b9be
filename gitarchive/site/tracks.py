"""The site's track pages: every track two or more playlists held, on pages by id ending.

A track's section is on ``OUT/t/<ending>.html`` (``ending``: the last two
characters of its name, :func:`track_page_name`), at the anchor of its name,
so ``t/QC.html#4uLU6hMCjMI75M1A2tKUQC``: at most 62 × 62 files whatever the
number of tracks, each page's stylesheet and script paid once for many
tracks (a page per track made them most of a large site's files and bytes).
The ending, not the beginning: ids numbered in order share their first
characters, never their last ones (and Spotify's are random throughout).

Which tracks are shared is known before the playlist pages are written
(:class:`gitarchive.site.scratch.SharedTracks`, from the cumulative views: a
track's key is the same there as in the stays), so the cumulative tables link
to them; the stays themselves (dates, places) are folded with each playlist's
versions (:mod:`gitarchive.tracks`), kept on disk, and the pages written once
every playlist is read, one page at a time.
"""

from __future__ import annotations

import hashlib
from datetime import date
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING

from gitarchive.site.output import TRACK_PAGES, write_files
from gitarchive.site.pages import playlist_href, site_page, text

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

    from gitarchive.site.scratch import SectionRow, StayRow
    from gitarchive.tracks import PlaylistStays, Stay

_ID_LENGTH = 22  # a Spotify id: 22 of [0-9A-Za-z]
# Two characters of a Spotify id: at most 62 * 62 pages, a few dozen tracks each on a large
# archive (docs/site.md).
SUFFIX = 2
# a row's dates: the archive's commit days and the tracks' added_at days, shared by many rows
# (and, one string object each, written once into the kept rows by marshal)
_iso = lru_cache(maxsize=4096)(date.isoformat)
_CHARACTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"  # in byte order


def track_page_name(key: str) -> str:
    """The track's name (its anchor): the Spotify id, else a digest of the key (a local
    file's line)."""
    # _ID_KEY without the regex (asked once per row): ASCII letters and digits are alnum
    if len(key) == _ID_LENGTH and key.isascii() and key.isalnum():
        return key
    return "l" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:21]


def track_href(key: str) -> str:
    """Where a track's section lives, relative to the index."""
    name = track_page_name(key)
    return f"{TRACK_PAGES}/{name[-SUFFIX:]}.html#{name}"


def stay_rows(lives: Iterable[PlaylistStays]) -> Iterator[StayRow]:
    """Each life rendered, with the page and anchor of its track (its playlist's cell and
    sort name made once per playlist, each day's date once)."""
    playlists: dict[tuple[str, str], tuple[str, str]] = {}
    for life in lives:
        track = life.track
        name = track_page_name(track.key)
        playlist = (life.playlist_id, life.playlist_name)
        made = playlists.get(playlist)
        if made is None:
            made = playlists[playlist] = (_playlist_cell(*playlist), life.playlist_name.casefold())
        cell, sort_name = made
        last_seen = _iso(life.last_seen)
        yield (
            name[-SUFFIX:],
            name,
            sort_name,
            life.playlist_id,
            last_seen,
            track.name,
            ", ".join([artist.name for artist in track.artists]),
            track.album.name,
            track.url,
            _playlist_row(cell, life, last_seen),
        )


def write_track_pages(
    out: Path, pages: Iterable[tuple[str, list[SectionRow]]], *, generated: str
) -> tuple[int, set[str], int]:
    """Write the pages of the tracks two or more playlists of the site held, from each
    page's rows (by anchor, then order, then playlist: :func:`pages_of_stays`). Returns
    (tracks, the pages written, bytes written)."""
    kept: set[str] = set()
    tracks = 0

    def written_pages() -> Iterator[tuple[str, str]]:
        nonlocal tracks
        for page, rows in pages:
            sections = []
            for anchor, same in groupby(rows, key=_ANCHOR):
                lives = list(same)
                if len(lives) >= 2:
                    sections.append(track_section(anchor, lives))
            if sections:
                kept.add(page)
                tracks += len(sections)
                yield f"{page}.html", track_page(page, sections, generated=generated)

    written = write_files(out, TRACK_PAGES, written_pages())
    return tracks, kept, written


def page_ranges(count: int) -> list[tuple[str, str | None]]:
    """The pages' names in ``count`` ranges (from, before) of their first character."""
    step = -(-len(_CHARACTERS) // count)
    starts = ["", *(_CHARACTERS[index] for index in range(step, len(_CHARACTERS), step))]
    return list(zip(starts, [*starts[1:], None], strict=True))


def _stay_item(stay: Stay) -> str:
    removed = _iso(stay.removed) if stay.removed else "still there"
    asterisk = "*" if stay.added_before_archive else ""
    return (
        f"<li>{_iso(stay.added)}{asterisk} → {removed}, "
        f"best #{stay.best_position}, latest #{stay.latest_position}</li>"
    )


def _playlist_cell(playlist_id: str, name: str) -> str:
    # the playlist's page, which links it on Spotify: not repeated on each of its rows
    return f'<td><a href="../{playlist_href(playlist_id)}"><bdi>{text(name)}</bdi></a></td>'


def _playlist_row(cell: str, life: PlaylistStays, last_seen: str) -> str:
    items = "".join([_stay_item(stay) for stay in life.stays])
    return (
        f"<tr>{cell}<td>{_iso(life.first)}</td><td>{last_seen}</td>"
        f"<td>#{life.best_position}</td><td>#{life.latest_position}</td>"
        f"<td><ul>{items}</ul></td></tr>"
    )


def _heading(name: str, artists: str, album: str, url: str | None) -> str:
    spotify = (
        f' · <a href="{text(url)}" rel="noopener noreferrer">Open on Spotify</a>' if url else ""
    )
    return f"""<h2><bdi>{text(name)}</bdi></h2>
<p class="desc"><bdi>{text(artists)}</bdi> · <bdi>{text(album)}</bdi>{spotify}</p>"""


_ANCHOR = itemgetter(0)
_LAST_SEEN = itemgetter(3)


def track_section(anchor: str, lives: list[SectionRow]) -> str:
    """A track's section: every playlist of the site that held it (``lives``, in their
    order), each stay, its places; headed by the track as the latest of them listed it."""
    _anchor, _order, _playlist, _seen, name, artists, album, url, _row = max(lives, key=_LAST_SEEN)
    rows = "".join([life[8] for life in lives])
    return f"""<section id="{anchor}" class="track">
{_heading(name, artists, album, url)}
<p class="muted">In {len(lives)} playlists</p>
<table><thead><tr><th scope="col">Playlist</th><th scope="col">First</th>
<th scope="col">Last</th><th scope="col">Best</th><th scope="col">Latest</th>
<th scope="col">Stays</th></tr></thead><tbody>{rows}</tbody></table>
</section>"""


def track_page(ending: str, sections: list[str], *, generated: str) -> str:
    """A page of the tracks whose names end in ``ending``, each at its anchor."""
    body = f"""<nav><a href="../index.html">← All playlists</a></nav>
<header><h1>Tracks in two or more playlists: …{text(ending)}</h1>
<p class="muted">Each stay: added → removed, as archived; * in the first archived version, added
before the archive began. Places are 1-based.</p></header>
{chr(10).join(sections)}
<footer>Generated by gitarchive on {text(generated)} from the archive's git log.</footer>"""
    return site_page(f"Tracks …{ending} — gitarchive", body)
