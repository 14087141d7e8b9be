"""A commit's date and files read from the repository's own files (git.commit_files) are
libgit2's answer, and what those files do not settle is left to libgit2."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import zlib
from typing import TYPE_CHECKING

import pygit2
import pytest

from gitarchive import git
from gitarchive.git import Store, commit_files, commit_reads
from gitarchive.git import chain as libgit2_chain
from gitarchive.git import repository as libgit2_repository
from gitarchive.git.repository import commit_info as libgit2_commit_info
from gitarchive.index import ChangeIndex
from tests.support.builder import RepoBuilder, playlist_files
from tests.support.cli import index_tables, output_and_imports, run_cli
from tests.support.foreign_archive import Shape, generate
from tests.support.gitcli import git as git_cli
from tests.support.models import model_playlist, model_track
from tests.test_git_objects import versions_repo

if TYPE_CHECKING:
    from pathlib import Path

    from gitarchive.model import Playlist


def every_path(repo: pygit2.Repository, tree: pygit2.Tree, prefix: str = "") -> list[str]:
    found = []
    for entry in tree:
        path = f"{prefix}{entry.name}"
        found.append(path)
        if entry.type_str == "tree":
            found += every_path(repo, repo[entry.id], f"{path}/")  # type: ignore[arg-type]
    return found


@pytest.mark.parametrize("packing", ["loose", "packed"])
def test_every_commits_info_and_files_read_from_the_files_as_libgit2_reads_them(
    tmp_path: Path, packing: str
) -> None:
    repo_path = versions_repo(tmp_path / "repo", versions=6)
    if packing == "packed":
        git_cli(repo_path, "gc", "--aggressive", "--quiet")
    repo = pygit2.Repository(str(repo_path))
    commits = [str(commit.id) for commit in repo.walk(repo.head.target)]
    store, libgit2 = Store.discover(repo_path), Store.discover(repo_path)
    with git.unverified_reads():
        for commit in commits:
            paths = every_path(repo, repo[commit].tree)
            paths += ["playlists/nothing", "playlists/plain/x/y", "README.md/z"]
            for path in paths:
                try:
                    entry = repo[commit].tree[path]
                    blob = repo.get(entry.id)
                    expected = blob.data if isinstance(blob, pygit2.Blob) else None
                except KeyError:
                    expected = None
                assert commit_files.read_file(store, commit, path) == expected, path
            assert commit_files.commit_info(store, commit) == libgit2_commit_info(libgit2, commit)
    assert not store.is_open
    data = b"x" * 1000 + bytes(range(256))
    assert commit_files.blob_id_of(data) == str(pygit2.hash(data))


def literal_commit(repo: Path, body: bytes) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "hash-object", "-t", "commit", "-w", "--literally", "--stdin"],
        input=body, capture_output=True, check=True,
    )  # fmt: skip
    return done.stdout.decode().strip()


@pytest.mark.parametrize(
    "shape",
    [
        b"author A <a@b> 1700000000 +0000\ncommitter A <a@b> 1700000000 +0000\nencoding latin-1\n"
        b"\ncaf\xe9\n",
        b"author A <a@b> 1700000000 +0000\ncommitter A <a@b> 1700000000 +0000\n\n\xff\xfe\n",
        b"author A <a@b> x +0000\ncommitter A <a@b> 1700000000 +0000\n\nm\n",
        b"author A <a@b> 1700000000 +0000\n\nno committer\n",
        b"author A <a@b> 1700000000 +0000\ncommitter A <a@b> 1700000000 +0000",
        b"author A <a@b> 1700000000 +0000\ncommitter A <a@b> 1700000000 +0000\n\nsub\0ject\n",
    ],
    ids=["encoding header", "not utf-8", "author time", "no committer", "no message", "a NUL"],
)
def test_a_commit_of_another_shape_is_left_to_libgit2_whose_answer_stands(
    tmp_path: Path, shape: bytes
) -> None:
    repo = versions_repo(tmp_path / "repo", versions=1)
    tree = git_cli(repo, "rev-parse", "HEAD^{tree}").strip()
    commit = literal_commit(repo, b"tree " + tree.encode() + b"\n" + shape)
    store = Store.discover(repo)
    with git.unverified_reads():
        assert commit_files.commit_info(store, commit) is commit_files.ASK
        try:
            expected: object = libgit2_commit_info(Store.discover(repo), commit)
        except Exception as exc:  # libgit2's error is the answer
            expected = type(exc)
        try:
            got: object = git.commit_info(store, commit)
        except Exception as exc:
            got = type(exc)
    assert got == expected


def test_the_usual_commit_with_more_headers_and_blank_lines_reads_as_libgit2_reads_it(
    tmp_path: Path,
) -> None:
    repo = versions_repo(tmp_path / "repo", versions=1)
    tree = git_cli(repo, "rev-parse", "HEAD^{tree}").strip()
    body = (
        b"tree " + tree.encode() + b"\nauthor Ann Lee <a@b.c> 1700000000 +0130\n"
        b"committer C <c@d> 1700000099 -0700\ngpgsig -----BEGIN-----\n line\n -----END-----\n"
        b"\n\n\nSubject \xc3\xa9\n\nbody\n"
    )
    commit = literal_commit(repo, body)
    store = Store.discover(repo)
    with git.unverified_reads():
        found = commit_files.commit_info(store, commit)
    assert found == libgit2_commit_info(Store.discover(repo), commit)


def tree_bytes(*entries: tuple[bytes, bytes, str]) -> bytes:
    return b"".join(mode + b" " + name + b"\0" + bytes.fromhex(oid) for mode, name, oid in entries)


def test_a_tree_out_of_gits_order_or_of_another_mode_is_left_to_libgit2() -> None:
    blob, other = "a" * 40, "b" * 40
    usual = tree_bytes((b"100644", b"a.b", blob), (b"40000", b"a", other), (b"100644", b"b", blob))
    assert commit_files.parse_tree(usual) == {
        b"a.b": (b"100644", blob), b"a": (b"40000", other), b"b": (b"100644", blob)
    }  # fmt: skip
    for hostile in (
        tree_bytes((b"100644", b"b", blob), (b"100644", b"a", blob)),  # unsorted
        tree_bytes((b"100644", b"a", blob), (b"100644", b"a", other)),  # twice
        tree_bytes((b"100664", b"a", blob)),  # a mode git no longer writes
        tree_bytes((b"100644", b"a", blob))[:-1],  # cut short
    ):
        assert commit_files.parse_tree(hostile) is None


def test_a_grafted_history_is_read_by_libgit2(tmp_path: Path) -> None:
    repo = versions_repo(tmp_path / "repo", versions=2)
    head = git_cli(repo, "rev-parse", "HEAD").strip()
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "grafts").write_text(f"{head}\n")
    store = Store.discover(repo)
    with git.unverified_reads():
        assert commit_files.commit_info(store, head) is commit_files.ASK
        assert commit_files.read_file(store, head, "README.md") is commit_files.ASK


def loaded_after(repo: Path, *argv: str) -> tuple[str, list[str]]:
    return output_and_imports(["-C", str(repo), *argv], ("pygit2",), succeeds=True)


def first_day(repo: Path) -> tuple[RepoBuilder, Playlist]:
    """A repository whose first commit holds a playlist of two tracks."""
    builder = RepoBuilder(repo)
    first = model_playlist(model_track(1), model_track(2))
    builder.commit(playlist_files(first), date="2026-01-01T06:00:00")
    return builder, first


def test_show_of_a_version_not_shown_before_loads_no_libgit2_and_prints_the_same(
    tmp_path: Path,
) -> None:
    own = tmp_path / "own"
    builder, first = first_day(own)
    builder.commit(playlist_files(model_playlist(model_track(2))), date="2026-01-02T06:00:00")
    foreign = tmp_path / "foreign"
    truth = generate(foreign, Shape(playlists=3, commits=12, min_tracks=4, max_tracks=8))
    cases = [(own, first.id, "2026-01-01"), (foreign, sorted(truth.versions)[0], "2020-06-01")]
    for repo, playlist, when in cases:
        assert run_cli("-C", str(repo), "index") == 0
        for output in ("json", "markdown"):
            argv = ("show", playlist, "--at", when, "--format", output)
            shown, modules = loaded_after(repo, *argv)
            assert modules == [], (repo.name, output)
            assert shown.strip()
            # without the index, the read walks the log through libgit2 first: the store is
            # open when the version is read, so libgit2 reads it
            shutil.rmtree(repo / ".git" / "gitarchive")
            again, modules = loaded_after(repo, *argv)
            assert modules == ["pygit2"]
            assert again == shown


def hand_written_commit(root: Path, folder: bytes) -> tuple[pygit2.Repository, str]:
    """A bare repository whose commit holds ``playlists/`` as the tree ``folder`` (bytes
    written by hand, as a stranger's push could)."""
    repo = pygit2.init_repository(str(root), bare=True)
    sub = repo.odb.write(pygit2.enums.ObjectType.TREE, folder)
    top = repo.odb.write(pygit2.enums.ObjectType.TREE, b"40000 playlists\0" + sub.raw)
    who = pygit2.Signature("a", "a@b", 1700000000, 0)
    return repo, str(repo.create_commit("refs/heads/main", who, who, "m\n", top, []))


def both_answers(root: Path, commit: str, path: str) -> tuple[object, object]:
    """(what the files answer, what libgit2 answers or raises) for ``read_file``."""
    with git.unverified_reads():
        files = commit_files.read_file(Store.discover(root), commit, path)
    try:
        libgit2: object = git_read_file(Store.discover(root), commit, path)
    except Exception as exc:  # its error is its answer
        libgit2 = type(exc)
    return files, libgit2


def git_read_file(store: Store, commit: str, path: str) -> bytes | None:
    store.repo  # noqa: B018 - opened: libgit2 reads
    return git.read_file(store, commit, path)


def test_an_entry_whose_mode_says_folder_or_submodule_is_read_by_its_object(
    tmp_path: Path,
) -> None:
    root = tmp_path / "repo.git"
    data = b'{"tracks": []}\n'
    blob = pygit2.hash(data).raw
    folder = b"160000 link.json\0" + blob + b"100644 plain.json\0" + blob + b"40000 t.json\0" + blob
    repo, commit = hand_written_commit(root, folder)
    repo.create_blob(data)
    for name in ("link.json", "plain.json", "t.json"):
        assert both_answers(root, commit, f"playlists/{name}") == (data, data)


def test_what_libgit2_refuses_or_reads_otherwise_is_left_to_it(tmp_path: Path) -> None:
    root = tmp_path / "repo.git"
    blob = pygit2.hash(b"x").raw
    long_name = b"a" * 0x10000
    _repo, commit = hand_written_commit(root, b"100644 " + long_name + b"\0" + blob)
    assert commit_files.parse_tree(b"100644 " + long_name[:-1] + b"\0" + blob) is not None
    for path in ("playlists/" + "a" * 0x10000, "playlists/a.json\0x", "playlists/\ud800"):
        files, libgit2 = both_answers(root, commit, path)
        assert files is commit_files.ASK, path
        assert libgit2 in (pygit2.GitError, TypeError, None), path


def test_of_a_packed_and_a_loose_copy_that_differ_the_packed_one_is_read(tmp_path: Path) -> None:
    """As libgit2 and git look: the packs before the loose objects (neither copy is hashed
    against its id in a pass)."""
    root = tmp_path / "repo.git"
    repo, commit = hand_written_commit(root, b"")
    git_cli(root, "repack", "-adq")
    made = repo[commit]
    assert isinstance(made, pygit2.Commit)
    tree = str(made.tree_id)
    other = f"tree {tree}\nauthor a <a@b> 1 +0000\ncommitter a <a@b> 1 +0000\n\nloose\n".encode()
    loose = root / "objects" / commit[:2] / commit[2:]
    loose.parent.mkdir(exist_ok=True)
    loose.write_bytes(zlib.compress(b"commit %d\0" % len(other) + other))
    with git.unverified_reads():
        found = commit_files.commit_info(Store.discover(root), commit)
    assert isinstance(found, commit_files.CommitInfo)
    assert found.message == "m\n"
    assert found == libgit2_commit_info(Store.discover(root), commit)


def test_listings_paths_and_short_walks_read_from_the_files_as_libgit2_reads_them(
    tmp_path: Path,
) -> None:
    repo_path = versions_repo(tmp_path / "repo", versions=6)
    git_cli(repo_path, "gc", "--quiet")
    store, libgit2 = Store.discover(repo_path), Store.discover(repo_path)
    chain = [commit for commit, _time in chain_walk(libgit2)]
    tip = chain[-1]
    folders = ["", "playlists", "playlists/plain", "playlists/pretty", "playlists/nothing"]
    paths = ("playlists/pretty/x.json", "playlists/pretty/x.md", "playlists/plain/x")
    pid = model_playlist().id
    real = tuple(path.replace("/x", f"/{pid}") for path in paths)
    with git.unverified_reads():
        for commit in chain:
            for folder in folders:
                listed = commit_files.list_dir(store, commit, folder)
                assert listed == libgit2_repository.list_dir(libgit2, commit, folder), folder
        for since in chain[:-1]:
            expected = libgit2_chain.walk_commits_since(libgit2, tip, since)
            assert (commit_files.commits_since(store, tip, since, 32), True) == expected
            for best_first in (False, True):
                found = commit_reads.walk_paths_since(
                    store, real, tip, since, best_first=best_first
                )
                assert found == libgit2_chain.walk_paths_since(
                    libgit2, real, tip, since, best_first=best_first
                )
        # a name libgit2 cuts at its NUL, and tip == since (libgit2 still looks tip up)
        cut = (f"playlists/plain/{pid}\0junk",)
        asked = Store.discover(repo_path)  # libgit2 answers it: this store opens
        found = commit_reads.walk_paths_since(asked, cut, tip, chain[0])
        assert found == libgit2_chain.walk_paths_since(libgit2, cut, tip, chain[0])
        assert any(blobs != (None,) for _commit, _time, blobs in found)
        assert commit_files.commits_since(store, tip, tip, 32) is commit_files.ASK
        assert commit_files.commits_since(store, tip, chain[0], 2) is commit_files.ASK
        assert commit_files.commits_since(store, tip, "0" * 40, 32) is commit_files.ASK
    assert not store.is_open


def chain_walk(store: Store) -> list[tuple[str, int]]:
    head = git.head_id(store)
    assert head is not None
    return libgit2_chain.walk_commits_since(store, head, None)[0]


def test_a_read_after_a_pull_catches_the_index_up_without_libgit2_as_libgit2_would(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    builder, first = first_day(repo)
    assert run_cli("-C", str(repo), "index") == 0
    later = dataclasses.replace(model_playlist(model_track(2), model_track(3)), num_followers=9)
    builder.commit(playlist_files(later), date="2026-01-02T06:00:00")  # the pull
    other = tmp_path / "other"
    shutil.copytree(repo, other, symlinks=True)
    shown, modules = loaded_after(repo, "history", first.id, "--format", "json")
    assert modules == []
    assert '"likes": 9' in shown or '"likes":9' in shown.replace(" ", "")
    opened = Store.discover(other)
    opened.repo  # noqa: B018 - open: the catch-up walks through libgit2
    with ChangeIndex(opened) as index:
        assert len(index.entries(first.id)) == 2
    assert index_tables(repo, without=("meta",)) == index_tables(other, without=("meta",))
