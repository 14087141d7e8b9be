"""JSON that decodes to something no file can hold is a bad file, never a crash.

``"\\ud800"`` is valid JSON and decodes to a lone surrogate, which no UTF-8 writer can encode;
a number of 5,000 digits is valid JSON that Python refuses to convert. Read from a committed
file, either is a malformed file like any other (one warning for that version, or one line
naming the file, exit 1); sent by Spotify, a lone surrogate in a name becomes U+FFFD. Before,
both crashed `site`, `export` and `import` with exit 3 far from the file that held them.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import pytest

from gitarchive.formats.sanitize import clean_description, clean_name
from gitarchive.formats.text import load_json
from tests.support.api import fake_id, playlist_with_tracks
from tests.support.cli import run_cli_captured
from tests.support.gitcli import git
from tests.support.hostile import synced_twice

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.fakespotify import FakeSpotify

A = fake_id("not-text", "a")
SNAPSHOT = f"playlists/pretty/{A}.json"


@pytest.mark.parametrize(
    "text",
    ['{"a": "x\\ud800y"}', b'{"a": "x\\udc00y"}', '{"a": "\\udfb5\\ud83c"}', '["\\ud83c"]'],
    ids=["high", "low, as bytes", "a pair the wrong way round", "high at the end"],
)
def test_a_lone_surrogate_escape_is_malformed_json(text: str | bytes) -> None:
    with pytest.raises(json.JSONDecodeError, match="lone surrogate"):
        load_json(text)


def test_a_surrogate_pair_and_an_escaped_backslash_read_as_text() -> None:
    assert load_json('{"a": "\\ud83c\\udfb5", "b": "\\\\ud800"}') == {"a": "🎵", "b": "\\ud800"}


def test_the_error_names_the_line_of_the_lone_escape() -> None:
    with pytest.raises(json.JSONDecodeError) as caught:
        load_json('{\n"a": "\\ud83c\\udfb5",\n"b": "\\udc00"\n}')
    assert caught.value.lineno == 3


def test_a_number_too_long_to_convert_is_malformed_json() -> None:
    with pytest.raises(json.JSONDecodeError, match="number too long"):
        load_json('{"num_followers": ' + "9" * 5000 + "}")


def test_a_lone_surrogate_from_spotify_becomes_the_replacement_character() -> None:
    assert clean_name("bitter\ud800sweet") == "bitter\ufffdsweet"
    assert clean_description("one\udc00\ntwo") == "one\ufffd\ntwo"


@pytest.fixture
def archive(tmp_path: Path, fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two synced versions of A, then a third whose snapshot a stranger edited by hand."""
    fake_spotify.setenv(monkeypatch)
    root = synced_twice(tmp_path / "archive", A, fake_spotify)
    return root


def _edit_snapshot(archive: Path, hostile: str) -> None:
    text = (archive / SNAPSHOT).read_text()
    edited, count = re.subn(r'"name": "[^"]*"', lambda _: f'"name": {hostile}', text, count=1)
    assert count == 1
    (archive / SNAPSHOT).write_text(edited)
    git(archive, "commit", "-qam", "a stranger's edit")


HOSTILE = {"lone surrogate": '"bitter\\ud800sweet"', "number too long": "9" * 5000}


@pytest.mark.parametrize("hostile", HOSTILE.values(), ids=HOSTILE.keys())
def test_reads_of_the_edited_version_warn_and_fall_back_to_the_page(
    archive: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, hostile: str
) -> None:
    _edit_snapshot(archive, hostile)
    for args in (("site", str(tmp_path / "site")), ("history", A), ("cumulative", A)):
        code, _out, err = run_cli_captured(capsys, "-C", str(archive), *args)
        assert code == 0 and "internal error" not in err, (args, err)
        if args[0] == "site":  # the first read (the change index keeps what it folded)
            assert SNAPSHOT in err and "not valid JSON" in err, err


@pytest.mark.parametrize("hostile", HOSTILE.values(), ids=HOSTILE.keys())
def test_reads_of_that_one_version_are_one_line_naming_the_file_and_exit_1(
    archive: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, hostile: str
) -> None:
    _edit_snapshot(archive, hostile)
    out_file = str(tmp_path / "out.m3u8")
    for args in (("show", A), ("export", "m3u8", out_file, "--playlist", A)):
        code, _out, err = run_cli_captured(capsys, "-C", str(archive), *args)
        lines = err.strip().splitlines()
        assert code == 1 and len(lines) == 1 and SNAPSHOT in lines[0], (args, err)
        assert "not valid JSON" in lines[0], (args, err)


def test_validate_reports_a_lone_surrogate_in_a_snapshot(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit_snapshot(archive, HOSTILE["lone surrogate"])
    code, out, err = run_cli_captured(capsys, "-C", str(archive), "validate")
    assert "internal error" not in err, err
    assert code == 1 and SNAPSHOT in out + err and "lone surrogate" in out + err, out + err


def test_sync_writes_a_lone_surrogate_spotify_sends_as_the_replacement_character(
    archive: Path, fake_spotify: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1, 2], name="Alpha \ud800 Beta"))
    code, _out, err = run_cli_captured(
        capsys, "-C", str(archive), "sync", "--date", "2026-11-03T06:00:00Z"
    )
    assert code == 0, err
    assert json.loads((archive / SNAPSHOT).read_text())["original_name"] == "Alpha \ufffd Beta"
