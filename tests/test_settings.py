"""gitarchive.toml: every key optional; unknown keys and wrong types are errors."""

from __future__ import annotations

import json
from pathlib import Path

import pygit2
import pytest

from gitarchive.errors import SettingsError
from gitarchive.git import Store, resolve_identity
from gitarchive.settings import (
    DEFAULT_ACCOUNTS_URL,
    DEFAULT_API_URL,
    DEFAULT_CONCURRENCY,
    Settings,
    accounts_url,
    api_url,
    load_settings,
    parse_settings,
)
from tests.support.api import fake_id, playlist_with_tracks
from tests.support.builder import register
from tests.support.cli import run_cli_captured
from tests.support.fakespotify import FakeSpotify
from tests.support.gitcli import git_process
from tests.support.hostile_settings import HOSTILE_SETTINGS, HOSTILE_TABLES, HostileSetting


def test_defaults_without_file(tmp_path: Path) -> None:
    assert load_settings(tmp_path) == Settings()
    assert load_settings(None) == Settings()
    assert Settings().branch == "main"
    assert Settings().concurrency == DEFAULT_CONCURRENCY


def test_all_keys(tmp_path: Path) -> None:
    (tmp_path / "gitarchive.toml").write_text(
        'github = "mackorone/spotify-playlist-archive"\n'
        'branch = "archive"\n'
        'author_name = "Archive Bot"\n'
        'author_email = "bot@example.invalid"\n'
        "concurrency = 4\n"
        'market = "DE"\n',
        encoding="utf-8",
    )
    assert load_settings(tmp_path) == Settings(
        github="mackorone/spotify-playlist-archive",
        branch="archive",
        author_name="Archive Bot",
        author_email="bot@example.invalid",
        concurrency=4,
        market="DE",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('gihub = "a/b"\n', "unknown key 'gihub'"),
        ("[github]\nowner = 'a'\n", "github must be a str, not dict"),
        ('concurrency = "8"\n', "concurrency must be a int, not str"),
        ("concurrency = true\n", "concurrency must be a int, not bool"),
        ("concurrency = 8.0\n", "concurrency must be a int, not float"),
        ("concurrency = 0\n", "concurrency must be between 1 and 256"),
        ("branch = 1\n", "branch must be a str, not int"),
        ('github = "not a slug"\n', "github must look like 'owner/repo'"),
        ('github = "https://github.com/a/b"\n', "github must look like 'owner/repo'"),
        ('market = "de"\n', "market must be an ISO 3166-1 alpha-2 code"),
        ("github = \n", "not valid TOML"),
    ],
)
def test_errors_name_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "gitarchive.toml").write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings(tmp_path)
    assert message in caught.value.message
    assert caught.value.path == "gitarchive.toml"
    assert str(caught.value).startswith("gitarchive.toml: ")
    assert "\n" not in str(caught.value)


def test_unreadable_file_is_a_settings_error(tmp_path: Path) -> None:
    (tmp_path / "gitarchive.toml").write_bytes(b'github = "\xff"\n')
    with pytest.raises(SettingsError, match=r"gitarchive\.toml"):
        load_settings(tmp_path)


def test_parse_settings_names_given_path() -> None:
    with pytest.raises(SettingsError) as caught:
        parse_settings("x = 1\n", path="sub/gitarchive.toml")
    assert caught.value.path == "sub/gitarchive.toml"


def test_base_urls_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert api_url() == DEFAULT_API_URL
    assert accounts_url() == DEFAULT_ACCOUNTS_URL
    monkeypatch.setenv("GITARCHIVE_API_URL", "http://127.0.0.1:9999/v1/")
    monkeypatch.setenv("GITARCHIVE_ACCOUNTS_URL", "http://127.0.0.1:9998")
    assert api_url() == "http://127.0.0.1:9999/v1"
    assert accounts_url() == "http://127.0.0.1:9998"


@pytest.mark.parametrize(
    "hostile", HOSTILE_SETTINGS + HOSTILE_TABLES, ids=lambda h: f"{h.key}-{h.why}"
)
def test_a_hostile_value_is_refused_on_load_naming_the_file_and_key(
    tmp_path: Path, hostile: HostileSetting
) -> None:
    (tmp_path / "gitarchive.toml").write_text(hostile.line + "\n", encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings(tmp_path)
    line = str(caught.value)
    assert line.startswith("gitarchive.toml: ")
    assert hostile.key in line
    assert "\n" not in line and "\r" not in line and "\x1b" not in line


# Names git accepts as branches, and names it refuses, beyond the corpus' break-outs ("@"
# is left out: `check-ref-format --branch` reads it as HEAD; the setting refuses it).
BRANCH_NAMES = (
    "main",
    "master",
    "archive/2026",
    "feature-x_1.2",
    "été",
    "a.b",
    ".hidden",
    "a/.b",
    "a.",
    "a/",
    "/a",
    "a..b",
    "a~1",
    "a^",
    "a:b",
    "a?",
    "a*",
    "a[b",
    "a\\b",
    "a b",
    "a\tb",
    "a@{u}",
    "x.lock",
    "a/b.lock/c",
    "-x",
    "HEAD",
)


@pytest.mark.parametrize("name", BRANCH_NAMES)
def test_the_branch_setting_follows_gits_rules_for_a_branch_name(tmp_path: Path, name: str) -> None:
    oracle = git_process(tmp_path, "check-ref-format", "--branch", name)
    git_accepts = oracle.returncode == 0
    text = f"branch = {json.dumps(name)}\n"
    try:
        parse_settings(text)
    except SettingsError:
        accepted = False
    else:
        accepted = True
    assert accepted == git_accepts


@pytest.mark.parametrize(
    "line",
    [
        f'author_name = "Archiver\\nparent {"0" * 40}"',
        'branch = "main)[click](https://evil.invalid"',
    ],
    ids=["newline-in-author-name", "link-in-branch"],
)
def test_sync_with_a_hostile_setting_exits_1_before_writing_anything(
    tmp_path: Path,
    fake_spotify: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    line: str,
) -> None:
    fake_spotify.setenv(monkeypatch)
    playlist = fake_id("settings-test", "a")
    fake_spotify.add_playlist(playlist_with_tracks(playlist, [0, 1]))
    root = tmp_path / "archive"
    pygit2.init_repository(str(root), initial_head="main")
    register(root, playlist)
    (root / "gitarchive.toml").write_text(line + "\n", encoding="utf-8")
    code, _out, err = run_cli_captured(capsys, "-C", str(root), "sync", "--date", "2026-11-20")
    assert code == 1
    key = line.split(" ", 1)[0]
    assert err.strip().count("\n") == 0
    assert "gitarchive.toml" in err and key in err
    assert pygit2.Repository(str(root)).head_is_unborn
    assert not (root / "playlists" / "pretty").exists()


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"GIT_COMMITTER_NAME": "A\nparent " + "0" * 40, "GIT_COMMITTER_EMAIL": "a@x"}, "NAME"),
        ({"GIT_COMMITTER_NAME": "A", "GIT_AUTHOR_EMAIL": "a@x>\ncommitter B"}, "AUTHOR_EMAIL"),
    ],
    ids=["committer-name", "author-email"],
)
def test_an_identity_from_the_environment_that_would_forge_a_header_is_refused(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    store = Store(pygit2.init_repository(str(tmp_path / "r"), initial_head="main"))
    with pytest.raises(SettingsError) as caught:
        resolve_identity(store, env=env)
    assert named in str(caught.value) and "\n" not in str(caught.value)
