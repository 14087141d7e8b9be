"""One CLI convention: --format json with a shipped JSON Schema for every data command,
a JSON error document from every one of them on failure, --json only as a hidden deprecated
alias, a header on a terminal, completion, git-like dates and order, --no-pager."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import jsonschema
import pygit2
import pytest
import typer.main

from gitarchive.cli import app
from tests.support.api import fake_id, playlist_with_tracks
from tests.support.archive_files import make_playlist
from tests.support.builder import RepoBuilder, playlist_files
from tests.support.cli import run_cli, run_cli_captured
from tests.support.fakespotify import FakeSpotify

if TYPE_CHECKING:
    from pathlib import Path

A = fake_id("conventions", "a")
B = fake_id("conventions", "b")
GITARCHIVE = os.path.join(os.path.dirname(sys.executable), "gitarchive")


def schema(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        files("gitarchive").joinpath("schemas", f"{name}.json").read_text("utf-8")
    )
    return document


def check(name: str, output: str) -> Any:
    document = json.loads(output)
    jsonschema.Draft202012Validator(schema(name)).validate(document)
    return document


def every_command() -> dict[str, Any]:
    """name -> command, subcommands included ("hooks install"), through the click-style
    interface typer's command tree offers."""
    group: Any = typer.main.get_command(app)
    found = {}
    for name, command in group.commands.items():
        subcommands = getattr(command, "commands", None)
        if subcommands:
            found.update({f"{name} {sub}": each for sub, each in subcommands.items()})
        else:
            found[name] = command
    return found


def commands_with_format() -> dict[str, Any]:
    return {
        name: command
        for name, command in every_command().items()
        if any("--format" in param.opts for param in command.params)
    }


def test_every_data_command_has_a_valid_schema() -> None:
    commands = commands_with_format()
    assert set(commands) >= {
        "list", "sync", "history", "cumulative", "show", "validate", "import", "doctor", "index"
    }  # fmt: skip
    for name, command in commands.items():
        jsonschema.Draft202012Validator.check_schema(schema(name))
        option = next(p for p in command.params if "--format" in p.opts)
        assert "json" in option.type.choices


def test_json_is_asked_for_with_format_json_and_json_is_only_a_hidden_alias() -> None:
    aliases = set()
    for name, command in every_command().items():
        for param in command.params:
            if "--json" in param.opts:
                assert param.hidden, f"{name} --json"
                assert any("--format" in other.opts for other in command.params), name
                aliases.add(name)
    assert aliases == {"list", "sync", "index"}  # the spellings that existed; no new ones


def test_the_old_json_flag_still_works_and_says_it_is_deprecated(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    for command in (("list",), ("index",)):
        code, out, err = run_cli_captured(capsys, "-C", str(archive), *command, "--json")
        assert code == 0 and json.loads(out)
        assert "--json is deprecated" in err and "--format json" in err


@pytest.fixture
def archive(tmp_path: Path, fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch) -> Path:
    fake_spotify.setenv(monkeypatch)
    root = tmp_path / "archive"
    pygit2.init_repository(str(root), initial_head="main")
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1, 2], name="Alpha"))
    assert run_cli("-C", str(root), "add", A) == 0
    assert run_cli("-C", str(root), "sync", "--date", "2026-11-20T06:00:00Z") == 0
    fake_spotify.add_playlist(playlist_with_tracks(A, [1, 2, 3], name="Alpha"))
    return root


