"""`gitarchive import FILE --playlist ID --date DATE`: another tool's backup as one version."""

from __future__ import annotations

import json
import shutil
from typing import TYPE_CHECKING, Any

import pygit2
import pytest

from gitarchive.spotify import parse_playlist
from tests.support.api import fake_id, playlist_with_tracks
from tests.support.builder import RepoBuilder
from tests.support.cli import run_cli_captured
from tests.support.gitcli import git

if TYPE_CHECKING:
    from pathlib import Path

    from gitarchive.model import Playlist
    from tests.support.demo import DemoArchive

KPOP = "37i9dQZF1DX5LEXW9eXA0n"
P = fake_id("backup-test", "p")
Q = fake_id("backup-test", "q")


def model(playlist_id: str, lineup: list[int], **kwargs: Any) -> Playlist:
    data = playlist_with_tracks(playlist_id, lineup, **kwargs)
    meta = {k: v for k, v in data.items() if k != "items"}
    return parse_playlist(meta, data["items"]["items"])


def backup_playlist(playlist_id: str, lineup: list[int], name: str) -> dict[str, Any]:
    """A playlist as spotify-backup's JSON holds it: the API object, its items as "tracks"."""
    data = playlist_with_tracks(playlist_id, lineup, name=name)
    return {**{k: v for k, v in data.items() if k != "items"}, "tracks": data["items"]["items"]}


