"""`gitarchive show`: the playlist as it was at a date or revision."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from typer.testing import CliRunner

from gitarchive import cli, formats
from tests.support.builder import RepoBuilder, deleted_files
from tests.support.models import PID, model_playlist, model_track

if TYPE_CHECKING:
    from pathlib import Path

runner = CliRunner()


def build(path: Path) -> tuple[str, str, str]:
    builder = RepoBuilder(path)
    c1 = builder.commit_playlists(
        [model_playlist(model_track(1), name="First")], date="2026-01-01T06:00:00"
    )
    c2 = builder.commit_playlists(
        [model_playlist(model_track(2), name="Second")], date="2026-01-03T06:00:00"
    )
    c3 = builder.commit(deleted_files(PID), date="2026-01-05T06:00:00")
    return c1, c2, c3


def show(path: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli.app, ["-C", str(path), "show", PID, *args])
    return result.exit_code, result.stdout, result.stderr


def test_show_at_dates_and_revisions(tmp_path: Path) -> None:
    c1, c2, _ = build(tmp_path / "a")
    code, text, _ = show(tmp_path / "a", "--at", "2026-01-02", "--format", "json")
    assert code == 0
    assert json.loads(text)["unique_name"] == "First"
    assert text == formats.render_json(model_playlist(model_track(1), name="First"))
    assert show(tmp_path / "a", "--at", "2026-01-03", "--format", "plain")[1].startswith("Second\n")
    assert show(tmp_path / "a", "--at", "2026-01-03T05:59", "--format", "plain")[1].startswith(
        "First\n"
    )
    assert show(tmp_path / "a", "--at", c2[:10], "--format", "plain")[1].startswith("Second\n")
    assert show(tmp_path / "a", "--at", "HEAD~2", "--format", "plain")[1].startswith("First\n")
    markdown = show(tmp_path / "a", "--at", c1)[1]
    assert markdown == formats.render_pretty(
        model_playlist(model_track(1), name="First"), github=None
    )


def test_show_errors_name_what_is_missing(tmp_path: Path) -> None:
    _, _, c3 = build(tmp_path / "a")
    code, _, err = show(tmp_path / "a")  # deleted at HEAD
    assert code == 1 and c3[:12] in err and "not in the archive" in err
    code, _, err = show(tmp_path / "a", "--at", "2025-12-31")
    assert code == 1 and "no commit at or before 2025-12-31" in err
    code, _, err = show(tmp_path / "a", "--at", "no-such-branch")
    assert code == 1 and "no-such-branch" in err
