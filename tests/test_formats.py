"""The archive's file formats: golden seed page, exact layouts, readers' errors."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from gitarchive.errors import FormatError
from gitarchive.formats import (
    INDEX_PATH,
    classify_path,
    cumulative_path,
    format_duration,
    format_duration_english,
    format_likes,
    json_path,
    plain_path,
    pretty_path,
    read_cumulative,
    read_index,
    read_json,
    read_plain,
    read_pretty,
    read_version,
    registry_path,
    render_cumulative,
    render_index,
    render_json,
    render_plain,
    render_pretty,
)
from gitarchive.formats.markdown import escape
from gitarchive.model import (
    Album,
    Artist,
    CumulativeTrack,
    CumulativeView,
    Owner,
    Playlist,
    Track,
)
from gitarchive.spotify import parse_playlist
from tests.support import DATA, SEED_ID

GOLDEN_MD = DATA / f"pretty-{SEED_ID}.md"
GOLDEN_JSON = DATA / f"pretty-{SEED_ID}.json"
API_JSON = DATA / "api" / f"{SEED_ID}.json"
GITHUB = "mackorone/spotify-playlist-archive"
OTHER_ID = "1AbCdEfGhIjKlMnOpQrStU"


def seed_playlist() -> Playlist:
    api: dict[str, Any] = json.loads(API_JSON.read_text(encoding="utf-8"))
    return parse_playlist(api, api["items"]["items"])


# --- golden -------------------------------------------------------------------------------


def test_golden_api_json_is_consistent() -> None:
    api = json.loads(API_JSON.read_text(encoding="utf-8"))
    entries = api["items"]["items"]
    assert api["items"]["total"] == len(entries) == 50
    assert "&amp;" in api["description"]
    assert any(entry["added_at"] is None for entry in entries)
    assert any(entry["added_at"] == "1970-01-01T00:00:00Z" for entry in entries)
    total = sum(entry["item"]["duration_ms"] for entry in entries)
    assert format_duration_english(total) == "3 hr 13 min"
    # whole ms that are not whole seconds, so flooring is exercised
    assert sum(entry["item"]["duration_ms"] % 1000 for entry in entries) > 0


def test_golden_pretty_page_byte_for_byte() -> None:
    page = render_pretty(seed_playlist(), github=GITHUB)
    assert page.encode("utf-8") == GOLDEN_MD.read_bytes()


def test_golden_json_snapshot_byte_for_byte() -> None:
    assert render_json(seed_playlist()).encode("utf-8") == GOLDEN_JSON.read_bytes()


def test_golden_json_reads_back_exactly() -> None:
    playlist = seed_playlist()
    assert read_json(GOLDEN_JSON.read_text(encoding="utf-8"), SEED_ID) == playlist


def test_golden_page_reads_back_every_shown_field() -> None:
    playlist = seed_playlist()
    back = read_pretty(GOLDEN_MD.read_text(encoding="utf-8"), SEED_ID)
    assert back.unique_name == back.original_name == "K-Pop Ballad Hits"
    assert back.url == f"https://open.spotify.com/playlist/{SEED_ID}"
    assert back.description == playlist.description
    assert back.description.startswith("Mellow & sentimental K-Pop ballads. (Cover:")
    assert back.owner == Owner("Spotify", "https://open.spotify.com/user/spotify")
    assert back.num_followers == 321893
    assert back.snapshot_id == playlist.snapshot_id
    assert len(back.tracks) == 50
    for read, original in zip(back.tracks, playlist.tracks, strict=True):
        assert read.name == original.name
        assert read.url == original.url
        assert read.artists == original.artists
        assert read.album == original.album
        assert original.duration_ms is not None
        assert read.duration_ms == original.duration_ms // 1000 * 1000
        assert read.added_at is None
        assert read.key == original.key
    assert back.tracks[13].name == "Say Yes (Feat. Moon Byul of MAMAMOO)"
    assert back.tracks[45].name == "When it snows(Feat.Heize)"


def test_golden_page_without_github_has_no_githistory_link() -> None:
    page = render_pretty(seed_playlist(), github=None)
    first = page.splitlines()[0]
    assert first == (
        f"pretty - [cumulative](/playlists/cumulative/{SEED_ID}.md)"
        f" - [plain](/playlists/plain/{SEED_ID})"
    )
    assert page.splitlines()[1:] == GOLDEN_MD.read_text(encoding="utf-8").splitlines()[1:]


def test_branch_goes_into_githistory_link() -> None:
    page = render_pretty(seed_playlist(), github="o/r", branch="archive")
    assert f"(https://github.githistory.xyz/o/r/blob/archive/playlists/plain/{SEED_ID})" in page


def test_golden_plain_file() -> None:
    text = render_plain(seed_playlist())
    lines = text.split("\n")
    assert lines[0] == "K-Pop Ballad Hits"
    assert lines[1].startswith("Mellow & sentimental")
    assert lines[2] == ""
    assert (
        lines[3]
        == "Aloha -- CHO JUNG SEOK -- HOSPITAL PLAYLIST (Original Television Soundtrack), Pt. 3"
    )
    assert "Eternal Sunshine -- Seo actor, Dept, Ashley Alisha -- Eternal Sunshine 1/2" in lines
    assert text.endswith("\n") and lines[-1] == ""
    tracks = lines[3:-1]
    assert tracks == sorted(tracks, key=str.lower) and len(tracks) == 50


# --- small pieces -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("Feat. Moon", "Feat\\. Moon"),
        ("When it snows(Feat.Heize)", "When it snows\\(Feat.Heize\\)"),
        ("My Love (Duet Ver.)", "My Love \\(Duet Ver.\\)"),
        ("K-Pop", "K\\-Pop"),
        ("a|b [c] *d* _e_ `f` #g ~h \\i", "a\\|b \\[c\\] \\*d\\* \\_e\\_ \\`f\\` \\#g \\~h \\\\i"),
        ("line\nbreak", "line<br/>break"),
        ("Tom &amp; Jerry & co", "Tom \\&amp; Jerry & co"),
        ("<br/>", "\\<br/>"),
        ("+ plus", "\\+ plus"),
        ("> quote", "\\> quote"),
        ("1.", "1\\."),
        (" padded ", "&#32;padded&#32;"),
        ("tab\there", "tab&#9;here"),
        ("bad\x00char", "bad\ufffdchar"),
        ("", ""),
    ],
)
def test_escape(text: str, escaped: str) -> None:
    assert escape(text) == escaped


def test_escape_commas_only_for_linkless_artists() -> None:
    assert escape("Earth, Wind & Fire", commas=True) == "Earth\\, Wind & Fire"
    assert escape("Earth, Wind & Fire") == "Earth, Wind & Fire"


@pytest.mark.parametrize(
    ("ms", "shown"),
    [
        (0, "0:00"),
        (999, "0:00"),
        (208_999, "3:28"),
        (3_599_999, "59:59"),
        (3_600_000, "1:00:00"),
        (90_061_000, "25:01:01"),
    ],
)
def test_format_duration(ms: int, shown: str) -> None:
    assert format_duration(ms) == shown


@pytest.mark.parametrize(
    ("ms", "shown"),
    [
        (0, "0 sec"),
        (12_999, "12 sec"),
        (245_000, "4 min 5 sec"),
        (11_627_624, "3 hr 13 min"),
        (93_780_000, "1 day 2 hr 3 min"),
        (2 * 86_400_000, "2 days 0 hr 0 min"),
        (1000 * 86_400_000, "1,000 days 0 hr 0 min"),
    ],
)
def test_format_duration_english(ms: int, shown: str) -> None:
    assert format_duration_english(ms) == shown


@pytest.mark.parametrize(
    ("count", "shown"),
    [(None, "??? likes"), (0, "0 likes"), (1, "1 like"), (2, "2 likes"), (321893, "321,893 likes")],
)
def test_format_likes(count: int | None, shown: str) -> None:
    assert format_likes(count) == shown


def test_paths() -> None:
    assert plain_path(SEED_ID) == f"playlists/plain/{SEED_ID}"
    assert pretty_path(SEED_ID) == f"playlists/pretty/{SEED_ID}.md"
    assert json_path(SEED_ID) == f"playlists/pretty/{SEED_ID}.json"
    assert cumulative_path(SEED_ID) == f"playlists/cumulative/{SEED_ID}.md"
    assert registry_path(SEED_ID) == f"playlists/registry/{SEED_ID}"
    assert INDEX_PATH == "playlists/index.md"
    assert classify_path(json_path(SEED_ID)) == ("json", SEED_ID)
    assert classify_path(plain_path(SEED_ID)) == ("plain", SEED_ID)
    assert classify_path("playlists/plain/not-an-id") is None
    assert classify_path("README.md") is None


# --- pretty pages -------------------------------------------------------------------------


def local_track(name: str = "Home Demo", artists: tuple[str, ...] = ("Me, Myself",)) -> Track:
    return Track(
        name=name,
        artists=tuple(Artist(a) for a in artists),
        album=Album("Tapes"),
        duration_ms=61_500,
    )


def test_pretty_local_files_and_counts() -> None:
    playlist = Playlist(
        id=OTHER_ID,
        original_name="Mine",
        unique_name="Mine (2)",
        description="",
        tracks=(local_track(),),
        snapshot_id="abc",
        num_followers=1,
        owner=Owner("me", "https://open.spotify.com/user/me"),
    )
    page = render_pretty(playlist, github=None)
    lines = page.splitlines()
    assert lines[2] == f"### [Mine \\(2\\)](https://open.spotify.com/playlist/{OTHER_ID})"
    assert lines[4] == "> "
    assert lines[6] == "[me](https://open.spotify.com/user/me) - 1 like - 1 song - 1 min 1 sec"
    assert lines[10] == "| 1 | Home Demo | Me\\, Myself | Tapes | 1:01 |"
    assert lines[-1] == "Snapshot ID: `abc`"
    back = read_pretty(page, OTHER_ID)
    assert back.tracks == (
        Track("Home Demo", (Artist("Me, Myself"),), Album("Tapes"), duration_ms=61_000),
    )
    assert back.description == ""
    assert back.unique_name == "Mine (2)"


def test_pretty_unknown_likes_and_unknown_length() -> None:
    track = Track("x", (), Album(""), duration_ms=None)
    playlist = Playlist(id=OTHER_ID, unique_name="n", tracks=(track, track))
    page = render_pretty(playlist, github=None)
    assert "- ??? likes - 2 songs - 0 sec" in page
    back = read_pretty(page, OTHER_ID)
    assert back.num_followers is None
    assert back.tracks == (track, track)
    assert back.owner == Owner("", "")


def test_pretty_reads_linkless_artists_between_links() -> None:
    track = Track(
        "t",
        (
            Artist("A, B", None),
            Artist("C", f"https://open.spotify.com/artist/{OTHER_ID}"),
            Artist("D"),
        ),
        Album("al"),
    )
    playlist = Playlist(id=OTHER_ID, unique_name="n", tracks=(track,))
    assert read_pretty(render_pretty(playlist, github=None), OTHER_ID).tracks == (track,)


def test_pretty_reader_tolerates_foreign_link_less_artist_lists() -> None:
    """spotify-playlist-archive wrote local files' artists without escaping commas."""
    page = render_pretty(
        Playlist(id=OTHER_ID, unique_name="n", tracks=(local_track(),)), github=None
    ).replace("Me\\, Myself", "Me, Myself")
    (track,) = read_pretty(page, OTHER_ID).tracks
    assert [a.name for a in track.artists] == ["Me", "Myself"]


