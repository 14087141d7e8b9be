"""A folder's entries across many commits: its history read once finds what a lookup of
each commit's tree finds."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import pygit2
import pytest

from gitarchive import git
from gitarchive.errors import RevisionNotFound
from gitarchive.git import Store, folder_entries, repository
from gitarchive.git.folder_entries import FolderEntries, FolderHistory, folder_history
from gitarchive.index import db
from tests.support.builder import RepoBuilder
from tests.support.cli import index_file, index_tables
from tests.support.cli import invoke_in as invoke
from tests.support.foreign_archive import Shape, generate

if TYPE_CHECKING:
    from pathlib import Path

FOLDER = "playlists/pretty"
NAMES = ["A.md", "B.md", "Café ☕.md", "x y (2024).md", "D.md", "E.md", "0.md", "a" * 200 + ".md"]
ASKED = [*NAMES, "nope.md", "sub", "sub/x.md", "", "B.md/x", "A"]


def _random_history(root: Path, seed: int, commits: int = 60) -> tuple[Store, list[str]]:
    """A first-parent chain whose pages folder changes every way a tree can: pages added,
    changed, removed, the folder gone, a file in its place, a folder among its pages,
    commits that leave it as it was, a page changed back to an earlier content; and a
    side branch merged in (its commits are not on the chain)."""
    pick = random.Random(seed)
    builder = RepoBuilder(root)
    made: list[str] = []
    side: list[str] = []
    for day in range(commits):
        files: dict[str, str | None] = {}
        roll = pick.random()
        if roll < 0.08:  # the whole folder gone, or a file in its place
            files.update({f"{FOLDER}/{name}": None for name in NAMES})
            files[f"{FOLDER}/sub/x.md"] = None
            if roll < 0.04:
                files[FOLDER] = "a file where the folder was"
        elif roll < 0.15:
            files["README.md"] = f"not the folder {day}"
        else:
            files[FOLDER] = None
            for name in pick.sample(NAMES, pick.randint(1, 4)):
                files[f"{FOLDER}/{name}"] = None if pick.random() < 0.2 else str(pick.randint(0, 5))
            if pick.random() < 0.1:
                files[f"{FOLDER}/sub/x.md"] = str(day)
        date = f"2026-01-01T00:{day // 60:02d}:{day % 60:02d}"
        if day == commits // 2:  # a side branch, merged as the second parent
            base = made[-1]
            side.append(builder.commit(files, date=date, parents=[base], ref="refs/heads/side"))
            files = {f"{FOLDER}/E.md": "on main"}
            main = builder.commit(files, date=date)
            made.append(builder.commit({}, date=date, parents=[main, side[-1]]))
            continue
        made.append(builder.commit(files, date=date))
    return Store(pygit2.Repository(str(root))), made + side


def _expected(store: Store, commit: str, name: str) -> str | None:
    return git.entry_id(store, commit, f"{FOLDER}/{name}")


@pytest.mark.parametrize("seed", range(6))
def test_a_folders_history_finds_each_entry_as_its_commits_tree_holds_it(
    tmp_path: Path, seed: int
) -> None:
    store, commits = _random_history(tmp_path / "r", seed)
    history = folder_history(store, FOLDER, 1_000)
    assert isinstance(history, FolderHistory)
    for commit in commits:
        on_chain = commit in history.positions
        for name in ASKED:
            found = history.entry_id(commit, name)
            if not on_chain or not name or "/" in name:
                assert found is False, (commit, name)
            else:
                assert found == _expected(store, commit, name), (commits.index(commit), name)


@pytest.mark.parametrize("seed", range(3))
def test_folder_entries_answer_as_entry_id_before_and_after_reading_the_history(
    tmp_path: Path, seed: int
) -> None:
    """Commits on the chain and off it (a merged branch's), every kind of name, asked in
    random order by several FolderEntries of one store, the history read after a few."""
    store, commits = _random_history(tmp_path / "r", seed)
    pick = random.Random(seed)
    folders = [FolderEntries(store, FOLDER, size=2, history_from=8) for _ in range(3)]
    for _ in range(600):
        commit, name = pick.choice(commits), pick.choice(ASKED)
        if "/" in name or not name:
            continue  # not a name of the folder (FolderEntries' contract)
        folder = pick.choice(folders)
        assert folder.entry_id(commit, name) == _expected(store, commit, name)
    assert folders[0]._shared.history is not None
    with pytest.raises(RevisionNotFound):
        folders[0].entry_id("0" * 40, "A.md")


def test_a_pass_over_many_names_reads_the_history_once_and_parses_no_more_trees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, commits = _random_history(tmp_path / "r", 7, commits=30)
    on_chain = commits[:30]  # the side branch's commit is last
    parsed: list[str] = []
    real = repository.get_commit

    def counting(store: Store, commit_id: str) -> pygit2.Commit:
        parsed.append(commit_id)
        return real(store, commit_id)

    monkeypatch.setattr(folder_entries, "get_commit", counting)
    read = _noting_history_reads(monkeypatch)
    for name in NAMES:  # playlist by playlist, each over every commit
        folder = FolderEntries(store, FOLDER, history_from=16)
        for commit in on_chain:
            assert folder.entry_id(commit, name) == _expected(store, commit, name)
    # the chain (30 commits) is longer than twice 16 parses? no: read at the 16th parse
    assert read == [32]
    assert len(parsed) == 16


def test_a_chain_longer_than_the_parses_pay_for_is_read_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, commits = _random_history(tmp_path / "r", 8, commits=40)
    read = _noting_history_reads(monkeypatch)
    folder = FolderEntries(store, FOLDER, size=1, history_from=4)
    for commit in commits[:40] * 2:
        assert folder.entry_id(commit, "A.md") == _expected(store, commit, "A.md")
    # 41 commits on the chain (with the merge's second first-parent commit): too many
    # for 8 and 16 parses' worth, read at 32 (a limit of 64)
    assert read == [8, 16, 32, 64]
    assert folder._shared.history is not None


def test_a_history_too_large_to_keep_is_given_up_and_the_trees_are_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, commits = _random_history(tmp_path / "r", 9, commits=30)
    monkeypatch.setattr(folder_entries, "MAX_CHANGES", 5)
    assert folder_history(store, FOLDER, 1_000) is False
    read = _noting_history_reads(monkeypatch)
    folder = FolderEntries(store, FOLDER, size=1, history_from=2)
    for commit in commits * 3:
        for name in NAMES:
            assert folder.entry_id(commit, name) == _expected(store, commit, name)
    assert read == [4, 8, 16, 32]  # the chain fits 32: read, given up, never tried again
    assert folder._shared.history is None


def test_an_empty_repository_has_no_folder_history(tmp_path: Path) -> None:
    RepoBuilder(tmp_path / "r")
    store = Store(pygit2.Repository(str(tmp_path / "r")))
    assert folder_history(store, FOLDER, 1_000) is None


def test_a_foreign_archive_reads_the_same_with_its_pages_history_and_without(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index, a fresh ``history`` and ``show --at`` of a 2021 name-keyed archive (pages
    renamed, missing, linking elsewhere) are the same bytes whether each page was found in
    its commit's tree or in the pages folder's history."""
    repo = tmp_path / "repo"
    truth = generate(repo, Shape(playlists=6, commits=40, min_tracks=5, max_tracks=14))
    playlist = sorted(truth.versions)[0]
    reads = [("history", playlist), ("show", playlist, "--at", "2020-06-01"), ("index",)]
    seen = []
    for history_from in (10**9, 1):
        monkeypatch.setattr(folder_entries, "HISTORY_FROM", history_from)
        outputs = []
        for read in reads:
            db.remove_files(index_file(repo))
            code, out, err = invoke(repo, *read)
            assert code == 0, err
            outputs.append(out)
        seen.append((outputs, index_tables(repo)))
    assert seen[0] == seen[1]
    assert len(seen[0][1]["versions"]) > 40


def test_a_history_with_an_object_missing_is_given_up_and_the_other_commits_still_found(
    tmp_path: Path,
) -> None:
    """A clone missing one old tree (a broken or partial object store): the commits whose
    trees are there answer as their trees hold, the history is not read again."""
    store, commits = _random_history(tmp_path / "r", 10, commits=30)
    on_chain = commits[:30]
    missing = store.repo.revparse_single(f"{on_chain[3]}:{FOLDER}").id
    assert all(store.repo.revparse_single(f"{c}:{FOLDER}").id != missing for c in on_chain[4:])
    loose = tmp_path / "r" / ".git" / "objects" / str(missing)[:2] / str(missing)[2:]
    loose.unlink()
    store = Store(pygit2.Repository(str(tmp_path / "r")))
    folder = FolderEntries(store, FOLDER, size=1, history_from=2)
    for commit in on_chain[4:] * 3:
        for name in NAMES:
            assert folder.entry_id(commit, name) == _expected(store, commit, name)
    assert folder._shared.history is None
    assert folder._shared.next_check > 10**9


def _raw_tree(entries: list[tuple[bytes, bytes, pygit2.Oid]]) -> bytes:
    return b"".join(mode + b" " + name + b"\x00" + oid.raw for mode, name, oid in entries)


@pytest.mark.parametrize(
    "hostile",
    [
        [(b"100644", b"A.md", 0), (b"100644", b"A.md", 1), (b"100644", b"B.md", 2)],  # twice
        [(b"100644", b"B.md", 0), (b"100644", b"A.md", 1)],  # out of git's order
        [(b"40000", b"A.md", 3), (b"100644", b"A.md", 0)],  # a folder and a file: one name
        [(b"40000", b"A", 3), (b"100644", b"A.md", 0)],  # "A/" sorts after "A.md"
    ],
)
def test_a_hostile_pages_tree_is_looked_up_as_libgit2_finds_its_names(
    tmp_path: Path, hostile: list[tuple[bytes, bytes, int]]
) -> None:
    """A tree git would not write (a name twice, names out of order): its commit's
    lookups are what a lookup of the whole path finds, the history given up."""
    builder = RepoBuilder(tmp_path / "r")
    first = builder.commit({f"{FOLDER}/A.md": "a", f"{FOLDER}/B.md": "b"}, date="2026-01-01")
    repo = builder.repo
    blobs = [repo.create_blob(text) for text in (b"x", b"y", b"z")]
    blobs.append(repo.TreeBuilder().write())
    raw = _raw_tree([(mode, name, blobs[at]) for mode, name, at in hostile])
    second = _commit_raw_pages(repo, first, raw)
    third = builder.commit({f"{FOLDER}/C.md": "c"}, date="2026-01-03")
    store = Store(pygit2.Repository(str(tmp_path / "r")))
    folder = FolderEntries(store, FOLDER, size=1, history_from=1)
    for commit in [first, second, third] * 2:
        for name in ["A.md", "B.md", "C.md"]:
            assert folder.entry_id(commit, name) == _expected(store, commit, name)
    assert folder_history(store, FOLDER, 1_000) is False


def test_a_pages_tree_with_a_mode_git_does_not_write_is_kept_in_the_history(
    tmp_path: Path,
) -> None:
    """libgit2 reads an odd blob mode (100664) as a file's: the names are where its
    lookups find them, so the history keeps that tree and answers as they do."""
    builder = RepoBuilder(tmp_path / "r")
    first = builder.commit({f"{FOLDER}/A.md": "a", f"{FOLDER}/B.md": "b"}, date="2026-01-01")
    repo = builder.repo
    blobs = [repo.create_blob(text) for text in (b"x", b"y")]
    raw = _raw_tree([(b"100644", b"A.md", blobs[0]), (b"100664", b"B.md", blobs[1])])
    second = _commit_raw_pages(repo, first, raw)
    store = Store(pygit2.Repository(str(tmp_path / "r")))
    history = folder_history(store, FOLDER, 1_000)
    assert isinstance(history, FolderHistory)
    for commit in [first, second]:
        for name in ["A.md", "B.md", "C.md"]:
            assert history.entry_id(commit, name) == _expected(store, commit, name)
    assert history.entry_id(second, "B.md") == str(blobs[1])


def _noting_history_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The limits of every folder_history read from here on, in order."""
    read: list[int] = []
    real_history = folder_entries.folder_history

    def reading(store: Store, folder: str, limit: int) -> FolderHistory | bool | None:
        read.append(limit)
        return real_history(store, folder, limit)

    monkeypatch.setattr(folder_entries, "folder_history", reading)
    return read


def _commit_raw_pages(repo: pygit2.Repository, parent: str, raw: bytes) -> str:
    """A commit on ``parent`` whose pages folder is the raw tree object ``raw``."""
    pages = repo.odb.write(pygit2.enums.ObjectType.TREE, raw)
    playlists = repo.TreeBuilder()
    playlists.insert("pretty", pages, pygit2.enums.FileMode.TREE)
    root = repo.TreeBuilder()
    root.insert("playlists", playlists.write(), pygit2.enums.FileMode.TREE)
    signature = pygit2.Signature("Test", "test@example.invalid", 1767312000, 0)
    made = repo.create_commit(
        "HEAD", signature, signature, "odd", root.write(), [pygit2.Oid(hex=parent)]
    )
    return str(made)


def test_a_history_of_many_names_each_changed_once_is_bounded_by_its_names_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name's arrays cost far more than one change: a folder of many names changed once
    each is given up by their count, not kept past the bound."""
    builder = RepoBuilder(tmp_path / "r")
    builder.commit({f"{FOLDER}/{n}.md": str(n) for n in range(10)}, date="2026-01-01")
    store = Store(pygit2.Repository(str(tmp_path / "r")))
    kept = folder_history(store, FOLDER, 1_000)
    assert isinstance(kept, FolderHistory)
    monkeypatch.setattr(folder_entries, "MAX_CHANGES", 10 * folder_entries.NAME_COST)
    assert folder_history(store, FOLDER, 1_000) is False
