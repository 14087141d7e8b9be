"""What `import` refuses before its first write (a shallow target or source, a merge in
progress, a folder or FIFO where it writes a file), what it reports (an unreadable
name-keyed page, undecodable path bytes), and the source's log order it keeps."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import pygit2
import pytest

from gitarchive import formats
from tests.support.api import fake_id
from tests.support.builder import RepoBuilder
from tests.support.cli import run_cli_captured
from tests.support.gitcli import git

if TYPE_CHECKING:
    from pathlib import Path

A = fake_id("import-refusals", "a")
B = fake_id("import-refusals", "b")
TRACK = "4uLU6hMCjMI75M1A2tKUQC"


def plain(name: str, *lines: str) -> str:
    return f"{name}\nd\n\n" + "".join(line + "\n" for line in lines)


def source_of(path: Path, *versions: tuple[str, str]) -> Path:
    """A source archive: one commit of A's plain file per (date, track line), in order."""
    builder = RepoBuilder(path)
    for date, line in versions:
        builder.commit({formats.plain_path(A): plain("Alpha", line)}, date=date)
    return path


def cli(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    return run_cli_captured(capsys, "-C", str(root), *args)


def one_line(code: int, out: str, err: str) -> str:
    assert code == 1, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gitarchive: error: "), err
    return lines[0]


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """B archived here on 2026-11-01, 02 and 03 (three commits)."""
    root = tmp_path / "archive"
    builder = RepoBuilder(root)
    for day in (1, 2, 3):
        lines = [f"S{n} -- X -- Y" for n in range(day)]
        builder.commit({formats.plain_path(B): plain("Beta", *lines)}, date=f"2026-11-0{day}")
    git(root, "checkout", "-q", "-f", "main")
    return root


def test_an_import_into_a_shallow_clone_is_refused_before_any_write(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{archive}", str(clone))
    source = source_of(tmp_path / "src", ("2020-01-01T06:00:00Z", "S -- X -- Y"))
    backup = tmp_path / "backup.csv"
    backup.write_text(f"Track URI,Track Name\nspotify:track:{TRACK},Song\n")
    before = head(clone)
    for command in (
        ["import", str(source), "--all", "--rewrite-pushed"],
        ["import", str(backup), "-p", A, "--date", "2020-01-01", "--rewrite-pushed"],
    ):
        line = one_line(*cli(capsys, clone, *command))
        assert "shallow" in line and before[:12] in line and "git fetch --unshallow" in line
        assert head(clone) == before
        assert git(clone, "status", "--porcelain") == ""


def test_a_shallow_source_is_refused_naming_it(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = source_of(
        tmp_path / "src", *[(f"2020-01-0{day}T06:00:00Z", f"S{day} -- X -- Y") for day in (1, 2)]
    )
    shallow = tmp_path / "shallow-src"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{source}", str(shallow))
    before = head(archive)
    line = one_line(*cli(capsys, archive, "import", str(shallow), "--all"))
    assert str(shallow) in line and "shallow" in line and "git fetch --unshallow" in line
    assert head(archive) == before


def test_a_merge_in_progress_stops_the_import_before_the_branch_moves(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = source_of(tmp_path / "src", ("2020-01-01T06:00:00Z", "S -- X -- Y"))
    before = head(archive)
    (archive / ".git/MERGE_HEAD").write_text(before + "\n")
    line = one_line(*cli(capsys, archive, "import", str(source), "--all"))
    assert "merge is in progress" in line
    assert head(archive) == before and git(archive, "status", "--porcelain") == ""


def test_a_rerun_writes_the_cumulative_page_an_earlier_import_did_not(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = source_of(tmp_path / "src", ("2020-01-01T06:00:00Z", "S -- X -- Y"))
    assert cli(capsys, archive, "import", str(source), "--all")[0] == 0
    page = archive / formats.cumulative_path(A)
    written = page.read_bytes()
    git(archive, "reset", "-q", "--hard", "HEAD~1")  # as if the last step had been cut off
    assert not page.exists()
    code, _out, err = cli(capsys, archive, "import", str(source), "--all")
    assert code == 0, err
    assert page.read_bytes() == written
    assert git(archive, "status", "--porcelain") == ""
    again = head(archive)
    assert cli(capsys, archive, "import", str(source), "--all")[0] == 0
    assert head(archive) == again  # a page that is there is not written again


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_non_file_where_the_import_writes_a_file_is_one_line(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    source = source_of(tmp_path / "src", ("2020-01-01T06:00:00Z", "S -- X -- Y"))
    where = archive / formats.plain_path(A)
    where.parent.mkdir(parents=True, exist_ok=True)
    if kind == "folder":
        where.mkdir()
        (where / "keep").write_text("mine\n")
    else:
        os.mkfifo(where)
    before = head(archive)
    line = one_line(*cli(capsys, archive, "import", str(source), "--all"))
    assert formats.plain_path(A) in line and "move it away" in line
    assert head(archive) == before


def name_keyed_source(path: Path, length: str) -> Path:
    """A 2021 source: plain/<id> and the page pretty/Caf.md whose length cell is ``length``."""
    link = "https://open.spotify.com"
    page = (
        f"### [Caf]({link}/playlist/{A})\n\n> d\n\n"
        "| No. | Title | Artist(s) | Album | Length |\n"
        "|-----|-------|-----------|-------|--------|\n"
        f"| 1 | [T]({link}/track/{TRACK}) | [A]({link}/artist/{TRACK}) "
        f"| [B]({link}/album/{TRACK}) | {length} |\n"
    )
    files = {formats.plain_path(A): plain("Caf", "T -- A -- B"), "playlists/pretty/Caf.md": page}
    RepoBuilder(path).commit(files, date="2020-01-01T06:00:00Z")
    return path


def test_an_unreadable_name_keyed_page_is_reported_and_refused_by_strict(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = name_keyed_source(tmp_path / "src", "x:yy")
    commit = git(source, "rev-parse", "HEAD").strip()
    before = head(archive)
    line = one_line(*cli(capsys, archive, "import", str(source), "--all", "--strict"))
    assert f"{commit[:12]}:playlists/pretty/Caf.md:7" in line and "x:yy" in line
    assert head(archive) == before
    code, out, err = cli(capsys, archive, "import", str(source), "--all")
    assert code == 0, err
    assert (
        f"  {commit[:12]}:playlists/pretty/Caf.md:7: cannot read length 'x:yy' "
        f"(read {formats.plain_path(A)} instead)"
    ) in out


def test_source_versions_keep_the_log_order_when_a_date_goes_back(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = source_of(
        tmp_path / "src",
        ("2020-01-01T06:00:00Z", "S1 -- X -- Y"),
        ("2020-01-05T06:00:00Z", "S2 -- X -- Y"),
        ("2020-01-03T06:00:00Z", "S3 -- X -- Y"),  # a cherry-pick keeps its old author date
    )
    picked = git(source, "rev-parse", "HEAD").strip()
    code, _out, err = cli(capsys, archive, "import", str(source), "--all")
    assert code == 0, err
    assert picked[:12] in err and "2020-01-05T06:00:00Z" in err
    dates = git(archive, "log", "--format=%ad", "--date=short", "--", formats.plain_path(A))
    assert dates.split() == ["2020-01-05", "2020-01-05", "2020-01-01"]
    code, out, err = cli(capsys, archive, "show", A, "--format", "json")
    assert code == 0, err
    assert [track["name"] for track in json.loads(out)["tracks"]] == ["S3"]


def undecodable_name_source(path: Path) -> Path:
    """A bare source whose name-keyed page is named by the bytes ``Caf\\xe9.md`` (a git
    tree entry may hold any bytes): unreadable on 2020-01-01, fixed on 2020-01-02."""
    repo = pygit2.init_repository(str(path), bare=True, initial_head="main")

    def tree(name: bytes, entry: pygit2.Oid) -> pygit2.Oid:
        mode = b"100644" if name.endswith(b".md") else b"40000"
        raw = mode + b" " + name + b"\0" + entry.raw
        return repo.odb.write(pygit2.enums.ObjectType.TREE, raw)

    parents: list[pygit2.Oid] = []
    for when, length in ((1577858400, "x:yy"), (1577944800, "3:00")):
        page = (
            f"### [Caf](https://open.spotify.com/playlist/{A})\n\n> d\n\n"
            "| No. | Title | Artist(s) | Album | Length |\n"
            f"|-----|-------|-----------|-------|--------|\n| 1 | T | A | B | {length} |\n"
        )
        pretty = tree(b"Caf\xe9.md", repo.create_blob(page.encode()))
        root = tree(b"playlists", tree(b"pretty", pretty))
        signature = pygit2.Signature("t", "t@t.invalid", when, 0)
        commit = repo.create_commit("refs/heads/main", signature, signature, "c\n", root, parents)
        parents = [commit]
    return path


def test_the_report_of_an_undecodable_path_is_valid_utf8(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = undecodable_name_source(tmp_path / "src.git")
    code, out, err = cli(capsys, archive, "import", str(source), "--all", "--format", "json")
    assert code == 0, err
    out.encode("utf-8")  # no lone surrogate: the bytes written are UTF-8
    (skip,) = json.loads(out)["summary"]["skipped"]
    assert skip["path"] == "playlists/pretty/Caf\\xe9.md" and skip["line"] == 7
    code, out, err = cli(capsys, archive, "import", str(source), "--all")
    assert code == 0, err
    assert "playlists/pretty/Caf\ufffd.md:7: cannot read length 'x:yy'" in out
