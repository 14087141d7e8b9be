"""A malformed file at one commit costs that one version, never the archive.

An archive whose pretty page was committed malformed once and repaired later
(``validate --all`` judges HEAD only) must still give its history, its index,
its site and its listing: the version falls back to the next-best source of
the same commit (the plain file here), or is skipped when there is none, and a
warning names the commit and the path. The walk and the change index agree.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING

import pytest

from gitarchive import formats
from gitarchive.git import Store
from gitarchive.index import db
from tests.support.builder import RepoBuilder, playlist_files
from tests.support.cli import run_cli_captured
from tests.support.models import PID, model_playlist, model_track

if TYPE_CHECKING:
    from pathlib import Path

OTHER = "Q" * 22
BAD_PAGE = "garbage, not a playlist page\n"


def _archive(tmp_path: Path, *, fallback: bool) -> tuple[Path, str]:
    """PID's page is malformed at the second of three versions; OTHER is healthy.

    ``fallback``: that commit also changes the plain file, which can stand in.
    """
    kinds = ("pretty", "plain") if fallback else ("pretty",)
    builder = RepoBuilder(tmp_path / "a", bare=True)
    other = dataclasses.replace(model_playlist(model_track(9), name="Other"), id=OTHER)
    registry = {formats.registry_path(PID): "", formats.registry_path(OTHER): ""}
    first = model_playlist(model_track(1), name="Mix")
    builder.commit(
        {**registry, **playlist_files(first, kinds), **playlist_files(other, kinds)},
        date="2026-01-01T06:00:00",
    )
    second = model_playlist(model_track(1), model_track(2), name="Mix")
    files = playlist_files(second, kinds)
    files[formats.pretty_path(PID)] = BAD_PAGE
    bad = builder.commit(files, date="2026-01-02T06:00:00")
    third = model_playlist(model_track(2), model_track(3), name="Mix")
    builder.commit(playlist_files(third, kinds), date="2026-01-03T06:00:00")  # repaired
    return tmp_path / "a", bad


def _drop_index(repo: Path) -> None:
    db.remove_files(db.index_path(Store.discover(repo)))


def _history(capsys: pytest.CaptureFixture[str], repo: Path) -> tuple[int, str, str]:
    return run_cli_captured(
        capsys, "-C", str(repo), "history", PID, "--reverse", "--format", "json"
    )


def _warned(err: str, bad: str, *, fallback: bool) -> bool:
    said = " ".join(err.split())  # stderr wraps long lines
    where = f"{bad[:12]}:{formats.pretty_path(PID)}" in said
    what = f"read {formats.plain_path(PID)}" in said if fallback else "skipped" in said
    return where and what


@pytest.mark.parametrize("fallback", [True, False], ids=["plain-stands-in", "skipped"])
def test_history_survives_a_malformed_historical_page(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fallback: bool,
) -> None:
    repo, bad = _archive(tmp_path, fallback=fallback)
    with monkeypatch.context() as patched:
        patched.setenv(db.DISABLE_ENV, "1")
        code, walked, err = _history(capsys, repo)
    assert code == 0, err
    assert _warned(err, bad, fallback=fallback)
    dates = [v["date"][:10] for v in json.loads(walked)["versions"]]
    if fallback:  # the plain file of that commit stands in for the page
        assert dates == ["2026-01-01", "2026-01-02", "2026-01-03"]
    else:
        assert dates == ["2026-01-01", "2026-01-03"]
    code, cold, err = _history(capsys, repo)  # builds the index
    assert (code, cold) == (0, walked)
    assert _warned(err, bad, fallback=fallback)
    assert _history(capsys, repo)[:2] == (0, walked)  # warm


def test_index_rebuild_survives_a_malformed_historical_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, bad = _archive(tmp_path, fallback=False)
    code, _, err = run_cli_captured(capsys, "-C", str(repo), "index", "--rebuild")
    assert code == 0, err
    assert _warned(err, bad, fallback=False)
    code, out, err = _history(capsys, repo)
    assert code == 0, err
    assert len(json.loads(out)["versions"]) == 2


@pytest.mark.parametrize("index", [False, True], ids=["walk", "index"])
def test_site_writes_every_playlist_despite_a_malformed_historical_page(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    index: bool,
) -> None:
    repo, bad = _archive(tmp_path, fallback=True)
    if not index:
        monkeypatch.setenv(db.DISABLE_ENV, "1")
    out = tmp_path / "site"
    code, _, err = run_cli_captured(capsys, "-C", str(repo), "site", str(out), "-j", "1")
    assert code == 0, err
    assert _warned(err, bad, fallback=True)
    assert (out / "p" / f"{PID}.html").is_file()
    assert (out / "p" / f"{OTHER}.html").is_file()


def test_list_works_with_an_index_after_a_malformed_page_was_repaired(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _ = _archive(tmp_path, fallback=False)
    _drop_index(repo)
    code, _, err = run_cli_captured(capsys, "-C", str(repo), "index", "--rebuild")
    assert code == 0, err
    assert db.index_path(Store.discover(repo)).exists()
    code, out, err = run_cli_captured(capsys, "-C", str(repo), "list")
    assert code == 0, err
    assert PID in out and OTHER in out
