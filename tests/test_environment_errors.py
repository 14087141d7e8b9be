"""What the environment refuses is one clear line and exit 1
(never exit 3, never a pending marker left behind); a shallow clone's history is refused
with the command that completes it; a merge in progress stops the sync; -v logs only
gitarchive's own loggers."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from tests.support.api import fake_id, playlist_with_tracks
from tests.support.cli import run_cli_captured
from tests.support.gitcli import git, git_process
from tests.support.hostile import SYNC_DATE, head, new_archive, run_child

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.fakespotify import FakeSpotify

A = fake_id("defects-env", "a")
B = fake_id("defects-env", "b")
PENDING = ".git/gitarchive-pending.json"


@pytest.fixture
def archive(tmp_path: Path, fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch) -> Path:
    fake_spotify.setenv(monkeypatch)
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1], name="Alpha"))
    return new_archive(tmp_path / "archive", A)


def _one_clear_line(code: int, out: str, err: str) -> str:
    assert code == 1, (out, err)
    assert "internal error" not in err and "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gitarchive: error: "), err
    return lines[0]


def test_a_leftover_branch_lock(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (archive / ".git/refs/heads/main.lock").write_text("")
    before = head(archive)
    for command in (["sync", "--date", SYNC_DATE], ["add", B, "--commit"]):
        line = _one_clear_line(*run_cli_captured(capsys, "-C", str(archive), *command))
        assert "refs/heads/main.lock" in line and "delete" in line
        assert head(archive) == before
        assert not (archive / PENDING).exists()
        assert git(archive, "status", "--porcelain", "--", "playlists/plain") == ""


def test_a_folder_where_a_file_belongs(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = archive / f"playlists/plain/{A}"
    folder.mkdir(parents=True)
    (folder / "keep").write_text("mine\n")
    before = head(archive)
    for _ in range(2):  # every sync says the same, nothing is left half-done
        line = _one_clear_line(
            *run_cli_captured(capsys, "-C", str(archive), "sync", "--date", SYNC_DATE)
        )
        assert f"playlists/plain/{A}" in line and "folder" in line
        assert head(archive) == before
        assert not (archive / PENDING).exists()
        assert (folder / "keep").read_text() == "mine\n"
        assert not (archive / f"playlists/pretty/{A}.json").exists()


@pytest.mark.parametrize("scope", ["repository", ".git"])
@pytest.mark.parametrize(
    "command",
    [["sync", "--date", SYNC_DATE], ["add", B, "--commit"], ["hooks", "install"], ["add", B]],
    ids=["sync", "add-commit", "hooks-install", "add"],
)
def test_a_read_only_repository(
    archive: Path, fake_spotify: FakeSpotify, scope: str, command: list[str]
) -> None:
    readonly = archive if scope == "repository" else archive / ".git"
    before = head(archive)
    done = run_child(["-C", str(archive), *command], env=fake_spotify.env(), readonly=readonly)
    if scope == ".git" and command == ["add", B]:
        assert done.returncode == 0, done.stderr  # the work tree is writable: nothing to commit
        return
    _one_clear_line(done.returncode, done.stdout, done.stderr)
    assert "read-only" in done.stderr.lower() or "permission" in done.stderr.lower()
    assert head(archive) == before
    assert not (archive / PENDING).exists()


@pytest.fixture
def shallow_clone(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fake_spotify: FakeSpotify
) -> Path:
    for day in range(1, 7):
        fake_spotify.add_playlist(playlist_with_tracks(A, list(range(day)), name="Alpha"))
        date = f"2026-11-{day:02d}T06:00:00Z"
        assert run_cli_captured(capsys, "-C", str(archive), "sync", "--date", date)[0] == 0
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{archive}", str(clone))
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"
    return clone


@pytest.mark.parametrize(
    "command",
    [
        ["history", A],
        ["history", A, "--format", "json"],
        ["cumulative", A],
        ["show", A],
        ["show", A, "--at", "2026-11-02"],
    ],
    ids=["history", "history-json", "cumulative", "show", "show-at"],
)
def test_shallow_clone_history_is_refused_with_the_fix(
    shallow_clone: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    line = _one_clear_line(*run_cli_captured(capsys, "-C", str(shallow_clone), *command))
    assert "shallow" in line and "git fetch --unshallow" in line
    git(shallow_clone, "fetch", "-q", "--unshallow")
    code, _out, err = run_cli_captured(capsys, "-C", str(shallow_clone), *command)
    assert code == 0, err


# every command that reads history, as a user would run it on a shallow clone; a new
# command joins this table or WRITE_OR_SETUP_COMMANDS (the test below checks that each does)
READ_COMMANDS: dict[str, list[list[str]]] = {
    "history": [["history", A]],
    "changes": [["changes"], ["changes", "--format", "json"]],
    "cumulative": [["cumulative", A]],
    "show": [["show", A, "--at", "2026-11-02"]],
    "list": [["list"], ["list", "--format", "json"]],
    "site": [["site", "{tmp}/site"], ["site", "{tmp}/site", "--playlist", A, "-j", "1"]],
    "index": [["index"], ["index", "--rebuild"]],
    "export": [["export", "sqlite", "{tmp}/archive.sqlite"]],
    "track": [["track", fake_id("track", A, 0)]],
}
# reads history, then writes to Spotify: a shallow clone stops it before it asks Spotify anything
READ_THEN_SPOTIFY_COMMANDS: dict[str, list[str]] = {"restore": ["restore", A, "--new", "--dry-run"]}
WRITE_OR_SETUP_COMMANDS = {
    "add", "demo", "doctor", "hook", "hooks", "import", "init", "login", "remove", "sync",
    "validate",
}  # fmt: skip


def test_every_command_is_known_to_read_history_or_not() -> None:
    import typer.main

    from gitarchive.cli import app

    commands = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert (
        commands == set(READ_COMMANDS) | set(READ_THEN_SPOTIFY_COMMANDS) | WRITE_OR_SETUP_COMMANDS
    )


@pytest.mark.parametrize("command", list(READ_THEN_SPOTIFY_COMMANDS.values()), ids=str)
def test_a_restore_from_a_shallow_clone_is_refused_before_asking_spotify(
    shallow_clone: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    line = _one_clear_line(*run_cli_captured(capsys, "-C", str(shallow_clone), *command))
    assert "shallow" in line and "git fetch --unshallow" in line


@pytest.mark.parametrize(
    "command",
    [argv for argvs in READ_COMMANDS.values() for argv in argvs],
    ids=[" ".join(argv[:3]) for argvs in READ_COMMANDS.values() for argv in argvs],
)
def test_every_read_command_refuses_a_shallow_clone_with_the_fix(
    shallow_clone: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    argv = [part.replace("{tmp}", str(tmp_path)) for part in command]
    line = _one_clear_line(*run_cli_captured(capsys, "-C", str(shallow_clone), *argv))
    assert "shallow" in line and "git fetch --unshallow" in line
    assert not (tmp_path / "site").exists() and not (tmp_path / "archive.sqlite").exists()
    git(shallow_clone, "fetch", "-q", "--unshallow")
    code, _out, err = run_cli_captured(capsys, "-C", str(shallow_clone), *argv)
    assert code == 0, err


def test_sync_refuses_during_an_unresolved_merge(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (archive / "README.md").write_text("base\n")
    git(archive, "add", "README.md")
    git(archive, "commit", "-qm", "readme")
    git(archive, "checkout", "-q", "-b", "other")
    (archive / "README.md").write_text("theirs\n")
    git(archive, "commit", "-qam", "theirs")
    git(archive, "checkout", "-q", "main")
    (archive / "README.md").write_text("ours\n")
    git(archive, "commit", "-qam", "ours")
    assert git_process(archive, "merge", "other").returncode != 0
    before = head(archive)
    for command in (["sync", "--date", SYNC_DATE], ["add", B, "--commit"]):
        line = _one_clear_line(*run_cli_captured(capsys, "-C", str(archive), *command))
        assert "merge is in progress" in line and "git merge --abort" in line
        assert head(archive) == before
        assert (archive / ".git/MERGE_HEAD").exists()
        assert "<<<<<<<" in (archive / "README.md").read_text()


def test_verbose_logs_only_gitarchive(tmp_path: Path) -> None:
    from tests.support.builder import RepoBuilder, playlist_files
    from tests.support.models import PID, model_playlist, model_track

    root = tmp_path / "pages"
    builder = RepoBuilder(root)
    # pages only (no JSON snapshot): reading them goes through markdown-it
    for day, count in ((1, 3), (2, 5)):
        playlist = model_playlist(*(model_track(n) for n in range(count)))
        builder.commit(playlist_files(playlist, ["pretty"]), date=f"2026-11-0{day}T06:00:00Z")
    done = run_child(["-v", "-C", str(root), "history", PID])
    assert done.returncode == 0, done.stderr
    foreign = [line for line in done.stderr.splitlines() if not line.startswith("gitarchive")]
    assert foreign == [], foreign[:5]
    assert "markdown_it" not in done.stderr
    assert os.environ.get("SPOTIFY_CLIENT_SECRET") is None


@pytest.mark.parametrize(
    "command",
    [
        ["history", A, "--since", "100000000000 weeks ago"],
        ["history", A, "--until", "100000000000 years ago"],
        ["history", A, "--since", "0001-01-01T00:00:00+14:00"],
        ["show", A, "--at", "100000000000 months ago"],
        ["site", "{tmp}/site", "--since", "100000000000 days ago"],
        ["sync", "--date", "9999-12-31T23:59:59-14:00"],
    ],
    ids=["history-since", "history-until", "history-since-iso", "show-at", "site-since", "sync"],
)
def test_a_date_beyond_the_calendar_is_one_line_for_every_date_option(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    assert run_cli_captured(capsys, "-C", str(archive), "sync", "--date", SYNC_DATE)[0] == 0
    argv = [part.replace("{tmp}", str(tmp_path)) for part in command]
    before = head(archive)
    line = _one_clear_line(*run_cli_captured(capsys, "-C", str(archive), *argv))
    assert repr(command[-1]) in line and ("year" in line or "9999" in line), line
    assert head(archive) == before


def test_a_deeply_nested_status_file_is_a_finding_for_validate_and_the_hook(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = archive / "playlists/status.json"
    status.write_text('{"failed": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    code, out, err = run_cli_captured(capsys, "-C", str(archive), "validate")
    assert code == 1 and "internal error" not in err and "Traceback" not in err, err
    assert "playlists/status.json" in out + err and "nested too deeply" in out + err
    git(archive, "add", "playlists/status.json")
    code, out, err = run_cli_captured(capsys, "-C", str(archive), "hook", "pre-commit")
    assert code == 1 and "internal error" not in err and "nested too deeply" in out + err, err