def pretty_page(**changes: str) -> str:
    page = GOLDEN_MD.read_text(encoding="utf-8")
    for old, new in changes.items():
        page = page.replace(old.replace("__", " "), new)
    return page


@pytest.mark.parametrize(
    ("page", "message", "line"),
    [
        ("just text\n", "no playlist title heading", None),
        (pretty_page(**{"50__songs": "49 songs"}), "says 49 songs but its table has 50 rows", None),
        (pretty_page(**{"| 3:28 |": "| 3:2x |"}), "cannot read length '3:2x'", 11),
        (pretty_page(**{"321,893 likes": "many likes"}), "cannot read likes", 7),
        (pretty_page(**{"| Length |": "| Duration |"}), "no track table", None),
        (
            pretty_page(**{f"playlist/{SEED_ID}": f"playlist/{OTHER_ID}"}),
            f"the page is for playlist {OTHER_ID}",
            3,
        ),
    ],
)
def test_pretty_reader_errors(page: str, message: str, line: int | None) -> None:
    with pytest.raises(FormatError) as caught:
        read_pretty(page, SEED_ID, path="playlists/pretty/x.md")
    assert message in caught.value.message
    assert caught.value.path == "playlists/pretty/x.md"
    assert caught.value.line == line
    assert str(caught.value).startswith("playlists/pretty/x.md")


