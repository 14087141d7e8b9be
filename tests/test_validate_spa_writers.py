"""The JSON files spotify-playlist-archive's id-keyed writer produced over the years validate.

Shapes re-stated from that writer's dataclasses (``json.dumps(asdict(...), indent=2,
sort_keys=True)``): the first snapshots named the playlist ``name`` and, at first, had
no snapshot id, likes or owner; ``added_at`` was ``str(datetime)``; the first
cumulative JSON called its first-scrape date ``date_initialized``.
"""

from __future__ import annotations

import json

from gitarchive.formats.paths import INDEX_PATH, followers_path
from gitarchive.formats.snapshot import read_json
from gitarchive.validate import validate_files
from gitarchive.validate.checks.snapshot import check_snapshot
from gitarchive.validate.checks.spa import check_spa_file
from tests.support.archive_files import archive_files, make_playlist, playlist_id

PID = playlist_id(1)
PATH = f"playlists/pretty/{PID}.json"
TRACK = {
    "added_at": "2021-05-01 12:00:00+00:00",
    "album": {"name": "Finelines", "url": "https://open.spotify.com/album/" + "b" * 22},
    "artists": [{"name": "Artist 1", "url": "https://open.spotify.com/artist/" + "a" * 22}],
    "duration_ms": 49_000,
    "name": "Always",
    "url": "https://open.spotify.com/track/" + "c" * 22,
}


def dumps(value: object) -> str:
    return json.dumps(value, indent=2, sort_keys=True) + "\n"


def first_snapshot(**extra: object) -> dict[str, object]:
    return {
        "description": "Only Rock Music",
        "name": "Playlist 1",
        "tracks": [TRACK],
        "url": f"https://open.spotify.com/playlist/{PID}",
        **extra,
    }


def test_the_first_snapshots_with_a_name_and_no_owner_validate_and_read() -> None:
    owner = {"name": "Spotify", "url": "https://open.spotify.com/user/spotify"}
    for document in (
        first_snapshot(),
        first_snapshot(snapshot_id="MTYy", num_followers=30, owner=owner),
    ):
        findings, playlist = check_snapshot(PATH, PID, dumps(document))
        assert findings == []
        assert playlist is not None and playlist.unique_name == "Playlist 1"
        assert playlist.tracks[0].added_at is not None
    read = read_json(dumps(first_snapshot()), PID)
    assert read.original_name == read.unique_name == "Playlist 1"


def test_a_first_snapshot_with_a_wrong_type_is_still_an_error() -> None:
    findings, _ = check_snapshot(PATH, PID, dumps(first_snapshot(num_followers="many")))
    assert [f.rule for f in findings] == ["GA031"]


def test_the_first_cumulative_json_with_date_initialized_validates() -> None:
    track = {key: value for key, value in TRACK.items() if key != "added_at"} | {
        "date_added": "2021-05-01",
        "date_added_asterisk": True,
        "date_removed": None,
    }
    document = {"date_initialized": "2021-05-01", "description": "", "name": "P", "tracks": [track]}
    path = f"playlists/cumulative/{PID}.json"
    assert check_spa_file(path, "cumulative_json", dumps(document)) == []
    document["date_initialized"] = "May 1"
    assert [f.rule for f in check_spa_file(path, "cumulative_json", dumps(document))] == ["GA032"]


def test_a_clone_whose_writer_listed_playlists_in_its_readme_needs_no_index() -> None:
    files = archive_files([make_playlist(1), make_playlist(2)])
    del files[INDEX_PATH]
    assert [f.rule for f in validate_files(files)] == ["GA043"]  # gitarchive's own: wrong
    files[followers_path(PID)] = dumps({"2021-05-01": 12}).encode()
    found = validate_files(files)
    assert [(f.rule, f.is_note) for f in found] == [("GA046", True)]
