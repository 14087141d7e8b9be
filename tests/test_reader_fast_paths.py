"""The version reader's fast paths read what the full readers read, whatever the layout.

Each fast path reads a version against its playlist's previous one; these specifications
walk sequences of versions (tracks appended, removed, inserted, changed, moved, only the
header moved) written in many layouts the grammar allows (indents, key orders, CRLF, no
final newline, non-ASCII as written or escaped, a BOM) and compare every version with the
full, slow parse of its text.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
from typing import TYPE_CHECKING, Any

import pygit2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitarchive import formats, git, name_keyed
from gitarchive.errors import FormatError, RevisionNotFound
from gitarchive.formats import early as early_rows
from gitarchive.formats.pretty import COLUMNS as PAGE_COLUMNS
from gitarchive.formats.sanitize import clean_link
from gitarchive.formats.snapshot import playlist_json
from gitarchive.git import Store
from gitarchive.model import Artist
from gitarchive.snapshot_delta import SnapshotDelta
from gitarchive.version_reader import VersionReader
from tests.support.builder import RepoBuilder
from tests.support.models import PID, model_playlist, model_track

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from gitarchive.model import Playlist, Track

PATH = f"playlists/pretty/{PID}.json"
ODD = ["    },\n    {", '"tracks": [', "]}", "emoji 🎧", "מימין", "", "tab\there", "\\"]


def _track(number: int) -> Track:
    track = model_track(number, name=f"{ODD[number % len(ODD)]} {number}")
    return track if number % 5 else dataclasses.replace(track, url=None, duration_ms=None)


def _history(seed: int, steps: int = 40) -> list[Playlist]:
    """A playlist's versions, each one edit away from the one before."""
    pick = random.Random(seed)
    tracks = [_track(number) for number in range(6)]
    playlist = model_playlist(*tracks, likes=1)
    found = [playlist]
    for step in range(steps):
        edit = pick.choice(["append", "remove", "insert", "change", "move", "likes", "name"])
        tracks = list(playlist.tracks)
        new = _track(100 + step)
        if edit == "append":
            tracks.append(new)
        elif edit == "remove" and tracks:
            del tracks[pick.randrange(len(tracks))]
        elif edit == "insert":
            tracks.insert(pick.randrange(len(tracks) + 1), new)
        elif edit == "change" and tracks:
            tracks[pick.randrange(len(tracks))] = new
        elif edit == "move" and len(tracks) > 1:
            tracks.insert(pick.randrange(len(tracks)), tracks.pop())
        playlist = dataclasses.replace(
            playlist, tracks=tuple(tracks), num_followers=(playlist.num_followers or 0) + 1
        )
        if edit == "name":
            name = f"Renamed {step}"
            playlist = dataclasses.replace(playlist, original_name=name, description="line\nbreak")
        found.append(playlist)
    return found


def _dumps(**options: Any) -> Callable[[dict[str, Any]], str]:
    return lambda document: json.dumps(document, **options)