def cli(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    return run_cli_captured(capsys, "-C", str(root), *args)


def show(capsys: pytest.CaptureFixture[str], root: Path, playlist_id: str, *at: str) -> Any:
    code, out, err = cli(capsys, root, "show", playlist_id, *at, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def new_archive(path: Path) -> Path:
    pygit2.init_repository(str(path), initial_head="main")
    return path


@pytest.fixture
def archived(tmp_path: Path) -> Path:
    """P (named "Pop") archived here on 2026-11-20: its first version."""
    root = tmp_path / "archive"
    RepoBuilder(root).commit_playlists([model(P, [7, 8], name="Pop")], date="2026-11-20T06:00:00Z")
    git(root, "checkout", "-q", "-f", "main")
    return root


def test_an_exported_csv_imported_into_a_new_archive_shows_the_same_tracks(
    tmp_path: Path, demo_archive: DemoArchive, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = tmp_path / "demo"
    shutil.copytree(demo_archive.path, demo, symlinks=True)
    exported = tmp_path / "kpop.csv"
    assert cli(capsys, demo, "export", "csv", str(exported), "--playlist", KPOP)[0] == 0
    fresh = new_archive(tmp_path / "fresh")
    code, out, err = cli(
        capsys, fresh, "import", str(exported), "--playlist", KPOP, "--date", "2026-01-05"
    )
    assert code == 0, err
    assert "imported 1 versions" in out
    assert show(capsys, fresh, KPOP)["tracks"] == show(capsys, demo, KPOP)["tracks"]
    history = json.loads(cli(capsys, fresh, "history", KPOP, "--reverse", "--format", "json")[1])
    assert [v["date"] for v in history["versions"]] == ["2026-01-05T00:00:00Z"]


@pytest.mark.parametrize("shape", ["list", "document"])
def test_a_spotify_backup_json_becomes_the_playlists_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], shape: str
) -> None:
    playlists = [backup_playlist(Q, [5], "Other"), backup_playlist(P, [0, 1, 2], "Pop")]
    backup = tmp_path / "playlists.json"
    document: object = playlists if shape == "list" else {"playlists": playlists, "albums": []}
    backup.write_text(json.dumps(document))
    fresh = new_archive(tmp_path / "fresh")
    code, _, err = cli(capsys, fresh, "import", str(backup), "-p", P, "--date", "2025-03-01")
    assert code == 0, err
    shown = show(capsys, fresh, P)
    assert shown["original_name"] == "Pop"
    expected = model(P, [0, 1, 2])
    assert [t["url"] for t in shown["tracks"]] == [t.url for t in expected.tracks]
    assert [t["name"] for t in shown["tracks"]] == [t.name for t in expected.tracks]


BACKUP_TEXT = (
    "Playlists: \r\n\r\n"
    "Rock\r\n"
    "Stone\tThe Band\tHard\tspotify:track:0000000000000000000001\t2001-01-01\r\n"
    "\r\n"
    "Pop\r\n"
    "Sugar\tAnna, Ben\tSweet\tspotify:track:0000000000000000000002\t2002-02-02\r\n"
    "Honey\tCara\tSweet\tspotify:track:0000000000000000000003\t2003-03-03\r\n"
    "\r\n"
)


def test_a_spotify_backup_text_file_goes_before_the_first_version(
    archived: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "playlists.txt"
    backup.write_bytes(BACKUP_TEXT.encode())
    code, out, err = cli(capsys, archived, "import", str(backup), "-p", P, "--date", "2025-01-01")
    assert code == 0, err
    assert "1 later commits replayed" in out
    history = json.loads(cli(capsys, archived, "history", P, "--reverse", "--format", "json")[1])
    assert [v["date"][:10] for v in history["versions"]] == ["2025-01-01", "2026-11-20"]
    old = show(capsys, archived, P, "--at", "2025-06-01")
    assert [(t["name"], [a["name"] for a in t["artists"]], t["url"]) for t in old["tracks"]] == [
        ("Sugar", ["Anna", "Ben"], "https://open.spotify.com/track/0000000000000000000002"),
        ("Honey", ["Cara"], "https://open.spotify.com/track/0000000000000000000003"),
    ]
    assert [t["name"] for t in show(capsys, archived, P)["tracks"]] == [
        t.name for t in model(P, [7, 8]).tracks
    ]


def test_a_backup_not_older_than_the_first_version_changes_nothing(
    archived: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "playlists.txt"
    backup.write_bytes(BACKUP_TEXT.encode())
    head = git(archived, "rev-parse", "HEAD")
    code, out, err = cli(capsys, archived, "import", str(backup), "-p", P, "--date", "2026-12-01")
    assert code == 0, err
    assert "nothing to import" in out
    assert git(archived, "rev-parse", "HEAD") == head


def test_a_backup_refuses_to_rewrite_pushed_history(
    archived: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(archived, "remote", "add", "origin", str(remote))
    git(archived, "push", "-q", "origin", "main")
    head = git(archived, "rev-parse", "HEAD")
    backup = tmp_path / "playlists.txt"
    backup.write_bytes(BACKUP_TEXT.encode())
    code, _, err = cli(capsys, archived, "import", str(backup), "-p", P, "--date", "2025-01-01")
    assert code == 1 and "remote already has" in err and "--rewrite-pushed" in err
    assert git(archived, "rev-parse", "HEAD") == head


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\xff\xfe not text", "not UTF-8"),
        (b'"Track URI","Track Name","Track Duration (ms)"\n"x","y","99999999999999999999"\n',
         "not a duration"),
        (b'[{"id": "' + P.encode() + b'", "name": "Pop", "tracks": 5}]', "not a list"),
        (b"just some words\n", "neither an Exportify CSV"),
        (BACKUP_TEXT.encode(), "none is " + P),
        (json.dumps([backup_playlist(Q, [1], "Other")]).encode(), "none is " + P),
    ],
    ids=["binary", "duration", "tracks", "prose", "no-such-playlist", "another-id"],
)  # fmt: skip
def test_a_file_that_is_no_backup_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, words: str
) -> None:
    backup = tmp_path / "backup.csv"
    backup.write_bytes(content)
    fresh = new_archive(tmp_path / "fresh")
    code, _, err = cli(capsys, fresh, "import", str(backup), "-p", P, "--date", "2025-01-01")
    assert code == 1, err
    assert err.count("\n") == 1 and str(backup) in err and words in err, err
    assert "internal error" not in err


def test_a_backup_needs_its_date_and_one_playlist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "playlists.txt"
    backup.write_bytes(BACKUP_TEXT.encode())
    fresh = new_archive(tmp_path / "fresh")
    code, _, err = cli(capsys, fresh, "import", str(backup), "-p", P)
    assert code == 1 and "--date" in err
    code, _, err = cli(capsys, fresh, "import", str(backup), "-p", P, "-p", Q, "--date=2025-01-01")
    assert code == 1 and "one --playlist" in err


def test_an_exportify_name_holding_a_line_break_is_one_track(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "liked.csv"
    backup.write_text(
        '"Track URI","Track Name","Artist Name(s)","Album Name","Added At"\r\n'
        '"spotify:track:0000000000000000000009","Two\nLines","A\\, B, C","Al",'
        '"2020-07-19T09:24:39Z"\r\n',
        encoding="utf-8-sig",
    )
    fresh = new_archive(tmp_path / "fresh")
    code, _, err = cli(capsys, fresh, "import", str(backup), "-p", P, "--date", "2025-01-01")
    assert code == 0, err
    (track,) = show(capsys, fresh, P)["tracks"]
    assert track["name"] == "Two Lines"
    assert [artist["name"] for artist in track["artists"]] == ["A, B", "C"]
    assert track["url"] == "https://open.spotify.com/track/0000000000000000000009"
    assert track["added_at"] == "2020-07-19 09:24:39"


def test_liked_songs_in_a_spotify_backup_json_are_found_by_their_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    liked = backup_playlist(P, [3, 4], "Liked Songs")
    del liked["id"]  # spotify-backup's Liked Songs is a name and tracks, no id
    backup = tmp_path / "backup.json"
    backup.write_text(json.dumps({"playlists": [backup_playlist(Q, [1], "Other"), liked]}))
    fresh = new_archive(tmp_path / "fresh")
    code, _, err = cli(capsys, fresh, "import", str(backup), "-p", "liked", "--date", "2025-01-01")
    assert code == 0, err
    shown = show(capsys, fresh, "liked")
    assert [t["url"] for t in shown["tracks"]] == [t.url for t in model(P, [3, 4]).tracks]


@pytest.mark.parametrize("duration", ["\u00b2", "\u0663\u0660\u0660", "\uff11"])
def test_a_duration_of_other_than_ascii_digits_is_one_line_naming_its_line(
    archived: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], duration: str
) -> None:
    backup = tmp_path / "kpop.csv"
    backup.write_text(
        "Track URI,Track Name,Artist Name(s),Album Name,Track Duration (ms)\n"
        f"spotify:track:4uLU6hMCjMI75M1A2tKUQC,Song,Art,Alb,{duration}\n",
        encoding="utf-8",
    )
    before = git(archived, "rev-parse", "HEAD")
    code, _out, err = cli(capsys, archived, "import", str(backup), "-p", P, "--date", "2020-01-01")
    assert code == 1 and f"kpop.csv:2: Track Duration (ms) {duration!r} is not a duration" in err
    assert len(err.strip().splitlines()) == 1
    assert git(archived, "rev-parse", "HEAD") == before
