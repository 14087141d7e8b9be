"""The site's track pages: a section per track two or more playlists held, on a page per id
ending, linked from the tables."""

from __future__ import annotations

import json
import os
import re
from datetime import date
from typing import TYPE_CHECKING, Any

from hypothesis import given
from hypothesis import strategies as st

from gitarchive.model import Album, Artist, Track
from gitarchive.site.scratch import StaysFile, pages_of_stays
from gitarchive.site.tracks import (
    page_ranges,
    stay_rows,
    track_href,
    track_page_name,
    write_track_pages,
)
from gitarchive.tracks import PlaylistStays, Stay
from tests.support.cli import run_cli, run_cli_captured
from tests.support.moving import EVENING, MORNING, MOVER, OTHER, build_moving_archive

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

TRACK_URL = "https://open.spotify.com/track/"
CHARACTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
PAGE = f"{MOVER[-2:]}.html"  # the page of the tracks whose id ends as The Mover's


def page_data(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="data">(.*?)</script>', html, re.S)
    assert found
    document: dict[str, Any] = json.loads(found.group(1))
    return document


def linked_rows(out: Path, playlist_id: str) -> dict[str, str]:
    """Track name -> its page's link, for the rows of a cumulative table that have one."""
    document = page_data((out / "p" / f"{playlist_id}.html").read_text(encoding="utf-8"))
    return {document["tracks"][row[0]][0]: row[4] for row in document["cumulative"] if len(row) > 4}


def test_a_track_in_two_playlists_has_a_page_linked_from_both_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = build_moving_archive(tmp_path / "archive")
    out = tmp_path / "site"
    code, printed, err = run_cli_captured(
        capsys, "-C", str(repo), "site", str(out), "--track-pages", "-j", "1"
    )
    assert code == 0, err
    assert "1 shared track," in printed
    assert os.listdir(out / "t") == [PAGE]
    href = f"../t/{PAGE}#{MOVER}"
    assert linked_rows(out, MORNING) == {"The Mover": href}
    assert linked_rows(out, EVENING) == {"The Mover": href}
    assert linked_rows(out, OTHER) == {}
    page = (out / "t" / PAGE).read_text(encoding="utf-8")
    assert f'<section id="{MOVER}" class="track">\n<h2><bdi>The Mover</bdi></h2>' in page
    assert "In 2 playlists" in page
    assert f'href="../p/{MORNING}.html"' in page and f'href="../p/{EVENING}.html"' in page
    assert "2026-11-01* → 2026-11-03" in page
    assert "2026-11-03 → 2026-11-05" in page and "2026-11-06 → still there" in page


def test_the_walk_the_index_and_the_workers_write_the_same_track_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = build_moving_archive(tmp_path / "archive")
    pages = []
    for name, args in (("walk", ("-j", "1")), ("workers", ("-j", "2"))):
        out = tmp_path / name
        assert run_cli("-C", str(repo), "site", str(out), "--track-pages", *args) == 0
        pages.append((out / "t" / PAGE).read_text(encoding="utf-8"))
    assert run_cli("-C", str(repo), "index") == 0
    assert (
        run_cli("-C", str(repo), "site", str(tmp_path / "indexed"), "--track-pages", "-j", "2") == 0
    )
    indexed = (tmp_path / "indexed" / "t" / PAGE).read_text(encoding="utf-8")
    strip = re.compile(r"on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")
    assert len({strip.sub("", page) for page in [*pages, indexed]}) == 1
    capsys.readouterr()


def test_a_site_of_one_playlist_has_no_track_pages_and_a_stale_one_is_removed(
    tmp_path: Path,
) -> None:
    repo = build_moving_archive(tmp_path / "archive")
    out = tmp_path / "site"
    assert run_cli("-C", str(repo), "site", str(out), "--track-pages", "-j", "1") == 0
    assert (out / "t" / PAGE).is_file()
    assert run_cli("-C", str(repo), "site", str(out), "--track-pages", "--playlist", MORNING) == 0
    assert os.listdir(out / "t") == []
    assert linked_rows(out, MORNING) == {}


def test_a_local_files_page_name_is_a_digest_never_its_line() -> None:
    name = track_page_name("line:../../etc -- x -- y")
    assert re.fullmatch(r"l[0-9a-f]{21}", name)
    assert track_page_name(MOVER) == MOVER
    assert track_href(MOVER) == f"t/{PAGE}#{MOVER}"


@given(
    st.text(
        st.sampled_from([*"09AZaz_-/:\n", "\u00e9", "\u0663", "\uff21", "\u00b2"]),
        min_size=20,
        max_size=24,
    )
)
def test_a_key_is_its_own_page_name_exactly_when_it_is_22_ascii_letters_and_digits(
    key: str,
) -> None:
    is_id = re.fullmatch(r"[0-9A-Za-z]{22}", key) is not None
    assert (track_page_name(key) == key) is is_id
    assert track_page_name("0123456789abcdefABCDEF") == "0123456789abcdefABCDEF"


def test_a_row_of_several_stays_lists_each_with_the_first_day_best_and_latest_places() -> None:
    stays = (
        Stay(date(2026, 1, 2), date(2026, 2, 3), 7, 9, added_before_archive=True),
        Stay(date(2026, 3, 4), date(2026, 4, 5), 4, 5),
        Stay(date(2026, 5, 6), None, 6, 8),
    )
    track = Track(
        "A Song", (Artist("One"), Artist("Two")), Album("An Album"), f"{TRACK_URL}{MOVER}"
    )
    (row,) = stay_rows([PlaylistStays(MORNING, "Morning <b>", track, stays, date(2026, 6, 7))])
    assert row[:9] == (
        MOVER[-2:], MOVER, "morning <b>", MORNING, "2026-06-07",
        "A Song", "One, Two", "An Album", f"{TRACK_URL}{MOVER}",
    )  # fmt: skip
    assert row[9] == (
        f'<tr><td><a href="../p/{MORNING}.html"><bdi>Morning &lt;b&gt;</bdi></a></td>'
        "<td>2026-01-02</td><td>2026-06-07</td><td>#4</td><td>#8</td><td><ul>"
        "<li>2026-01-02* → 2026-02-03, best #7, latest #9</li>"
        "<li>2026-03-04 → 2026-04-05, best #4, latest #5</li>"
        "<li>2026-05-06 → still there, best #6, latest #8</li></ul></td></tr>"
    )


def test_track_pages_are_written_by_default_and_a_build_without_them_removes_them(
    tmp_path: Path,
) -> None:
    """A build writes them unless told not to; one with ``--no-track-pages`` leaves none
    behind, and no cumulative row links to a page that is gone."""
    repo = build_moving_archive(tmp_path / "archive")
    out = tmp_path / "site"
    assert run_cli("-C", str(repo), "site", str(out), "-j", "1") == 0
    assert os.listdir(out / "t") == [PAGE]
    assert linked_rows(out, MORNING) != {}
    assert run_cli("-C", str(repo), "site", str(out), "--no-track-pages", "-j", "1") == 0
    assert os.listdir(out / "t") == []
    assert linked_rows(out, MORNING) == {}
    assert run_cli("-C", str(repo), "site", str(out), "--track-pages", "-j", "1") == 0
    assert os.listdir(out / "t") == [PAGE]


def test_tracks_whose_ids_end_alike_share_one_page_each_at_its_anchor(tmp_path: Path) -> None:
    first, second = "a" * 20 + "Zq", "b" * 20 + "Zq"
    lives = [
        PlaylistStays(
            playlist,
            name,
            Track(title, (Artist("Someone"),), Album("An Album"), f"{TRACK_URL}{track_id}"),
            (Stay(date(2026, 11, 1), None, 2, 3),),
            date(2026, 11, 2),
        )
        for track_id, title in ((first, "First"), (second, "Second"))
        for playlist, name in ((MORNING, "Morning"), (EVENING, "Evening"))
    ]
    stays = StaysFile(tmp_path / "stays")
    stays.add(stay_rows(lives))
    found = pages_of_stays([(stays.path, stays.close())], ("", None))
    tracks, pages, _written = write_track_pages(tmp_path, found, generated="today")
    assert (tracks, pages) == (2, {"Zq"})
    assert os.listdir(tmp_path / "t") == ["Zq.html"]
    page = (tmp_path / "t" / "Zq.html").read_text(encoding="utf-8")
    assert page.index(f'<section id="{first}"') < page.index(f'<section id="{second}"')
    assert track_href(second) == f"t/Zq.html#{second}"


def test_a_page_of_one_track_an_earlier_build_wrote_is_removed(tmp_path: Path) -> None:
    repo = build_moving_archive(tmp_path / "archive")
    out = tmp_path / "site"
    assert run_cli("-C", str(repo), "site", str(out), "--track-pages", "-j", "1") == 0
    (out / "t" / f"{MOVER}.html").write_text("an older build's page of one track")
    assert run_cli("-C", str(repo), "site", str(out), "--track-pages", "-j", "1") == 0
    assert os.listdir(out / "t") == [PAGE]


def test_the_workers_ranges_of_track_pages_hold_every_page_once() -> None:
    names = [a + b for a in CHARACTERS for b in CHARACTERS[:3]]
    for count in (1, 2, 3, 4, 7, 62, 100):
        ranges = page_ranges(count)
        for name in names:
            holding = [low <= name and (high is None or name < high) for low, high in ranges]
            assert holding.count(True) == 1, (count, name)
