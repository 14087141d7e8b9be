"""gitarchive.git's writing side: commits from HEAD's tree, work tree/index, push."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pygit2
import pytest

from gitarchive import git as gitrepo
from gitarchive.errors import ArchiveError, SettingsError
from gitarchive.git import Identity, Store, worktree
from tests.support.gitcli import git

if TYPE_CHECKING:
    from pathlib import Path

WHEN = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
ME = Identity("Sync Bot", "sync@example.invalid")


def new_repo(path: Path, *, bare: bool = False) -> Store:
    return Store(pygit2.init_repository(str(path), bare=bare, initial_head="main"))


def test_root_commit_nested_trees_and_clean_status(tmp_path: Path) -> None:
    store = new_repo(tmp_path / "r")
    changes: dict[str, bytes | None] = {
        "playlists/plain/a": b"A\n",
        "playlists/pretty/a.md": b"# A\n",
        "playlists/registry/a": b"",
        "playlists/index.md": b"idx\n",
    }
    commit = gitrepo.commit_changes(store, changes, message="first", identity=ME, when=WHEN)
    assert commit is not None and gitrepo.head_id(store) == commit
    assert gitrepo.commit_info(store, commit).parents == ()
    assert gitrepo.commit_info(store, commit).date == WHEN
    root = tmp_path / "r"
    assert git(root, "ls-tree", "-r", "--name-only", "HEAD").split() == sorted(changes)
    assert git(root, "status", "--porcelain") == ""
    assert (root / "playlists/plain/a").read_bytes() == b"A\n"
    assert git(root, "log", "-1", "--format=%an <%ae>|%cn|%cI").strip() == (
        "Sync Bot <sync@example.invalid>|Sync Bot|2026-11-28T06:00:00+00:00"
    )


def test_deletions_remove_files_and_empty_folders(tmp_path: Path) -> None:
    root = tmp_path / "r"
    store = new_repo(root)
    gitrepo.commit_changes(
        store,
        {"playlists/plain/a": b"A\n", "playlists/cumulative/a.md": b"c\n", "keep": b"k\n"},
        message="one",
        identity=ME,
        when=WHEN,
    )
    second = gitrepo.commit_changes(
        store,
        {"playlists/cumulative/a.md": None, "playlists/plain/b": b"B\n"},
        message="two",
        identity=ME,
        when=WHEN,
    )
    assert second is not None
    names = git(root, "ls-tree", "-r", "--name-only", "HEAD").split()
    assert names == ["keep", "playlists/plain/a", "playlists/plain/b"]
    assert not (root / "playlists/cumulative").exists()
    assert git(root, "status", "--porcelain") == ""


def test_no_change_makes_no_commit(tmp_path: Path) -> None:
    store = new_repo(tmp_path / "r")
    first = gitrepo.commit_changes(store, {"f": b"1"}, message="m", identity=ME, when=WHEN)
    again = gitrepo.commit_changes(store, {"f": b"1"}, message="m", identity=ME, when=WHEN)
    assert again is None and gitrepo.head_id(store) == first


def test_user_changes_outside_the_archive_survive(tmp_path: Path) -> None:
    root = tmp_path / "r"
    store = new_repo(root)
    gitrepo.commit_changes(
        store,
        {"notes.txt": b"v1\n", "playlists/plain/a": b"A\n"},
        message="m",
        identity=ME,
        when=WHEN,
    )
    (root / "notes.txt").write_text("staged\n")
    git(root, "add", "notes.txt")
    (root / "notes.txt").write_text("unstaged on top\n")
    (root / "new.txt").write_text("staged new\n")
    git(root, "add", "new.txt")
    (root / "untracked.txt").write_text("untracked\n")
    before = git(root, "status", "--porcelain")
    staged_before = git(root, "diff", "--cached")

    commit = gitrepo.commit_changes(
        store, {"playlists/plain/a": b"A2\n"}, message="sync", identity=ME, when=WHEN
    )

    assert git(root, "show", "--name-only", "--format=", commit or "").split() == [
        "playlists/plain/a"
    ]
    assert git(root, "status", "--porcelain") == before
    assert git(root, "diff", "--cached") == staged_before
    assert (root / "notes.txt").read_text() == "unstaged on top\n"
    assert git(root, "status", "--porcelain", "--", "playlists") == ""


def test_crash_before_ref_update_leaves_head_and_files(tmp_path: Path) -> None:
    root = tmp_path / "r"
    store = new_repo(root)
    old = gitrepo.commit_changes(
        store, {"playlists/plain/a": b"A\n"}, message="m", identity=ME, when=WHEN
    )

    def crash(new_commit: str) -> None:
        assert store.repo.get(new_commit) is not None  # every object is written by now
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        gitrepo.commit_changes(
            store,
            {"playlists/plain/a": b"A2\n", "playlists/plain/b": b"B\n"},
            message="m2",
            identity=ME,
            when=WHEN,
            before_ref_update=crash,
        )
    assert gitrepo.head_id(store) == old
    assert (root / "playlists/plain/a").read_bytes() == b"A\n"
    assert not (root / "playlists/plain/b").exists()
    assert git(root, "status", "--porcelain") == ""
    assert gitrepo.recover_pending(store) == []


def test_crash_after_ref_update_is_repaired_by_recover_pending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "r"
    store = new_repo(root)
    gitrepo.commit_changes(
        store, {"playlists/plain/a": b"A\n"}, message="m", identity=ME, when=WHEN
    )

    def die(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(worktree, "stage_files", die)
        with pytest.raises(KeyboardInterrupt):
            gitrepo.commit_changes(
                store, {"playlists/plain/a": b"A2\n"}, message="m2", identity=ME, when=WHEN
            )
    assert git(root, "status", "--porcelain") != ""  # HEAD moved, the file did not
    assert gitrepo.recover_pending(store) == ["playlists/plain/a"]
    assert (root / "playlists/plain/a").read_bytes() == b"A2\n"
    assert git(root, "status", "--porcelain") == ""


def test_ref_moved_meanwhile_is_refused(tmp_path: Path) -> None:
    store = new_repo(tmp_path / "r")
    first = gitrepo.commit_changes(store, {"f": b"1"}, message="m", identity=ME, when=WHEN)
    other = gitrepo.build_commit(store, first, {"f": b"2"}, message="x", identity=ME, when=WHEN)
    assert other is not None
    with pytest.raises(ArchiveError, match="moved"):
        gitrepo.update_head(store, other, expected=None, message="m")
    assert gitrepo.head_id(store) == first


def test_bare_repository_commit_writes_no_files(tmp_path: Path) -> None:
    store = new_repo(tmp_path / "bare.git", bare=True)
    commit = gitrepo.commit_changes(
        store, {"playlists/plain/a": b"A\n"}, message="m", identity=ME, when=WHEN
    )
    assert commit is not None and gitrepo.head_id(store) == commit
    assert gitrepo.read_file(store, commit, "playlists/plain/a") == b"A\n"
    assert sorted(p.name for p in (tmp_path / "bare.git").iterdir() if p.name == "playlists") == []


def test_identity_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = new_repo(tmp_path / "r")
    env = {"GIT_AUTHOR_NAME": "Env", "GIT_AUTHOR_EMAIL": "env@x"}
    assert gitrepo.resolve_identity(store, name="Toml", email="toml@x", env=env) == Identity(
        "Toml", "toml@x"
    )
    assert gitrepo.resolve_identity(store, env=env) == Identity("Env", "env@x")
    with pytest.raises(SettingsError, match="author_name"):
        gitrepo.resolve_identity(store, env={})
    bot = gitrepo.resolve_identity(store, env={"GITHUB_ACTIONS": "true"})
    assert bot == Identity(
        "github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com"
    )
    store.repo.config["user.name"] = "Config"
    store.repo.config["user.email"] = "config@x"
    assert gitrepo.resolve_identity(store, env={"GITHUB_ACTIONS": "true"}) == Identity(
        "Config", "config@x"
    )


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("https://github.com/owner/repo.git", "owner/repo"),
        ("https://x-access-token:abc@github.com/owner/re.po", "owner/re.po"),
        ("git@github.com:owner/repo.git", "owner/repo"),
        ("ssh://git@github.com/owner/repo", "owner/repo"),
        ("https://gitlab.com/owner/repo.git", None),
        ("/srv/git/archive.git", None),
    ],
)
def test_github_slug(tmp_path: Path, url: str, slug: str | None) -> None:
    store = new_repo(tmp_path / "r")
    assert gitrepo.github_slug(store) is None
    store.repo.remotes.create("origin", url)
    assert gitrepo.github_slug(store) == slug


def test_push_and_detect_a_remote_that_moved(tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    pygit2.init_repository(str(remote), bare=True, initial_head="main")
    seed = tmp_path / "seed"
    git(tmp_path, "init", "-q", "-b", "main", str(seed))
    (seed / "README").write_text("hi\n")
    git(seed, "add", "README")
    git(seed, "commit", "-qm", "seed")
    git(seed, "push", "-q", str(remote), "main")
    git(tmp_path, "clone", "-q", str(remote), "mine")
    git(tmp_path, "clone", "-q", str(remote), "theirs")
    store = Store.discover(tmp_path / "mine")
    target = gitrepo.push_target(store)
    assert (target.remote, target.remote_ref) == ("origin", "refs/heads/main")

    gitrepo.commit_changes(
        store, {"playlists/plain/a": b"A\n"}, message="m", identity=ME, when=WHEN
    )
    assert gitrepo.push_head(store, target, token=None) is True
    assert git(remote, "rev-parse", "main").strip() == gitrepo.head_id(store)
    assert git(tmp_path / "mine", "status", "-sb").startswith("## main...origin/main\n")

    theirs = tmp_path / "theirs"
    git(theirs, "pull", "-q")
    (theirs / "other").write_text("x\n")
    git(theirs, "add", "other")
    git(theirs, "commit", "-qm", "other")
    git(theirs, "push", "-q")
    gitrepo.commit_changes(
        store, {"playlists/plain/a": b"A2\n"}, message="m", identity=ME, when=WHEN
    )
    assert gitrepo.push_head(store, target, token=None) is False
    tip = gitrepo.fetch_tip(store, target, token=None)
    assert tip == git(theirs, "rev-parse", "HEAD").strip()


def test_a_commit_made_meanwhile_is_never_overwritten(tmp_path: Path) -> None:
    root = tmp_path / "r"
    store = new_repo(root)
    base = gitrepo.commit_changes(store, {"f": b"1"}, message="m", identity=ME, when=WHEN)
    theirs = gitrepo.commit_changes(store, {"g": b"2"}, message="user", identity=ME, when=WHEN)
    with pytest.raises(ArchiveError, match="moved while the sync ran"):
        gitrepo.commit_changes(
            store,
            {"playlists/plain/a": b"A\n"},
            message="sync",
            identity=ME,
            when=WHEN,
            parent=base,
        )
    assert gitrepo.head_id(store) == theirs
    assert not (store.git_dir / gitrepo.PENDING_FILE).exists()
    assert git(root, "status", "--porcelain") == ""


def test_many_blobs_are_written_in_parallel_and_correctly(tmp_path: Path) -> None:
    root = tmp_path / "r"
    store = new_repo(root)
    changes: dict[str, bytes | None] = {
        f"playlists/plain/p{i:03}": f"playlist {i}\n".encode() * (i + 1) for i in range(120)
    }
    commit = gitrepo.commit_changes(store, changes, message="m", identity=ME, when=WHEN)
    assert commit is not None
    for path, data in changes.items():
        assert gitrepo.read_file(store, commit, path) == data
        assert (root / path).read_bytes() == data
    assert git(root, "fsck", "--strict", "--no-dangling").strip() == ""
    assert git(root, "status", "--porcelain") == ""


def test_many_blobs_go_into_one_valid_pack(tmp_path: Path) -> None:
    root = tmp_path / "r"
    store = new_repo(root)
    first = {f"playlists/plain/{i:03}": f"line {i}\n".encode() * (i + 1) for i in range(40)}
    first["playlists/plain/empty"] = b""
    first["playlists/plain/big"] = bytes(range(256)) * 600  # a size header of several bytes
    gitrepo.commit_changes(store, first, message="one", identity=ME, when=WHEN)
    # the second commit repeats one blob, re-uses an existing one and adds new ones
    second: dict[str, bytes | None] = {
        f"playlists/pretty/{i:03}.md": f"page {i}\n".encode() for i in range(40)
    }
    second["playlists/pretty/same-as-000.md"] = b"page 0\n"
    second["playlists/pretty/old.md"] = first["playlists/plain/001"]
    commit = gitrepo.commit_changes(store, second, message="two", identity=ME, when=WHEN)
    assert commit is not None

    packs = sorted((root / ".git/objects/pack").glob("*.idx"))
    assert len(packs) == 2
    for pack in packs:
        git(root, "verify-pack", str(pack))
    assert "error" not in git(root, "fsck", "--full", "--strict", "--no-dangling").lower()
    for path, data in {**first, **second}.items():
        assert data is not None
        shown = subprocess.run(
            ["git", "cat-file", "blob", f"HEAD:{path}"], cwd=root, capture_output=True, check=True
        ).stdout
        assert shown == data, path
    assert git(root, "status", "--porcelain") == ""
    # libgit2 reads them too (a fresh handle, as the next command would)
    fresh = Store.discover(root)
    assert gitrepo.read_file(fresh, commit, "playlists/plain/big") == first["playlists/plain/big"]


def test_a_symlink_in_the_way_is_replaced_not_written_through(tmp_path: Path) -> None:
    root = tmp_path / "r"
    store = new_repo(root)
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"not yours\n")
    (root / "playlists/plain").mkdir(parents=True)
    (root / "playlists/plain/a").symlink_to(outside)
    gitrepo.commit_changes(
        store, {"playlists/plain/a": b"A\n"}, message="one", identity=ME, when=WHEN
    )
    assert outside.read_bytes() == b"not yours\n"
    assert not (root / "playlists/plain/a").is_symlink()
    assert (root / "playlists/plain/a").read_bytes() == b"A\n"
