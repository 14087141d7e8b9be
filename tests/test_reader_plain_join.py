"""A plain version joined with its name-keyed page reads as the full readers read it.

The version reader leaves a plain file's lines unparsed when they are its page's
tracks' lines (the join then takes the page whole); these specifications compare
every version of quirky histories (no final newline, CRLF, blank and multi-line
descriptions, headers a merge sorted among the tracks, repeated lines, lines without
separators, pages that drop or add a row, names holding " -- ", pipes, tabs, no-break
spaces and backslashes) with ``read_plain`` and ``read_pretty`` joined by ``merge_page``.
"""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from typing import TYPE_CHECKING

import pygit2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitarchive import formats, versions
from gitarchive.formats.plain import one_line, sort_key, track_from_line
from gitarchive.git import Store
from gitarchive.model import Album, Artist, Owner, Playlist, Track
from gitarchive.name_keyed import (
    joined_version,
    merge_page,
    merged_tracks,
    page_lists_the_lines,
    with_page,
)
from tests.support.builder import RepoBuilder
from tests.support.legacy_archive import page_path, sorted_by_a_merge
from tests.support.models import PID

if TYPE_CHECKING:
    from pathlib import Path

_URL = "https://open.spotify.com"
_NAMES = ["Song", "a -- b", "pipe | in it", "tab\there", "no\xa0break", "back\\slash", "Solo", ""]


def _track(number: int, pick: random.Random) -> Track:
    tid = f"{number:022d}"
    artists = tuple(
        Artist(f"{pick.choice(_NAMES)} {number}{index}", f"{_URL}/artist/{tid}")
        for index in range(pick.choice([0, 1, 1, 2]))
    )
    album = pick.choice(["Album", "", "x -- y", f"Album {number}"])
    return Track(
        name=f"{pick.choice(_NAMES)} {number}".strip(),
        artists=artists,
        album=Album(album, f"{_URL}/album/{tid}"),
        url=f"{_URL}/track/{tid}",
        duration_ms=180_000 + 1000 * (number % 50),
    )


def _early_page(playlist: Playlist) -> str:
    """The page as the 2021 writer wrote it: names as they are, rows numbered."""
    rows = [
        f"| {number} | [{track.name}]({track.url}) | "
        + ", ".join(f"[{artist.name}]({artist.url})" for artist in track.artists)
        + f" | [{track.album.name}]({track.album.url}) | 3:{number % 60:02d} |"
        for number, track in enumerate(playlist.tracks, start=1)
    ]
    head = "| No. | Title | Artist(s) | Album | Length |\n|---|---|---|---|---|"
    title = f"### [{playlist.unique_name}]({_URL}/playlist/{PID})"
    return "\n".join([title, "", f"> {playlist.description}", "", head, *rows]) + "\n"


def _plain(playlist: Playlist, pick: random.Random) -> str:
    """The plain file of a version, with the quirks foreign writers left."""
    lines = sorted((one_line(track.plain_line) for track in playlist.tracks), key=sort_key)
    quirk = pick.choice(["none", "repeat", "bare", "drop", "extra", "blank"])
    if quirk == "repeat" and lines:
        lines.insert(pick.randrange(len(lines)), pick.choice(lines))
    elif quirk == "bare" and lines:  # a line whose separators were lost
        at = pick.randrange(len(lines))
        lines[at] = lines[at].split(" -- ")[0]
    elif quirk == "drop" and lines:
        lines.pop(pick.randrange(len(lines)))
    elif quirk == "extra":
        lines.append("Only -- In -- Plain")
    elif quirk == "blank" and lines:  # a blank line among the tracks
        lines.insert(pick.randrange(len(lines)), "")
    description = pick.choice(["", "words", "ends in a newline\n", "two\nlines"])
    header = [playlist.unique_name, *description.split("\n")]
    text = "\n".join([*header, "", *lines])
    if pick.random() < 0.2:
        text = sorted_by_a_merge(text)
    ending = pick.choice(["", "\n", "crlf"])
    return text.replace("\n", "\r\n") if ending == "crlf" else text + ending


def _history(seed: int, steps: int) -> list[Playlist]:
    pick = random.Random(seed)
    tracks = [_track(number, pick) for number in range(8)]
    found = []
    for step in range(steps):
        edit = pick.choice(["append", "remove", "insert", "swap", "none"])
        new = _track(100 + step, pick)
        if edit == "append":
            tracks.append(new)
        elif edit == "remove" and tracks:
            tracks.pop(pick.randrange(len(tracks)))
        elif edit == "insert":
            tracks.insert(pick.randrange(len(tracks) + 1), new)
        elif edit == "swap" and len(tracks) > 1:
            tracks[0], tracks[-1] = tracks[-1], tracks[0]
        found.append(Playlist(PID, "Mix", "Mix", "", tuple(tracks)))
    return found


def _expected(plain_text: str, page_text: str) -> Playlist:
    page = formats.read_pretty(page_text, PID)
    plain = formats.read_plain(plain_text, PID, known=(page.unique_name, page.description))
    return merge_page(plain, page)


