"""`gitarchive export sqlite`: opened by Datasette itself, and stating what `history` states."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from typer.testing import CliRunner

from gitarchive import cli

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.support.demo import DemoArchive

runner = CliRunner()


def invoke(repo: Path, *args: str) -> str:
    result = runner.invoke(cli.app, ["-C", str(repo), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def exported(
    tmp_path_factory: pytest.TempPathFactory, demo_archive: DemoArchive
) -> Iterator[tuple[Path, Path, list[str]]]:
    root = tmp_path_factory.mktemp("export")
    shutil.copytree(demo_archive.path, root / "demo", symlinks=True)  # the index is written
    result = demo_archive.result
    target = root / "archive.db"
    out = invoke(root / "demo", "export", "sqlite", str(target))
    assert out.startswith(f"wrote {target}: 4 playlists")
    yield root / "demo", target, [playlist_id for playlist_id, _ in result.playlists]


def datasette_get(database: Path, path: str) -> Any:
    executable = shutil.which("datasette")
    assert executable, "datasette is in the test extra: pip install -e '.[test]'"
    done = subprocess.run(
        [executable, str(database), "--get", path], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def track_doc(row: sqlite3.Row | None) -> dict[str, Any]:
    assert row is not None
    return {
        "id": row["spotify_id"],
        "name": row["name"],
        "artists": row["artist_names"].split("\x1f") if row["artist_names"] else [],
        "album": row["album"],
        "url": row["url"],
        "duration_ms": row["duration_ms"],
    }


TRACK_SQL = """
SELECT t.*, (SELECT group_concat(a.name, char(31)) FROM
             (SELECT a.name FROM track_artists ta JOIN artists a ON a.id = ta.artist_id
              WHERE ta.track_id = t.id ORDER BY ta.position) a) AS artist_names
FROM tracks t WHERE t.id = ?
"""


def test_datasette_opens_it_and_searches_track_names(
    exported: tuple[Path, Path, list[str]],
) -> None:
    _repo, database, _ids = exported
    tables = {table["name"]: table for table in datasette_get(database, "/archive.json")["tables"]}
    for name in ("playlists", "versions", "tracks", "artists", "changes", "cumulative"):
        assert name in tables and tables[name]["count"] > 0, name
    assert tables["tracks"]["fts_table"] == "tracks_fts"
    assert {fk["other_table"] for fk in tables["changes"]["foreign_keys"]["outgoing"]} == {
        "versions", "playlists", "tracks",
    }  # fmt: skip
    found = datasette_get(database, "/archive/tracks.json?_search=bittersweet&_shape=array")
    assert [row["name"] for row in found] == ["bittersweet"]
    likes = datasette_get(database, "/archive/likes_over_time.json?_shape=array&_size=max")
    assert likes and all(isinstance(row["likes"], int) for row in likes)


def test_export_states_what_history_states(exported: tuple[Path, Path, list[str]]) -> None:
    repo, database, ids = exported
    connection = sqlite3.connect(database)
    connection.row_factory = sqlite3.Row
    for playlist_id in ids:
        history = json.loads(invoke(repo, "history", playlist_id, "--format", "json", "--reverse"))
        rows = connection.execute(
            "SELECT * FROM versions WHERE playlist_id = ? AND changed ORDER BY date", (playlist_id,)
        ).fetchall()
        assert (
            history["name"]
            == connection.execute(
                "SELECT name FROM playlists WHERE id = ?", (playlist_id,)
            ).fetchone()[0]
        )

        def doc(track_id: int) -> dict[str, Any]:
            return track_doc(connection.execute(TRACK_SQL, (track_id,)).fetchone())

        exported_versions = []
        for row in rows:
            changes = connection.execute(
                "SELECT kind, track_id, before_track_id FROM changes WHERE version_id = ?"
                " ORDER BY id",
                (row["id"],),
            ).fetchall()

            exported_versions.append(
                {
                    "commit": row["commit_id"], "date": row["date"], "name": row["name"],
                    "description": row["description"], "likes": row["likes"],
                    "added": [doc(c[1]) for c in changes if c[0] == "added"],
                    "removed": [doc(c[1]) for c in changes if c[0] == "removed"],
                    "updated": [{"before": doc(c[2]), "after": doc(c[1])}
                                for c in changes if c[0] == "updated"],
                    "moved": [],  # history lists no moves without --moves
                }
            )  # fmt: skip
        assert exported_versions == history["versions"], playlist_id
        cumulative = json.loads(invoke(repo, "cumulative", playlist_id, "--format", "json"))
        entries = connection.execute(
            "SELECT * FROM cumulative WHERE playlist_id = ? ORDER BY rowid", (playlist_id,)
        ).fetchall()
        assert [
            {**doc(row["track_id"]), "added": row["first_seen"],
             "added_before_archive": bool(row["added_before_archive"]), "removed": row["removed"]}
            for row in entries
        ] == cumulative["tracks"]  # fmt: skip


def test_export_narrowed_to_one_playlist(exported: tuple[Path, Path, list[str]]) -> None:
    repo, database, ids = exported
    target = database.with_name("one.db")
    invoke(repo, "export", "sqlite", str(target), "--playlist", ids[0])
    connection = sqlite3.connect(target)
    assert connection.execute("SELECT id FROM playlists").fetchall() == [(ids[0],)]
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []


def test_docs_example_queries_show_their_real_output(
    exported: tuple[Path, Path, list[str]],
) -> None:
    text = (Path(__file__).parent.parent / "docs" / "export.md").read_text()
    blocks = re.findall(r"```sql\n(.*?)```\n\n((?:\|[^\n]*\n)+)", text, flags=re.S)
    assert len(blocks) == 3
    connection = sqlite3.connect(exported[1])
    for query, table in blocks:
        lines = table.strip().splitlines()
        shown = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
        rows = [[str(value) for value in row] for row in connection.execute(query)]
        assert rows == shown, query


def test_every_cumulative_row_of_the_demo_has_stays_that_agree(
    exported: tuple[Path, Path, list[str]],
) -> None:
    _repo, database, _ids = exported
    connection = sqlite3.connect(database)
    rows = connection.execute(
        """SELECT c.first_seen, c.removed,
                  (SELECT min(added) FROM stays s
                   WHERE s.playlist_id = c.playlist_id AND s.track_id = c.track_id),
                  (SELECT removed FROM stays s
                   WHERE s.playlist_id = c.playlist_id AND s.track_id = c.track_id
                   ORDER BY added DESC LIMIT 1)
           FROM cumulative c"""
    ).fetchall()
    assert rows and all((first, removed) == (added, last) for first, removed, added, last in rows)
