"""A repository found and read from .git's files answers as libgit2 does, and leaves the rest
to it."""

from __future__ import annotations

import gc
import subprocess
import sys
from typing import TYPE_CHECKING

import pygit2
import pytest

from gitarchive import git
from gitarchive.errors import ArchiveError
from gitarchive.git import Store
from tests.support.builder import RepoBuilder, playlist_files
from tests.support.cli import invoke_in, run_cli
from tests.support.gitcli import git as git_cli
from tests.support.models import model_playlist, model_track

if TYPE_CHECKING:
    from pathlib import Path


def two_commits(path: Path) -> RepoBuilder:
    builder = RepoBuilder(path)
    builder.commit({"a.txt": "1\n"}, date="2026-01-01T06:00:00")
    builder.commit({"a.txt": "2\n"}, date="2026-01-02T06:00:00")
    return builder


def opened(path: Path) -> Store:
    """The same repository, opened by libgit2 (the oracle)."""
    return Store(pygit2.Repository(str(path)))


def answers(store: Store) -> tuple[object, ...]:
    return (
        git.head_id(store),
        git.history_fingerprint(store),
        git.shallow_boundary(store),
        store.git_dir,
        store.workdir,
        store.is_bare,
    )


def test_a_work_tree_is_read_from_its_files_as_libgit2_reads_it(tmp_path: Path) -> None:
    two_commits(tmp_path / "repo")
    (tmp_path / "repo" / "sub" / "deeper").mkdir(parents=True)
    found = Store.discover(tmp_path / "repo" / "sub" / "deeper")
    assert answers(found) == answers(opened(tmp_path / "repo"))
    assert not found.is_open  # nothing needed pygit2


def test_packed_refs_replace_refs_and_a_detached_head_read_as_libgit2_reads_them(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    builder = two_commits(repo)
    first, second = (str(c.id) for c in builder.repo.walk(builder.repo.head.target))
    git_cli(repo, "replace", second, first)
    git_cli(repo, "update-ref", "refs/replace/nested/x", first)
    git_cli(repo, "pack-refs", "--all")
    git_cli(repo, "replace", first, second)  # one loose beside the packed ones
    (repo / ".git" / "refs" / "replace" / f"{second}.lock").write_text(f"{first}\n")
    assert answers(Store.discover(repo)) == answers(opened(repo))
    builder.repo.set_head(pygit2.Oid(hex=first))  # detached
    assert answers(Store.discover(repo)) == answers(opened(repo))
    assert git.head_id(Store.discover(repo)) == first


def test_an_unborn_branch_has_no_head_as_libgit2_says(tmp_path: Path) -> None:
    pygit2.init_repository(str(tmp_path / "repo"), initial_head="main")
    found = Store.discover(tmp_path / "repo")
    assert git.head_id(found) is None
    assert answers(found) == answers(opened(tmp_path / "repo"))


def test_a_shallow_file_makes_the_history_refused_and_an_empty_one_does_not(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    two_commits(repo)
    shallow = repo / ".git" / "shallow"
    shallow.write_text("")
    assert git.shallow_boundary(Store.discover(repo)) == [] == git.shallow_boundary(opened(repo))
    head = str(pygit2.Repository(str(repo)).head.target)
    shallow.write_text(head + "\n")
    assert git.shallow_boundary(Store.discover(repo)) == [head]
    assert git.shallow_boundary(opened(repo)) == [head]
    with pytest.raises(ArchiveError, match="shallow"):
        git.require_full_history(Store.discover(repo))


@pytest.mark.parametrize("start", ["bare.git", "bare.git/refs/heads"])
def test_a_bare_repository_is_read_from_its_files_as_libgit2_reads_it(
    tmp_path: Path, start: str
) -> None:
    two_commits(tmp_path / "repo")
    git_cli(tmp_path, "clone", "-q", "--bare", str(tmp_path / "repo"), str(tmp_path / "bare.git"))
    found = Store.discover(tmp_path / start)
    assert answers(found) == answers(opened(tmp_path / "bare.git"))
    assert found.is_bare and found.workdir is None
    assert not found.is_open  # nothing needed pygit2
    assert str(found.repo.head.target) == git.head_id(found)  # opened when asked


@pytest.mark.parametrize(
    "case",
    [
        "git folder",
        "include",
        "bare outside core",
        "linked worktree",
        "GIT_DIR",
        "core.worktree",
        "core.bare",
    ],
)
def test_anything_but_a_plain_work_tree_is_left_to_libgit2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    repo = tmp_path / "repo"
    two_commits(repo)
    start = repo
    if case == "git folder":  # `-C .git`: libgit2 works out the work tree
        start = repo / ".git"
    elif case == "include":  # a bare repository whose config includes another file
        git_cli(tmp_path, "clone", "-q", "--bare", str(repo), str(tmp_path / "bare.git"))
        git_cli(tmp_path / "bare.git", "config", "include.path", "other.config")
        start = tmp_path / "bare.git"
    elif case == "bare outside core":  # `bare` set in another section: not bare to libgit2
        git_cli(tmp_path, "clone", "-q", "--bare", str(repo), str(tmp_path / "bare.git"))
        git_cli(tmp_path / "bare.git", "config", "--unset", "core.bare")
        git_cli(tmp_path / "bare.git", "config", "remote.x.bare", "true")
        start = tmp_path / "bare.git"
    elif case == "linked worktree":
        git_cli(repo, "worktree", "add", "-q", str(tmp_path / "linked"))
        start = tmp_path / "linked"
    elif case == "GIT_DIR":
        monkeypatch.setenv("GIT_DIR", str(repo / ".git"))
    elif case == "core.worktree":
        git_cli(repo, "config", "core.worktree", str(repo))
    else:  # a .git folder that says it is bare: libgit2 gives it no work tree
        (repo / ".git" / "config").write_text(
            (repo / ".git" / "config").read_text().replace("bare = false", "bare=yes")
        )
    found = Store.discover(start)
    assert found.is_open
    assert git.head_id(found) == str(pygit2.Repository(str(start)).head.target)
    assert found.workdir == opened(start).workdir


@pytest.mark.parametrize("bare", [False, True], ids=["worktree", "bare"])
def test_a_warm_history_imports_neither_pygit2_nor_rich(tmp_path: Path, bare: bool) -> None:
    repo = tmp_path / "repo"
    playlist = model_playlist(model_track(1), model_track(2))
    RepoBuilder(repo, bare=bare).commit(playlist_files(playlist), date="2026-01-01T06:00:00")
    assert run_cli("-C", str(repo), "index") == 0
    code = (
        "import sys; from gitarchive.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('pygit2', 'rich') if m in sys.modules))"
    )
    argv = ["-C", str(repo), "history", playlist.id]
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Mix" in done.stdout  # the timeline was printed
    assert done.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/owner/repo.git",
        "https://x-access-token:abc@github.com/owner/re.po",
        "git@github.com:owner/repo.git",
        "https://gitlab.com/owner/repo.git",
        "/srv/git/archive.git",
    ],
)
def test_origin_is_read_from_a_plain_config_as_libgit2_reads_it(tmp_path: Path, url: str) -> None:
    repo = tmp_path / "repo"
    two_commits(repo)
    git_cli(repo, "remote", "add", "origin", url)
    git_cli(repo, "remote", "add", "other", "https://github.com/someone/else")
    found = Store.discover(repo)
    assert git.github_slug(found) == git.github_slug(opened(repo))
    assert not found.is_open


