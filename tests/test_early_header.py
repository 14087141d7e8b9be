"""An early page's header reads without markdown exactly as read_pretty reads it, or not at
all (read_pretty then reads it)."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

from hypothesis import example, given
from hypothesis import strategies as st

from gitarchive import formats
from gitarchive.errors import FormatError
from gitarchive.formats.early_header import read_early_header
from gitarchive.model import Playlist
from tests.support.foreign_archive import Shape, generate
from tests.support.foreign_pages import pretty_2019, pretty_2021

if TYPE_CHECKING:
    from pathlib import Path

PLAYLIST = "37i9dQZF1DXcBWIGoYBM5M"
OTHER = "1" * 22
URL = "https://open.spotify.com/playlist"
NAV = (
    "pretty - [cumulative](/playlists/cumulative/{name}.md) - [plain](/playlists/plain/{id})"
    " ([githistory](https://github.githistory.xyz/mackorone/spotify-playlist-archive/blob/main"
    "/playlists/plain/{id}))"
)
HEAD = "| No. | Title | Artist(s) | Album | Length |\n|---|---|---|---|---|"
ROW = "| 1 | [A](https://open.spotify.com/track/" + "a" * 22 + ") | B | C | 1:00 |"

# every character markdown reads as syntax somewhere, and plain text
SPECIAL = "[]()<>\\`*_~&#!|:-=+>\t\r\x00\n ."
TEXT = st.text(alphabet=st.sampled_from([*SPECIAL, "a", "Z", "é", "1"]), max_size=12)
LINE = st.one_of(
    TEXT,
    st.sampled_from(["", ">", "> ", ">>", "---", "===", "***", "```", "~~~", "<div>", "    x"]),
    st.sampled_from(["| No. | x |", "Snapshot ID: `x`", "### [y](" + URL + "/" + OTHER + ")"]),
)


# names and quoted lines of the text markdown cannot take beyond the link or quote
SAFE_TEXT = st.text(alphabet=st.sampled_from([*"()*_~&#!|:-=+> .\t", "a", "Z", "é", "1"]))
QUOTED = st.one_of(st.just(""), st.builds(lambda t: ">" + t, st.one_of(SAFE_TEXT, TEXT)))


@st.composite
def headers(draw: st.DrawFn) -> str:
    """Pages without rows: the early writers' layout, one or two parts of it changed."""
    name = draw(st.one_of(SAFE_TEXT, SAFE_TEXT, TEXT))
    changed = set(draw(st.lists(st.integers(0, 9), max_size=2)))
    lines: list[str] = []
    nav = draw(st.sampled_from(["other", "ids", "none"])) if 0 in changed else "2021"
    if nav == "2021":
        lines += [NAV.format(name=name.replace(" ", "%20"), id=PLAYLIST), ""]
    elif nav == "ids":  # a links line that names pages by id: not an early page
        lines += [NAV.format(name=PLAYLIST, id=PLAYLIST).replace(") ([githistory]", ") - ["), ""]
    elif nav == "other":
        lines += [draw(LINE), draw(st.sampled_from(["", "x"]))]
    target = draw(st.sampled_from([OTHER, "x"])) if 1 in changed else PLAYLIST
    if 2 in changed:
        lines.append(draw(st.sampled_from(["### ", "#### ", "###", "### x "])) + draw(TEXT))
    else:
        tail = f" ([{PLAYLIST}](/playlists/plain/{PLAYLIST}))" if 3 in changed else ""
        lines.append(f"### [{name}]({URL}/{target}){tail}")
    lines.append(draw(st.sampled_from(["x", "===", "---", " "])) if 4 in changed else "")
    start = draw(LINE) if 5 in changed else draw(st.sampled_from(["> ", ">"]))
    lines.append(start + draw(st.one_of(SAFE_TEXT, TEXT)))
    lines += draw(st.lists(LINE if 6 in changed else QUOTED, max_size=4))
    lines += [] if 7 in changed else [""]
    heads = [
        HEAD,
        "| Title | Artist(s) | Album | Length |\n|---|---|---|---|",
        "| a | b |\n|---|---|",
    ]
    lines += (draw(st.sampled_from(heads[1:])) if 8 in changed else HEAD).split("\n")
    after = ["\n", "\n\nSnapshot ID: `s`", f"\n{ROW}", "\n\nx", "\n\n"]
    return "\n".join(lines) + (draw(st.sampled_from(after)) if 9 in changed else "")


def full_read(text: str) -> Playlist | None:
    try:
        return formats.read_pretty(text, PLAYLIST)
    except FormatError:
        return None


@given(headers())
@example(pretty_2021(PLAYLIST, "Top Hits", "The hottest tracks.", []))
@example(pretty_2021(PLAYLIST, "Top Hits", "Ends in a line break\n", []))
@example(pretty_2021(PLAYLIST, "A\\|B", "x", []))
@example(pretty_2019(PLAYLIST, "Top Hits", "Old page", []))
def test_an_early_header_reads_as_read_pretty_reads_it_or_is_left_to_it(text: str) -> None:
    fast = read_early_header(text, PLAYLIST)
    if fast is not None:
        assert fast == full_read(text)


def test_the_early_writers_headers_read_without_markdown() -> None:
    texts = [
        pretty_2021(PLAYLIST, "Top Hits", "The hottest tracks.", []),
        pretty_2021(
            PLAYLIST, "Rock & Roll (Live) *1*", "Two\n>\n> quoted lines, a > and a |\n", []
        ),
        pretty_2021(PLAYLIST, "Top Hits", "A quote\n> and its second line", []) + "\n",
        pretty_2021(PLAYLIST, "Top Hits", "", []),  # an empty quote
    ]
    for text in texts:
        fast = read_early_header(text, PLAYLIST)
        assert fast is not None
        assert fast == full_read(text)


def test_a_header_markdown_must_judge_is_left_to_read_pretty() -> None:
    page = pretty_2021(PLAYLIST, "Top Hits", "x", [])
    left = [
        page.replace("Top Hits]", "Top [Hits]]"),  # brackets in the name
        page.replace("Top Hits]", "Top `Hits]"),  # a code span could take the link
        page.replace(PLAYLIST + ")\n", OTHER + ")\n"),  # another playlist's title
        page.replace("> x\n\n", "> x\n"),  # the table under a quoted line
        page + "\n\nSnapshot ID: `s`",  # text after the table
        page.replace("\n", "\r\n"),
        pretty_2019(PLAYLIST, "Top Hits", "x", []),  # a title with the plain file's link
    ]
    for text in left:
        assert read_early_header(text, PLAYLIST) is None


def test_a_2021_archive_s_pages_are_read_without_markdown_it(tmp_path: Path) -> None:
    """Every version of a generated 2021-layout archive (its writer's quirks included) is
    read with its name-keyed page and no markdown parser (~15 ms a process saves)."""
    repo = tmp_path / "repo"
    truth = generate(repo, Shape(playlists=3, commits=12, min_tracks=5, max_tracks=9,
                                 layout="2021", quirks=True))  # fmt: skip
    code = (
        "import sys\n"
        "from gitarchive import git, versions\n"
        f"store = git.Store.discover({str(repo)!r})\n"
        f"found = [versions.list_versions(store, pid) for pid in {sorted(truth.versions)!r}]\n"
        "print(sum(map(len, found)), 'markdown_it' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    count, imported = done.stdout.split()
    assert int(count) >= 3
    assert imported == "False"