def test_every_json_output_validates_against_its_schema(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()

    def run(*args: str) -> str:
        code, out, err = run_cli_captured(capsys, "-C", str(archive), *args)
        assert code == 0, err
        return out

    sync = check("sync", run("sync", "--date", "2026-11-21T06:00:00Z", "--format", "json"))
    assert sync["changed"][0]["id"] == A and sync["exit_code"] == 0
    assert check("sync", run("sync", "--date", "2026-11-22T06:00:00Z", "--json"))["commit"] is None
    assert check("list", run("list", "--format", "json"))[0]["id"] == A
    assert check("list", run("list", "--json"))[0]["tracks"] == 3
    assert len(check("history", run("history", A, "--format", "json"))["versions"]) == 2
    assert check("cumulative", run("cumulative", A, "--format", "json"))["id"] == A
    assert len(check("show", run("show", A, "--format", "json"))["tracks"]) == 3
    assert check("validate", run("validate", "--all", "--format", "json"))["ok"] is True
    source = RepoBuilder(tmp_path / "source")
    older = playlist_with_tracks(A, [0], name="Alpha")
    from gitarchive.spotify import parse_playlist

    meta = {k: v for k, v in older.items() if k != "items"}
    source.commit(
        playlist_files(parse_playlist(meta, older["items"]["items"])), date="2025-01-01T00:00:00Z"
    )
    imported = check("import", run("import", str(tmp_path / "source"), "-p", A, "--format", "json"))
    assert imported["playlists"][0]["imported"] == ["2025-01-01T00:00:00Z"]


def test_sync_json_is_a_document_even_when_credentials_fail(
    archive: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    for name in ("SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET", "SPOTIFY_REFRESH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    code, out, err = run_cli_captured(capsys, "-C", str(archive), "sync", "--format", "json")
    assert code == 1
    document = check("sync", out)
    assert document["exit_code"] == 1 and document["error"]["message"]
    assert err.startswith("gitarchive: error:")
    # outside any repository, too
    code, out, _ = run_cli_captured(capsys, "-C", str(archive.parent), "sync", "--format", "json")
    assert code == 1 and check("sync", out)["error"]["type"] == "NotAnArchive"


def test_since_and_until_accept_what_git_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    builder = RepoBuilder(tmp_path / "archive")
    playlist = make_playlist(1, tracks=2)
    builder.commit_playlists([playlist], date=now - timedelta(days=30))
    builder.commit_playlists([make_playlist(1, tracks=3)], date=now - timedelta(days=3))
    # today's version at the test's own moment: an hour before it was yesterday's in the
    # first hour after midnight UTC, and `--until yesterday` then held it
    builder.commit_playlists([make_playlist(1, tracks=4)], date=now)
    root = str(tmp_path / "archive")

    def versions(*args: str) -> int:
        code, out, err = run_cli_captured(
            capsys, "-C", root, "history", playlist.id, "--format", "json", *args
        )
        assert code == 0, err
        return len(json.loads(out)["versions"])

    assert versions() == 3
    assert versions("--since", "2 weeks ago") == 2
    assert versions("--since", "2.weeks.ago", "--until", "yesterday") == 1
    assert versions("--since", (now - timedelta(days=40)).date().isoformat()) == 3
    assert versions("--until", "1 year ago") == 0
    code, _, err = run_cli_captured(capsys, "-C", root, "history", playlist.id, "--since", "soon")
    assert code == 1 and "'2 weeks ago'" in err
    code, out, _ = run_cli_captured(capsys, "-C", root, "show", playlist.id, "--at", "4 days ago")
    assert code == 0 and "2 songs" in out
    assert run_cli("--no-pager", "-C", root, "history", playlist.id) == 0


def test_install_completion(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "SHELL": "/bin/bash"}
    done = subprocess.run(
        [GITARCHIVE, "--install-completion", "bash"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    script = tmp_path / ".bash_completions" / "gitarchive.sh"
    assert script.is_file() and str(script) in (tmp_path / ".bashrc").read_text()
    # what the installed script asks: the completions of "gitarchive hi"
    done = subprocess.run(
        [GITARCHIVE],
        capture_output=True,
        text=True,
        env={
            **env,
            "_GITARCHIVE_COMPLETE": "complete_bash",
            "COMP_WORDS": "gitarchive hi",
            "COMP_CWORD": "1",
        },
        timeout=60,
    )
    assert done.stdout.split() == ["history"]


@pytest.mark.parametrize(
    "args",
    [
        ("history", A),
        ("history", A, "--format", "json"),
        ("history", A, "--format", "markdown"),
        ("cumulative", A),
        ("show", A),
        ("list",),
    ],
)
def test_a_reader_that_stops_reading_ends_the_command_quietly(
    archive: Path, args: tuple[str, ...]
) -> None:
    """``gitarchive history ID | head -1``: like git, exit 141 (SIGPIPE's status), no traceback
    and no "internal error". The pipe's reader is closed before the command starts, so its
    first write is the one that fails, every time."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        result = subprocess.run(
            [GITARCHIVE, "-C", str(archive), *args],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(writer)
    assert (result.returncode, result.stderr) == (141, "")


# ------------------------------------------------------------- JSON on failure

WORKING = {
    "list": (),
    "sync": ("--date", "2026-11-21T06:00:00Z"),
    "history": (A,),
    "changes": (),
    "cumulative": (A,),
    "show": (A,),
    "validate": ("--all",),
    "import": ("SOURCE", "-p", A),
    "doctor": (),
    "index": (),
    "restore": (A, "--new", "--dry-run"),
    "track": (fake_id("track", A, 1),),
}


def test_every_format_json_command_prints_json_on_success_and_on_failure(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gitarchive.spotify import parse_playlist

    older = playlist_with_tracks(A, [0], name="Alpha")
    meta = {k: v for k, v in older.items() if k != "items"}
    RepoBuilder(tmp_path / "source").commit(
        playlist_files(parse_playlist(meta, older["items"]["items"])), date="2025-01-01T00:00:00Z"
    )
    nowhere = tmp_path / "nowhere"
    nowhere.mkdir()
    capsys.readouterr()
    commands = commands_with_format()
    assert set(commands) == set(WORKING), "a new --format command: say how it succeeds here"
    for name, args in WORKING.items():
        args = tuple(str(tmp_path / "source") if a == "SOURCE" else a for a in args)
        _, out, err = run_cli_captured(capsys, "-C", str(archive), name, *args, "--format", "json")
        document = json.loads(out)
        # doctor reports, restore needs a user's token (the app's here): a document either way;
        # restore's success document is pinned against its schema in test_restore.py
        assert "error" not in document or name in ("doctor", "restore"), (name, err)
        code, out, err = run_cli_captured(
            capsys, "-C", str(nowhere), name, *args, "--format", "json"
        )
        assert code == 1, name
        failure = check("error", out)
        assert failure["exit_code"] == 1 and failure["error"]["type"] == "NotAnArchive", name
        assert err.startswith("gitarchive: error:"), name


def test_doctor_without_credentials_says_to_log_in_in_json_too(
    archive: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET", "SPOTIFY_REFRESH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    capsys.readouterr()
    code, out, err = run_cli_captured(capsys, "-C", str(archive), "doctor", "--format", "json")
    assert code == 1
    message = check("error", out)["error"]["message"]
    assert message.startswith("Spotify credentials missing: run `gitarchive login`")
    for command in (("doctor",), ("add", "--mine", "--dry-run")):
        code, out, err = run_cli_captured(capsys, "-C", str(archive), *command)
        assert code == 1 and "run `gitarchive login`" in err, command
        assert err.index("gitarchive login") < err.find("SPOTIFY_CLIENT_SECRET"), command


def test_list_prints_a_header_on_a_terminal_and_rows_alone_to_a_pipe(
    archive: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gitarchive.cli.common import out as console

    capsys.readouterr()
    code, piped, _ = run_cli_captured(capsys, "-C", str(archive), "list")
    assert code == 0 and piped.startswith(A)
    monkeypatch.setattr(console, "_force_terminal", True)
    code, shown, _ = run_cli_captured(capsys, "-C", str(archive), "list")
    header, *rows = shown.splitlines()
    assert header.split() == ["ID", "TRACKS", "CHANGED", "NAME", "[STATUS]"]
    assert rows == piped.splitlines()
    # each label over its column: the count right-aligned under TRACKS
    assert header.index("TRACKS") + len("TRACKS") == rows[0].index(" 3 ") + 2
    assert header.index("CHANGED") == rows[0].index("2026-")


def test_reverse_lists_oldest_first_as_git_log_does(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("-C", str(archive), "sync", "--date", "2026-11-21T06:00:00Z") == 0
    capsys.readouterr()

    def dates(*extra: str) -> list[str]:
        code, out, err = run_cli_captured(
            capsys, "-C", str(archive), "history", A, "--format", "json", *extra
        )
        assert code == 0, err
        return [version["date"] for version in json.loads(out)["versions"]]

    newest_first = dates()
    assert newest_first == sorted(newest_first, reverse=True) and len(newest_first) == 2
    assert dates("--reverse") == sorted(newest_first)
    assert dates("--limit", "1") == newest_first[:1]
    assert dates("--limit", "1", "--reverse") == newest_first[:1]


def test_counts_agree_with_their_nouns() -> None:
    from gitarchive.words import plural

    assert [plural(n, "sync") for n in (0, 1, 2)] == ["0 syncs", "1 sync", "2 syncs"]
    assert plural(1, "attempt") == "1 attempt" and plural(3, "time") == "3 times"
    assert plural(2, "entry", "entries") == "2 entries"
