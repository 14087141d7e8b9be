"""An export of several playlists into a folder checks every file's target before it
writes any: something in the way of one file leaves every other file as it was, and the
one line names the path in the way, with advice for a folder of files."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from tests.support.builder import RepoBuilder
from tests.support.cli import run_cli_captured
from tests.support.models import PID, model_playlist, model_track

if TYPE_CHECKING:
    from pathlib import Path

OTHER = "Q" * 22  # exported after PID: the files are written in id order


@pytest.mark.parametrize("kind", ["csv", "m3u8", "xspf", "json"])
def test_a_folder_in_the_way_of_one_file_is_named_and_no_file_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    repo, out = tmp_path / "archive", tmp_path / "out"
    first = model_playlist(model_track(1))
    second = replace(model_playlist(model_track(2)), id=OTHER, original_name="Other")
    RepoBuilder(repo).commit_playlists([first, second], date="2026-11-01T06:00:00Z")
    out.mkdir()
    earlier = out / f"{PID}.{kind}"
    earlier.write_bytes(b"an earlier export\n")
    in_the_way = out / f"{OTHER}.{kind}"
    in_the_way.mkdir()

    code, printed, err = run_cli_captured(capsys, "-C", str(repo), "export", kind, str(out))

    assert code == 1 and printed == ""
    assert err.startswith("gitarchive: error: ") and err.count("\n") == 1, err
    assert f"{in_the_way} is a folder" in err
    assert "one playlist" not in err  # the advice for an OUT that should be a file name
    assert earlier.read_bytes() == b"an earlier export\n"
    assert in_the_way.is_dir() and list(in_the_way.iterdir()) == []
    assert sorted(path.name for path in out.iterdir()) == [earlier.name, in_the_way.name]
