"""`gitarchive import SOURCE --all`: every playlist of a source in one pass, sources joined."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest

from gitarchive import formats
from gitarchive.importing import run as importing_run
from gitarchive.spotify import parse_playlist
from tests.support.api import fake_id, playlist_with_tracks
from tests.support.builder import RepoBuilder, playlist_files
from tests.support.cli import run_cli, run_cli_captured
from tests.support.foreign_archive import Shape, generate
from tests.support.gitcli import git, git_process

if TYPE_CHECKING:
    from pathlib import Path

    from gitarchive.model import Playlist

P = fake_id("import-all", "p")  # id-keyed files
Q = fake_id("import-all", "q")  # id-keyed in the first source, a name-keyed page in the second
S = fake_id("import-all", "s")  # a 2021 name-keyed page only
START = datetime(2025, 1, 1, 12, tzinfo=UTC)


def model(playlist_id: str, lineup: list[int], name: str) -> Playlist:
    data = playlist_with_tracks(playlist_id, lineup, name=name)
    meta = {k: v for k, v in data.items() if k != "items"}
    return parse_playlist(meta, data["items"]["items"])


def lineup(playlist_id: str, day: int) -> list[int]:
    """What a playlist holds on a day: a window that moves every few days, each its own pace."""
    pace = {P: 2, Q: 3, S: 4}[playlist_id]
    first = day // pace
    return [first, first + 1, first + 2]


def build_source(
    path: Path, days: range, *, hour: int = 12, q_layout: str = "id", broken: int | None = None
) -> list[str]:
    """A spotify-playlist-archive clone with a commit a day: P id-keyed, S on a name-keyed
    page, Q as ``q_layout`` says. ``broken``: the day P's page is committed unreadable.
    The ids of its commits, oldest first."""
    builder = RepoBuilder(path)
    commits = []
    for day in days:
        files: dict[str, str | bytes | None] = {}
        files.update(playlist_files(model(P, lineup(P, day), "Pop"), ["pretty", "plain"]))
        if day == broken:
            page = files[formats.pretty_path(P)]
            assert isinstance(page, str)
            files[formats.pretty_path(P)] = re.sub(r"\| (\d+):(\d\d) \|", "| x:yy |", page, count=1)
        q = model(Q, lineup(Q, day), "Quiet")
        if q_layout == "id":
            files.update(playlist_files(q, ["pretty", "plain"]))
        else:
            files["playlists/pretty/Quiet moved.md"] = formats.render_pretty(q, github=None)
        s = model(S, lineup(S, day), "Slow")
        files["playlists/pretty/Slow.md"] = formats.render_pretty(s, github=None)
        when = START + timedelta(days=day, hours=hour - 12)
        commits.append(builder.commit(files, date=when, message=f"day {day}"))
    return commits


def new_archive(path: Path) -> Path:
    assert run_cli("init", str(path)) == 0
    return path


def cli_json(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> Any:
    code, out, err = run_cli_captured(capsys, "-C", str(root), *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def timeline(capsys: pytest.CaptureFixture[str], root: Path, playlist_id: str) -> list[Any]:
    """(date, added names, removed names) of each version, oldest first."""
    document = cli_json(capsys, root, "history", playlist_id, "--reverse")
    return [
        (
            version["date"],
            sorted(t["name"] for t in version["added"]),
            sorted(t["name"] for t in version["removed"]),
        )
        for version in document["versions"]
    ]


def names(playlist_id: str, day: int) -> list[str]:
    return sorted(t.name for t in model(playlist_id, lineup(playlist_id, day), "x").tracks)


def expected_dates(playlist_id: str, days: range, hour: int = 12) -> list[str]:
    """The days a playlist changed (its first day and each day its lineup moved)."""
    found = []
    for day in days:
        if day == days[0] or lineup(playlist_id, day) != lineup(playlist_id, day - 1):
            when = START + timedelta(days=day, hours=hour - 12)
            found.append(when.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return found


def assert_valid_and_pushable(capsys: pytest.CaptureFixture[str], root: Path, tmp: Path) -> None:
    """Every commit validates (with its index), and the installed hook lets the push through."""
    for commit_id in git(root, "rev-list", "--reverse", "HEAD").split():
        code, out, err = run_cli_captured(capsys, "-C", str(root), "validate", "--all", commit_id)
        assert code == 0, f"{commit_id}: {out}{err}"
    remote = tmp / f"{root.name}-remote.git"
    git(tmp, "init", "-q", "--bare", str(remote))
    git(root, "remote", "add", "origin", str(remote))
    assert run_cli("-C", str(root), "hooks", "install") == 0
    pushed = git_process(root, "push", "origin", "main")
    assert pushed.returncode == 0, pushed.stderr
    assert git(remote, "rev-parse", "main") == git(root, "rev-parse", "HEAD")


def test_import_all_brings_every_playlist_in_one_commit_per_source_commit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    days = range(0, 12)
    build_source(tmp_path / "spa", days)
    root = new_archive(tmp_path / "archive")
    capsys.readouterr()
    report = cli_json(capsys, root, "import", str(tmp_path / "spa"), "--all")
    assert {p["id"] for p in report["playlists"]} == {P, Q, S}
    summary = report["summary"]
    changed_days = {date for p in (P, Q, S) for date in expected_dates(p, days)}
    assert summary["skipped"] == [] and summary["commits"] == len(changed_days)
    assert summary["replayed"] == 1  # the set-up commit, once for every playlist
    assert summary["versions"] == sum(len(expected_dates(p, days)) for p in (P, Q, S))
    # the source's own history is the target's (the id-keyed playlists, read in both)
    for playlist_id in (P, Q):
        assert timeline(capsys, root, playlist_id) == timeline(
            capsys, tmp_path / "spa", playlist_id
        )
    slow = timeline(capsys, root, S)  # read from its name-keyed pages
    assert [date for date, _, _ in slow] == expected_dates(S, days)
    assert slow[-1][1] == [n for n in names(S, 11) if n not in names(S, 7)]
    # one rewrite of the branch, not one per playlist
    reflog = git(root, "reflog", "--format=%gs").splitlines()
    assert sum(line.startswith("gitarchive: import") for line in reflog) == 1
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    assert_valid_and_pushable(capsys, root, tmp_path)


def test_a_selection_goes_through_the_same_single_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_source(tmp_path / "spa", range(0, 6))
    root = new_archive(tmp_path / "archive")
    capsys.readouterr()
    report = cli_json(capsys, root, "import", str(tmp_path / "spa"), "-p", P, "-p", S)
    assert [p["id"] for p in report["playlists"]] == sorted([P, S])
    assert report["summary"]["commits"] == len(
        set(expected_dates(P, range(0, 6)) + expected_dates(S, range(0, 6)))
    )
    reflog = git(root, "reflog", "--format=%gs").splitlines()
    assert sum(line.startswith("gitarchive: import") for line in reflog) == 1
    code, _, _ = run_cli_captured(capsys, "-C", str(root), "history", Q)
    assert code == 1  # not chosen, not imported


def test_an_unreadable_page_costs_one_version_and_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commits = build_source(tmp_path / "spa", range(0, 8), broken=4)
    root = new_archive(tmp_path / "archive")
    capsys.readouterr()
    report = cli_json(capsys, root, "import", str(tmp_path / "spa"), "--all")
    schema = json.loads((files("gitarchive") / "schemas" / "import.json").read_text())
    jsonschema.validate(report, schema)
    [skip] = report["summary"]["skipped"]
    assert skip["commit"] == commits[4] and skip["path"] == formats.pretty_path(P)
    assert skip["playlist"] == P and skip["line"] is not None and skip["reason"]
    assert skip["read_instead"] == formats.plain_path(P)  # the plain file of that commit
    dates = [date for date, _, _ in timeline(capsys, root, P)]
    assert dates == expected_dates(P, range(0, 8))  # no version lost
    code, out, _ = run_cli_captured(capsys, "-C", str(root), "validate", "--all")
    assert code == 0, out


def test_strict_refuses_an_unreadable_source_before_writing_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commits = build_source(tmp_path / "spa", range(0, 8), broken=4)
    root = new_archive(tmp_path / "archive")
    head = git(root, "rev-parse", "HEAD")
    capsys.readouterr()
    code, _, err = run_cli_captured(
        capsys, "-C", str(root), "import", str(tmp_path / "spa"), "--all", "--strict"
    )
    assert code == 1 and "--strict" in err
    assert commits[4][:12] in err and formats.pretty_path(P) in err
    assert git(root, "rev-parse", "HEAD") == head
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""


def test_text_summary_names_what_was_imported_and_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commits = build_source(tmp_path / "spa", range(0, 5), broken=2)
    root = new_archive(tmp_path / "archive")
    capsys.readouterr()
    code, out, err = run_cli_captured(
        capsys, "-C", str(root), "import", str(tmp_path / "spa"), "--all"
    )
    assert code == 0, err
    assert "of the source's 3 playlists in 4 commits; 1 later commits replayed" in out
    assert "skipped 1 source files" in out
    assert f"{commits[2][:12]}:{formats.pretty_path(P)}:" in out


@pytest.mark.parametrize("walks_up_to", [8, 0])  # cumulative views: a walk each, one pass
def test_a_second_source_continuing_the_first_joins_into_one_timeline(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    walks_up_to: int,
) -> None:
    """The second repository starts a week before the first ends, an hour later each day."""
    monkeypatch.setattr(importing_run, "_WALKS_UP_TO", walks_up_to)
    build_source(tmp_path / "old", range(0, 14))
    build_source(tmp_path / "new", range(7, 24), hour=13, q_layout="page")
    root = new_archive(tmp_path / "archive")
    capsys.readouterr()
    cli_json(capsys, root, "import", str(tmp_path / "old"), "--all")
    report = cli_json(capsys, root, "import", str(tmp_path / "new"), "--all")
    assert report["summary"]["versions"] > 0
    for playlist_id in (P, Q, S):
        found = timeline(capsys, root, playlist_id)
        dates = [date for date, _, _ in found]
        expected = [  # the first source's days, then the second's after its overlap
            date.replace("T12:", "T13:") if date > "2025-01-15" else date
            for date in expected_dates(playlist_id, range(0, 24))
        ]
        assert dates == expected, playlist_id  # once each, in order, none twice
        assert all(added or removed for _, added, removed in found[1:])
    shown = cli_json(capsys, root, "show", Q)  # moved to a name-keyed page: one playlist
    assert sorted(t["name"] for t in shown["tracks"]) == names(Q, 23)
    for playlist_id in (P, Q, S):  # the cumulative page covers both sources
        page = git(root, "show", f"HEAD:{formats.cumulative_path(playlist_id)}")
        assert names(playlist_id, 0)[0] in page and names(playlist_id, 23)[0] in page
    listed = git(root, "show", f"HEAD:{formats.INDEX_PATH}")
    assert listed.count(Q) == 1
    again = cli_json(capsys, root, "import", str(tmp_path / "new"), "--all")
    assert again["summary"]["versions"] == 0  # nothing left to join
    assert_valid_and_pushable(capsys, root, tmp_path)


def test_an_import_into_an_archive_that_started_later_keeps_every_commit_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Commits of an archive set up later (no index yet, then syncs of its own playlists)
    get an index listing the imported playlists wherever they carry their pages."""
    build_source(tmp_path / "spa", range(0, 6))
    root = new_archive(tmp_path / "archive")
    own = fake_id("import-all", "own")
    commit_own_playlist(root, own)
    capsys.readouterr()
    cli_json(capsys, root, "import", str(tmp_path / "spa"), "--all")
    assert_valid_and_pushable(capsys, root, tmp_path)


