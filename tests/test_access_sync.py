"""Spotify 2026 access rules end to end through the CLI against the development-mode fake.

A user's token reads the playlists the user owns or collaborates on; others'
playlists answer 403, Spotify's own 404. Tested here: grouped reporting in doctor's
words, files kept byte for byte, the drop rule and --accept-drops, add --mine,
QUOTA_EXCEEDED, the expiry warning, GitHub Actions' summary and annotations, and
`list` in a fresh clone.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest

from gitarchive import formats
from gitarchive.model import LIKED_SONGS_ID
from gitarchive.spotify import access
from tests.support.api import api_playlist, fake_id
from tests.support.cli import run_cli, run_cli_captured
from tests.support.fakespotify import FakeSpotify
from tests.support.gitcli import git

if TYPE_CHECKING:
    from pathlib import Path

ME = "fake-user"
MINE = fake_id("access-sync", "mine")
SHARED = fake_id("access-sync", "shared")
THEIRS = fake_id("access-sync", "theirs")
THEIRS_TOO = fake_id("access-sync", "theirs", 2)
EDITORIAL = "37i9dQZF1DX0XUsuxWHRQd"
REGISTERED = (MINE, SHARED, THEIRS, THEIRS_TOO, EDITORIAL)
DAY0 = "2026-11-20T06:00:00Z"
DAY1 = "2026-11-21T06:00:00Z"
DAY2 = "2026-11-22T06:00:00Z"


def serve(fake: FakeSpotify, tracks: int) -> None:
    """Every playlist with ``tracks`` tracks (a new snapshot, so a sync would change it)."""
    fake.add_playlist(api_playlist(MINE, tracks, owner_id=ME, name="Mine"))
    fake.add_playlist(api_playlist(SHARED, tracks, owner_id="friend"), collaborators=[ME])
    fake.add_playlist(api_playlist(THEIRS, tracks, owner_id="stranger", name="Theirs"))
    fake.add_playlist(api_playlist(THEIRS_TOO, tracks, owner_id="stranger"))
    fake.add_playlist(api_playlist(EDITORIAL, tracks))


def files_of(root: Path, playlist_id: str) -> dict[str, bytes]:
    names = [
        formats.plain_path(playlist_id),
        formats.pretty_path(playlist_id),
        formats.json_path(playlist_id),
        formats.cumulative_path(playlist_id),
    ]
    return {name: (root / name).read_bytes() for name in names}


def registered_ids(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "playlists/registry").iterdir() if p.name[0] != ".")


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


@pytest.fixture
def archive(tmp_path: Path, fake_spotify_dev: FakeSpotify, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every playlist archived once (by an extended-quota app), then development mode."""
    root = tmp_path / "archive"
    assert run_cli("init", str(root)) == 0
    for playlist_id in REGISTERED:
        assert run_cli("-C", str(root), "add", playlist_id) == 0
    fake_spotify_dev.setenv(monkeypatch, refresh_token=True)
    fake_spotify_dev.extended_quota = True
    serve(fake_spotify_dev, 60)
    assert run_cli("-C", str(root), "sync", "--date", DAY0) == 0
    fake_spotify_dev.extended_quota = False
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return root


