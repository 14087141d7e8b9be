"""`gitarchive restore` end to end: the real CLI in-process, the fake Spotify API's write side."""

from __future__ import annotations

import json
import webbrowser
from importlib.resources import files
from typing import TYPE_CHECKING

import httpx
import jsonschema
import pygit2
import pytest

from gitarchive import git
from gitarchive.formats.paths import archive_paths
from gitarchive.git import Store
from tests.support.api import api_track_entry, fake_id, playlist_with_tracks
from tests.support.cli import run_cli, run_cli_captured
from tests.support.fake_writes import WRITE_SCOPE, FakeWrites
from tests.support.restoring import DAY1, USER, items_of, owned, track_uri

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.fakespotify import FakeSpotify

A = fake_id("restore", "a")
OTHER = fake_id("restore", "someone else's")
DAY2, DAY3 = "2026-11-21T06:00:00Z", "2026-11-22T06:00:00Z"
EARLIER = [0, 1, 2, 1, 3]  # a duplicate, kept in its place


@pytest.fixture
def archive(tmp_path: Path, fake_spotify_dev: FakeSpotify, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A with EARLIER archived on DAY1 and [3, 4, 0] on DAY2; the token may write."""
    fake_spotify_dev.setenv(monkeypatch, refresh_token=True, scope=WRITE_SCOPE)
    root = tmp_path / "archive"
    pygit2.init_repository(str(root), initial_head="main")
    fake_spotify_dev.add_playlist(owned(A, EARLIER))
    assert run_cli("-C", str(root), "add", A) == 0
    assert run_cli("-C", str(root), "sync", "--date", DAY1) == 0
    fake_spotify_dev.add_playlist(owned(A, [3, 4, 0]))
    assert run_cli("-C", str(root), "sync", "--date", DAY2) == 0
    fake_spotify_dev.reset_log()
    return root


def plain_at(root: Path, commit: str) -> bytes | None:
    return git.read_file(Store.discover(root), commit, archive_paths(A).plain)


def test_restore_into_then_sync_records_the_earlier_version_byte_for_byte(
    archive: Path, fake_spotify_dev: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store.discover(archive)
    day1 = git.commit_info(store, git.head_id(store) or "").parents[0]  # DAY2's parent
    code, out, err = run_cli_captured(
        capsys, "-C", str(archive), "restore", A, "--at", "2026-11-20", "--into", A, "--yes"
    )
    assert code == 0, err
    assert items_of(fake_spotify_dev, A) == [track_uri(A, i) for i in EARLIER]
    assert "3 added, 1 removed, 2 moved" in out and A in out
    assert run_cli("-C", str(archive), "sync", "--date", DAY3) == 0
    head = git.head_id(store)
    assert head is not None and head != day1
    assert plain_at(archive, head) == plain_at(archive, day1)


def test_restore_new_creates_a_private_playlist_with_the_version_in_order(
    archive: Path, fake_spotify_dev: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli_captured(
        capsys, "-C", str(archive), "restore", A, "--new", "--at", "2026-11-20"
    )
    assert code == 0, err
    created = [
        p for pid, p in fake_spotify_dev._playlists.items() if pid != A and p.owner_id == USER
    ]
    assert len(created) == 1
    new = created[0]
    assert new.meta["name"] == "Alpha (as of 2026-11-20)" and new.meta["public"] is False
    assert "as archived in commit" in new.meta["description"]
    assert items_of(fake_spotify_dev, new.meta["id"]) == [track_uri(A, i) for i in EARLIER]
    assert new.meta["id"] in out and f"https://open.spotify.com/playlist/{new.meta['id']}" in out
    posts = fake_spotify_dev.writes.requests()
    assert (posts[0].method, posts[0].path) == ("POST", "/v1/me/playlists")
    assert len(posts) == 2  # create, then one add of five items


def test_restore_new_takes_a_name_and_a_second_run_writes_nothing(
    archive: Path, fake_spotify_dev: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("-C", str(archive), "restore", A, "--new", "--name", "Back again")
    assert run_cli_captured(capsys, *args)[0] == 0
    assert run_cli_captured(capsys, *args)[0] == 0
    names = [p.meta["name"] for p in fake_spotify_dev._playlists.values()]
    assert names.count("Back again") == 1
    assert len(fake_spotify_dev.writes.requests()) == 2  # the first run's create and add


def test_restore_into_a_playlist_the_user_does_not_own_writes_nothing(
    archive: Path, fake_spotify_dev: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    theirs = playlist_with_tracks(OTHER, [5, 6], owner_id="someone-else", name="Theirs")
    fake_spotify_dev.add_playlist(theirs)
    code, _, err = run_cli_captured(
        capsys, "-C", str(archive), "restore", A, "--into", OTHER, "--yes"
    )
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and "own or collaborate" in err
    assert fake_spotify_dev.writes.requests() == []
    assert len(fake_spotify_dev._playlists[OTHER].entries) == 2


def test_restore_into_a_collaborative_playlist_is_allowed(
    archive: Path, fake_spotify_dev: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = playlist_with_tracks(OTHER, [5], owner_id="someone-else", name="Shared")
    shared["collaborative"], shared["public"] = True, False
    fake_spotify_dev.add_playlist(shared, collaborators=[USER])
    url = f"https://open.spotify.com/playlist/{OTHER}?si=abc"  # a URL does as well as an id
    code, _, err = run_cli_captured(
        capsys, "-C", str(archive), "restore", A, "--into", url, "--yes"
    )
    assert code == 0, err
    assert items_of(fake_spotify_dev, OTHER) == [track_uri(A, i) for i in [3, 4, 0]]


@pytest.mark.parametrize("scope_said", [True, False], ids=["token-says-scope", "403-says-scope"])
def test_a_read_only_token_names_login_allow_restore(
    archive: Path,
    fake_spotify_dev: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    scope_said: bool,
) -> None:
    fake_spotify_dev.setenv(monkeypatch, refresh_token=True)  # a plain `login`'s token
    fake_spotify_dev.writes.send_scope = scope_said
    for target in (["--new"], ["--into", A, "--yes", "--at", "2026-11-20"]):
        code, _, err = run_cli_captured(capsys, "-C", str(archive), "restore", A, *target)
        assert code == 1
        assert len(err.strip().splitlines()) == 1 and "gitarchive login --allow-restore" in err
    written = fake_spotify_dev.writes.requests()
    # told by the token answer: no write at all; else the first write's 403 stops it
    assert written == [] if scope_said else all(r.status == 403 for r in written)
    assert items_of(fake_spotify_dev, A) == [track_uri(A, i) for i in [3, 4, 0]]


def test_into_without_a_terminal_and_without_yes_refuses_before_any_request(
    archive: Path, fake_spotify_dev: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli_captured(capsys, "-C", str(archive), "restore", A, "--into", A)
    assert code == 1 and "--yes" in err and len(err.strip().splitlines()) == 1
    assert fake_spotify_dev.api_requests() == []


def test_dry_run_shows_the_difference_and_writes_nothing(
    archive: Path, fake_spotify_dev: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli_captured(
        capsys, "-C", str(archive), "restore", A, "--at", "2026-11-20", "--into", A, "--dry-run"
    )
    assert code == 0, err
    assert "3 added, 1 removed, 2 moved" in out and "dry run" in out
    assert fake_spotify_dev.writes.requests() == []


def test_cumulative_restores_every_track_ever_held(
    archive: Path, fake_spotify_dev: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli_captured(
        capsys, "-C", str(archive), "restore", A, "--cumulative", "--new", "--format", "json"
    )
    assert code == 0, err
    result = json.loads(out)
    schema = files("gitarchive").joinpath("schemas", "restore.json").read_text("utf-8")
    jsonschema.Draft202012Validator(json.loads(schema)).validate(result)
    assert result["created"] is True and result["items"] == 5
    code, out, err = run_cli_captured(
        capsys, "-C", str(archive), "cumulative", A, "--format", "json"
    )
    in_view_order = [f"spotify:track:{t['id']}" for t in json.loads(out)["tracks"]]
    assert sorted(in_view_order) == sorted(track_uri(A, i) for i in range(5))
    assert items_of(fake_spotify_dev, result["target"]) == in_view_order


def test_local_files_are_listed_and_strict_refuses_before_writing(
    tmp_path: Path,
    fake_spotify_dev: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_spotify_dev.setenv(monkeypatch, refresh_token=True, scope=WRITE_SCOPE)
    root = tmp_path / "archive"
    pygit2.init_repository(str(root), initial_head="main")
    data = owned(A, [0, 1])
    data["items"]["items"].insert(1, FakeWrites.local_entry("Garage Demo"))
    data["items"]["total"] = 3
    fake_spotify_dev.add_playlist(data)
    assert run_cli("-C", str(root), "add", A) == 0
    assert run_cli("-C", str(root), "sync", "--date", DAY1) == 0
    fake_spotify_dev.reset_log()
    code, _, err = run_cli_captured(capsys, "-C", str(root), "restore", A, "--new", "--strict")
    assert code == 1 and "Garage Demo" in err and "nothing was written" in err
    assert fake_spotify_dev.writes.requests() == []
    code, _, err = run_cli_captured(capsys, "-C", str(root), "restore", A, "--new")
    assert code == 0, err
    assert "not restorable: #2 Garage Demo" in err and "local file" in err


def test_tracks_spotify_no_longer_serves_are_listed_and_a_rerun_writes_nothing(
    archive: Path, fake_spotify_dev: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = fake_id("track", A, 2)
    fake_spotify_dev.writes.unavailable.add(gone)
    args = ("-C", str(archive), "restore", A, "--at", "2026-11-20", "--into", A, "--yes")
    code, _, err = run_cli_captured(capsys, *args)
    assert code == 0, err
    assert f"Spotify no longer serves: {api_track_entry(A, 2)['item']['name']}" in err
    written = len(fake_spotify_dev.writes.requests())
    assert run_cli_captured(capsys, *args)[0] == 0
    assert len(fake_spotify_dev.writes.requests()) == written
    code, _, err = run_cli_captured(capsys, *args, "--strict")
    assert code == 1 and "no longer serves 1" in err


def test_a_local_file_in_the_target_is_written_over_not_taken_for_the_versions_track(
    archive: Path, fake_spotify_dev: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    """The target's local file stands where the version has track 3: restore writes the
    version (a local file is never one of its tracks), and says no track is unavailable."""
    now = owned(A, [4, 0])
    now["items"]["items"].insert(0, FakeWrites.local_entry("My demo.mp3"))
    now["items"]["total"] = 3
    fake_spotify_dev.add_playlist(now)
    code, _, err = run_cli_captured(capsys, "-C", str(archive), "restore", A, "--into", A, "--yes")
    assert code == 0, err
    assert items_of(fake_spotify_dev, A) == [track_uri(A, i) for i in (3, 4, 0)]
    assert fake_spotify_dev.writes.requests() != []
    assert "no longer serves" not in err


def test_an_unavailable_entry_is_no_prefix_to_append_to(
    archive: Path, fake_spotify_dev: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    """The target holds one unavailable entry, the version three tracks: the entry is the
    playlist's, not a run cut short's first write, so restore replaces it."""
    now = owned(A, [9])
    entry = now["items"]["items"][0]
    entry["item"] = None  # what Spotify serves for a track it no longer serves
    entry.pop("track", None)
    fake_spotify_dev.add_playlist(now)
    assert items_of(fake_spotify_dev, A) == [None]
    code, _, err = run_cli_captured(capsys, "-C", str(archive), "restore", A, "--into", A, "--yes")
    assert code == 0, err
    assert items_of(fake_spotify_dev, A) == [track_uri(A, i) for i in (3, 4, 0)]


def test_ten_thousand_tracks_take_at_most_103_write_requests(
    tmp_path: Path,
    fake_spotify_dev: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_spotify_dev.setenv(monkeypatch, refresh_token=True, scope=WRITE_SCOPE)
    root = tmp_path / "archive"
    pygit2.init_repository(str(root), initial_head="main")
    wanted = [i % 9_000 for i in range(10_000)]  # a thousand duplicates
    fake_spotify_dev.add_playlist(owned(A, wanted))
    assert run_cli("-C", str(root), "add", A) == 0
    assert run_cli("-C", str(root), "sync", "--date", DAY1) == 0
    fake_spotify_dev.add_playlist(owned(A, [1, 2, 3]))
    fake_spotify_dev.reset_log()
    code, _, err = run_cli_captured(capsys, "-C", str(root), "restore", A, "--into", A, "--yes")
    assert code == 0, err
    assert len(fake_spotify_dev.writes.requests()) <= 103
    assert items_of(fake_spotify_dev, A) == [track_uri(A, i) for i in wanted]
    fake_spotify_dev.reset_log()
    code, _, err = run_cli_captured(capsys, "-C", str(root), "restore", A, "--new")
    assert code == 0, err
    assert len(fake_spotify_dev.writes.requests()) <= 103


def consent(url: str, *args: object, **kwargs: object) -> bool:
    """The user agrees on the fake's authorize page, as a browser would."""
    return httpx.get(url, follow_redirects=True, timeout=10).status_code == 200


@pytest.mark.parametrize("allow", [True, False], ids=["allow-restore", "plain"])
def test_login_asks_for_the_modify_scopes_only_with_allow_restore(
    tmp_path: Path,
    fake_spotify_dev: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    allow: bool,
) -> None:
    monkeypatch.chdir(tmp_path)  # not an archive: nothing recorded
    fake_spotify_dev.setenv(monkeypatch, secret=False)
    monkeypatch.setattr(webbrowser, "open", consent)
    args = ["login", "--port", "0", *(["--allow-restore"] if allow else [])]
    code, out, err = run_cli_captured(capsys, *args)
    assert code == 0, err
    granted = fake_spotify_dev.writes.scope_of(out.strip()).split()
    assert "playlist-read-private" in granted
    assert ("playlist-modify-private" in granted) is allow
    assert ("playlist-modify-public" in granted) is allow


def test_a_rate_limited_write_waits_and_goes_on(
    archive: Path, fake_spotify_dev: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_spotify_dev.inject("rate_limit", match=f"/playlists/{A}/items", retry_after=0.2, times=2)
    args = ("-C", str(archive), "restore", A, "--at", "2026-11-20", "--into", A, "--yes")
    code, _, err = run_cli_captured(capsys, *args)
    assert code == 0, err
    assert any(r.status == 429 for r in fake_spotify_dev.api_requests())
    assert items_of(fake_spotify_dev, A) == [track_uri(A, i) for i in EARLIER]


def test_quota_exceeded_stops_the_restore_at_once(
    archive: Path, fake_spotify_dev: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_spotify_dev.inject("quota", match=f"/playlists/{A}/items", times=None)
    args = ("-C", str(archive), "restore", A, "--at", "2026-11-20", "--into", A, "--yes")
    code, _, err = run_cli_captured(capsys, *args)
    assert code == 1 and "QUOTA_EXCEEDED" in err and len(err.strip().splitlines()) == 1
    assert sum(r.status == 429 for r in fake_spotify_dev.api_requests()) == 1  # never retried


def test_a_retried_write_that_had_reached_spotify_leaves_no_duplicate(
    archive: Path, fake_spotify_dev: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    # the add is applied and answered 503: never sent again blindly, the read-back finds it
    fake_spotify_dev.writes.lose_answers = 1
    args = ("-C", str(archive), "restore", A, "--at", "2026-11-20", "--new", "--format", "json")
    code, out, err = run_cli_captured(capsys, *args)
    assert code == 0, err
    created = json.loads(out)["target"]
    assert items_of(fake_spotify_dev, created) == [track_uri(A, i) for i in EARLIER]
    methods = [r.method for r in fake_spotify_dev.writes.requests()]
    assert methods == ["POST", "POST"]  # create, add