@pytest.mark.parametrize(
    "config",
    [
        ["url.https://github.com/.insteadOf", "gh:"],
        ["--add", "remote.origin.url", "https://github.com/second/url"],
        ["include.path", "other.config"],
    ],
)
def test_a_config_that_rewrites_or_repeats_the_url_is_left_to_libgit2(
    tmp_path: Path, config: list[str]
) -> None:
    repo = tmp_path / "repo"
    two_commits(repo)
    git_cli(repo, "remote", "add", "origin", "gh:owner/repo")
    git_cli(repo, "config", *config)
    found = Store.discover(repo)
    assert git.github_slug(found) == git.github_slug(opened(repo))
    assert found.is_open


@pytest.mark.parametrize(
    "command",
    [
        ("history", "37i9dQZF1DXcBWIGoYBM5M"),
        ("cumulative", "37i9dQZF1DXcBWIGoYBM5M"),
        ("list",),
        ("index",),
        ("changes",),
    ],
)
@pytest.mark.parametrize("broken", ["HEAD", "branch"])
def test_a_head_libgit2_cannot_parse_is_one_line_and_exit_1(
    tmp_path: Path, command: tuple[str, ...], broken: str
) -> None:
    """A HEAD (or the branch it names) holding garbage: one line naming the repository."""
    repo = tmp_path / "repo"
    RepoBuilder(repo).commit(playlist_files(model_playlist()), date="2026-01-01T06:00:00")
    target = repo / ".git" / ("HEAD" if broken == "HEAD" else "refs/heads/main")
    target.write_text("garbage\n")
    gc.disable()  # a connection the command left open must not be closed for it
    try:
        code, out, err = invoke_in(repo, *command)
        left_open = sorted(path.name for path in (repo / ".git").rglob("*-wal"))
    finally:
        gc.enable()
    assert (code, out) == (1, ""), err
    assert err.startswith("gitarchive: error: cannot read HEAD of the repository "), err
    assert err.count("\n") == 1
    assert left_open == []


def test_the_history_fingerprint_is_the_sha256_of_shallow_grafts_and_replace_refs(
    tmp_path: Path,
) -> None:
    """Indexes written before keep matching: the digest of the same bytes as always."""
    import hashlib

    repo = tmp_path / "repo"
    two_commits(repo)
    plain = b"shallow\0-\0info/grafts\0-\0"
    assert git.history_fingerprint(Store.discover(repo)) == hashlib.sha256(plain).hexdigest()
    (repo / ".git" / "info").mkdir(exist_ok=True)
    graft = f"{git.head_id(opened(repo))}\n".encode()  # HEAD, as if without a parent
    (repo / ".git" / "info" / "grafts").write_bytes(graft)
    grafted = b"shallow\0-\0info/grafts\0" + graft + b"\0"
    assert git.history_fingerprint(Store.discover(repo)) == hashlib.sha256(grafted).hexdigest()
    assert git.history_fingerprint(opened(repo)) == hashlib.sha256(grafted).hexdigest()
