"""What a gitarchive process imports before it does its work: only what its command needs."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
import typer.main

from gitarchive import cli
from gitarchive.cli import COMMAND_MODULES, COMMANDS, command_modules
from tests.support.builder import RepoBuilder
from tests.support.cli import imported_after, run_cli_captured
from tests.support.models import PID, model_playlist, model_track

if TYPE_CHECKING:
    from pathlib import Path

# what no command's start needs: a command module (each imports what its commands do),
# rich (messages only), asyncio (the Spotify client), the repository, the index, markdown
HEAVY = (
    *(f"gitarchive.cli.{module}" for module in COMMAND_MODULES),
    "rich",
    "asyncio",
    "pygit2",
    "sqlite3",
    "markdown_it",
    "gitarchive.index",
)


def test_version_imports_no_command_module_nor_rich_pygit2_or_sqlite() -> None:
    assert imported_after(["--version"], HEAVY) == []


def test_a_command_imports_only_its_own_command_module(tmp_path: Path) -> None:
    # `history` in a folder that is no repository fails, after its module loaded
    loaded = imported_after(["history", "x"], HEAVY[: len(COMMAND_MODULES)], cwd=tmp_path)
    assert loaded == ["gitarchive.cli.history"]  # not cumulative's nor show's


def test_every_command_is_mapped_to_the_module_that_registers_it() -> None:
    group = typer.main.get_command(cli.app)
    registered: dict[str, str] = {}
    for info in cli.app.registered_commands:
        name = info.name or typer.main.get_command_name(info.callback.__name__)  # type: ignore[union-attr]
        registered[name] = info.callback.__module__.rsplit(".", 1)[1]
    for group_info in cli.app.registered_groups:
        assert group_info.name is not None
        registered[group_info.name] = "check"  # the hooks groups (cli/check.py)
    assert registered == COMMANDS
    assert sorted(group.list_commands(typer.Context(group))) == sorted(COMMANDS)  # type: ignore[attr-defined]


def test_the_command_word_is_found_after_the_options_before_it() -> None:
    assert command_modules(["-C", "history", "show", "x"]) == ("show",)
    assert command_modules(["-C/tmp", "-v", "--no-pager", "sync"]) == ("archive",)
    assert command_modules(["--verbose", "--version"]) == ()
    assert command_modules(["hooks", "install"]) == ("check",)


def test_help_no_command_and_an_unknown_name_load_every_command() -> None:
    for argv in ([], ["--help"], ["-h"], ["histroy"], ["-v"]):
        assert command_modules(argv) == COMMAND_MODULES


def test_commands_loaded_one_at_a_time_keep_the_help_order() -> None:
    code = (
        "from gitarchive.cli import main, load_commands\n"
        "try:\n    main(['show', '--help'])\nexcept SystemExit:\n    pass\n"
        "app = load_commands()\n"
        "print([info.callback.__module__ for info in app.registered_commands])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules: list[str] = eval(done.stdout.strip().splitlines()[-1])
    ranks = [COMMAND_MODULES.index(module.rsplit(".", 1)[1]) for module in modules]
    assert ranks == sorted(ranks)


def test_rich_decides_about_the_terminal_whenever_a_variable_may_force_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gitarchive.cli import output

    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    assert not output._may_be_terminal()  # pytest's captured stdout is no terminal
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.setenv(name, "1")
        assert output._may_be_terminal()
        monkeypatch.delenv(name)


def console_process(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``gitarchive ARGV`` as the console script runs it (no argv given to main), with an
    exit handler that says on stderr whether Python's finalization ran."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('finalized', file=sys.stderr))\n"
        f"sys.argv = ['gitarchive', *{argv!r}]\n"
        "from gitarchive.cli import main\n"
        "sys.exit(main())"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd)


def test_a_read_process_ends_without_finalization_its_output_and_status_complete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    builder = RepoBuilder(tmp_path)
    tracks = [model_track(number) for number in range(40)]
    for day in range(1, 6):
        playlist = model_playlist(*tracks[: 30 + day], name=f"Mix {day}")
        builder.commit_playlists([playlist], date=f"2026-01-0{day}T12:00:00+00:00")
    read = console_process(["history", PID, "--format", "json"], tmp_path)
    assert (read.returncode, read.stderr) == (0, "")
    (tmp_path / ".git" / "gitarchive").rename(tmp_path / "first-index")  # the next read is cold too
    assert run_cli_captured(capsys, "-C", str(tmp_path), "history", PID, "--format", "json") == (
        0, read.stdout, "",
    )  # fmt: skip
    missing = console_process(["history", "Q" * 22], tmp_path)
    assert missing.returncode == 1
    assert "Q" * 22 in missing.stderr and "finalized" not in missing.stderr
    # any other command still ends the usual way
    assert console_process(["--version"], tmp_path).stderr == "finalized\n"
