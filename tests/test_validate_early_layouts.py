"""A clone of spotify-playlist-archive's name-keyed layout (2019-2021) validates with exit 0.

What that layout's writer produced is accepted (no final newline in plain files, a
description that was blank or ended in a newline, ``aliases/<id>`` alias files);
its name-keyed pages are notes (read by history and import, not checked); only what
is really wrong is an error.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

import pygit2

from gitarchive.formats.paths import plain_path
from gitarchive.formats.plain import scan_plain
from gitarchive.model import Album, Artist, Track
from gitarchive.validate import validate_files
from gitarchive.validate.checks.plain import check_plain
from tests.support.archive_files import archive_files, commit, make_playlist
from tests.support.cli import run_cli_captured
from tests.support.early_layout import early_files

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from gitarchive.validate.findings import Finding

DAY = date(2021, 3, 1)
TRACKS = ["Alpha -- A -- X", "beta -- B -- Y", "Gamma -- C -- Z"]


def clone_files() -> dict[str, bytes]:
    playlists = [make_playlist(number) for number in range(1, 5)]
    playlists[1] = replace(playlists[1], description=playlists[1].description + "\n")
    playlists[2] = replace(playlists[2], description="")
    aliases = {playlists[0].id: "Discover Weekly (@someone)", playlists[3].id: ""}
    files = early_files(playlists, added=DAY, aliases=aliases)
    files[f"playlists/aliases/{playlists[3].id}"] = b""  # registered, no alias
    return files


def rules(files: dict[str, bytes]) -> list[tuple[str, str]]:
    return sorted((f.rule, severity(f)) for f in validate_files(files))


def severity(finding: Finding) -> str:
    return str(finding.to_dict()["severity"])


def plain(text: str) -> list[tuple[str, int | None]]:
    return [(f.rule, f.line) for f in check_plain("playlists/plain/x", scan_plain(text))]


def test_a_name_keyed_clone_validates_with_exit_0_and_only_notes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = pygit2.init_repository(str(tmp_path / "clone"), initial_head="main")
    commit(repo, clone_files(), "a 2021 clone")
    code, out, err = run_cli_captured(capsys, "-C", str(tmp_path / "clone"), "validate", "--all")
    assert code == 0, out + err
    for rule in ("GA004", "GA010", "GA012", "GA001", "GA002"):
        assert rule not in out + err
    assert out.count("GA007") == 8  # 4 pretty and 4 cumulative pages


def test_a_plain_file_without_a_final_newline_is_accepted() -> None:
    assert plain("Name\nDescription\n\n" + "\n".join(TRACKS)) == []
    assert plain("Name\nDescription\n\n" + "\n".join(TRACKS) + "\n") == []


def test_a_blank_or_line_broken_description_moves_the_tracks_down() -> None:
    assert plain("Name\n\n\n" + "\n".join(TRACKS)) == []
    assert plain("Name\nDescription\n\n\n" + "\n".join(TRACKS)) == []  # ended in a newline
    assert plain("Name\nOne\n\nTwo\n\n" + "\n".join(TRACKS)) == []  # held a blank line


def test_what_is_really_wrong_in_a_plain_file_is_still_an_error() -> None:
    blank_among_tracks = "Name\nDescription\n\nAlpha -- A -- X\n\nbeta -- B -- Y"
    assert plain(blank_among_tracks) == [("GA010", 5), ("GA011", 5)]
    assert plain("Name\nDescription\n\n" + "\n".join(reversed(TRACKS))) == [("GA011", 5)]
    assert plain("Name\nDescription\n\n" + "\n".join(TRACKS) + "\n\n") == [("GA012", 7)]
    assert plain("Name\nDescription\n\nnot a track") == [("GA010", 4)]


def test_an_empty_plain_file_a_registration_of_the_early_layout_is_a_note() -> None:
    found = check_plain("playlists/plain/x", scan_plain(""))
    assert [(f.rule, severity(f)) for f in found] == [("GA014", "note")]


def test_header_lines_sorted_in_among_the_tracks_are_a_note() -> None:
    text = "\n".join(sorted([*TRACKS, "Name", "Description"], key=str.lower))
    found = check_plain("playlists/plain/x", scan_plain(text))
    assert [(f.rule, severity(f)) for f in found] == [("GA013", "note")]


def test_an_alias_file_is_read_as_a_registry_entry() -> None:
    files = clone_files()
    assert ("GA004", "error") not in rules(files)
    files["playlists/aliases/" + "x" * 22] = b"first\nsecond\n"
    files["playlists/aliases/not-an-id"] = b"Alias\n"
    files["playlists/aliases/" + "y" * 22] = b"  padded  \n"
    assert [r for r in rules(files) if r[1] == "error"] == [
        ("GA001", "error"),
        ("GA002", "error"),
        ("GA003", "error"),
    ]


def test_an_early_row_that_cannot_be_read_is_a_note_naming_its_line() -> None:
    playlist = make_playlist(7)
    local = Track(name="Demo | take 2", artists=(Artist("Me"),), album=Album("Tapes"))
    tracks = (*playlist.tracks[:1], replace(local, duration_ms=61_000), *playlist.tracks[1:])
    files = early_files([replace(playlist, tracks=tracks)], added=DAY)
    found = [f for f in validate_files(files) if f.line is not None]
    assert [(f.rule, severity(f), f.path, f.line) for f in found] == [
        ("GA007", "note", "playlists/cumulative/Playlist 7.md", 12),
        ("GA007", "note", "playlists/pretty/Playlist 7.md", 10),
    ]
    assert "read from its plain file" in found[0].message


def test_the_old_metadata_file_is_a_legacy_note_not_a_stray() -> None:
    files = clone_files()
    files["playlists/metadata.json"] = b"{}\n"
    found = [f for f in validate_files(files) if f.path == "playlists/metadata.json"]
    assert [(f.rule, severity(f)) for f in found] == [("GA007", "note")]


def test_an_id_keyed_plain_file_with_a_line_broken_description_agrees_with_its_json() -> None:
    playlist = replace(make_playlist(8), description="Two lines\nof description\n")
    files = archive_files([playlist])
    lines = sorted((track.plain_line for track in playlist.tracks), key=str.lower)
    # as spotify-playlist-archive's id-keyed writer wrote it: the description as Spotify gave it
    text = "\n".join([playlist.unique_name, playlist.description, "", *lines])
    files[plain_path(playlist.id)] = text.encode()
    assert [f for f in validate_files(files) if not f.is_note] == []
    files[plain_path(playlist.id)] = text.replace(lines[-1], "Zz other -- A -- B").encode()
    assert [(f.rule, f.line) for f in validate_files(files)] == [("GA040", 11)]
