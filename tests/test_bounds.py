"""Numbers and links outside the grammar, committed by hand: validate names them, and every
reader treats them as unknown or no link (no crash, no ``javascript:`` on a page)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from gitarchive import formats
from tests.support.api import fake_id, playlist_with_tracks
from tests.support.builder import init_archive
from tests.support.cli import run_cli, run_cli_captured
from tests.support.gitcli import git
from tests.support.hostile import hostile_snapshot
from tests.support.hostile_answers import JAVASCRIPT

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.fakespotify import FakeSpotify

P = fake_id("bounds", "p")


@pytest.fixture
def archive(tmp_path: Path, fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch) -> Path:
    """P synced twice; then a hand-edited commit of its JSON snapshot and pretty page."""
    fake_spotify.setenv(monkeypatch)
    root = tmp_path / "archive"
    init_archive(root, P)
    fake_spotify.add_playlist(playlist_with_tracks(P, [0, 1, 2], name="Bounds"))
    assert run_cli("-C", str(root), "sync", "--date", "2026-11-20T06:00:00Z") == 0
    fake_spotify.add_playlist(playlist_with_tracks(P, [0, 1, 3], name="Bounds", followers=7))
    assert run_cli("-C", str(root), "sync", "--date", "2026-11-21T06:00:00Z") == 0
    snapshot = root / formats.json_path(P)
    document = hostile_snapshot(json.loads(snapshot.read_text()), javascript=JAVASCRIPT)
    snapshot.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    page = root / formats.pretty_path(P)
    text = page.read_text().replace(" - 7 likes - ", f" - {10**30:,} likes - ")
    page.write_text(text.replace("(https://open.spotify.com/track/", "(javascript:x//", 1))
    git(root, "commit", "-qam", "hand edit")
    return root


def test_validate_names_each_number_and_link_out_of_bounds(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli_captured(capsys, "-C", str(archive), "validate", "HEAD")
    assert code == 1
    for where in ("num_followers", "tracks[0].url", "tracks[1].album.url", "duration_ms"):
        assert where in out, where
    assert "GA027" in out and "like count" in out and "link" in out


@pytest.mark.parametrize(
    "args",
    [
        ["history", P],
        ["history", P, "--format", "json"],
        ["cumulative", P],
        ["show", P, "--format", "json"],
        ["list"],
        ["site", "{tmp}/site"],
        ["export", "sqlite", "{tmp}/out.sqlite"],
        ["index"],
    ],
)
def test_every_reader_takes_them_as_unknown(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    argv = [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    code, out, err = run_cli_captured(capsys, "-C", str(archive), *argv)
    assert code == 0, err
    assert "javascript:" not in out and "evil.invalid" not in out
    if args[0] == "show":
        shown = json.loads(out)
        assert shown["num_followers"] is None
        assert shown["tracks"][0]["url"] == "" and shown["tracks"][1]["album"]["url"] == ""
        assert shown["tracks"][2]["duration_ms"] is None
    if args[0] == "site":
        pages = "".join(p.read_text() for p in (tmp_path / "site").rglob("*.html"))
        pages += "".join(p.read_text() for p in (tmp_path / "site").rglob("*.js*"))
        assert "javascript:" not in pages and "evil.invalid" not in pages
