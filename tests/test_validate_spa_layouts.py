"""spotify-playlist-archive clones validate as they are.

The extra files of a current clone (cumulative/<id>.json, followers/<id>.json,
metadata/*) are checked against the shapes that project writes (see
gitarchive/formats/spa.py) instead of flagged as stray; a 2021 clone's
name-keyed pages are legacy notes. Both exit 0.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pygit2

from gitarchive import formats
from gitarchive.formats.paths import cumulative_json_path, followers_path
from tests.support.archive_files import archive_files, commit, make_playlist, playlist_id
from tests.support.cli import run_cli_captured

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

PID = playlist_id(1)
OTHER = playlist_id(2)


def dumps(value: object) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True) + "\n").encode()


def cumulative_json(playlist_id: str) -> dict[str, object]:
    artist = {"name": "Artist 1", "url": "https://open.spotify.com/artist/" + "a" * 22}
    return {
        "date_first_scraped": "2025-11-19",
        "description": "Only Rock Music",
        "name": "Playlist 1",
        "published_playlist_ids": [],
        "tracks": [
            {
                "album": {"name": "Finelines", "url": "https://open.spotify.com/album/" + "b" * 22},
                "artists": [artist],
                "date_added": "2024-07-12",
                "date_added_asterisk": False,
                "date_removed": None,
                "duration_ms": 3_723_000,
                "name": "Always: Your Way",
                "url": "https://open.spotify.com/track/" + "c" * 22,
            }
        ],
        "url": f"https://open.spotify.com/playlist/{playlist_id}",
    }


def metadata_full() -> dict[str, object]:
    return {
        PID: {
            "description": "",
            "num_followers": 30,
            "original_name": "Playlist 1",
            "owner": {"name": "Spotify", "url": "https://open.spotify.com/user/spotify"},
            "snapshot_id": "AAAARBoF0qdSk1WRt/DaO/nX18gFxwDw",
            "unique_name": "Playlist 1",
            "url": f"https://open.spotify.com/playlist/{PID}",
        }
    }


def current_clone_files() -> dict[str, bytes | None]:
    files: dict[str, bytes | None] = dict(archive_files([make_playlist(1), make_playlist(2)]))
    files[cumulative_json_path(PID)] = dumps(cumulative_json(PID))
    files[followers_path(PID)] = dumps({"2025-11-19": 636, "2025-11-20": 635})
    files["playlists/metadata/metadata-full.json"] = dumps(metadata_full())
    files["playlists/metadata/metadata-compact.json"] = json.dumps({PID: "Playlist 1"}).encode()
    files["playlists/metadata/metadata-full.json.br"] = b"\x1b\x00\x8f\xff compressed"
    return files


def validate(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str]:
    code, out, err = run_cli_captured(capsys, "-C", str(root), "validate", *args)
    return code, out + err


def test_a_current_spotify_playlist_archive_clone_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = pygit2.init_repository(str(tmp_path / "clone"), initial_head="main")
    commit(repo, current_clone_files(), "a current clone")
    for args in ((), ("--all",), ("HEAD",)):
        code, output = validate(capsys, tmp_path / "clone", *args)
        assert code == 0, output
        assert "GA004" not in output


def test_the_shapes_are_checked_not_waved_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = current_clone_files()
    broken = cumulative_json(PID)
    broken["tracks"][0]["date_added"] = "12/07/2024"  # type: ignore[index]
    files[cumulative_json_path(PID)] = dumps(broken)
    files[followers_path(OTHER)] = dumps({"2025-11-19": -1})
    files["playlists/metadata/metadata-compact.json"] = b"{not json"
    repo = pygit2.init_repository(str(tmp_path / "clone"), initial_head="main")
    commit(repo, files, "a broken clone")
    code, output = validate(capsys, tmp_path / "clone", "--all")
    assert code == 1
    assert f"{cumulative_json_path(PID)}: GA032 tracks[0].date_added" in output
    assert f"{followers_path(OTHER)}: GA033" in output
    assert "metadata-compact.json:1: GA034 invalid JSON" in output


def test_a_2021_name_keyed_clone_gives_legacy_notes_and_exit_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = current_clone_files()
    files["playlists/pretty/Today's Top Hits.md"] = b"### Today's Top Hits\n"
    files["playlists/cumulative/Today's Top Hits.md"] = b"### Today's Top Hits\n"
    repo = pygit2.init_repository(str(tmp_path / "clone"), initial_head="main")
    commit(repo, files, "a 2021 clone")
    code, output = validate(capsys, tmp_path / "clone", "--all")
    assert code == 0, output
    assert "playlists/pretty/Today's Top Hits.md: GA007" in output
    assert "playlists/cumulative/Today's Top Hits.md: GA007" in output
    code, output = validate(capsys, tmp_path / "clone", "--all", "--format", "json")
    document = json.loads(output)
    assert code == 0 and document["ok"] is True and document["count"] == 0
    assert {f["severity"] for f in document["findings"]} == {"note"}


def test_a_stray_file_is_still_a_stray(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = current_clone_files()
    files["playlists/followers/notes.txt"] = b"hello\n"
    repo = pygit2.init_repository(str(tmp_path / "clone"), initial_head="main")
    commit(repo, files, "a stray")
    code, output = validate(capsys, tmp_path / "clone", "--all")
    assert code == 1 and "playlists/followers/notes.txt: GA004" in output
    assert formats.INDEX_PATH not in output