def commit_own_playlist(root: Path, playlist_id: str) -> None:
    """A sync-like commit of a playlist of the archive's own, with its index."""
    playlist = model(playlist_id, [7, 8], "Own")
    files = playlist_files(playlist)
    files[formats.INDEX_PATH] = formats.render_index([(playlist_id, "Own")])
    files[formats.registry_path(playlist_id)] = ""
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content or "")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "sync")


def test_all_and_a_selection_together_or_neither_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_source(tmp_path / "spa", range(0, 2))
    root = new_archive(tmp_path / "archive")
    for args in (["--all", "-p", P], []):
        code, _, err = run_cli_captured(
            capsys, "-C", str(root), "import", str(tmp_path / "spa"), *args
        )
        assert code == 1 and "--playlist" in err and "--all" in err


def test_a_source_without_playlists_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    RepoBuilder(tmp_path / "empty").commit({"README.md": "nothing\n"}, date=START)
    root = new_archive(tmp_path / "archive")
    head = git(root, "rev-parse", "HEAD")
    code, _, err = run_cli_captured(
        capsys, "-C", str(root), "import", str(tmp_path / "empty"), "--all"
    )
    assert code == 1 and "holds no playlist" in err and len(err.strip().splitlines()) == 1
    assert git(root, "rev-parse", "HEAD") == head


@pytest.mark.parametrize("layout", ["2019", "2021", "mixed", "today", "own"])
def test_a_generated_archive_imports_with_the_sources_own_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], layout: str
) -> None:
    """Each playlist's timeline here is the one history reads in the source itself."""
    shape = Shape(playlists=4, commits=40, min_tracks=5, max_tracks=12, layout=layout, seed=3)
    truth = generate(tmp_path / "source", shape)
    root = new_archive(tmp_path / "archive")
    capsys.readouterr()
    report = cli_json(capsys, root, "import", str(tmp_path / "source"), "--all")
    assert report["summary"]["skipped"] == []
    assert {p["id"] for p in report["playlists"]} == set(truth.versions)
    for playlist_id in truth.versions:
        assert timeline(capsys, root, playlist_id) == timeline(
            capsys, tmp_path / "source", playlist_id
        )
    code, out, err = run_cli_captured(capsys, "-C", str(root), "validate", "--all")
    assert code == 0, out + err