# --- plain --------------------------------------------------------------------------------


def test_plain_artists_are_one_text_never_split() -> None:
    text = "Name\nDesc\n\nSeptember -- Earth, Wind & Fire -- The Best Of\n"
    (track,) = read_plain(text, OTHER_ID).tracks
    assert track.artists == (Artist("Earth, Wind & Fire"),)
    assert track.plain_line == "September -- Earth, Wind & Fire -- The Best Of"
    original = Track("September", (Artist("Earth"), Artist("Wind & Fire")), Album("The Best Of"))
    assert track.key == original.key  # both url-less: the line identifies them


def test_plain_ambiguous_separators_keep_the_line() -> None:
    line = "A -- B -- C -- D -- E"
    (track,) = read_plain(f"n\nd\n\n{line}\n", OTHER_ID).tracks
    assert track.plain_line == line
    assert (track.name, track.album.name) == ("A", "E")


def test_plain_tolerates_header_sorted_among_tracks() -> None:
    text = "a -- x -- y\nMy Playlist\nz -- q -- r\n"
    playlist = read_plain(text, OTHER_ID)
    assert playlist.unique_name == "My Playlist"
    assert [t.plain_line for t in playlist.tracks] == ["a -- x -- y", "z -- q -- r"]


def test_plain_empty_playlist_and_crlf() -> None:
    playlist = read_plain("Name\r\nDesc\r\n\r\nt -- a -- b\r\n", OTHER_ID)
    assert (playlist.unique_name, playlist.description) == ("Name", "Desc")
    assert [t.plain_line for t in playlist.tracks] == ["t -- a -- b"]
    empty = read_plain(render_plain(Playlist(id=OTHER_ID, unique_name="E")), OTHER_ID)
    assert (empty.unique_name, empty.description, empty.tracks) == ("E", "", ())