LAYOUTS: dict[str, Callable[[dict[str, Any]], str]] = {
    "indent 2, sorted keys": _dumps(indent=2, sort_keys=True),
    "indent 4, keys as written": _dumps(indent=4),
    "one line": _dumps(),
    "compact": _dumps(separators=(",", ":")),
    "tabs, tracks first": lambda document: json.dumps(
        {"tracks": document["tracks"], **document}, indent="\t"
    ),
    "CRLF": lambda document: json.dumps(document, indent=2).replace("\n", "\r\n") + "\r\n",
    "non-ASCII as written, no final newline": _dumps(indent=1, ensure_ascii=False),
    "BOM": lambda document: "\ufeff" + json.dumps(document, indent=2),
    "spaces around every token": lambda document: (
        " " + json.dumps(document, indent=3).replace(",\n", " ,\n").replace("[", "[ ") + " \n"
    ),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("seed", range(4))
def test_a_snapshot_read_against_the_previous_one_is_its_full_read(layout: str, seed: int) -> None:
    delta = SnapshotDelta()
    previous: Playlist | None = None
    for playlist in _history(seed):
        text = LAYOUTS[layout](playlist_json(playlist))
        read = delta.read(text.encode(), PID, PATH)
        assert read is not None, "the fast path took this layout"
        assert read == formats.read_json(text.removeprefix("\ufeff"), PID, path=PATH)
        if previous is not None and read.tracks == previous.tracks:
            assert read.tracks is previous.tracks  # unchanged: the very same tuple
        previous = read


def test_tracks_both_versions_share_are_the_previous_versions_very_objects() -> None:
    delta = SnapshotDelta()
    first = model_playlist(*(model_track(number) for number in range(5)))
    second = dataclasses.replace(
        first, tracks=(*first.tracks[:2], model_track(9), *first.tracks[3:], model_track(10))
    )
    read = [delta.read(formats.render_json(p).encode(), PID, PATH) for p in (first, second)]
    assert read[0] is not None and read[1] is not None
    kept = [0, 1, 3, 4]
    assert all(read[1].tracks[index] is read[0].tracks[index] for index in kept)


TRICKY = [
    # a nested "tracks" list before the top-level one, and an empty top-level one
    '{"owner": {"name": "o", "url": "", "tracks": [{"x": 1}]}, "original_name": "n",'
    ' "description": "", "tracks": []}',
    # a duplicate top-level key: json keeps the last
    '{"tracks": [], "original_name": "n", "description": "", "tracks": [1]}',
    '{"original_name": "n", "description": "", "tracks": [], "tracks": "\\u0000"}',
    # a key that ends in "tracks" and holds a list
    '{"a\\"tracks": [1], "original_name": "n", "description": "", "tracks": []}',
    '{"original_name": "n", "description": "", "tracks": [NaN]}',
    '{"original_name": "n", "description": "", "num_followers": NaN, "tracks": []}',
    '{"original_name": "n", "description": "", "tracks": [,]}',
    '{"original_name": "n", "description": "", "tracks": []} trailing',
    '{"original_name": "n", "description": "", "tracks": [{}]}',
    '{"original_name": "n", "description": "", "tracks": [] ',
]


@pytest.mark.parametrize("text", TRICKY)
def test_what_the_fast_path_cannot_prove_is_left_to_the_full_reader(text: str) -> None:
    """Read after a valid version (so the list is compared with one), a snapshot the fast
    path reads is read as read_json reads it, and one read_json rejects is never read."""
    delta = SnapshotDelta()
    valid = '{"original_name": "n", "description": "", "tracks": []}'
    assert delta.read(valid.encode(), PID, PATH) is not None
    read = delta.read(text.encode(), PID, PATH)
    try:
        expected = formats.read_json(text, PID, path=PATH)
    except FormatError:
        assert read is None
    else:
        assert read is None or read == expected


def _numbered_page(playlist: Playlist) -> str:
    """The page as spotify-playlist-archive's 2021 writer numbered its rows (a name's line
    break kept only in the version named "Broken", whose row it cuts in two)."""
    broken = playlist.unique_name == "Broken"
    rows = [
        f"| {number} | [{track.name if broken else track.name.replace(chr(10), ' ')}]"
        f"({track.url or ''}) | "
        + ", ".join(f"[{artist.name}]({artist.url or ''})" for artist in track.artists)
        + f" | [{track.album.name}]({track.album.url or ''}) | 3:0{number % 10} |"
        for number, track in enumerate(playlist.tracks, start=1)
    ]
    head = "| No. | Title | Artist(s) | Album | Length |\n|---|---|---|---|---|"
    title = f"### [{playlist.unique_name}](https://open.spotify.com/playlist/{PID})"
    return "\n".join([title, "", f"> {playlist.description}", "", head, *rows]) + "\n"


PAGE_LAYOUTS: dict[str, Callable[[Playlist], str]] = {
    "as rendered": lambda playlist: formats.render_pretty(playlist, github=None),
    "numbered rows": _numbered_page,
    "CRLF": lambda playlist: _numbered_page(playlist).replace("\n", "\r\n"),
    "no final newline": lambda playlist: _numbered_page(playlist).rstrip("\n"),
    "text after the table": lambda playlist: _numbered_page(playlist) + "\nA note.\n",
}


def _assert_pages_read_as_read_pretty(tmp_path: Path, texts: list[str]) -> None:
    """Each text committed in turn as the page: the reader (after the ones before it)
    reads it as read_pretty reads it, or fails with its message on its line."""
    builder = RepoBuilder(tmp_path / "r")
    path = formats.pretty_path(PID)
    commits = [builder.commit({path: text}, date=f"2026-01-{day:02d}")
               for day, text in enumerate(texts, start=1)]  # fmt: skip
    store = Store(pygit2.Repository(str(tmp_path / "r")))
    reader = VersionReader(store)
    folder, _, name = path.rpartition("/")
    for commit, text in zip(commits, texts, strict=True):
        blob = git.list_dir(store, commit, folder)[name]
        try:
            expected = formats.read_pretty(text, PID, path=path)
        except FormatError as error:  # a name with a line break: its row is cut in two
            with pytest.raises(FormatError) as raised:
                reader.read("pretty", blob, PID, path, commit=commit)
            assert (raised.value.message, raised.value.line) == (error.message, error.line)
        else:
            assert reader.read("pretty", blob, PID, path, commit=commit) == expected


@pytest.mark.parametrize("layout", PAGE_LAYOUTS)
def test_a_page_read_against_the_previous_one_is_its_full_read(tmp_path: Path, layout: str) -> None:
    found = _history(7, steps=12)
    found.append(dataclasses.replace(found[-1], original_name="Broken", unique_name="Broken"))
    texts = [
        PAGE_LAYOUTS[layout](dataclasses.replace(playlist, description="two\n\nlines"))
        for playlist in found
    ]  # a name with a line break: its row is cut in two, an error on both sides
    _assert_pages_read_as_read_pretty(tmp_path, texts)


_URL = "https://open.spotify.com"
_ID = "4uLU6hMCjMI75M1A2tKUQC"
_TITLE = f"### [N]({_URL}/playlist/{PID})\n\n"
_HEAD = "| No. | Title | Artist(s) | Album | Length |\n|---|---|---|---|---|\n"
_ROW = f"[a]({_URL}/track/{_ID}) | [c]({_URL}/artist/{_ID}) | [d]({_URL}/album/{_ID}) | 3:00 |\n"
ODD_PAGES = {
    # not an early page (blank first line): markdown reads the escape, the early reader not
    "escape read by markdown": "\n" + _TITLE + _HEAD + "| 1 | " + _ROW.replace("[a]", "[a\\*b]"),
    # a table inside a code fence is code, not tracks
    "table in a code fence": _TITLE + "```\n" + _HEAD + "| 1 | " + _ROW + "```\n\n" + _HEAD,
    # an escaped pipe in the number cell is part of that cell
    "escaped pipe in the number": _TITLE + _HEAD + "| 1 \\| x | " + _ROW,
    # a word for a number, with an unescaped pipe in the name: the row cannot be split
    "word for a number": _TITLE + _HEAD + "| x | " + _ROW.replace("[a]", "[a|b]"),
}


@pytest.mark.parametrize("name", ODD_PAGES)
def test_a_page_markdown_reads_otherwise_is_read_as_the_full_reader_reads_it(
    tmp_path: Path, name: str
) -> None:
    """After a plain version of the page, each odd one reads as read_pretty reads it."""
    _assert_pages_read_as_read_pretty(tmp_path, [_TITLE + _HEAD + "| 1 | " + _ROW, ODD_PAGES[name]])


def test_a_track_nested_near_the_parsers_limit_is_judged_by_the_full_reader() -> None:
    """Read alone, an element is two levels shallower than in the file: one the full
    reader finds nested too deeply is not read by the fast path either."""
    delta = SnapshotDelta()
    valid = '{"original_name": "n", "description": "", "tracks": []}'
    assert delta.read(valid.encode(), PID, PATH) is not None
    for depth in range(900, 1000, 3):
        nested = "[" * depth + "]" * depth
        text = (
            '{"original_name":"n","description":"","tracks":[{"name":"t","artists":[],'
            f'"album":{{"name":"a","url":""}},"x":{nested}}}]}}'
        )
        try:
            formats.read_json(text, PID, path=PATH)
        except FormatError:
            assert delta.read(text.encode(), PID, PATH) is None


_NUMBER_CELLS = [
    " 1 ", "7", "  12\t", " 3 4 ", " x ", " \u0663 ", " 1 \\", "", " -1 ", " 1.0 ", "\t2", "\xa05 "
]  # fmt: skip
_ROWS = [
    _ROW,
    _ROW.replace("[a]", "[a|b]"),
    _ROW.replace("3:00", "x:y"),
    _ROW.replace("[c]", "[c \\| d]"),
    _ROW.replace(" |\n", " |\r\n"),
    _ROW.replace(" |\n", " | |\n"),
    _ROW.replace(" |\n", "\n"),
]


def _page_of_odd_rows(pick: random.Random) -> str:
    """An early page whose rows pick their number cells and bodies from the quirks a
    row may have (numbers as words, spaces, tabs, other digits, an escaped pipe, cells
    that cannot be split, a length that is not one, a CR), some rows repeated."""
    head = pick.choice([_HEAD, _HEAD.replace("| No. ", "").replace("|---|---", "|---", 1)])
    numbered = head.startswith("| No. |")
    rows = [
        (f"|{pick.choice(_NUMBER_CELLS)}|" if numbered else "|")
        + pick.choice(_ROWS[:2] if pick.random() < 0.9 else _ROWS).removeprefix(" ")
        for _ in range(pick.randrange(6))
    ]
    end = pick.choice(
        ["", "\nA note.\n", "| not | a | row\n", " | 9 | " + _ROW, "|\n", "\n| 9 | " + _ROW]
    )
    text = _TITLE + head + "".join(rows) + end
    return text.rstrip("\n") if pick.random() < 0.2 else text


@pytest.mark.parametrize("seed", range(8))
def test_rows_are_known_without_their_numbers_only_where_the_full_reader_agrees(
    tmp_path: Path, seed: int
) -> None:
    """Pages of quirky rows, one after another, read as read_pretty reads each: a row
    whose number cell is not a plain number is left to it, whatever the rows before."""
    pick = random.Random(seed)
    _assert_pages_read_as_read_pretty(tmp_path, [_page_of_odd_rows(pick) for _ in range(30)])


def test_a_folders_entries_looked_up_commit_after_commit_are_what_entry_id_finds(
    tmp_path: Path,
) -> None:
    """The pages folder read once per commit (and let go when more are kept) finds what a
    lookup of the whole path finds: the folder missing, a file where it should be, a
    folder where a page should be, a page changed, added, removed."""
    builder = RepoBuilder(tmp_path / "r")
    steps: list[dict[str, str | None]] = [
        {"README.md": "x"},
        {"playlists/pretty": "a file"},
        {"playlists/pretty": None, "playlists/pretty/A.md": "a", "playlists/pretty/B.md/x": "b"},
        {"playlists/pretty/A.md": "a2", "playlists/pretty/C.md": "c"},
        {"playlists/pretty/A.md": None, "playlists/pretty/B.md/x": None},
        {"playlists/pretty/C.md": None, "playlists/plain/x": "p"},
    ]
    commits = [builder.commit(files, date=f"2026-01-0{day}") for day, files in enumerate(steps, 1)]
    store = Store(pygit2.Repository(str(tmp_path / "r")))
    folder = git.FolderEntries(store, "playlists/pretty", size=2)
    pick = random.Random(3)
    for _ in range(200):
        commit, name = pick.choice(commits), pick.choice(["A.md", "B.md", "C.md", "x", "D.md"])
        expected = git.entry_id(store, commit, f"playlists/pretty/{name}")
        assert folder.entry_id(commit, name) == expected, (commits.index(commit), name)
    with pytest.raises(RevisionNotFound):
        folder.entry_id("0" * 40, "A.md")


def _cells_as_split_row_cuts(line: str, columns: tuple[str, ...]) -> list[str] | None:
    """raw_cells as the grammar states it: the row cut at its unescaped pipes (split_row's
    pattern, spelled out here: split_row cuts a row without escapes by str.split), else
    the links' boundaries."""
    text = line.strip()
    bordered = len(text) >= 2 and text.startswith("|") and text.endswith("|")
    cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", text[1:-1])] if bordered else None
    if cells is not None and len(cells) == len(columns):
        return cells
    pattern = early_rows._row_re(columns)
    match = pattern.fullmatch(line.strip()) if pattern else None
    return None if match is None else [cell.strip() for cell in match.groups()]


_ROW_PIECES = ["|", " ", "\t", "\\", "\\|", "a", "1", "3:00", "[a]", f"({_URL}/track/{_ID})",
               f"[c]({_URL}/artist/{_ID})", ", ", f"[d]({_URL}/album/{_ID})", "\r",
               "\u00a0"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(_ROW_PIECES), max_size=24),
    st.sampled_from([PAGE_COLUMNS, PAGE_COLUMNS[1:]]),
)
def test_a_row_without_escapes_is_cut_into_the_cells_split_row_finds(
    pieces: list[str], columns: tuple[str, ...]
) -> None:
    for line in ("".join(pieces), "| " + "".join(pieces) + " |"):
        assert early_rows.raw_cells(line, columns) == _cells_as_split_row_cuts(line, columns)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "", "b]", "[c", "d, e"]),
            st.integers(min_value=0, max_value=25),
            st.sampled_from(["", "x", "/"]),
        ),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from([", ", ",", " and "]),
)
def test_an_artists_link_is_kept_exactly_where_clean_link_keeps_it(
    artists: list[tuple[str, int, str]], separator: str
) -> None:
    """An early row's artists cell: each link kept as the grammar's clean_link judges it,
    whatever the length of its id or what follows it."""
    cell = separator.join(
        f"[{name}]({_URL}/artist/{('A1b2' * 7)[:length]}{after})" for name, length, after in artists
    )
    found = early_rows._ARTISTS_RE.findall(cell)
    expected = tuple(Artist(name=name, url=clean_link(url)) for name, url in found)
    read = early_rows._artists(cell)
    assert read == (expected or ((Artist(name=cell),) if cell else ()))


