"""`gitarchive site OUT` writes only inside OUT: a link anywhere it would write or delete
(the marker, .nojekyll, index.html, p/, a page) is refused in one line naming it, and
nothing outside OUT changes; a folder where a page belongs is refused the same way."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from gitarchive.errors import UsageError
from gitarchive.site.output import write_file
from tests.support.builder import RepoBuilder, playlist_files
from tests.support.cli import run_cli, run_cli_captured
from tests.support.hostile import snapshot_outside
from tests.support.models import PID, model_playlist, model_track

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

PAGE = f"p/{PID}.html"


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    """An archive and the site gitarchive wrote from it; beside them, a victim's folder."""
    repo = tmp_path / "archive"
    builder = RepoBuilder(repo)
    builder.commit(playlist_files(model_playlist(model_track(1))), date="2026-01-01T06:00:00Z")
    out = tmp_path / "out"
    assert run_cli("-C", str(repo), "site", str(out)) == 0
    victim = tmp_path / "victim"
    (victim / "pages").mkdir(parents=True)
    (victim / "precious.txt").write_text("keep me\n")
    (victim / "pages" / "other.html").write_text("<p>mine</p>\n")
    return repo, out


def _link(target: str) -> Callable[[Path, Path], None]:
    def plant(out: Path, path: Path) -> None:
        path.unlink() if path.is_file() else None
        if path.is_dir():
            for child in path.iterdir():
                child.unlink()
            path.rmdir()
        path.symlink_to(out.parent / "victim" / target)

    return plant


def _folder(out: Path, path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "inside.txt").write_text("a folder someone made\n")


@pytest.mark.parametrize(
    ("name", "plant", "words"),
    [
        (".gitarchive-site", _link("precious.txt"), "symbolic link"),
        (".nojekyll", _link("precious.txt"), "symbolic link"),
        ("index.html", _link("precious.txt"), "symbolic link"),
        ("p", _link("pages"), "symbolic link"),
        ("t", _link("pages"), "symbolic link"),
        (PAGE, _link("precious.txt"), "symbolic link"),
        (PAGE, _folder, "a folder"),
    ],
    ids=[
        "marker-link",
        "nojekyll-link",
        "index-link",
        "pages-link",
        "tracks-link",
        "page-link",
        "page-folder",
    ],
)
def test_site_refuses_a_link_or_folder_where_it_writes_and_touches_nothing_outside(
    built: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    name: str,
    plant: Callable[[Path, Path], None],
    words: str,
) -> None:
    repo, out = built
    plant(out, out / name)
    outside = snapshot_outside(out.parent, out)
    inside = {path: path.lstat().st_mtime_ns for path in out.rglob("*")}
    code, _out, err = run_cli_captured(capsys, "-C", str(repo), "site", str(out))
    assert code == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gitarchive: error: "), err
    assert str(out / name) in lines[0] and words in lines[0]
    assert snapshot_outside(out.parent, out) == outside
    assert (out.parent / "victim" / "precious.txt").read_text() == "keep me\n"
    assert (out.parent / "victim" / "pages" / "other.html").read_text() == "<p>mine</p>\n"
    assert {path: path.lstat().st_mtime_ns for path in out.rglob("*")} == inside


def test_a_page_is_never_written_through_a_link_swapped_in_after_the_check(
    built: tuple[Path, Path],
) -> None:
    _repo, out = built
    for child in (out / "p").iterdir():
        child.unlink()
    (out / "p").rmdir()
    (out / "p").symlink_to(out.parent / "victim" / "pages")
    with pytest.raises(UsageError, match="symbolic link"):
        write_file(out, PAGE, "<p>written through</p>")
    assert sorted(path.name for path in (out.parent / "victim" / "pages").iterdir()) == [
        "other.html"
    ]
    (out / "p").unlink()
    (out / "p").mkdir()
    (out / PAGE).symlink_to(out.parent / "victim" / "precious.txt")
    with pytest.raises(UsageError, match="symbolic link"):
        write_file(out, PAGE, "<p>written through</p>")
    assert (out.parent / "victim" / "precious.txt").read_text() == "keep me\n"
    assert [path.name for path in (out / "p").iterdir()] == [f"{PID}.html"]  # no temporary left
