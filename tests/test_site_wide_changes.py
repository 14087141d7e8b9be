"""The site-wide lists (``changes.html``, ``feed.atom``) are the newest changes of the whole
archive, whichever playlist they are of: the same as ``gitarchive changes``, cut only at
their own bounds, however long one playlist's history is; a playlist's own feed keeps its
own, shorter bound."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import feedparser  # type: ignore[import-untyped]

from gitarchive.site.data import FEED_ENTRIES
from gitarchive.site.feeds import ARCHIVE_FEED_ENTRIES
from tests.support.builder import RepoBuilder
from tests.support.cli import run_cli, run_cli_captured
from tests.support.models import PID, model_playlist, model_track

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

OTHER = "Q" * 22
START = datetime(2026, 1, 1, tzinfo=UTC)
# one playlist with more versions than its own feed holds, the other's interleaved with
# them, and more changes in all than feed.atom holds: its cut falls among both
LONG = FEED_ENTRIES + 50
SHORT = ARCHIVE_FEED_ENTRIES - FEED_ENTRIES + 30


def build_archive(repo: Path) -> None:
    builder = RepoBuilder(repo)
    commits: list[tuple[datetime, str, int]] = [
        (START + timedelta(hours=n), PID, n) for n in range(LONG)
    ]
    commits += [(START + timedelta(hours=2 * n, minutes=30), OTHER, n) for n in range(SHORT)]
    for when, playlist_id, n in sorted(commits):
        playlist = model_playlist(model_track(n % 3), description=f"version {n}")
        if playlist_id == OTHER:
            playlist = replace(playlist, id=OTHER, original_name="Other", unique_name="Other")
        builder.commit_playlists([playlist], date=when, kinds=("json",))


def version_ids(path: Path) -> list[tuple[str, str]]:
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    found = [re.fullmatch(r".*playlist/(\w+)/version/(\w+)", entry.id) for entry in feed.entries]
    return [(match[1], match[2]) for match in found if match is not None]


def test_the_changes_page_and_archive_feed_are_the_newest_changes_of_every_playlist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, out = tmp_path / "archive", tmp_path / "site"
    build_archive(repo)
    code, printed, err = run_cli_captured(capsys, "-C", str(repo), "changes", "--format", "json")
    assert code == 0, err
    expected = [
        (change["playlist"], change["commit"])
        for day in json.loads(printed)["days"]
        for change in day["changes"]
    ]
    assert len(expected) == LONG + SHORT > ARCHIVE_FEED_ENTRIES
    assert run_cli("-C", str(repo), "site", str(out)) == 0

    page = (out / "changes.html").read_text(encoding="utf-8")
    links = re.findall(r'<a class="name" href="p/(\w+)\.html#(\w+)"', page)
    assert links == [(playlist_id, commit[:12]) for playlist_id, commit in expected]
    assert f"The newest {len(expected)} changes of every playlist" in page
    assert version_ids(out / "feed.atom") == expected[:ARCHIVE_FEED_ENTRIES]
    own = [commit for playlist_id, commit in expected if playlist_id == PID]
    assert version_ids(out / "p" / f"{PID}.atom") == [(PID, c) for c in own[:FEED_ENTRIES]]
