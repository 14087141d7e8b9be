"""Files as spotify-playlist-archive's 2021 writer laid them out, for small fixtures.

The plain file keyed by id without a final newline, the page keyed by the
playlist's name (``playlists/pretty/<Name>.md``) with a title that links to the
playlist. The large generated archives are tests/support/foreign_archive.py's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive import formats

if TYPE_CHECKING:
    from gitarchive.model import Playlist


def page_path(name: str) -> str:
    return f"playlists/pretty/{name}.md"


def plain_2021(playlist: Playlist) -> str:
    """The plain file as that writer left it: no final newline."""
    return formats.render_plain(playlist).removesuffix("\n")


def files_2021(playlist: Playlist) -> dict[str, str | bytes | None]:
    """The plain file by id and the page by name."""
    return {
        formats.plain_path(playlist.id): plain_2021(playlist),
        page_path(playlist.unique_name): formats.render_pretty(playlist, github=None),
    }


def sorted_by_a_merge(text: str) -> str:
    """Every line of a plain file sorted, the header among the tracks (the blank line
    first), as a merge in such an archive left some files."""
    return "\n".join(sorted(text.split("\n"), key=str.lower))