def test_user_token_syncs_own_and_shared_and_reports_the_rest_once_grouped(
    archive: Path, fake_spotify_dev: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = {pid: files_of(archive, pid) for pid in (THEIRS, THEIRS_TOO, EDITORIAL)}
    serve(fake_spotify_dev, 61)
    code, out, _ = run_cli_captured(capsys, "-C", str(archive), "sync", "--date", DAY1)
    assert code == 0
    assert "changed      Mine  +1" in out
    failed = [line.strip() for line in out.splitlines() if line.strip().startswith("failed")]
    not_owner = access.CauseGroup(access.NOT_OWNER, tuple(sorted([THEIRS, THEIRS_TOO])))
    spotify_owned = access.CauseGroup(access.SPOTIFY_OWNED, (EDITORIAL,))
    assert failed == [f"failed       {not_owner.line()}", f"failed       {spotify_owned.line()}"]
    assert "collaborator" in failed[0] and "extended quota" in failed[1]
    for playlist_id, before in kept.items():
        assert files_of(archive, playlist_id) == before
    changed = git(archive, "diff", "--name-only", "HEAD~1", "HEAD").split()
    assert not any(pid in path for path in changed for pid in kept)
    # doctor says the same, in the same words
    code, doctor_out, _ = run_cli_captured(capsys, "-C", str(archive), "doctor")
    assert code == 1
    assert [line for line in doctor_out.splitlines() if line.startswith("- ")] == [
        f"- {not_owner.line()}",
        f"- {spotify_owned.line()}",
    ]
    # --strict: the same run is a failure
    serve(fake_spotify_dev, 62)
    assert run_cli("-C", str(archive), "sync", "--strict", "--date", DAY2) == 1
    for playlist_id, before in kept.items():
        assert files_of(archive, playlist_id) == before


def test_status_file_records_the_failures_and_validates(
    archive: Path, fake_spotify_dev: FakeSpotify
) -> None:
    serve(fake_spotify_dev, 61)
    assert run_cli("-C", str(archive), "sync", "--date", DAY1) == 0
    status = formats.read_status((archive / formats.STATUS_PATH).read_text())
    assert sorted(status) == sorted([THEIRS, THEIRS_TOO, EDITORIAL])
    assert status[THEIRS].cause == access.NOT_OWNER and status[THEIRS].since == "2026-11-21"
    assert run_cli("-C", str(archive), "validate", "--all") == 0
    # the same failures the next day: the file (and its "since") stays as it was
    before = (archive / formats.STATUS_PATH).read_bytes()
    serve(fake_spotify_dev, 62)
    assert run_cli("-C", str(archive), "sync", "--date", DAY2) == 0
    assert (archive / formats.STATUS_PATH).read_bytes() == before
    # readable again: the failure is gone from the status
    fake_spotify_dev.extended_quota = True
    assert run_cli("-C", str(archive), "sync", "--date", "2026-11-23T06:00:00Z") == 0
    assert formats.read_status((archive / formats.STATUS_PATH).read_text()) == {}


@pytest.mark.parametrize("shape", ["track", "neither"])
def test_entries_under_track_or_neither_never_empty_the_playlist(
    archive: Path, fake_spotify_dev: FakeSpotify, capsys: pytest.CaptureFixture[str], shape: str
) -> None:
    before = files_of(archive, MINE)
    head_before = head(archive)
    fake_spotify_dev.add_playlist(
        api_playlist(MINE, 60, owner_id=ME, name="Mine"), entry_shape=shape
    )
    code, out, _ = run_cli_captured(capsys, "-C", str(archive), "sync", "--date", DAY1)
    assert code == 0
    assert files_of(archive, MINE) == before
    if shape == "track":
        assert MINE not in out  # the deprecated key read as the same 60 tracks: no change
    else:
        assert f"Mine ({MINE}):" in out and "neither `item` nor `track`" in out
        assert head(archive) != head_before  # only the status records it
        changed = git(archive, "diff", "--name-only", head_before, "HEAD").split()
        assert changed == [formats.STATUS_PATH]


def test_a_drop_to_zero_is_kept_back_until_accepted(
    archive: Path, fake_spotify_dev: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    before = files_of(archive, MINE)
    fake_spotify_dev.add_playlist(api_playlist(MINE, 0, owner_id=ME, name="Mine"))
    code, out, _ = run_cli_captured(capsys, "-C", str(archive), "sync", "--date", DAY1)
    assert code == 0
    assert files_of(archive, MINE) == before
    assert "fell from 60 to 0" in out and "--accept-drops" in out
    status = formats.read_status((archive / formats.STATUS_PATH).read_text())
    assert status[MINE].kind == "dropped"
    assert run_cli("-C", str(archive), "sync", "--strict", "--date", DAY1) == 1
    code, out, _ = run_cli_captured(
        capsys, "-C", str(archive), "sync", "--accept-drops", "--date", DAY2
    )
    assert code == 0 and "changed      Mine  +0 \u221260" in out
    assert formats.read_json((archive / formats.json_path(MINE)).read_text(), MINE).tracks == ()
    assert MINE not in formats.read_status((archive / formats.STATUS_PATH).read_text())


def test_drop_limit_per_playlist_in_gitarchive_toml(
    archive: Path, fake_spotify_dev: FakeSpotify
) -> None:
    settings = archive / "gitarchive.toml"
    settings.write_text(
        settings.read_text() + f"\nmax_drop = 0.1\n\n[playlists.{SHARED}]\naccept_drops = true\n"
    )
    fake_spotify_dev.add_playlist(api_playlist(MINE, 50, owner_id=ME, name="Mine"))
    fake_spotify_dev.add_playlist(api_playlist(SHARED, 0, owner_id="friend"), collaborators=[ME])
    assert run_cli("-C", str(archive), "sync", "--date", DAY1) == 0
    status = formats.read_status((archive / formats.STATUS_PATH).read_text())
    assert status[MINE].kind == "dropped"  # 60 -> 50 is more than 10%
    assert SHARED not in status
    assert formats.read_json((archive / formats.json_path(SHARED)).read_text(), SHARED).tracks == ()


def test_add_mine_registers_exactly_owned_and_collaborative(
    tmp_path: Path,
    fake_spotify_dev: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = tmp_path / "archive"
    assert run_cli("init", str(root)) == 0
    serve(fake_spotify_dev, 3)
    other_mine = fake_id("access-sync", "mine", 2)
    fake_spotify_dev.add_playlist(api_playlist(other_mine, 1, owner_id=ME, name="Mine 2"))
    fake_spotify_dev.follow(ME, THEIRS)
    fake_spotify_dev.follow(ME, EDITORIAL)
    fake_spotify_dev.setenv(monkeypatch, refresh_token=True)
    assert run_cli("-C", str(root), "add", MINE) == 0
    capsys.readouterr()
    code, out, _ = run_cli_captured(capsys, "-C", str(root), "add", "--mine", "--dry-run")
    assert code == 0
    listed = [
        line.split()[0] for line in out.splitlines() if line[:22] in (*REGISTERED, other_mine)
    ]
    assert sorted(listed) == sorted([SHARED, other_mine])
    assert registered_ids(root) == [MINE]
    assert run_cli("-C", str(root), "add", "--mine") == 0
    registered = registered_ids(root)
    assert registered == sorted([MINE, SHARED, other_mine])
    code, out, _ = run_cli_captured(capsys, "-C", str(root), "add", "--mine")
    assert code == 0 and "registered" in out
    assert run_cli("-C", str(root), "add", "--mine", MINE) == 1


def test_quota_exceeded_stops_at_once_with_one_line(
    archive: Path, fake_spotify_dev: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(fake_spotify_dev, 61)
    fake_spotify_dev.inject("quota", match="/items", times=None)
    head_before = head(archive)
    before = {pid: files_of(archive, pid) for pid in REGISTERED}
    code, _, err = run_cli_captured(capsys, "-C", str(archive), "sync", "--date", DAY1)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "QUOTA_EXCEEDED" in lines[0]
    assert head(archive) == head_before
    assert {pid: files_of(archive, pid) for pid in REGISTERED} == before
    quota_answers = [r for r in fake_spotify_dev.api_requests() if r.status == 429]
    assert len(quota_answers) <= 4  # no retry storm (at most the requests in flight)


# The sync runs on 2026-11-21; a token authorized on 2026-06-22 expires 2026-12-22 (31 days on).
@pytest.mark.parametrize(
    ("authorized", "warned"),
    [(date(2026, 6, 22), False), (date(2026, 6, 21), True), (date(2026, 5, 20), True)],
    ids=["31-days-left", "30-days-left", "expired"],
)
def test_expiry_warning_from_30_days_before(
    archive: Path,
    fake_spotify_dev: FakeSpotify,
    capsys: pytest.CaptureFixture[str],
    authorized: date,
    warned: bool,
) -> None:
    assert access.refresh_token_expiry(authorized) - date(2026, 11, 21) in (
        timedelta(days=31),
        timedelta(days=30),
        timedelta(days=-1),
    )
    settings = archive / "gitarchive.toml"
    settings.write_text(f"authorized_on = {authorized.isoformat()}\n" + settings.read_text())
    code, _, err = run_cli_captured(capsys, "-C", str(archive), "sync", "--date", DAY1)
    assert code == 0
    assert ("refresh token expire" in err) is warned
    if warned:
        assert "gitarchive login" in err and "SPOTIFY_REFRESH_TOKEN" in err


def test_github_actions_summary_and_annotations(
    archive: Path,
    fake_spotify_dev: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    settings = archive / "gitarchive.toml"
    settings.write_text("authorized_on = 2026-06-01\n" + settings.read_text())
    serve(fake_spotify_dev, 61)
    fake_spotify_dev.add_playlist(api_playlist(SHARED, 0, owner_id="friend"), collaborators=[ME])
    code, out, _ = run_cli_captured(capsys, "-C", str(archive), "sync", "--date", DAY1)
    assert code == 0
    text = summary.read_text()
    assert "| playlists | count | details |" in text
    assert "| synced, changed | 1 |" in text
    assert f"| unavailable: {access.CAUSES[access.NOT_OWNER].summary} | 2 |" in text
    assert "| dropped and kept (files unchanged) | 1 |" in text
    assert "| skipped by the time budget | 0 |" in text
    assert "expires on 2026-12-01" in text
    errors = [line for line in out.splitlines() if line.startswith("::error")]
    warnings = [line for line in out.splitlines() if line.startswith("::warning")]
    assert len(errors) == 3 and any(SHARED in line for line in errors)
    assert len(warnings) == 1 and "2026-12-01" in warnings[0]
    everything = text + out + (archive / ".git/gitarchive-last-sync.json").read_text()
    everything += (archive / formats.STATUS_PATH).read_text()
    for secret in fake_spotify_dev.secrets_seen():
        assert secret not in everything


def test_list_shows_every_playlist_failed_also_in_a_fresh_clone(
    archive: Path,
    fake_spotify_dev: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.delenv("SPOTIFY_REFRESH_TOKEN")  # client credentials: no user, nothing readable
    serve(fake_spotify_dev, 61)
    code, _, _ = run_cli_captured(capsys, "-C", str(archive), "sync", "--date", DAY1)
    assert code == 1
    assert "status only, 5 playlists failed" in git(archive, "log", "-1", "--format=%s")

    def listed(root: Path) -> dict[str, str]:
        code, out, _ = run_cli_captured(capsys, "-C", str(root), "list", "--json")
        assert code == 0
        return {row["id"]: row["status"] for row in json.loads(out)}

    statuses = listed(archive)
    assert sorted(statuses) == sorted(REGISTERED)
    assert all(
        status != "ok" and status.startswith("unavailable: ") for status in statuses.values()
    )
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(archive), str(clone))
    assert not (clone / ".git/gitarchive-last-sync.json").exists()
    in_clone = listed(clone)
    assert sorted(in_clone) == sorted(REGISTERED)
    for status in in_clone.values():
        assert status.startswith("unavailable: ") and status.endswith("(since 2026-11-21)")
    code, out, _ = run_cli_captured(capsys, "-C", str(clone), "list")
    assert code == 0 and "[ok]" not in out and out.count("[unavailable: ") == len(REGISTERED)


def test_a_bad_request_fails_the_run_loudly_with_the_request(
    archive: Path, fake_spotify_dev: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    before = files_of(archive, MINE)
    serve(fake_spotify_dev, 61)
    fake_spotify_dev.inject("status", status=400, match=f"/playlists/{MINE}/items", times=None)
    code, out, _ = run_cli_captured(capsys, "-C", str(archive), "sync", "--date", DAY1)
    assert code == 1
    line = next(line for line in out.splitlines() if MINE in line and "failed" in line)
    assert "bug in gitarchive" in line and f"/v1/playlists/{MINE}/items" in line
    assert files_of(archive, MINE) == before
    for secret in fake_spotify_dev.secrets_seen():
        assert secret not in out


def test_a_blank_name_from_spotify_keeps_the_archived_name(
    archive: Path, fake_spotify_dev: FakeSpotify
) -> None:
    fake_spotify_dev.add_playlist(api_playlist(MINE, 61, owner_id=ME, name=" \n "))
    assert run_cli("-C", str(archive), "sync", "--date", DAY1) == 0
    snapshot = formats.read_json((archive / formats.json_path(MINE)).read_text(), MINE)
    assert snapshot.original_name == "Mine" and len(snapshot.tracks) == 61
    assert run_cli("-C", str(archive), "validate", "--all") == 0


def test_liked_songs_are_archived_as_a_pseudo_playlist(
    archive: Path,
    fake_spotify_dev: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    saved = api_playlist(fake_id("access-sync", "library"), 120)["items"]["items"]
    fake_spotify_dev.save_tracks(ME, saved)
    assert run_cli("-C", str(archive), "add", "liked") == 0
    assert (archive / formats.registry_path(LIKED_SONGS_ID)).is_file()
    serve(fake_spotify_dev, 60)
    assert run_cli("-C", str(archive), "sync", "--date", DAY1) == 0
    snapshot = formats.read_json(
        (archive / formats.json_path(LIKED_SONGS_ID)).read_text(), LIKED_SONGS_ID
    )
    assert snapshot.original_name == "Liked Songs" and len(snapshot.tracks) == 120
    assert snapshot.owner.name == "Fake-User"
    assert run_cli("-C", str(archive), "validate", "--all") == 0
    code, out, _ = run_cli_captured(capsys, "-C", str(archive), "doctor")
    assert f"{LIKED_SONGS_ID}  reads tracks" in out
    # a token without a user reads no library: reported, files kept
    before = files_of(archive, LIKED_SONGS_ID)
    monkeypatch.delenv("SPOTIFY_REFRESH_TOKEN")
    code, out, _ = run_cli_captured(capsys, "-C", str(archive), "sync", "--date", DAY2)
    assert code == 1 and LIKED_SONGS_ID in out and "no user" in out
    assert files_of(archive, LIKED_SONGS_ID) == before


def test_a_failed_only_sync_pushes_its_status_for_the_next_checkout(
    archive: Path,
    fake_spotify_dev: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(archive, "remote", "add", "origin", str(remote))
    git(archive, "push", "-q", "-u", "origin", "HEAD:main")
    git(archive, "branch", "-q", "-u", "origin/main")
    monkeypatch.delenv("SPOTIFY_REFRESH_TOKEN")  # client credentials: every playlist fails
    code, _, _ = run_cli_captured(capsys, "-C", str(archive), "sync", "--push", "--date", DAY1)
    assert code == 1
    assert git(remote, "rev-parse", "main").strip() == head(archive)
    checkout = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", "-b", "main", str(remote), str(checkout))
    status = formats.read_status((checkout / formats.STATUS_PATH).read_text())
    assert sorted(status) == sorted(REGISTERED)
    assert status[EDITORIAL].cause == access.SPOTIFY_OWNED
    assert {status[pid].cause for pid in REGISTERED if pid != EDITORIAL} == {access.NO_USER}


def test_server_text_echoing_secrets_never_reaches_output_files_or_commits(
    archive: Path,
    fake_spotify_dev: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    import os

    refresh_token = os.environ["SPOTIFY_REFRESH_TOKEN"]
    secrets = {refresh_token, fake_spotify_dev.client_secret}
    echo = f"Forbidden for {refresh_token} (client secret {fake_spotify_dev.client_secret})"
    body = json.dumps({"error": {"status": 403, "message": echo}}).encode()
    fake_spotify_dev.inject("raw", status=403, body=body, match=f"{MINE}/items", times=None)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    serve(fake_spotify_dev, 61)
    code, out, err = run_cli_captured(capsys, "-C", str(archive), "sync", "--json", "--date", DAY1)
    assert code == 0 and "[redacted]" in out
    everything = out + err + summary.read_text()
    everything += (archive / ".git/gitarchive-last-sync.json").read_text()
    everything += (archive / formats.STATUS_PATH).read_text()
    everything += git(archive, "log", "--format=%B")
    for secret in secrets | fake_spotify_dev.secrets_seen():
        assert secret not in everything
