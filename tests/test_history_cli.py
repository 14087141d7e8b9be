"""`gitarchive history` and `gitarchive cumulative` end to end, on repositories built in tests."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

import pygit2
import pytest
from typer.testing import CliRunner

from gitarchive import cli, formats
from gitarchive.history import update_cumulative
from tests.support.builder import RepoBuilder, deleted_files, playlist_files
from tests.support.models import PID, model_playlist, model_track, plain_track

if TYPE_CHECKING:
    from pathlib import Path

    from gitarchive.model import CumulativeView, Playlist
    from tests.support.demo import DemoArchive

runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(cli.app, list(args), catch_exceptions=False)


def blob_text(repo: pygit2.Repository, spec: str) -> str:
    blob = repo.revparse_single(spec)
    assert isinstance(blob, pygit2.Blob)
    return blob.data.decode()


class SyncLike:
    """Commits versions the way sync does: files plus one fold step on the committed view."""

    def __init__(self, path: Path, *, bare: bool = False, github: str | None = None) -> None:
        self.builder = RepoBuilder(path, bare=bare)
        self.view: CumulativeView | None = None
        self.github = github

    def commit(
        self, p: Playlist, day: str, kinds: tuple[str, ...] = ("json", "pretty", "plain")
    ) -> str:
        files: dict[str, str | None] = dict(playlist_files(p, kinds, github=self.github))
        path = formats.cumulative_path(p.id)
        committed = None
        if self.view is not None:
            text = formats.render_cumulative(self.view, github=self.github)
            committed = formats.read_cumulative(text, p.id, path=path)
        self.view = update_cumulative(committed, p, date.fromisoformat(day[:10]))
        files[path] = formats.render_cumulative(self.view, github=self.github)
        files[formats.INDEX_PATH] = formats.render_index([(p.id, p.display_name)])
        return self.builder.commit(files, date=day)


# --- the documented JSON schema (docs/history.md), checked by a tiny validator

TRACK = {
    "id": (str, type(None)), "name": str, "artists": [str], "album": str,
    "url": (str, type(None)), "duration_ms": (int, type(None)),
}  # fmt: skip
VERSION = {
    "commit": "sha", "date": "utc", "name": str, "description": str,
    "likes": (int, type(None)), "added": [TRACK], "removed": [TRACK],
    "updated": [{"before": TRACK, "after": TRACK}], "moved": [{**TRACK, "from": int, "to": int}],
}  # fmt: skip
HISTORY = {"id": "playlist_id", "name": str, "versions": [VERSION]}


def validate(value: Any, schema: Any, where: str = "$") -> None:
    import re

    if schema == "sha":
        assert isinstance(value, str) and re.fullmatch(r"[0-9a-f]{40}", value), where
    elif schema == "utc":
        assert isinstance(value, str), where
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value), where
    elif schema == "playlist_id":
        assert isinstance(value, str) and re.fullmatch(r"[0-9A-Za-z]{22}", value), where
    elif isinstance(schema, dict):
        assert isinstance(value, dict) and set(value) == set(schema), (where, value)
        for key, sub in schema.items():
            validate(value[key], sub, f"{where}.{key}")
    elif isinstance(schema, list):
        assert isinstance(value, list), where
        for index, item in enumerate(value):
            validate(item, schema[0], f"{where}[{index}]")
    else:
        assert isinstance(value, schema) and not isinstance(value, bool), (where, value)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    repo = SyncLike(tmp_path / "a")
    repo.commit(
        model_playlist(plain_track(model_track(1)), plain_track(model_track(2)), likes=None),
        "2026-01-01T06:00:00",
        ("plain",),
    )
    repo.commit(
        model_playlist(model_track(1), model_track(2), model_track(3), likes=10),
        "2026-01-02T06:00:00",
    )
    repo.commit(
        model_playlist(model_track(1), model_track(2), model_track(3), likes=12),
        "2026-01-03T06:00:00",
    )
    repo.commit(
        model_playlist(
            model_track(1, name="Song 1 (Live)"), model_track(3), model_track(3), likes=12
        ),
        "2026-01-04T06:00:00",
    )
    repo.commit(
        model_playlist(
            model_track(1, name="Song 1 (Live)"), model_track(3), model_track(2), name="Renamed"
        ),
        "2026-01-05T06:00:00",
    )
    return tmp_path / "a"


def test_history_json_schema_and_content(archive: Path) -> None:
    result = run("-C", str(archive), "history", PID, "--format", "json", "--reverse")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    validate(document, HISTORY)
    versions = document["versions"]
    assert [v["date"][:10] for v in versions] == [
        "2026-01-01",
        "2026-01-02",
        "2026-01-04",
        "2026-01-05",
    ]
    assert [t["name"] for t in versions[0]["added"]] == ["Song 1", "Song 2"]
    assert versions[0]["added"][0]["url"] is None  # read from a plain file
    assert [t["name"] for t in versions[1]["added"]] == ["Song 3"] and not versions[1]["removed"]
    assert [t["name"] for t in versions[2]["removed"]] == ["Song 2"]
    assert [t["name"] for t in versions[2]["added"]] == ["Song 3"]  # a duplicate
    assert [(u["before"]["name"], u["after"]["name"]) for u in versions[2]["updated"]] == [
        ("Song 1", "Song 1 (Live)")
    ]
    assert versions[3]["name"] == "Renamed" and document["name"] == "Renamed"


def test_history_moves_shows_a_reorder_beyond_the_threshold(tmp_path: Path) -> None:
    repo = SyncLike(tmp_path / "a")
    tracks = [model_track(n) for n in range(1, 51)]
    repo.commit(model_playlist(*tracks), "2026-01-01T06:00:00")
    jumped = [*tracks[:2], tracks[47], *tracks[2:47], *tracks[48:]]
    repo.commit(model_playlist(*jumped), "2026-01-02T06:00:00")  # a reorder, nothing else
    root = str(tmp_path / "a")
    plain = run("-C", root, "history", PID)
    assert "2026-01-02" not in plain.stdout and "→" not in plain.stdout
    shown = run("-C", root, "history", PID, "--moves")
    assert shown.exit_code == 0, shown.output
    assert "Date:   2026-01-02 06:00:00 UTC" in shown.stdout
    assert [line for line in shown.stdout.splitlines() if "→" in line] == [
        "    ~ Song 48 — Artist 48  48 → 3"
    ]
    two = run("-C", root, "history", PID, "--moves", "--move-threshold", "2")
    assert sum("→" in line for line in two.stdout.splitlines()) == 1  # passed by 1: not moves
    beyond = run("-C", root, "history", PID, "--moves", "--move-threshold", "46")
    assert beyond.stdout == plain.stdout
    assert run("-C", root, "history", PID, "--moves", "--move-threshold", "1").exit_code == 2
    document = json.loads(run("-C", root, "history", PID, "--moves", "--format", "json").stdout)
    validate(document, HISTORY)
    moved = document["versions"][0]["moved"]
    assert [(m["name"], m["from"], m["to"]) for m in moved] == [("Song 48", 48, 3)]
    markdown = run("-C", root, "history", PID, "--moves", "--format", "markdown").stdout
    assert "- Moved: [Song 48](https://open.spotify.com/track/" in markdown
    assert markdown.count("48 → 3") == 1


def test_history_likes_lists_likes_only_versions(archive: Path) -> None:
    result = run("-C", str(archive), "history", PID, "--format", "json", "--likes", "--reverse")
    versions = json.loads(result.stdout)["versions"]
    assert [v["date"][:10] for v in versions] == [
        "2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05"
    ]  # fmt: skip
    assert [v["likes"] for v in versions] == [None, 10, 12, 12, 1]


def test_history_filters_and_text_output(archive: Path) -> None:
    # newest first, as git log lists commits
    result = run("-C", str(archive), "history", "Renamed", "--since", "2026-01-02",
                 "--until", "2026-01-04")  # fmt: skip
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "\x1b[" not in text  # not a terminal: no colours
    assert text.index("2026-01-04") < text.index("2026-01-02")
    assert "2026-01-01" not in text and "2026-01-05" not in text
    assert "- Song 2 — Artist 2 — Album" in text
    assert "~ Song 1 — Artist 1 — Album → Song 1 (Live) — Artist 1 — Album" in text
    limited = run("-C", str(archive), "history", PID, "--limit", "1", "--format", "json")
    assert [v["date"][:10] for v in json.loads(limited.stdout)["versions"]] == ["2026-01-05"]
    markdown = run("-C", str(archive), "history", PID, "--format", "markdown", "--likes").stdout
    assert markdown.startswith("# History of Renamed\n")
    assert "- Removed: [Song 2](https://open.spotify.com/track/" in markdown
    assert "- Likes: 12 likes" in markdown


def test_cumulative_equals_the_committed_view(archive: Path) -> None:
    result = run("-C", str(archive), "cumulative", PID)
    assert result.exit_code == 0, result.output
    repo = pygit2.Repository(str(archive))
    committed = blob_text(repo, f"HEAD:{formats.cumulative_path(PID)}")
    assert result.stdout == committed


def test_cumulative_uses_github_setting_and_origin(tmp_path: Path) -> None:
    repo = SyncLike(tmp_path / "a", github="someone/archive")
    repo.commit(model_playlist(model_track(1)), "2026-01-01T06:00:00")
    repo.commit(model_playlist(model_track(2)), "2026-01-02T06:00:00")
    repo.builder.repo.remotes.create("origin", "https://github.com/someone/archive.git")
    result = run("-C", str(tmp_path / "a"), "cumulative", PID)
    head = blob_text(repo.builder.repo, f"HEAD:{formats.cumulative_path(PID)}")
    assert "githistory.xyz/someone/archive/" in result.stdout
    assert result.stdout == head


def test_cumulative_json_and_csv(archive: Path) -> None:
    document = json.loads(run("-C", str(archive), "cumulative", PID, "--format", "json").stdout)
    assert document["id"] == PID and document["first_scraped"] == "2026-01-01"
    rows = {t["name"]: t for t in document["tracks"]}
    assert rows["Song 1 (Live)"]["added"] == "2026-01-01"
    assert rows["Song 1 (Live)"]["added_before_archive"] is True
    assert rows["Song 3"]["added"] == "2026-01-02" and rows["Song 3"]["removed"] is None
    assert len(rows) == 3
    csv_text = run("-C", str(archive), "cumulative", PID, "--format", "csv").stdout
    assert csv_text.splitlines()[0] == (
        "id,name,artists,album,url,duration_ms,added,added_before_archive,removed"
    )
    assert len(csv_text.splitlines()) == 4


def test_bare_repository_and_deleted_playlist(tmp_path: Path) -> None:
    repo = SyncLike(tmp_path / "b.git", bare=True)
    repo.commit(model_playlist(model_track(1), model_track(2)), "2026-01-01T06:00:00")
    repo.builder.commit(deleted_files(PID), date="2026-01-02T06:00:00")
    result = run("-C", str(tmp_path / "b.git"), "history", PID, "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["versions"]) == 1


def test_unknown_playlist_is_a_one_line_error(archive: Path) -> None:
    result = run("-C", str(archive), "history", "Q" * 22)
    assert result.exit_code == 1
    assert "has no archived version" in result.stderr
    result = run("-C", str(archive), "cumulative", "No Such Name")
    assert result.exit_code == 1 and "no playlist named" in result.stderr
    result = run("-C", str(archive), "history", PID, "--since", "whenever")
    assert result.exit_code == 1 and "--since" in result.stderr


def test_cumulative_equals_what_the_real_sync_committed(demo_archive: DemoArchive) -> None:
    # The demo archive is built by the real sync (offline snapshots, 30+ commits).
    demo = demo_archive.path
    repo = pygit2.Repository(str(demo))
    folder = repo.revparse_single("HEAD:playlists/cumulative")
    assert isinstance(folder, pygit2.Tree) and len(folder) >= 1
    for entry in folder:
        assert entry.name is not None
        playlist_id = entry.name.removesuffix(".md")
        result = run("-C", str(demo), "cumulative", playlist_id)
        assert result.exit_code == 0, result.output
        assert result.stdout == blob_text(repo, str(entry.id)), playlist_id
