"""``export csv`` writes "Added At" as ISO 8601 in UTC, a four-digit year whatever the
year, as Exportify writes it."""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING

from gitarchive import formats
from tests.support.builder import RepoBuilder
from tests.support.cli import run_cli
from tests.support.models import PID, model_playlist, model_track

if TYPE_CHECKING:
    from pathlib import Path


def test_added_at_is_written_with_a_four_digit_year_before_the_year_1000(
    tmp_path: Path,
) -> None:
    repo, out = tmp_path / "archive", tmp_path / "mix.csv"
    playlist = model_playlist(
        model_track(1, added="2026-11-01T06:00:00"), model_track(2, added="2026-11-02T06:00:00")
    )
    # a committed file may hold any date the reader accepts: year 5, written out in full
    text = formats.render_json(playlist).replace("2026-11-02 06:00:00", "0005-01-01 00:00:00")
    assert "0005-01-01 00:00:00" in text
    RepoBuilder(repo).commit({formats.json_path(PID): text}, date="2026-11-03T06:00:00Z")

    assert run_cli("-C", str(repo), "export", "csv", str(out), "--playlist", PID) == 0

    with out.open(encoding="utf-8", newline="") as handle:
        added = [row["Added At"] for row in csv.DictReader(handle)]
    assert added == ["2026-11-01T06:00:00Z", "0005-01-01T00:00:00Z"]
