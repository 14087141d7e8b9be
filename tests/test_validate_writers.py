"""Whatever the writers render, validate accepts: one grammar, no second opinion.

Hostile playlists (pipes, brackets, backslashes, newlines, emoji, right-to-left
text, empty strings, lengths up to 10^8 ms) go through every writer (plain,
pretty page, JSON snapshot, cumulative page, index) and the files must
validate clean; a real sync with a track of an hour or more validates clean
and passes the real pre-push hook.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import pygit2
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gitarchive import formats, hooks
from gitarchive import git as gitrepo
from gitarchive.formats.paths import archive_paths
from gitarchive.formats.pretty import scan_pretty
from gitarchive.git import Store
from gitarchive.model import Album, CumulativeTrack, CumulativeView, Playlist, Track
from gitarchive.sync import SyncOptions, run_sync
from gitarchive.validate import validate_commit_all, validate_files, validate_worktree
from gitarchive.validate.checks.pretty import check_pretty
from tests.support.api import fake_id, playlist_with_tracks
from tests.support.builder import init_archive
from tests.support.fakespotify import FakeSpotify
from tests.support.strategies import PROPERTY, playlists, texts

if TYPE_CHECKING:
    from pathlib import Path

#: Secret-shaped text (e.g. "a1" repeated 16 times is 32 hex digits) is meant to be flagged.
SECRET_RULES = {"GA050", "GA051", "GA052", "GA053"}
HOUR_LONG = 3_723_000  # 1:02:03


def cumulative_of(playlist: Playlist, first: date) -> CumulativeView:
    entries = tuple(
        CumulativeTrack(track=track, added=first, added_asterisk=number % 2 == 0, removed=None)
        for number, track in enumerate(playlist.tracks)
    )
    return CumulativeView(
        id=playlist.id,
        name=playlist.unique_name,
        description=playlist.description,
        tracks=entries,
        first_scraped=first,
    )


def written_files(playlist: Playlist, github: str | None) -> dict[str, bytes]:
    paths = archive_paths(playlist.id)
    view = cumulative_of(playlist, date(2026, 1, 2))
    return {
        paths.registry: b"",
        paths.plain: formats.render_plain(playlist).encode(),
        paths.pretty: formats.render_pretty(playlist, github=github).encode(),
        paths.json: formats.render_json(playlist).encode(),
        paths.cumulative: formats.render_cumulative(view, github=github).encode(),
        formats.INDEX_PATH: formats.render_index([(playlist.id, playlist.unique_name)]).encode(),
    }


@PROPERTY
@given(playlists(), st.none() | st.just("owner/repo"))
def test_every_writer_validates_clean(playlist: Playlist, github: str | None) -> None:
    # A playlist's name is never blank (GA010: line 1 of the plain file is the name);
    # every other text may be anything, the empty string included.
    assume(formats.plain.one_line(playlist.unique_name).strip())
    files = written_files(playlist, github)
    found = [f for f in validate_files(files) if f.rule not in SECRET_RULES]
    assert found == []
    # Without its JSON the page gets the full markdown checks instead of the fast path, and
    # is the reference the plain file is compared with. A page leaves out an artist without
    # name and link, the plain file cannot: then only the JSON can say they agree.
    del files[archive_paths(playlist.id).json]
    if not all(artist.name or artist.url for track in playlist.tracks for artist in track.artists):
        del files[archive_paths(playlist.id).plain]
    found = [f for f in validate_files(files) if f.rule not in SECRET_RULES]
    assert found == []


@PROPERTY
@given(playlists(), st.none() | st.just("owner/repo"))
def test_every_pretty_page_passes_the_page_rules(playlist: Playlist, github: str | None) -> None:
    page = formats.render_pretty(playlist, github=github)
    path = archive_paths(playlist.id).pretty
    assert check_pretty(path, playlist.id, scan_pretty(page))[0] == []


@given(st.lists(st.integers(0, 10**8), min_size=1, max_size=8), texts)
def test_any_lengths_validate(lengths: list[int], name: str) -> None:
    assume(formats.plain.one_line(name).strip())
    tracks = tuple(
        Track(name=f"t{n}", artists=(), album=Album(name="a"), duration_ms=ms)
        for n, ms in enumerate(lengths)
    )
    playlist = Playlist(id="A" * 22, original_name=name, unique_name=name, tracks=tracks)
    files = written_files(playlist, None)
    del files[archive_paths(playlist.id).json]
    assert validate_files(files) == []


def test_an_hour_long_track_is_valid_on_every_page() -> None:
    track = Track(name="Long", artists=(), album=Album(name="a"), duration_ms=HOUR_LONG)
    playlist = Playlist(id="B" * 22, original_name="P", unique_name="P", tracks=(track,))
    files = written_files(playlist, "owner/repo")
    assert b"| 1:02:03 |" in files[archive_paths(playlist.id).cumulative]
    assert validate_files(files) == []
    del files[archive_paths(playlist.id).json]  # the pretty page's own checks too
    assert validate_files(files) == []


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_a_sync_with_an_hour_long_track_validates_and_passes_the_pre_push_hook(
    tmp_path: Path, fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_spotify.setenv(monkeypatch)
    root, remote = tmp_path / "archive", tmp_path / "origin.git"
    pygit2.init_repository(str(remote), bare=True, initial_head="main")
    playlist_id = fake_id("validate-writers", "long")
    repo = init_archive(root, playlist_id)
    repo.remotes.create("origin", str(remote))
    api = playlist_with_tracks(playlist_id, [0, 1, 2], name="Long | [one]")
    api["items"]["items"][1]["item"]["duration_ms"] = HOUR_LONG
    fake_spotify.add_playlist(api)
    store = Store.discover(root)
    hooks.install(store)
    run_sync(store, SyncOptions(now=datetime(2026, 11, 20, 6, 0, tzinfo=UTC)))
    head = gitrepo.head_id(store)
    assert head is not None
    pretty = (root / archive_paths(playlist_id).pretty).read_text()
    cumulative = (root / archive_paths(playlist_id).cumulative).read_text()
    assert "| 1:02:03 |" in pretty and "| 1:02:03 |" in cumulative
    assert validate_worktree(store) == []
    assert validate_commit_all(store, head) == []

    pushed = git(root, "push", "origin", "main")
    assert pushed.returncode == 0, pushed.stderr
    assert str(pygit2.Repository(str(remote)).references["refs/heads/main"].target) == head
    # Not vacuous: the same hook rejects a broken length in the next commit.
    page = root / archive_paths(playlist_id).pretty
    page.write_text(pretty.replace("| 1:02:03 |", "| 1:2:3 |"))
    assert git(root, "commit", "-qam", "hand edit").returncode == 0
    rejected = git(root, "push", "origin", "main")
    assert rejected.returncode != 0
    assert "GA023" in rejected.stderr
