"""The registry: entries, add / remove / list, and how sync treats invalid entries."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pygit2
import pytest

from gitarchive import formats
from gitarchive import git as gitrepo
from gitarchive.errors import FormatError
from gitarchive.git import Identity, Store
from gitarchive.registry import RegistryEntry, parse_entry, read_registry
from gitarchive.sync import SyncOptions, run_sync
from tests.support.api import api_playlist, fake_id
from tests.support.cli import run_cli
from tests.support.fakespotify import FakeSpotify
from tests.support.gitcli import git

if TYPE_CHECKING:
    from pathlib import Path

A = fake_id("registry-test", "a")
B = fake_id("registry-test", "b")
WHEN = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    pygit2.init_repository(str(root), initial_head="main")
    return root


@pytest.mark.parametrize(
    ("data", "alias"),
    [(b"", None), (b"My Mix\n", "My Mix"), (b"My Mix", "My Mix"), (b"\n", None), (b" x \r\n", "x")],
)
def test_valid_entries(data: bytes, alias: str | None) -> None:
    assert parse_entry(A, data) == RegistryEntry(A, alias)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (A, b"one\ntwo\n", "found 2 lines"),
        (A, b"\xff\xfe", "not UTF-8"),
        ("not-an-id", b"", "not a 22-character"),
    ],
)
def test_invalid_entries_name_the_file(name: str, data: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message) as caught:
        parse_entry(name, data)
    assert caught.value.path == f"playlists/registry/{name}"


def test_read_registry_skips_and_reports_invalid_entries(repo: Path) -> None:
    folder = repo / "playlists/registry"
    folder.mkdir(parents=True)
    (folder / A).write_text("")
    (folder / B).write_text("Alias\n")
    (folder / ".gitkeep").write_text("")
    (folder / "README").write_text("oops\n")
    (folder / fake_id("x")).write_text("a\nb\n")
    registry = read_registry(Store.discover(repo))
    assert registry.entries == {A: RegistryEntry(A), B: RegistryEntry(B, "Alias")}
    assert sorted(entry.path for entry in registry.invalid) == sorted(
        ["playlists/registry/README", f"playlists/registry/{fake_id('x')}"]
    )


def test_bare_registry_is_read_from_head(tmp_path: Path) -> None:
    store = Store(pygit2.init_repository(str(tmp_path / "b.git"), bare=True))
    gitrepo.commit_changes(
        store,
        {f"playlists/registry/{A}": b"Name\n"},
        message="m",
        identity=Identity("T", "t@x"),
        when=WHEN,
    )
    assert read_registry(store).entries == {A: RegistryEntry(A, "Name")}


def test_add_accepts_ids_urls_and_uris_and_stages_nothing(repo: Path) -> None:
    code = run_cli(
        "-C",
        str(repo),
        "add",
        A,
        f"https://open.spotify.com/playlist/{B}?si=123",
        f"spotify:playlist:{A}",
    )
    assert code == 0
    assert sorted(p.name for p in (repo / "playlists/registry").iterdir()) == sorted([A, B])
    assert git(repo, "diff", "--cached", "--name-only") == ""
    assert gitrepo.head_id(Store.discover(repo)) is None
    assert run_cli("-C", str(repo), "add", A, "--alias", "Renamed") == 0
    assert (repo / f"playlists/registry/{A}").read_text() == "Renamed\n"


def test_add_rejects_garbage_with_one_line(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("-C", str(repo), "add", "https://example.com/nope") == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("gitarchive: error: not a Spotify playlist id")
    assert "\n" not in error


def test_add_and_remove_with_commit(repo: Path) -> None:
    assert run_cli("-C", str(repo), "add", A, B, "--commit") == 0
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"
    assert git(repo, "log", "-1", "--format=%s").startswith("Register 2 playlists")
    assert git(repo, "status", "--porcelain") == ""
    assert run_cli("-C", str(repo), "remove", B, "--commit") == 0
    assert git(repo, "ls-tree", "-r", "--name-only", "HEAD").split() == [f"playlists/registry/{A}"]
    assert git(repo, "status", "--porcelain") == ""


def test_remove_keeps_files_unless_purge(
    repo: Path, fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_spotify.setenv(monkeypatch)
    fake_spotify.add_playlist(api_playlist(A, 3))
    fake_spotify.add_playlist(api_playlist(B, 3))
    assert run_cli("-C", str(repo), "add", A, B) == 0
    run_sync(Store.discover(repo), SyncOptions(now=WHEN))
    assert run_cli("-C", str(repo), "remove", A) == 0
    assert (repo / formats.plain_path(A)).is_file()
    assert not (repo / f"playlists/registry/{A}").exists()
    assert run_cli("-C", str(repo), "remove", B, "--purge") == 0
    assert not (repo / formats.plain_path(B)).exists()
    assert git(repo, "diff", "--cached", "--name-only") == ""
    # the next sync records both: registry entries gone, B's files gone, index empty
    result = run_sync(Store.discover(repo), SyncOptions(now=WHEN.replace(hour=7)))
    assert result.registered == 0
    tree = git(repo, "ls-tree", "-r", "--name-only", "HEAD").split()
    assert formats.plain_path(A) in tree and formats.plain_path(B) not in tree
    assert not any(path.startswith("playlists/registry/") for path in tree)


def test_list_json(
    repo: Path,
    fake_spotify: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_spotify.setenv(monkeypatch)
    fake_spotify.add_playlist(api_playlist(A, 4, name="Alpha"))
    assert run_cli("-C", str(repo), "add", A, B) == 0
    run_sync(Store.discover(repo), SyncOptions(now=WHEN))
    capsys.readouterr()
    assert run_cli("-C", str(repo), "list", "--json") == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows[A] == {
        "id": A,
        "name": "Alpha",
        "tracks": 4,
        "last_change": "2026-11-28T06:00:00Z",
        "status": "ok",
    }
    assert rows[B]["status"].startswith("unavailable: ")
    assert rows[B]["tracks"] is None


def test_sync_reports_invalid_entries_and_strict_fails(
    repo: Path,
    fake_spotify: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_spotify.setenv(monkeypatch)
    fake_spotify.add_playlist(api_playlist(A, 2))
    assert run_cli("-C", str(repo), "add", A) == 0
    (repo / "playlists/registry/broken").write_text("")
    capsys.readouterr()
    assert run_cli("-C", str(repo), "sync", "--date", "2026-11-28T06:00Z") == 0
    captured = capsys.readouterr()
    assert "playlists/registry/broken" in captured.err
    assert run_cli("-C", str(repo), "sync", "--strict") == 1
    assert "playlists/registry/broken" in capsys.readouterr().err
