"""`sync` end to end: the real client against the fake Spotify API, real repositories."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pygit2
import pytest

from gitarchive import formats, history
from gitarchive import git as gitrepo
from gitarchive.errors import LockedError, UsageError
from gitarchive.git import ArchiveLock, Identity, Store
from gitarchive.spotify import parse_playlist
from gitarchive.sync import Progress, SyncOptions, commit_message, run_sync
from tests.support.api import fake_id, playlist_with_tracks
from tests.support.builder import register
from tests.support.cli import run_cli
from tests.support.fakespotify import FakeSpotify
from tests.support.gitcli import git

if TYPE_CHECKING:
    from pathlib import Path

DAY0 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
A = fake_id("sync-test", "a")
B = fake_id("sync-test", "b")
C = fake_id("sync-test", "c")
MISSING = fake_id("sync-test", "missing")


@pytest.fixture
def archive(tmp_path: Path, fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch) -> Path:
    fake_spotify.setenv(monkeypatch)
    root = tmp_path / "archive"
    pygit2.init_repository(str(root), initial_head="main")
    return root


def sync(root: Path, when: datetime = DAY0, **options: Any) -> Any:
    return run_sync(Store.discover(root), SyncOptions(now=when, **options))


def archive_status(root: Path) -> str:
    return git(root, "status", "--porcelain", "--", "playlists")


def test_first_sync_is_a_root_commit_with_everything(
    archive: Path, fake_spotify: FakeSpotify
) -> None:
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1, 2], name="Alpha"))
    fake_spotify.add_seed()
    register(archive, A, "37i9dQZF1DX5LEXW9eXA0n")
    result = sync(archive)
    assert result.exit_code == 0 and result.commit is not None
    store = Store.discover(archive)
    info = gitrepo.commit_info(store, result.commit)
    assert info.parents == () and info.date == DAY0
    assert info.message == "Sync 2026-11-20 06:00 UTC: 2 playlists changed, +53 \u22120 tracks"
    files = git(archive, "ls-tree", "-r", "--name-only", "HEAD").split()
    for playlist_id in (A, "37i9dQZF1DX5LEXW9eXA0n"):
        for path in (
            formats.plain_path(playlist_id),
            formats.pretty_path(playlist_id),
            formats.json_path(playlist_id),
            formats.cumulative_path(playlist_id),
            formats.registry_path(playlist_id),
        ):
            assert path in files
    assert formats.INDEX_PATH in files
    assert archive_status(archive) == ""
    assert git(archive, "status", "--porcelain") == ""
    json_text = (archive / formats.json_path(A)).read_text()
    assert formats.read_json(json_text, A).unique_name == "Alpha"


def test_second_identical_sync_makes_no_commit(archive: Path, fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1, 2]))
    register(archive, A)
    first = sync(archive)
    again = sync(archive, DAY0 + timedelta(hours=6))
    assert first.commit is not None
    assert again.commit is None and again.changed == [] and again.exit_code == 0
    assert gitrepo.head_id(Store.discover(archive)) == first.commit


def test_unrelated_dirty_files_survive(archive: Path, fake_spotify: FakeSpotify) -> None:
    (archive / "notes.md").write_text("v1\n")
    (archive / "todo.txt").write_text("t1\n")
    git(archive, "add", "notes.md", "todo.txt")
    git(archive, "commit", "-qm", "user files")
    (archive / "notes.md").write_text("staged\n")
    git(archive, "add", "notes.md")
    (archive / "notes.md").write_text("staged, then edited\n")
    (archive / "todo.txt").write_text("unstaged\n")
    (archive / "brand-new.txt").write_text("staged new file\n")
    git(archive, "add", "brand-new.txt")
    (archive / "scratch.txt").write_text("untracked\n")
    status_before = git(archive, "status", "--porcelain")
    staged_before = git(archive, "diff", "--cached")
    unstaged_before = git(archive, "diff")

    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1]))
    register(archive, A)
    result = sync(archive)

    committed = git(archive, "show", "--name-only", "--format=", result.commit).split()
    assert all(path.startswith("playlists/") for path in committed)
    assert git(archive, "status", "--porcelain") == status_before.replace("?? playlists/\n", "")
    assert git(archive, "diff", "--cached") == staged_before
    assert git(archive, "diff") == unstaged_before
    assert (archive / "scratch.txt").read_text() == "untracked\n"
    assert archive_status(archive) == ""


def test_a_failing_playlist_keeps_its_files(archive: Path, fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1, 2], name="Alpha"))
    fake_spotify.add_playlist(playlist_with_tracks(B, [0, 1], name="Beta"))
    register(archive, A, B)
    sync(archive)
    kept = {
        path: (archive / path).read_bytes()
        for path in (
            formats.plain_path(B),
            formats.pretty_path(B),
            formats.json_path(B),
            formats.cumulative_path(B),
        )
    }
    fake_spotify.inject("status", match=f"/playlists/{B}", status=403, times=None)
    fake_spotify.add_playlist(playlist_with_tracks(A, [1, 2, 3, 4], name="Alpha"))
    result = sync(archive, DAY0 + timedelta(days=1))
    assert result.exit_code == 0 and result.commit is not None
    assert [(c.id, c.added, c.removed) for c in result.changed] == [(A, 2, 1)]
    assert [u.id for u in result.unavailable] == [B]
    assert result.unavailable[0].name == "Beta"
    store = Store.discover(archive)
    for path, data in kept.items():
        assert (archive / path).read_bytes() == data
        assert gitrepo.read_file(store, result.commit, path) == data
    index = formats.read_index((archive / formats.INDEX_PATH).read_text())
    assert (B, "Beta") in index
    assert archive_status(archive) == ""
    strict = sync(archive, DAY0 + timedelta(days=2), strict=True)
    assert strict.exit_code == 1


def test_nothing_fetched_is_exit_1_and_commits_only_the_status(archive: Path) -> None:
    register(archive, MISSING)
    result = sync(archive)
    assert result.exit_code == 1 and result.commit is not None
    store = Store.discover(archive)
    assert gitrepo.changed_paths(store, None, result.commit) == [formats.STATUS_PATH]
    assert list(formats.read_status((archive / formats.STATUS_PATH).read_text())) == [MISSING]
    again = sync(archive, DAY0 + timedelta(days=1))
    assert again.exit_code == 1 and again.commit is None  # same failure: nothing to record


def test_add_then_sync_gives_one_commit_with_both(
    archive: Path, fake_spotify: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1], name="Alpha"))
    url = f"https://open.spotify.com/playlist/{A}?si=abc"
    assert run_cli("-C", str(archive), "add", url, "--alias", "My Alpha") == 0
    assert git(archive, "status", "--porcelain") == "?? playlists/\n"
    assert git(archive, "diff", "--cached", "--name-only") == ""
    capsys.readouterr()
    code = run_cli("-C", str(archive), "sync", "--date", "2026-11-20T06:00:00Z", "--json")
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["changed"][0]["name"] == "My Alpha"
    assert git(archive, "rev-list", "--count", "HEAD").strip() == "1"
    files = git(archive, "show", "--name-only", "--format=", "HEAD").split()
    assert formats.registry_path(A) in files and formats.plain_path(A) in files
    assert (archive / formats.registry_path(A)).read_text() == "My Alpha\n"
    assert git(archive, "status", "--porcelain") == ""


def test_killed_sync_leaves_a_consistent_repository(
    archive: Path, fake_spotify: FakeSpotify
) -> None:
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1]))
    register(archive, A)
    first = sync(archive)
    old_plain = (archive / formats.plain_path(A)).read_bytes()
    fake_spotify.add_playlist(playlist_with_tracks(A, [5, 6, 7]))

    def killed(new_commit: str) -> None:
        raise KeyboardInterrupt

    store = Store.discover(archive)
    with pytest.raises(KeyboardInterrupt):
        run_sync(
            store,
            SyncOptions(now=DAY0 + timedelta(days=1)),
            before_ref_update=killed,
        )
    assert gitrepo.head_id(store) == first.commit
    assert (archive / formats.plain_path(A)).read_bytes() == old_plain
    assert git(archive, "status", "--porcelain") == ""
    with ArchiveLock(store):  # the interrupted sync released its lock
        pass
    again = sync(archive, DAY0 + timedelta(days=1))
    assert again.commit is not None and archive_status(archive) == ""


def test_duplicate_names(archive: Path, fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(playlist_with_tracks(A, [0], name="Chill", followers=10))
    fake_spotify.add_playlist(playlist_with_tracks(B, [0], name="Chill", followers=500))
    fake_spotify.add_playlist(playlist_with_tracks(C, [0], name="Chill", followers=10))
    register(archive, A, B, C)
    result = sync(archive)
    names = {change.id: change.name for change in result.changed}
    tie = sorted([A, C])
    assert names == {B: "Chill", tie[0]: "Chill (2)", tie[1]: "Chill (3)"}
    # B cannot be fetched: it keeps "Chill", nobody else takes it
    fake_spotify.remove_playlist(B)
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1], name="Chill", followers=9999))
    sync(archive, DAY0 + timedelta(days=1))
    index = dict(formats.read_index((archive / formats.INDEX_PATH).read_text()))
    assert index[B] == "Chill"
    assert index[A] == "Chill (2)"
    assert index[C] == "Chill (3)"


def test_bare_repository(tmp_path: Path, fake_spotify: FakeSpotify, monkeypatch: Any) -> None:
    fake_spotify.setenv(monkeypatch)
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1]))
    store = Store(pygit2.init_repository(str(tmp_path / "bare.git"), bare=True))
    gitrepo.commit_changes(
        store,
        {formats.registry_path(A): b""},
        message="register",
        identity=Identity("T", "t@x"),
        when=DAY0,
    )
    result = run_sync(store, SyncOptions(now=DAY0 + timedelta(hours=1)))
    assert result.commit is not None and gitrepo.head_id(store) == result.commit
    assert gitrepo.read_file(store, result.commit, formats.plain_path(A)) is not None
    assert not (tmp_path / "bare.git" / "playlists").exists()


def test_lock_contention(archive: Path, fake_spotify: FakeSpotify) -> None:
    register(archive, A)
    store = Store.discover(archive)
    with ArchiveLock(store), pytest.raises(LockedError):
        run_sync(store, SyncOptions(now=DAY0))
    assert fake_spotify.api_requests() == []


def test_no_commit_writes_files_only(archive: Path, fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1]))
    register(archive, A)
    result = sync(archive, commit=False)
    assert result.commit is None and gitrepo.head_id(Store.discover(archive)) is None
    assert (archive / formats.plain_path(A)).is_file()
    assert git(archive, "diff", "--cached", "--name-only") == ""


def test_message_counts_tracks_as_multisets() -> None:
    from gitarchive.sync import PlaylistChange

    changes = [PlaylistChange(A, "a", 3, 1), PlaylistChange(B, "b", 31, 29)]
    assert commit_message(DAY0, changes) == (
        "Sync 2026-11-20 06:00 UTC: 2 playlists changed, +34 \u221230 tracks"
    )


def test_duplicate_tracks_count_as_a_multiset(archive: Path, fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 0, 1]))
    register(archive, A)
    sync(archive)
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1, 1, 2]))
    result = sync(archive, DAY0 + timedelta(days=1))
    assert [(c.added, c.removed) for c in result.changed] == [(2, 1)]


def test_push_rebuilds_on_a_remote_that_moved(
    tmp_path: Path, fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_spotify.setenv(monkeypatch)
    remote = tmp_path / "remote.git"
    pygit2.init_repository(str(remote), bare=True, initial_head="main")
    seed = tmp_path / "seed"
    git(tmp_path, "init", "-q", "-b", "main", str(seed))
    register(seed, A)
    git(seed, "add", "playlists")
    git(seed, "commit", "-qm", "registry")
    git(seed, "push", "-q", str(remote), "main")
    git(tmp_path, "clone", "-q", str(remote), "ours")
    git(tmp_path, "clone", "-q", str(remote), "theirs")
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"

    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1], name="Alpha"))
    fake_spotify.add_playlist(playlist_with_tracks(B, [0], name="Beta"))

    # Meanwhile somebody registers B and edits the README, and pushes first.
    (theirs / "README.md").write_text("hello\n")
    register(theirs, B)
    git(theirs, "add", "README.md", "playlists")
    git(theirs, "commit", "-qm", "theirs")
    git(theirs, "push", "-q")
    their_tip = git(theirs, "rev-parse", "HEAD").strip()

    result = sync(ours, push=True)
    assert result.pushed and result.push_attempts == 2
    store = Store.discover(ours)
    assert git(remote, "rev-parse", "main").strip() == gitrepo.head_id(store) == result.commit
    assert gitrepo.commit_info(store, result.commit).parents == (their_tip,)
    # the rebuilt commit renders on the new tip: their README is there, ours only syncs A
    assert gitrepo.read_file(store, result.commit, "README.md") == b"hello\n"
    assert gitrepo.read_file(store, result.commit, formats.plain_path(A)) is not None
    assert (ours / "README.md").read_text() == "hello\n"
    assert git(ours, "status", "--porcelain") == ""


@pytest.mark.parametrize("whole_seconds", [True, False], ids=["whole-seconds", "milliseconds"])
def test_cumulative_view_equals_the_fold_over_the_whole_log(
    archive: Path, fake_spotify: FakeSpotify, whole_seconds: bool
) -> None:
    lineups = [
        [0, 1, 2, 3],
        [1, 2, 3, 4, 5],
        [1, 2, 3, 4, 5],  # unchanged: no new version
        [2, 5, 6],
        [0, 2, 5, 6, 6],  # 0 comes back, 6 twice
        [7],
        [0, 1, 2, 3, 4, 5, 6, 7, 8],
    ]
    register(archive, A)
    when = DAY0
    for number, lineup in enumerate(lineups):
        data = playlist_with_tracks(
            A, lineup, name=f"Alpha {number // 3}", description=f"{len(lineup)} tracks"
        )
        if whole_seconds:
            for entry in data["items"]["items"]:
                entry["item"]["duration_ms"] -= entry["item"]["duration_ms"] % 1000
        fake_spotify.add_playlist(data)
        sync(archive, when, accept_drops=True)  # 5 -> 1 track is a drop past the limit
        when += timedelta(days=1, hours=5)

    store = Store.discover(archive)
    repo = store.repo
    commits = [
        c for c in repo.walk(repo.head.target, pygit2.enums.SortMode.REVERSE)
    ]  # oldest first
    view = None
    versions = 0
    previous_blob = None
    for commit in commits:
        files = {
            path: gitrepo.read_file(store, str(commit.id), path)
            for path in (formats.json_path(A), formats.pretty_path(A), formats.plain_path(A))
        }
        if files[formats.json_path(A)] == previous_blob:
            continue
        previous_blob = files[formats.json_path(A)]
        version = formats.read_version({k: v for k, v in files.items() if v is not None}, A)
        assert version is not None
        day = gitrepo.commit_info(store, str(commit.id)).date.astimezone(UTC).date()
        view = history.update_cumulative(view, version, day)
        versions += 1
        committed = gitrepo.read_file(store, str(commit.id), formats.cumulative_path(A))
        assert committed == formats.render_cumulative(view, github=None, branch="main").encode()
    assert versions == 6
    assert view is not None
    expected = formats.render_cumulative(view, github=None, branch="main")
    assert (archive / formats.cumulative_path(A)).read_text() == expected


def test_only_syncs_the_named_playlists(archive: Path, fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(playlist_with_tracks(A, [0], name="Alpha"))
    fake_spotify.add_playlist(playlist_with_tracks(B, [0], name="Beta"))
    register(archive, A, B)
    sync(archive)
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1], name="Alpha"))
    fake_spotify.add_playlist(playlist_with_tracks(B, [0, 1], name="Beta"))
    fake_spotify.reset_log()
    result = sync(archive, DAY0 + timedelta(days=1), only=(f"spotify:playlist:{B}",))
    assert [c.id for c in result.changed] == [B]
    assert all(A not in request.path for request in fake_spotify.api_requests())
    index = dict(formats.read_index((archive / formats.INDEX_PATH).read_text()))
    assert index == {A: "Alpha", B: "Beta"}
    with pytest.raises(UsageError, match="not registered"):
        sync(archive, only=(C,))


def test_progress_is_reported_per_playlist(archive: Path, fake_spotify: FakeSpotify) -> None:
    fake_spotify.add_playlist(playlist_with_tracks(A, [0]))
    register(archive, A, MISSING)
    events: list[Progress] = []
    run_sync(Store.discover(archive), SyncOptions(now=DAY0), on_progress=events.append)
    assert sorted((e.playlist_id, e.ok) for e in events) == sorted([(A, True), (MISSING, False)])
    assert [e.done for e in events] == [1, 2] and {e.total for e in events} == {2}


def test_cli_summary_and_exit_codes(
    archive: Path,
    fake_spotify: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1], name="Alpha"))
    register(archive, A, MISSING)
    capsys.readouterr()
    assert run_cli("-C", str(archive), "sync", "--date", "2026-11-20T06:00:00Z") == 0
    text = capsys.readouterr().out
    assert "changed      Alpha  +2 \u22120  (new)" in text
    assert f"failed       1 playlist ({MISSING}): Spotify answers 404" in text
    assert "Sync 2026-11-20 06:00 UTC: 1 of 2 playlists fetched, 1 changed" in text
    assert run_cli("-C", str(archive), "sync", "--strict", "--date", "2026-11-21") == 1
    assert run_cli("-C", str(archive), "sync", "--date", "yesterday") == 1
    assert "not an ISO 8601 time" in capsys.readouterr().err
    monkeypatch.delenv("SPOTIFY_CLIENT_ID")
    assert run_cli("-C", str(archive), "sync") == 1
    assert "SPOTIFY_CLIENT_ID" in capsys.readouterr().err
    assert run_cli("-C", str(archive.parent), "sync") == 1  # not a repository


def test_custom_message_and_identity_from_settings(
    archive: Path, fake_spotify: FakeSpotify
) -> None:
    (archive / "gitarchive.toml").write_text(
        'author_name = "Archiver"\nauthor_email = "archiver@example.invalid"\n'
        'github = "me/playlists"\nbranch = "trunk"\n'
    )
    fake_spotify.add_playlist(playlist_with_tracks(A, [0]))
    register(archive, A)
    result = sync(archive, message="Backfill")
    info = git(archive, "log", "-1", "--format=%an <%ae>|%cn|%s")
    assert info.strip() == "Archiver <archiver@example.invalid>|Archiver|Backfill"
    pretty = (archive / formats.pretty_path(A)).read_text()
    assert f"githistory.xyz/me/playlists/blob/trunk/playlists/plain/{A}" in pretty
    assert result.message == "Backfill"


def test_missing_cumulative_file_is_rebuilt_from_the_log_once(
    archive: Path, fake_spotify: FakeSpotify
) -> None:
    register(archive, A)
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1, 2]))
    sync(archive)
    fake_spotify.add_playlist(playlist_with_tracks(A, [1, 2, 3]))
    sync(archive, DAY0 + timedelta(days=1))
    store = Store.discover(archive)
    # an archive imported from elsewhere: versions, but no cumulative file
    gitrepo.commit_changes(
        store,
        {formats.cumulative_path(A): None},
        message="import",
        identity=Identity("T", "t@x"),
        when=DAY0 + timedelta(days=2),
    )
    fake_spotify.add_playlist(playlist_with_tracks(A, [3, 4]))
    sync(archive, DAY0 + timedelta(days=3))
    view = None
    for day, lineup in ((0, [0, 1, 2]), (1, [1, 2, 3]), (3, [3, 4])):
        data = playlist_with_tracks(A, lineup)
        meta = {k: v for k, v in data.items() if k != "items"}
        version = parse_playlist(meta, data["items"]["items"])
        view = history.update_cumulative(view, version, (DAY0 + timedelta(days=day)).date())
    assert view is not None
    expected = formats.render_cumulative(view, github=None, branch="main")
    assert (archive / formats.cumulative_path(A)).read_text() == expected


@pytest.mark.secret_files("refresh-token")  # the file the user named for it
def test_rotated_refresh_token_goes_to_the_named_file_never_to_output(
    archive: Path,
    fake_spotify: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1]))
    register(archive, A)
    old_token = fake_spotify.setenv(monkeypatch, refresh_token=True)["SPOTIFY_REFRESH_TOKEN"]
    fake_spotify.rotate_refresh_tokens = True
    token_file = tmp_path / "refresh-token"
    monkeypatch.setenv("GITARCHIVE_REFRESH_TOKEN_FILE", str(token_file))

    assert run_cli("-C", str(archive), "sync", "--date", "2026-11-20T06:00:00Z") == 0

    new_token = token_file.read_text().strip()
    assert new_token in fake_spotify.valid_refresh_tokens()
    assert new_token.startswith("fake-refresh-") and new_token != old_token
    assert token_file.stat().st_mode & 0o777 == 0o600
    output = capsys.readouterr()
    assert "new refresh token" in output.err and str(token_file) in output.err
    for secret in fake_spotify.secrets_seen():
        assert secret not in output.out + output.err
        assert secret not in git(archive, "log", "-p", "--all")


def test_a_sync_reads_index_md_once(
    archive: Path, fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1], name="Alpha"))
    fake_spotify.add_playlist(playlist_with_tracks(B, [2], name="Beta"))
    register(archive, A, B, MISSING)
    sync(archive)
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1, 3], name="Alpha"))
    reads: list[str] = []
    read_file = gitrepo.read_file

    def counting(store: Store, commit: str, path: str) -> bytes | None:
        reads.append(path)
        return read_file(store, commit, path)

    monkeypatch.setattr(gitrepo, "read_file", counting)
    result = sync(archive, DAY0 + timedelta(days=1))
    assert result.commit is not None and result.unavailable
    assert reads.count(formats.INDEX_PATH) == 1