# --- JSON ---------------------------------------------------------------------------------


def test_json_layout_matches_spotify_playlist_archive() -> None:
    text = GOLDEN_JSON.read_text(encoding="utf-8")
    assert text.endswith("}\n") and text.isascii()
    data = json.loads(text)
    assert sorted(data) == sorted(
        [
            "url",
            "original_name",
            "unique_name",
            "description",
            "snapshot_id",
            "num_followers",
            "owner",
            "tracks",
        ]
    )
    assert sorted(data["tracks"][0]) == sorted(
        ["url", "name", "album", "artists", "duration_ms", "added_at"]
    )
    assert text == json.dumps(data, indent=2, sort_keys=True) + "\n"
    added = [t["added_at"] for t in data["tracks"]]
    assert added[0] == "2022-11-10 05:54:02"
    assert added.count(None) == 7  # null and the 1970 epoch both mean unknown


def test_json_reader_accepts_old_and_iso_forms() -> None:
    data = json.loads(GOLDEN_JSON.read_text(encoding="utf-8"))
    data["tracks"][0]["added_at"] = "2022-11-10T05:54:02Z"
    data["tracks"][1]["added_at"] = "1970-01-01 00:00:00"
    data["tracks"][2]["url"] = None
    del data["unique_name"]
    text = json.dumps(data, indent=4, ensure_ascii=False)  # no final newline, like old files
    playlist = read_json(text, SEED_ID)
    assert playlist.tracks[0].added_at == datetime(2022, 11, 10, 5, 54, 2, tzinfo=UTC)
    assert playlist.tracks[1].added_at is None
    assert playlist.tracks[2].url is None
    assert playlist.unique_name == playlist.original_name == "K-Pop Ballad Hits"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["tracks"][3].__setitem__("duration_ms", "3:28"),
            "tracks[3].duration_ms: expected a whole number >= 0",
        ),
        (
            lambda d: d["tracks"][0]["artists"][0].pop("name"),
            "tracks[0].artists[0]: missing key 'name'",
        ),
        (lambda d: d.__setitem__("tracks", {}), "tracks: expected a list, got an object"),
        (
            lambda d: d["tracks"][1].__setitem__("added_at", "yesterday"),
            "tracks[1].added_at: not a date and time",
        ),
        (lambda d: d.__setitem__("num_followers", True), "top level.num_followers"),
        (
            lambda d: d.__setitem__("url", f"https://open.spotify.com/playlist/{OTHER_ID}"),
            "url: is for another playlist",
        ),
        (
            lambda d: d["owner"].__setitem__("name", 5),
            "owner.name: expected a string, got a number",
        ),
    ],
)
def test_json_reader_errors_name_the_path(mutate: Any, message: str) -> None:
    data = json.loads(GOLDEN_JSON.read_text(encoding="utf-8"))
    mutate(data)
    with pytest.raises(FormatError) as caught:
        read_json(json.dumps(data), SEED_ID, path="p.json")
    assert message in caught.value.message
    assert caught.value.path == "p.json"


