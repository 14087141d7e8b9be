"""`gitarchive login` records authorized_on in gitarchive.toml: one key changes, and every
comment, blank line and the order of what the user wrote stay as they were."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest

from gitarchive.errors import SettingsError
from gitarchive.settings import load_settings, record_authorization

if TYPE_CHECKING:
    from pathlib import Path

WRITTEN = """\
# My archive's settings
github = "me/playlists"   # where the githistory links point

# the key below came later
authorized_on = 2026-01-02 # the day I logged in

[playlists.37i9dQZF1DX5LEXW9eXA0n]
max_drop = 0.9   # this one shrinks a lot
"""


def test_a_new_date_replaces_the_old_one_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "gitarchive.toml").write_text(WRITTEN)
    record_authorization(tmp_path, date(2026, 7, 1))
    assert (tmp_path / "gitarchive.toml").read_text() == WRITTEN.replace("2026-01-02", "2026-07-01")
    assert load_settings(tmp_path).authorized_on == date(2026, 7, 1)


def test_a_first_date_goes_among_the_top_level_keys_with_a_comment(tmp_path: Path) -> None:
    without = WRITTEN.replace("# the key below came later\n", "").replace(
        "authorized_on = 2026-01-02 # the day I logged in\n", ""
    )
    (tmp_path / "gitarchive.toml").write_text(without)
    record_authorization(tmp_path, date(2026, 7, 1))
    text = (tmp_path / "gitarchive.toml").read_text()
    head, table = text.split("[playlists.", 1)
    assert head.startswith(without.split("[playlists.")[0].rstrip("\n"))
    assert "authorized_on = 2026-07-01 # when `gitarchive login` authorized" in head
    assert "max_drop = 0.9   # this one shrinks a lot" in table
    assert load_settings(tmp_path).playlists["37i9dQZF1DX5LEXW9eXA0n"].max_drop == 0.9


def test_no_file_yet_gets_one_with_the_date(tmp_path: Path) -> None:
    record_authorization(tmp_path, date(2026, 7, 1))
    assert load_settings(tmp_path).authorized_on == date(2026, 7, 1)


def test_a_file_that_is_not_toml_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "gitarchive.toml").write_text("github = \n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        record_authorization(tmp_path, date(2026, 7, 1))
    assert (tmp_path / "gitarchive.toml").read_text() == "github = \n"
