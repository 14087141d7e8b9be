"""`export sqlite`'s stays: each stay of a track in a playlist; the documented Datasette query."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.support.cli import run_cli
from tests.support.moving import EVENING, MORNING, MOVER, build_moving_archive

EXPORT_MD = Path(__file__).resolve().parent.parent / "docs" / "export.md"
MARK = "<!-- tests/test_export_stays.py runs this query through `datasette --get` -->\n```sql\n"


def documented_query() -> str:
    return EXPORT_MD.read_text(encoding="utf-8").split(MARK, 1)[1].split("```", 1)[0]


def datasette_query(database: Path, **parameters: str) -> Any:
    executable = shutil.which("datasette")
    assert executable, "datasette is in the test extra: pip install -e '.[test]'"
    query = urlencode({"sql": documented_query(), "_shape": "array", **parameters})
    done = subprocess.run(
        [executable, str(database), "--get", f"/{database.stem}.json?{query}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def exported(tmp_path: Path) -> Path:
    root = build_moving_archive(tmp_path / "archive")
    target = tmp_path / "archive.db"
    assert run_cli("-C", str(root), "export", "sqlite", str(target)) == 0
    return target


def test_the_documented_query_names_the_playlists_an_artist_got_into_that_year(
    tmp_path: Path,
) -> None:
    database = exported(tmp_path)
    rows = datasette_query(database, artist="Wanderer", year="2026")
    assert rows == [
        {"playlist": "Morning", "track": "The Mover", "added": "2026-11-01",
         "removed": "2026-11-03", "best_position": 1},
        {"playlist": "Evening", "track": "The Mover", "added": "2026-11-03",
         "removed": "2026-11-05", "best_position": 2},
        {"playlist": "Evening", "track": "The Mover", "added": "2026-11-06",
         "removed": None, "best_position": 1},
    ]  # fmt: skip
    assert datasette_query(database, artist="Wanderer", year="2025") == []
    assert datasette_query(database, artist="Nobody", year="2026") == []


def test_stays_have_foreign_keys_and_agree_with_the_cumulative_table(tmp_path: Path) -> None:
    database = exported(tmp_path)
    connection = sqlite3.connect(database)
    assert {row[2] for row in connection.execute("PRAGMA foreign_key_list(stays)")} == {
        "playlists", "tracks",
    }  # fmt: skip
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    found = connection.execute(
        "SELECT s.playlist_id, s.added, s.removed, s.latest_position FROM stays s"
        " WHERE s.track_key = ? ORDER BY s.added",
        (MOVER,),
    ).fetchall()
    assert found == [
        (MORNING, "2026-11-01", "2026-11-03", 1),
        (EVENING, "2026-11-03", "2026-11-05", 2),
        (EVENING, "2026-11-06", None, 1),
    ]
    # every (playlist, track) of the cumulative table: its first stay's added is first_seen,
    # its last stay's removal is removed
    mismatched = connection.execute(
        """SELECT c.playlist_id, c.track_id FROM cumulative c
        WHERE c.first_seen != (SELECT min(added) FROM stays s
                               WHERE s.playlist_id = c.playlist_id AND s.track_id = c.track_id)
           OR c.removed IS NOT (SELECT removed FROM stays s
                                WHERE s.playlist_id = c.playlist_id AND s.track_id = c.track_id
                                ORDER BY added DESC LIMIT 1)"""
    ).fetchall()
    assert mismatched == []
    assert connection.execute("SELECT count(*) FROM cumulative").fetchone()[0] == 8


def test_a_playlist_narrowed_export_has_only_its_stays(tmp_path: Path) -> None:
    root = build_moving_archive(tmp_path / "archive")
    target = tmp_path / "morning.db"
    assert run_cli("-C", str(root), "export", "sqlite", str(target), "--playlist", MORNING) == 0
    connection = sqlite3.connect(target)
    assert connection.execute("SELECT DISTINCT playlist_id FROM stays").fetchall() == [(MORNING,)]