def test_json_reader_rejects_broken_json_with_line() -> None:
    with pytest.raises(FormatError) as caught:
        read_json('{\n  "url": \n', SEED_ID, path="p.json")
    assert caught.value.line == 3
    with pytest.raises(FormatError, match="expected an object, got a list"):
        read_json("[]", SEED_ID)


# --- cumulative ---------------------------------------------------------------------------


def cumulative_view() -> CumulativeView:
    seed = seed_playlist()
    return CumulativeView(
        id=SEED_ID,
        name="K-Pop Ballad Hits",
        description=seed.description,
        tracks=(
            CumulativeTrack(seed.tracks[0], date(2022, 5, 1), True, None),
            CumulativeTrack(seed.tracks[1], date(2022, 5, 3), False, date(2022, 6, 1)),
            CumulativeTrack(local_track(), date(2022, 5, 2), False, None),
        ),
        first_scraped=date(2022, 5, 1),
    )


def test_cumulative_layout() -> None:
    page = render_cumulative(cumulative_view(), github=GITHUB)
    lines = page.splitlines()
    assert lines[0] == (
        f"[pretty](/playlists/pretty/{SEED_ID}.md) - cumulative - [plain](/playlists/plain/"
        f"{SEED_ID}) - [githistory](https://github.githistory.xyz/{GITHUB}/blob/main/playlists/"
        f"plain/{SEED_ID})"
    )
    assert lines[2] == f"### [K\\-Pop Ballad Hits](https://open.spotify.com/playlist/{SEED_ID})"
    assert lines[4].startswith("> Mellow & sentimental K\\-Pop ballads\\. \\(Cover")
    assert lines[6] == "3 songs - 9 min 9 sec"
    assert lines[8] == "| Title | Artist(s) | Album | Length | Added | Removed |"
    assert lines[9] == "|---|---|---|---|---|---|"
    assert lines[10] == (
        "| [bittersweet](https://open.spotify.com/track/3JqgRqxVfoZXfDWYosS9ef) | "
        "[Epitone Project](https://open.spotify.com/artist/0RLe3YEakXpt0FEXyFtwgN) | "
        "[STOP OVER](https://open.spotify.com/album/6uDov9hyYO6A3IKH1bALL7) | 3:28 | "
        "2022-05-01\\* |  |"
    )
    assert lines[11].endswith("| 4:40 | 2022-05-03 | 2022-06-01 |")
    assert lines[12] == "| Home Demo | Me\\, Myself | Tapes | 1:01 | 2022-05-02 |  |"
    assert lines[13:] == [
        "",
        "\\*This playlist was first scraped on 2022-05-01. Prior content cannot be recovered.",
    ]
    assert page.endswith(".\n")


def test_cumulative_reads_back() -> None:
    view = cumulative_view()
    back = read_cumulative(render_cumulative(view, github=None), SEED_ID)
    assert back.first_scraped == view.first_scraped
    assert back.name == view.name and back.description == view.description
    assert [(e.added, e.added_asterisk, e.removed) for e in back.tracks] == [
        (e.added, e.added_asterisk, e.removed) for e in view.tracks
    ]
    assert [e.track.key for e in back.tracks] == [e.track.key for e in view.tracks]


def test_cumulative_reader_errors() -> None:
    page = render_cumulative(cumulative_view(), github=None)
    with pytest.raises(FormatError, match="cannot read Added"):
        read_cumulative(page.replace("2022-05-02", "May 2"), SEED_ID)
    with pytest.raises(FormatError, match="Removed is not a date"):
        read_cumulative(page.replace("2022-06-01", "2022-13-01"), SEED_ID)
    with pytest.raises(FormatError, match="first scraped"):
        read_cumulative(page.rsplit("\n\n", 1)[0] + "\n", SEED_ID)


# --- index --------------------------------------------------------------------------------


def test_index_layout_and_order() -> None:
    text = render_index([(SEED_ID, "b"), (OTHER_ID, "B"), ("0" * 22, "a-z")])
    assert text == (
        "## Playlists (3)\n\n"
        "- [a\\-z](/playlists/pretty/0000000000000000000000.md)\n"
        f"- [B](/playlists/pretty/{OTHER_ID}.md)\n"
        f"- [b](/playlists/pretty/{SEED_ID}.md)\n"
    )
    assert read_index(text) == [("0" * 22, "a-z"), (OTHER_ID, "B"), (SEED_ID, "b")]
    assert render_index([]) == "## Playlists (0)\n\n"