@pytest.mark.parametrize("seed", range(6))
def test_a_plain_version_joined_with_its_page_is_the_full_readers_join(
    tmp_path: Path, seed: int
) -> None:
    pick = random.Random(seed)
    builder = RepoBuilder(tmp_path / "r")
    texts: dict[str, tuple[str, str]] = {}
    previous: str | None = None
    for day, playlist in enumerate(_history(seed, steps=30), start=1):
        if pick.random() < 0.1:  # a page edited alone, or dropped for a version
            page_text = _early_page(dataclasses.replace(playlist, tracks=playlist.tracks[1:]))
        else:
            page_text = _early_page(playlist)
        plain_text = _plain(playlist, pick)
        files: dict[str, str | bytes | None] = {
            formats.plain_path(PID): plain_text,
            page_path("Mix"): page_text,
        }
        if plain_text == previous:
            continue
        previous = plain_text
        commit = builder.commit(files, date=f"2026-01-{day:02d}T06:00:00")
        texts[commit] = (plain_text, page_text)
    found = versions.list_versions(Store(pygit2.Repository(str(tmp_path / "r"))), PID)
    assert len(found) == len(texts)
    for version in found:
        assert version.playlist == _expected(*texts[version.commit]), version.commit


def _oracle_merged(plain: tuple[Track, ...], page: tuple[Track, ...]) -> tuple[Track, ...]:
    """merged_tracks as specified: the page whole when its lines are the plain file's
    lines (as a multiset), else each plain track taking an unused page track of its line."""
    page_lines = [one_line(track.plain_line) for track in page]
    if Counter(page_lines) == Counter(track.plain_line for track in plain):
        return page
    spare: dict[str, list[Track]] = {}
    for line, track in zip(page_lines, page, strict=True):
        spare.setdefault(line, []).append(track)
    return tuple(
        spare[track.plain_line].pop(0) if spare.get(track.plain_line) else track for track in plain
    )


_PIECES = st.sampled_from(["a", "B", " -- ", " ", "-", "--", ",", "\r", "\n", "\x00", "\t", ""])
_TEXT = st.lists(_PIECES, max_size=5).map("".join)
_TRACK = st.builds(
    lambda name, artists, album: Track(
        name=name, artists=tuple(Artist(a) for a in artists), album=Album(album)
    ),
    _TEXT,
    st.lists(_TEXT, max_size=2),
    _TEXT,
)


# a page may list a track twice
_PAGE = st.lists(_TRACK, min_size=1, max_size=4).flatmap(
    lambda tracks: st.lists(st.sampled_from(tracks), max_size=6).map(tuple)
)
_EDITS = st.sampled_from(["keep", "bare", "repeat", "copy", "drop", "new"])


@settings(max_examples=600, deadline=None)
@given(
    page=_PAGE,
    edits=st.lists(st.tuples(_EDITS, _TEXT), max_size=4),
    seed=st.integers(0, 2**16),
)
def test_lines_taken_as_the_pages_are_exactly_where_the_join_takes_the_page(
    page: tuple[Track, ...], edits: list[tuple[str, str]], seed: int
) -> None:
    """Plain lines made from the page's lines (shuffled, repeated, one counted for
    another, dropped, stripped of their separators, or new): where the reader leaves
    them unparsed, joining their parsed tracks takes the page whole; and the join is
    the specified one either way."""
    lines = [one_line(track.plain_line) for track in page]
    for edit, text in edits:
        at = seed % (len(lines) + 1)
        if edit == "bare" and lines:
            lines[at % len(lines)] = lines[at % len(lines)].replace(" -- ", text, 1)
        elif edit == "repeat" and lines:
            lines.append(lines[at % len(lines)])
        elif edit == "copy" and lines:  # as long, another line counted twice
            lines[at % len(lines)] = lines[(at + len(text)) % len(lines)]
        elif edit == "drop" and lines:
            lines.pop(at % len(lines))
        elif edit == "new":
            lines.insert(at, text)
    random.Random(seed).shuffle(lines)
    lines = [line for line in lines if "\n" not in line]  # split_plain cuts lines at "\n"
    parsed = tuple(track_from_line(line) for line in lines)
    joined = merged_tracks(parsed, page)
    assert joined == _oracle_merged(parsed, page)
    if page_lists_the_lines(lines, page):
        assert joined is page


def test_a_joined_version_is_the_page_with_the_plain_files_names_and_description() -> None:
    """Every field of the page but the names, description and tracks is carried over
    (built field by field for speed: a field added to Playlist must be added there)."""
    page = Playlist(PID, "Page", "Page (2)", "d", (), "snap", 7, Owner("Curator", "u"))
    assert all(
        getattr(page, f.name) != f.default
        for f in dataclasses.fields(Playlist)
        if f.name != "tracks" and f.default is not dataclasses.MISSING
    )
    assert page.owner != Playlist(PID).owner
    plain = Playlist(PID, "Plain", "Plain (3)", "words", ())
    tracks = (track_from_line("a -- b -- c"),)
    joined = dataclasses.replace(page, description="words", tracks=tracks)
    assert with_page(plain, page, tracks) == dataclasses.replace(
        joined, original_name="Plain", unique_name="Plain (3)"
    )
    assert joined_version(page, "Plain", "words", tracks) == dataclasses.replace(
        joined, original_name="Plain", unique_name="Plain"
    )
