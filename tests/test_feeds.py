"""The site's Atom feeds and the changes page, and `gitarchive changes`.

Feeds are checked with feedparser (what feed readers are built on), against
``history --format json`` of the same playlist: the same versions, dates and
track names, ids that a rebuild leaves unchanged, and a failure entry while
``playlists/status.json`` records a failed sync.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections import defaultdict, deque
from datetime import UTC, datetime, timedelta, timezone
from html import unescape
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import feedparser  # type: ignore[import-untyped]
import jsonschema
import pytest

from gitarchive.changes import playlist_changes
from gitarchive.formats.status import Failure, render_status
from gitarchive.history import Version, iso_utc
from gitarchive.model import Album, Artist, Playlist, Track
from gitarchive.site.data import PlaylistHistory, iso_date
from gitarchive.site.feeds import ARCHIVE_FEED_ENTRIES, archive_feed, playlist_feed
from tests.support.builder import RepoBuilder, playlist_files
from tests.support.cli import run_cli, run_cli_captured
from tests.support.models import PID, model_playlist, model_track

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.demo import DemoArchive


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, demo_archive: DemoArchive) -> Path:
    root = tmp_path_factory.mktemp("feeds") / "demo"
    shutil.copytree(demo_archive.path, root, symlinks=True)  # the index is written
    return root


@pytest.fixture(scope="module")
def site(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "out"
    assert run_cli("-C", str(archive), "site", str(out)) == 0
    return out


def cli_json(capsys: pytest.CaptureFixture[str], archive: Path, *args: str) -> Any:
    code, out, err = run_cli_captured(capsys, "-C", str(archive), *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def parsed(path: Path) -> Any:
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, (path, feed.get("bozo_exception"))
    return feed


def content_lines(entry: Any) -> list[str]:
    return [unescape(item) for item in re.findall(r"<li>(.*?)</li>", entry.content[0].value)]


def track_line(sign: str, track: dict[str, Any]) -> str:
    return f"{sign} {track['name']} — {', '.join(track['artists'])}"


def playlist_ids(site: Path) -> list[str]:
    return sorted(path.stem for path in (site / "p").glob("*.atom"))


def test_every_feed_parses_and_its_entries_are_the_playlists_history(
    site: Path, archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = playlist_ids(site)
    assert len(ids) >= 2
    for playlist_id in ids:
        feed = parsed(site / "p" / f"{playlist_id}.atom")
        history = cli_json(capsys, archive, "history", playlist_id)["versions"]
        assert [entry.id.rsplit("/", 1)[1] for entry in feed.entries] == [
            version["commit"] for version in history
        ]
        for entry, version in zip(feed.entries, history, strict=True):
            assert entry.updated == version["date"]
            assert entry.link.endswith(f"{playlist_id}.html#{version['commit'][:12]}")
            if len(version["added"]) == len(content_lines(entry)) == 0:
                continue
            if entry.title.endswith(" tracks"):  # the first version lists no track
                continue
            expected = [track_line("+", track) for track in version["added"]]
            expected += [track_line("−", track) for track in version["removed"]]
            assert content_lines(entry)[: len(expected)] == expected
    whole = parsed(site / "feed.atom")
    assert 0 < len(whole.entries) <= ARCHIVE_FEED_ENTRIES
    dates = [entry.updated for entry in whole.entries]
    assert dates == sorted(dates, reverse=True)


def test_pages_link_their_feeds(site: Path) -> None:
    feed_link = '<link rel="alternate" type="application/atom+xml"'
    index = (site / "index.html").read_text(encoding="utf-8")
    assert feed_link in index and 'href="feed.atom"' in index and 'href="changes.html"' in index
    for playlist_id in playlist_ids(site):
        page = (site / "p" / f"{playlist_id}.html").read_text(encoding="utf-8")
        assert feed_link in page and f'href="{playlist_id}.atom"' in page


def test_a_rebuild_leaves_every_feed_and_entry_id_unchanged(
    site: Path, archive: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again"
    assert run_cli("-C", str(archive), "site", str(again), "-j", "1") == 0  # one process
    for feed in [site / "feed.atom", *sorted((site / "p").glob("*.atom"))]:
        rebuilt = again / feed.relative_to(site)
        assert [e.id for e in parsed(rebuilt).entries] == [e.id for e in parsed(feed).entries]
        assert rebuilt.read_bytes() == feed.read_bytes()


def test_a_playlist_whose_last_sync_failed_gets_a_failure_entry(tmp_path: Path) -> None:
    repo = tmp_path / "archive"
    builder = RepoBuilder(repo)
    builder.commit(playlist_files(model_playlist(model_track(1))), date="2026-11-01T06:00:00Z")
    failure = Failure(since="2026-11-03", kind="unavailable", cause="not_found", reason="gone")
    builder.commit(
        {"playlists/status.json": render_status({PID: failure})}, date="2026-11-03T06:00:00Z"
    )
    out = tmp_path / "out"
    assert run_cli("-C", str(repo), "site", str(out)) == 0
    for path in (out / "p" / f"{PID}.atom", out / "feed.atom"):
        entries = parsed(path).entries
        assert entries[0].id == f"tag:gitarchive,2026:playlist/{PID}/failed/2026-11-03"
        assert entries[0].title == "Mix: the last sync of this playlist failed since 2026-11-03"
        assert entries[0].updated == "2026-11-03T00:00:00Z"
        assert len(entries) == 2  # and the one version


HOSTILE = '</content><x/>]]>&amp; "q" \u202eRTL\u202c \x01\x0b\ufffe'


def test_hostile_names_are_escaped_and_the_feed_stays_well_formed() -> None:
    bad = Track(
        name=HOSTILE, artists=(Artist("<b>" + HOSTILE),), album=Album("<!--"),
        url="https://open.spotify.com/track/" + "1" * 22,
    )  # fmt: skip
    history = PlaylistHistory(PID)
    for day, tracks in ((1, ()), (2, (bad,))):
        playlist = Playlist(id=PID, original_name=HOSTILE, description=HOSTILE, tracks=tracks)
        history.add(Version(f"{day:040x}", datetime(2026, 11, day, 6, tzinfo=UTC), playlist))
    changes = playlist_changes(PID, history.entries)
    failure = Failure(since="2026-11-03", kind="skipped", cause=None, reason=HOSTILE)
    for text in (
        playlist_feed(PID, HOSTILE, changes, failure),
        archive_feed(changes, {PID: (HOSTILE, failure)}, title=HOSTILE),
    ):
        feed = feedparser.parse(text.encode("utf-8"))
        assert not feed.bozo, feed.get("bozo_exception")
        assert "<x/>" not in text and "<b>" not in text
        assert len(feed.entries) == 3
        assert feed.entries[1].title.startswith("</content><x/>]]>&amp;")
        assert "+ </content><x/>" in unescape(feed.entries[1].content[0].value)


def test_a_feed_is_the_bytes_elementtree_writes_of_it() -> None:
    """Feeds are written as text; ElementTree, which escapes every text and attribute,
    parses and writes them back byte for byte, hostile names and control characters too
    (not a carriage return: XML parsers read one as a line feed)."""
    bad = Track(
        name=HOSTILE + "\t\n", artists=(Artist("<b>" + HOSTILE),), album=Album("<!--"),
        url="https://open.spotify.com/track/" + "1" * 22,
    )  # fmt: skip
    history = PlaylistHistory(PID)
    for day, tracks in ((1, ()), (2, (bad,)), (3, ())):
        playlist = Playlist(id=PID, original_name=HOSTILE, description="", tracks=tracks)
        history.add(Version(f"{day:040x}", datetime(2026, 11, day, 6, tzinfo=UTC), playlist))
    changes = playlist_changes(PID, history.entries)
    failure = Failure(since="2026-11-03", kind="skipped", cause=None, reason=HOSTILE + "&\t")
    ET.register_namespace("", "http://www.w3.org/2005/Atom")
    for text in (
        playlist_feed(PID, HOSTILE, changes, failure),
        archive_feed(changes, {PID: (HOSTILE, failure)}, title=HOSTILE),
    ):
        header, body = text.split("\n", 1)
        assert header == '<?xml version="1.0" encoding="utf-8"?>'
        assert ET.tostring(ET.fromstring(body), encoding="unicode") + "\n" == body


def schema(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        files("gitarchive").joinpath("schemas", f"{name}.json").read_text("utf-8")
    )
    return document


def test_changes_json_validates_and_agrees_with_every_playlists_history(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = cli_json(capsys, archive, "changes")
    jsonschema.Draft202012Validator(schema("changes")).validate(document)
    days = [day["day"] for day in document["days"]]
    assert days == sorted(set(days), reverse=True)
    by_playlist: dict[str, list[dict[str, Any]]] = defaultdict(list)
    dates = []
    for day in document["days"]:
        for change in day["changes"]:
            assert change["date"].startswith(day["day"])
            by_playlist[change["playlist"]].append(change)
            dates.append(change["date"])
    assert dates == sorted(dates, reverse=True)
    assert len(by_playlist) >= 2
    for playlist_id, changes in by_playlist.items():
        history = cli_json(capsys, archive, "history", playlist_id)
        assert {change["playlist_name"] for change in changes} == {history["name"]}
        keys = ("commit", "date", "name", "description", "likes", "added", "removed", "updated")
        listed = [{**{k: c[k] for k in keys}, "moved": []} for c in changes]
        assert listed == history["versions"]  # history lists no moves without --moves


def test_changes_since_lists_only_later_changes_and_text_groups_by_day(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    every = cli_json(capsys, archive, "changes")
    since = every["days"][1]["day"]
    later = cli_json(capsys, archive, "changes", "--since", since)
    assert later["since"] == f"{since}T00:00:00Z"
    assert later["days"] == every["days"][:2]
    code, out, err = run_cli_captured(capsys, "-C", str(archive), "changes", "--since", since)
    assert code == 0, err
    headings = [line for line in out.splitlines() if re.fullmatch(r"\d{4}-\d{2}-\d{2}", line)]
    assert headings == [day["day"] for day in later["days"]]


def test_the_changes_page_lists_the_changes_by_day_newest_first(
    site: Path, archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = (site / "changes.html").read_text(encoding="utf-8")
    document = cli_json(capsys, archive, "changes")
    assert re.findall(r'<section class="day"><h2>([^<]*)</h2>', page) == [
        day["day"] for day in document["days"]
    ]
    links = re.findall(r'<a class="name" href="p/([^"]+)"', page)
    assert links == [
        f"{change['playlist']}.html#{change['commit'][:12]}"
        for day in document["days"]
        for change in day["changes"]
    ]
    assert 'id="filter"' in page and 'href="feed.atom"' in page
    # the one inline script, admitted by the page's policy like every other page's
    assert re.findall(r"<script[^>]*>", page) == ["<script>"]


def test_a_malformed_status_file_stops_the_site_with_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "archive"
    builder = RepoBuilder(repo)
    files = {**playlist_files(model_playlist(model_track(1))), "playlists/status.json": "{"}
    builder.commit(files, date="2026-11-01T06:00:00Z")
    code, out, err = run_cli_captured(capsys, "-C", str(repo), "site", str(tmp_path / "out"))
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and "playlists/status.json" in err
    assert not (tmp_path / "out").exists()


def test_the_archive_feed_keeps_the_newest_versions_and_every_failure() -> None:
    history = PlaylistHistory(PID, entries=deque(maxlen=None))
    start = datetime(2026, 11, 1, tzinfo=UTC)
    count = ARCHIVE_FEED_ENTRIES + 50
    for n in range(count):
        playlist = model_playlist(*(model_track(k) for k in range(n % 2 + 1)))
        history.add(Version(f"{n:040x}", start + timedelta(minutes=n), playlist))
    changes = playlist_changes(PID, history.entries)
    assert len(changes) == count
    old = Failure(since="2026-10-01", kind="dropped", cause=None, reason="fewer tracks")
    feed = feedparser.parse(archive_feed(changes, {PID: ("Mix", old)}, title="t").encode())
    assert not feed.bozo
    ids = [entry.id.rsplit("/", 1)[1] for entry in feed.entries]
    assert ids == [f"{n:040x}" for n in reversed(range(50, count))] + ["2026-10-01"]


def test_a_feed_entry_lists_the_tracks_that_moved_with_their_places() -> None:
    history = PlaylistHistory(PID)
    first = [model_track(n) for n in range(20)]
    # day 2: the last track jumps to the top and one track is added
    second = [first[-1], *first[:-1], model_track(99)]
    for day, tracks in ((1, first), (2, second)):
        playlist = model_playlist(*tracks)
        history.add(Version(f"{day:040x}", datetime(2026, 11, day, 6, tzinfo=UTC), playlist))
    changes = playlist_changes(PID, history.entries)
    feed = feedparser.parse(playlist_feed(PID, "Mix", changes, None).encode("utf-8"))
    assert not feed.bozo, feed.get("bozo_exception")
    lines = content_lines(feed.entries[0])
    assert "+ Song 99 — Artist 99" in lines
    # only the jump is a move: each track it passed went down one place, below the threshold
    assert [line for line in lines if line.startswith("↕")] == ["↕ Song 19 — Artist 19  20 → 1"]


def test_a_versions_date_is_written_on_its_own_clock_whichever_equal_instant_came_first() -> None:
    """The site's per-commit date cache keys by offset too: two equal instants at other
    offsets are equal datetimes, and each is written as iso_utc writes it."""
    utc = datetime(2024, 1, 1, 12, tzinfo=UTC)
    east = datetime(2024, 1, 1, 14, tzinfo=timezone(timedelta(hours=2)))
    assert utc == east
    assert [iso_date(utc), iso_date(east)] == [iso_utc(utc), iso_utc(east)]