def test_index_reads_spotify_playlist_archive_readme() -> None:
    readme = (
        "# spotify-playlist-archive\n\nSome intro [link](https://example.com).\n\n"
        "## Playlists \\(2\\)\n\n"
        f"- [Hits](/playlists/pretty/{SEED_ID}.md)\n"
        f"- [Other \\(2\\)](/playlists/pretty/{OTHER_ID}.md)\n"
    )
    assert read_index(readme) == [(SEED_ID, "Hits"), (OTHER_ID, "Other (2)")]


# --- read_version -------------------------------------------------------------------------


def test_read_version_prefers_json_then_pretty_then_plain() -> None:
    seed = seed_playlist()
    files = {
        plain_path(SEED_ID): render_plain(seed).encode(),
        pretty_path(SEED_ID): GOLDEN_MD.read_bytes(),
        json_path(SEED_ID): GOLDEN_JSON.read_bytes(),
    }
    assert read_version(files, SEED_ID) == seed
    del files[json_path(SEED_ID)]
    from_page = read_version(files, SEED_ID)
    assert from_page is not None and from_page.tracks[0].url is not None
    del files[pretty_path(SEED_ID)]
    from_plain = read_version(files, SEED_ID)
    assert from_plain is not None and from_plain.tracks[0].url is None
    assert [t.plain_line for t in from_plain.tracks] == sorted(
        (t.plain_line for t in seed.tracks), key=str.lower
    )
    assert read_version({}, SEED_ID) is None


def test_read_version_bad_bytes_name_the_file() -> None:
    with pytest.raises(FormatError) as caught:
        read_version({json_path(SEED_ID): b"{\xff}"}, SEED_ID)
    assert caught.value.path == json_path(SEED_ID)
    assert "not UTF-8" in caught.value.message


def test_pretty_reads_early_spotify_playlist_archive_pages() -> None:
    """The oldest pages: id link in the title, no owner line, no snapshot, long dividers."""
    page = (
        f"### [Old Name](https://open.spotify.com/playlist/{SEED_ID}) "
        f"([{SEED_ID}](/playlists/plain/{SEED_ID}))\n\n"
        "> Old description\n\n"
        "| No. | Title | Artist(s) | Album | Length |\n"
        "|-----|-------|-----------|-------|--------|\n"
        "| 1 | [t_a_b *c*](https://open.spotify.com/track/3JqgRqxVfoZXfDWYosS9ef) | "
        "[a](https://open.spotify.com/artist/x), [b](https://open.spotify.com/artist/y) | "
        "[al](https://open.spotify.com/album/z) | 3:28 |"
    )
    playlist = read_pretty(page, SEED_ID)
    assert playlist.unique_name == "Old Name"
    assert playlist.description == "Old description"
    assert playlist.num_followers is None and playlist.snapshot_id == ""
    (track,) = playlist.tracks
    assert track.id == "3JqgRqxVfoZXfDWYosS9ef"
    assert track.name == "t_a_b *c*"  # unescaped then: underscores are text, not emphasis
    assert [a.name for a in track.artists] == ["a", "b"]
    assert track.duration_ms == 208_000


def test_totals_are_the_sum_of_the_shown_lengths() -> None:
    """30.6 s twice shows 0:30 twice: the total says 1 min 0 sec, not 1 min 1 sec."""
    track = Track("x", (), Album(""), duration_ms=30_600)
    playlist = Playlist(id=OTHER_ID, unique_name="n", tracks=(track, track))
    assert " - 2 songs - 1 min 0 sec\n" in render_pretty(playlist, github=None)
    view = CumulativeView(
        id=OTHER_ID,
        name="n",
        description="",
        tracks=(
            CumulativeTrack(track, date(2022, 1, 1), False, None),
            CumulativeTrack(
                Track("y", (), Album(""), duration_ms=30_600), date(2022, 1, 1), False, None
            ),
        ),
        first_scraped=date(2022, 1, 1),
    )
    page = render_cumulative(view, github=None)
    assert "\n2 songs - 1 min 0 sec\n" in page
    assert render_cumulative(read_cumulative(page, OTHER_ID), github=None) == page
