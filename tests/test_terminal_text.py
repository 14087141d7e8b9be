"""Names, aliases, paths and server answers reach the terminal as plain text: no rich markup,
no emoji codes, no escape sequences, whichever command prints them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pygit2
import pytest

from gitarchive import formats
from gitarchive.cli.terminal import clean
from gitarchive.spotify import parse_playlist
from tests.support.api import fake_id, playlist_with_tracks
from tests.support.builder import RepoBuilder, playlist_files
from tests.support.cli import run_cli, run_cli_captured
from tests.support.hostile import TERMINAL_ESCAPES
from tests.support.hostile_answers import MARKUP

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.fakespotify import FakeSpotify

P = fake_id("terminal-text", "p")


def _plain(text: str) -> bool:
    """No emoji made of a code, no escape sequence, no bidi override."""
    return not any(char in text for char in ("❌", "\x1b", "\x07", "\x9b", "\u202e"))


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\x1b[2Jb", "a\\x1b[2Jb"),
        ("tab\there", "tab\\there"),
        ("c1\x9bz", "c1\\x9bz"),
        ("bidi\u202eevil", "bidi\\u202eevil"),
        ("cr\r", "cr"),
        (":x: [bold]", ":x: [bold]"),
    ],
)
def test_control_characters_are_shown_as_escapes(text: str, shown: str) -> None:
    assert clean(text) == shown


def test_sync_list_doctor_and_errors_print_markup_and_emoji_codes_literally(
    tmp_path: Path,
    fake_spotify: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_spotify.setenv(monkeypatch)
    root = tmp_path / "archive"
    pygit2.init_repository(str(root), initial_head="main")
    fake_spotify.add_playlist(playlist_with_tracks(P, [0, 1], name=MARKUP))
    assert run_cli("-C", str(root), "add", P) == 0
    capsys.readouterr()
    for args in (["sync", "--date", "2026-11-20T06:00:00Z"], ["list"], ["doctor"]):
        code, out, err = run_cli_captured(capsys, "-C", str(root), *args)
        assert code == 0, err
        assert MARKUP in out + err, args
        assert _plain(out + err), args
    missing = "no such :x: [bold]one[/bold]"
    code, out, err = run_cli_captured(capsys, "-C", str(root), "show", missing)
    assert code == 1 and missing in err and _plain(err)


def test_history_text_shows_escape_sequences_of_committed_names_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = playlist_with_tracks(P, [0, 1], name="Committed")
    meta = {k: v for k, v in data.items() if k != "items"}
    files = playlist_files(parse_playlist(meta, data["items"]["items"]))
    page = json.loads(files[formats.json_path(P)] or "")
    page["tracks"][0]["name"] = TERMINAL_ESCAPES  # a hand-made archive: never sanitized
    files[formats.json_path(P)] = json.dumps(page, indent=2) + "\n"
    root = tmp_path / "archive"
    RepoBuilder(root).commit(files, date="2025-01-10T12:00:00Z", message="by hand")
    for args in (["history", P], ["show", P]):
        code, out, err = run_cli_captured(capsys, "-C", str(root), *args)
        assert code == 0, err
        assert "owned" in out and _plain(out + err), out
