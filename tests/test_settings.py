"""gitarchive.toml: every key optional; unknown keys and wrong types are errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitarchive.errors import SettingsError
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