# a line starting with "### ", lines as bytes.splitlines() cuts them (at \r\n, \n or \r)
_TITLE_LINE = re.compile(rb"(?:^|(?<=[\r\n]))### [^\r\n]*")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([b"### ", b"#", b" ", b"\n", b"\r", b"a", b"[N](x)"]), max_size=20))
def test_a_pages_title_is_its_first_line_that_starts_with_three_hashes(pieces: list[bytes]) -> None:
    data = b"".join(pieces)
    found = _TITLE_LINE.search(data)
    assert name_keyed._title(data) == (b"" if found is None else found.group())


def _pages_of_replaced_rows(pick: random.Random) -> list[str]:
    """Pages one after another, each as many rows as the last (rows replaced, repeated,
    swapped, now and then one that cannot be read), sometimes under the other head or
    with a row added or removed."""
    pool = [_ROW.replace("[a]", f"[a{n}]") for n in range(12)] + _ROWS[1:]
    bodies = [pick.choice(pool[:12]) for _ in range(pick.randrange(1, 9))]
    pages = []
    for _ in range(30):
        for _ in range(pick.randrange(3)):
            bodies[pick.randrange(len(bodies))] = pick.choice(
                pool if pick.random() < 0.2 else pool[:12]
            )
        if pick.random() < 0.2:
            first, second = pick.randrange(len(bodies)), pick.randrange(len(bodies))
            bodies[first], bodies[second] = bodies[second], bodies[first]
        if pick.random() < 0.1:
            bodies.insert(pick.randrange(len(bodies) + 1), pick.choice(pool[:12]))
        numbered = pick.random() < 0.9
        head = _HEAD if numbered else _HEAD.replace("| No. ", "").replace("|---|---", "|---", 1)
        rows = [f"| {n} | " * numbered + "| " * (not numbered) + body
                for n, body in enumerate(bodies, start=1)]  # fmt: skip
        pages.append(_TITLE + head + "".join(rows))
    return pages


@pytest.mark.parametrize("seed", range(6))
def test_pages_of_replaced_and_moved_rows_read_as_the_full_reader_reads_each(
    tmp_path: Path, seed: int
) -> None:
    """Pages whose rows are mostly the previous page's, replaced, repeated or swapped in
    place: each reads as read_pretty reads it, a row that cannot be read fails it on its
    line."""
    _assert_pages_read_as_read_pretty(tmp_path, _pages_of_replaced_rows(random.Random(seed)))
