"""The change index is a cache: every read command prints the same bytes with it and without.

Each repository below is read by every read command four ways - without the
index (GITARCHIVE_NO_INDEX: the walk, in memory), building it one playlist at a
time (the first `history`), warm, and after `gitarchive index --rebuild` (the
all-playlists fold) - and all outputs must be identical. Repositories: the
demo archive; merges; a playlist deleted and re-registered; a plain-only past;
JSON-only and markdown-only versions; a force-pushed rewrite; catch-up after
new commits; a corrupt, a truncated and an older-schema index file.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

import gitarchive.git
from gitarchive import formats
from gitarchive.formats import registry_path
from gitarchive.git import Store
from gitarchive.index import ChangeIndex, db
from gitarchive.sync import SyncOptions, run_sync
from tests.support.api import fake_id, playlist_with_tracks
from tests.support.builder import RepoBuilder, deleted_files, init_archive, playlist_files
from tests.support.cli import imported_after, index_file
from tests.support.cli import invoke_in as invoke
from tests.support.fakespotify import FakeSpotify
from tests.support.gitcli import git
from tests.support.legacy_archive import files_2021, page_path, plain_2021, sorted_by_a_merge
from tests.support.models import PID
from tests.support.models import model_playlist as playlist
from tests.support.models import model_track as track
from tests.support.models import plain_track as plain

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.demo import DemoArchive

runner = CliRunner()
OTHER = "Q" * 22


def read_commands(playlist_id: str) -> list[list[str]]:
    return [
        ["history", playlist_id],
        ["history", playlist_id, "--likes"],
        ["history", playlist_id, "--format", "json"],
        ["history", playlist_id, "--format", "json", "--likes", "--limit", "2"],
        ["history", playlist_id, "--format", "markdown", "--likes"],
        ["history", playlist_id, "--since", "2026-01-03", "--reverse"],
        ["history", playlist_id, "--moves", "--move-threshold", "2"],
        ["history", playlist_id, "--moves", "--format", "json"],
        ["cumulative", playlist_id],
        ["cumulative", playlist_id, "--format", "json"],
        ["cumulative", playlist_id, "--format", "csv"],
        ["show", playlist_id],
        ["show", playlist_id, "--at", "2026-01-02"],
        ["show", playlist_id, "--at", "2026-10-12", "--format", "json"],
        ["show", playlist_id, "--at", "2030-01-01T00:00Z", "--format", "plain"],
    ]


def outputs(repo: Path, ids: list[str]) -> dict[str, tuple[int, str, str]]:
    found = {
        " ".join(command): invoke(repo, *command)
        for playlist_id in ids
        for command in read_commands(playlist_id)
    }
    # last: `list` reads an index that exists (here, after the reads above) and walks otherwise
    for command in (["list"], ["list", "--json"]):
        found[" ".join(command)] = invoke(repo, *command)
    return found


def assert_same_every_way(
    repo: Path, ids: list[str], monkeypatch: pytest.MonkeyPatch
) -> dict[str, tuple[int, str, str]]:
    """Every read command, without the index, cold, warm and after --rebuild: same bytes."""
    existed = index_file(repo).exists()
    with monkeypatch.context() as patched:
        patched.setenv(db.DISABLE_ENV, "1")
        walked = outputs(repo, ids)
    assert index_file(repo).exists() == existed  # not written when disabled
    assert any(code == 0 and out for code, out, _ in walked.values())
    assert outputs(repo, ids) == walked  # caught up, if there was an index
    db.remove_files(index_file(repo))
    assert outputs(repo, ids) == walked  # cold: each playlist folded on its own
    assert index_file(repo).exists()
    assert outputs(repo, ids) == walked  # warm
    assert invoke(repo, "index", "--rebuild")[0] == 0
    assert outputs(repo, ids) == walked  # all playlists folded in one pass
    db.remove_files(index_file(repo))
    assert invoke(repo, "index")[0] == 0
    assert outputs(repo, ids) == walked
    return walked


# ---------------------------------------------------------------- repositories


def version_series(
    builder: RepoBuilder, kinds: tuple[str, ...] = ("json", "pretty", "plain")
) -> None:
    p1 = playlist(track(1), track(2), track(3), likes=10)
    p2 = playlist(track(1), track(3, name="Song 3 (Remastered)"), track(4), likes=12)
    p3 = dataclasses.replace(p2, num_followers=15)  # likes only
    p4 = playlist(track(4), track(5), track(1), name="Mix 2", description="new", likes=15)
    for day, p in enumerate((p1, p2, p3, p4), start=1):
        builder.commit(playlist_files(p, kinds), date=f"2026-01-0{day}T06:00:00")


def test_demo_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_archive: DemoArchive
) -> None:
    shutil.copytree(demo_archive.path, tmp_path / "demo", symlinks=True)  # the index is written
    ids = [playlist_id for playlist_id, _name in demo_archive.result.playlists]
    walked = assert_same_every_way(tmp_path / "demo", ids, monkeypatch)
    assert all(walked[f"history {pid} --format json"][0] == 0 for pid in ids)


@pytest.mark.parametrize("kinds", [("json",), ("pretty",), ("plain",), ("json", "plain")])
def test_single_source_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kinds: tuple[str, ...]
) -> None:
    builder = RepoBuilder(tmp_path / "repo")
    version_series(builder, kinds)
    assert_same_every_way(tmp_path / "repo", [PID, OTHER], monkeypatch)


def test_plain_only_past_then_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builder = RepoBuilder(tmp_path / "repo")
    old = playlist(plain(track(1)), plain(track(2)))
    builder.commit(playlist_files(old, ("plain",)), date="2026-01-01T06:00:00")
    builder.commit(playlist_files(playlist(track(1), track(2), track(3))), date="2026-01-02")
    builder.commit(playlist_files(playlist(track(2), track(3))), date="2026-01-03T06:00:00")
    assert_same_every_way(tmp_path / "repo", [PID], monkeypatch)


def test_moves_and_reorder_only_versions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builder = RepoBuilder(tmp_path / "repo")
    tracks = [track(n) for n in range(1, 21)]
    old = playlist(*(plain(t) for t in tracks))
    builder.commit(playlist_files(old, ("plain",)), date="2026-01-01T06:00:00")
    # a plain file lists tracks sorted: its order says nothing, so no move across it
    shuffled = [*tracks[::2], *tracks[1::2]]
    builder.commit(playlist_files(playlist(*shuffled)), date="2026-01-02T06:00:00")
    jumped = [tracks[15], *tracks[:15], *tracks[16:]]
    builder.commit(playlist_files(playlist(*jumped)), date="2026-01-03T06:00:00")
    twice = [*jumped[10:], *jumped[:10], jumped[3]]  # halves swapped, one track listed twice
    builder.commit(playlist_files(playlist(*twice)), date="2026-01-04T06:00:00")
    walked = assert_same_every_way(tmp_path / "repo", [PID], monkeypatch)
    document = json.loads(walked[f"history {PID} --moves --format json"][1])
    versions = document["versions"]
    assert [(v["date"][:10], len(v["moved"])) for v in versions] == [
        ("2026-01-04", 20), ("2026-01-03", 11), ("2026-01-01", 0)
    ]  # fmt: skip
    assert "Song 16 — Artist 16  18 → 1" in walked[f"history {PID} --moves --move-threshold 2"][1]


def test_deleted_and_re_registered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builder = RepoBuilder(tmp_path / "repo", bare=True)
    builder.commit(playlist_files(playlist(track(1), track(2))), date="2026-01-01T06:00:00")
    builder.commit(deleted_files(PID), date="2026-01-02T06:00:00")
    builder.commit(playlist_files(playlist(track(2), track(3))), date="2026-01-03T06:00:00")
    builder.commit(deleted_files(PID), date="2026-01-04T06:00:00")
    builder.commit(playlist_files(playlist(track(2), track(3))), date="2026-01-05T06:00:00")
    assert_same_every_way(tmp_path / "repo", [PID], monkeypatch)


def test_list_shows_the_last_plain_change_with_and_without_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builder = RepoBuilder(tmp_path / "repo", bare=True)
    registered = {registry_path(PID): "", registry_path(OTHER): ""}
    first = playlist_files(playlist(track(1), likes=1))
    builder.commit({**registered, **first}, date="2026-01-01T06:00:00")
    # likes only: the JSON snapshot changes, the plain file does not
    builder.commit(playlist_files(playlist(track(1), likes=2)), date="2026-01-02T06:00:00")
    builder.commit(playlist_files(playlist(track(1), track(2), likes=2)), date="2026-01-03")
    builder.commit(playlist_files(playlist(track(1), track(2), likes=3)), date="2026-01-04")
    walked = assert_same_every_way(tmp_path / "repo", [PID], monkeypatch)
    code, text, _ = walked["list"]
    assert code == 0
    assert f"{PID}      2  2026-01-03" in text
    assert f"{OTHER}      -  -" in text
    # with an index, `list` does not walk the log
    assert index_file(tmp_path / "repo").exists()
    with monkeypatch.context() as patched:
        patched.setattr(gitarchive.git, "last_changed", _no_walk)
        assert invoke(tmp_path / "repo", "list") == walked["list"]


def _no_walk(*args: object) -> object:
    raise AssertionError("walked the log although the index was there")


def test_merges_follow_the_first_parent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builder = RepoBuilder(tmp_path / "repo")
    base = builder.commit(playlist_files(playlist(track(1))), date="2026-01-01T06:00:00")
    side = builder.commit(
        playlist_files(playlist(track(1), track(9))), date="2026-01-02T06:00:00", ref="refs/x"
    )
    main = builder.commit(playlist_files(playlist(track(1), track(2))), date="2026-01-03")
    builder.commit(
        playlist_files(playlist(track(1), track(2), track(9))),
        date="2026-01-04T06:00:00",
        parents=[main, side],
    )
    assert base
    assert_same_every_way(tmp_path / "repo", [PID], monkeypatch)


def test_catch_up_and_force_pushed_rewrite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    builder = RepoBuilder(repo)
    version_series(builder)
    first = outputs(repo, [PID])
    assert index_file(repo).exists()
    # new commits: the index catches up from its last folded commit
    builder.commit(playlist_files(playlist(track(7), likes=3)), date="2026-01-05T06:00:00")
    assert outputs(repo, [PID]) != first
    walked = assert_same_every_way(repo, [PID], monkeypatch)
    # a force-pushed rewrite: the branch now points at another history
    outputs(repo, [PID])
    builder.commit(playlist_files(playlist(track(8))), date="2026-01-01T06:00:00",
                   parents=[], ref="refs/heads/rewritten")  # fmt: skip
    tip = builder.commit(
        playlist_files(playlist(track(8), track(9))), date="2026-01-02", ref="refs/heads/rewritten"
    )
    builder.repo.references.create("refs/heads/main", tip, force=True)
    after = outputs(repo, [PID])
    with monkeypatch.context() as patched:
        patched.setenv(db.DISABLE_ENV, "1")
        assert outputs(repo, [PID]) == after
    assert after != walked
    # reset to an older commit of the same history
    older = str(builder.repo.revparse_single("HEAD~1").id)
    builder.repo.references.create("refs/heads/main", older, force=True)
    assert_same_every_way(repo, [PID], monkeypatch)


def test_damaged_or_old_index_is_rebuilt_with_one_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    version_series(RepoBuilder(repo))
    walked = assert_same_every_way(repo, [PID], monkeypatch)
    path = index_file(repo)
    good = path.read_bytes()
    damaged = {
        "corrupt": b"this is not a database" * 100,
        "truncated": good[: len(good) // 3],
    }
    for name, data in damaged.items():
        db.remove_files(path)
        path.write_bytes(data)
        code, out, err = invoke(repo, "history", PID, "--format", "json")
        assert code == 0, name
        assert out == walked[f"history {PID} --format json"][1], name
        assert err.count("warning") == 1 and "rebuilding" in err, (name, err)
        assert invoke(repo, "history", PID, "--format", "json")[2] == ""
    connection = sqlite3.connect(path)
    connection.execute("UPDATE meta SET value = '0' WHERE key = 'schema'")
    connection.commit()
    connection.close()
    code, out, err = invoke(repo, "cumulative", PID)
    assert (code, out) == walked[f"cumulative {PID}"][:2]
    assert err.count("warning") == 1
    assert outputs(repo, [PID]) == walked


def test_unwritable_index_location_walks_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    version_series(RepoBuilder(repo, bare=True))
    walked = assert_same_every_way(repo, [PID], monkeypatch)
    db.remove_files(index_file(repo))
    index_file(repo).parent.rmdir()
    index_file(repo).parent.write_text("not a folder\n")  # where the index cannot be created
    assert outputs(repo, [PID]) == walked
    code, out, _ = invoke(repo, "index")
    assert code == 0 and "not written" in out


def test_index_state_command(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    version_series(RepoBuilder(repo))
    code, out, _ = invoke(repo, "index")
    assert code == 0
    assert "commits:   4" in out and "playlists: 1" in out and "versions:  4" in out
    code, out, _ = invoke(repo, "index", "--rebuild", "--json")
    assert code == 0 and '"versions": 4' in out


def test_sync_folds_its_commit_into_the_index(
    tmp_path: Path, fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_spotify.setenv(monkeypatch)
    root = tmp_path / "archive"
    playlist_id = fake_id("index-test", "a")
    init_archive(root, playlist_id)
    when = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    for number, lineup in enumerate(([0, 1, 2], [1, 2, 3], [3, 4])):
        fake_spotify.add_playlist(playlist_with_tracks(playlist_id, lineup, name=f"A {number}"))
        run_sync(Store.discover(root), SyncOptions(now=when + timedelta(days=number)))
        if number == 0:
            assert not index_file(root).exists()  # sync never creates the index
            assert invoke(root, "index")[0] == 0
        else:
            with ChangeIndex(Store.discover(root)) as index:
                status = index.status()
            assert status["all_folded"] == status["commits"] == number + 1  # folded by sync
    assert_same_every_way(root, [playlist_id], monkeypatch)


def test_shallow_clone_refused_then_unshallowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shallow history would be silently short: every reader refuses it, index or not."""
    source = tmp_path / "source"
    builder = RepoBuilder(source)
    version_series(builder)
    builder.commit(playlist_files(playlist(track(6), likes=3)), date="2026-01-05T06:00:00")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{source}", str(clone))
    for disabled in (True, False):
        with monkeypatch.context() as patched:
            if disabled:
                patched.setenv(db.DISABLE_ENV, "1")
            for command in [*read_commands(PID), ["index"], ["export", "sqlite", "x.db"]]:
                code, out, err = invoke(clone, *command)
                # nothing on stdout, or (--format json) the error document alone
                assert code == 1 and (out == "" or json.loads(out)["exit_code"] == 1), command
                assert "shallow" in err and "git fetch --unshallow" in err, command
    assert not index_file(clone).exists()
    git(clone, "fetch", "-q", "--deepen", "2")  # still shallow: still refused
    assert invoke(clone, "history", PID)[0] == 1
    git(clone, "fetch", "-q", "--unshallow")
    unshallowed = assert_same_every_way(clone, [PID], monkeypatch)
    assert unshallowed == outputs(source, [PID])


def test_a_reader_keeps_reading_while_a_writer_catches_up(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    builder = RepoBuilder(repo)
    version_series(builder)
    store = Store.discover(repo)
    with ChangeIndex(store) as reader:
        before = reader.entries(PID)
        reader.connection.execute("BEGIN")  # a long read transaction (a snapshot)
        assert len(reader.connection.execute("SELECT * FROM versions").fetchall()) == 4
        builder.commit(playlist_files(playlist(track(6), likes=3)), date="2026-01-05T06:00:00")
        with ChangeIndex(Store.discover(repo)) as writer:  # WAL: not blocked by the reader
            assert len(writer.entries(PID)) == len(before) + 1
        assert len(reader.connection.execute("SELECT * FROM versions").fetchall()) == 4
        reader.connection.execute("COMMIT")
    with ChangeIndex(Store.discover(repo)) as again:
        assert len(again.entries(PID)) == len(before) + 1


def test_version_imports_neither_sqlite_nor_the_index() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from gitarchive.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('sqlite3', 'gitarchive.index', 'pygit2') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().endswith("[]")


def test_warm_history_imports_neither_the_readers_nor_markdown_it(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    version_series(RepoBuilder(repo))
    assert invoke(repo, "index")[0] == 0
    argv = ["-C", str(repo), "history", PID, "--format", "json"]
    names = ("gitarchive.formats", "gitarchive.versions", "markdown_it")
    assert imported_after(argv, names) == []


def test_a_new_index_is_built_by_one_walk_of_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first read of a new index builds the chain and its playlist's fold from one walk
    (the chain alone would be a second walk of every commit); later reads use that chain."""
    repo = tmp_path / "repo"
    builder = RepoBuilder(repo)
    version_series(builder)
    other = dataclasses.replace(playlist(track(7)), id=OTHER)
    builder.commit(playlist_files(other), date="2026-01-05T06:00:00")
    calls: list[str] = []
    for name in ("walk_commits_since", "walk_paths_since"):
        original = getattr(gitarchive.git, name)

        def spy(
            *args: object, _name: str = name, _original: object = original, **kwargs: object
        ) -> object:
            calls.append(_name)
            return _original(*args, **kwargs)  # type: ignore[operator]

        monkeypatch.setattr(gitarchive.git, name, spy)
    store = Store.discover(repo)
    with ChangeIndex(store) as index:
        assert calls == []  # opening a new index walks nothing yet
        assert len(index.entries(PID)) == 4
        assert calls == ["walk_paths_since"]
        assert index.status()["commits"] == 5
        assert len(index.entries(OTHER)) == 1
        assert calls == ["walk_paths_since", "walk_paths_since"]
    with ChangeIndex(store) as index:
        assert len(index.entries(PID)) == 4  # warm: no walk at all
        assert calls == ["walk_paths_since", "walk_paths_since"]
    # a new index's first read that needs the chain alone builds it alone
    db.remove_files(index_file(repo))
    with ChangeIndex(store) as index:
        when = datetime(2026, 1, 2, 12, tzinfo=UTC)
        assert index.commit_at(when) == gitarchive.git.commit_at(store, when)
        assert calls[2:] == ["walk_commits_since"]
        assert index.status()["commits"] == 5


def test_a_plain_file_that_changes_alone_and_outlives_the_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A playlist folded on its own reads its plain file only where it is the best source
    (neither snapshot nor page): `list`'s last change of the plain file, and the versions
    read from the plain file once the snapshot and the page are gone, are still the walk's,
    whichever folded first."""
    from gitarchive import formats

    repo = tmp_path / "repo"
    builder = RepoBuilder(repo, bare=True)
    first = playlist(track(1), track(2), likes=10)
    builder.commit({registry_path(PID): "", **playlist_files(first)}, date="2026-01-01T06:00:00")
    hand_edit = formats.render_plain(playlist(track(1), track(2), track(3)))
    builder.commit({formats.plain_path(PID): hand_edit}, date="2026-01-02T06:00:00")
    likes = dataclasses.replace(first, num_followers=11)
    builder.commit(playlist_files(likes, ("json", "pretty")), date="2026-01-03T06:00:00")
    # folded on its own up to here (the snapshot there: its plain file is not read)
    assert invoke(repo, "history", PID)[0] == 0
    builder.commit(
        {formats.json_path(PID): None, formats.pretty_path(PID): None},
        date="2026-01-04T06:00:00",
    )
    builder.commit(playlist_files(playlist(track(3)), ("plain",)), date="2026-01-05T06:00:00")
    # the all-playlists pass goes on from that fold: the plain file is the source now
    assert invoke(repo, "index")[0] == 0
    caught_up = outputs(repo, [PID])
    walked = assert_same_every_way(repo, [PID], monkeypatch)
    assert caught_up == walked
    assert f"{PID}      1  2026-01-05" in walked["list"][1]
    history = walked[f"history {PID}"][1]
    assert "2026-01-04" in history and "2026-01-05" in history  # read from the plain file


def test_a_2021_name_keyed_archive_reads_the_same_every_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plain files without a final newline whose versions carry their commits' pages,
    merge-sorted headers (named from the page, else the previous version), a rename,
    a case-only edit; then a catch-up that resumes after such a version."""
    builder = RepoBuilder(tmp_path / "repo")
    v1 = playlist(track(1), track(2), track(3), description="About", likes=10)
    v2 = playlist(track(2), track(3), track(4), description="About", likes=12)
    v3 = dataclasses.replace(v2, original_name="New Mix", unique_name="New Mix", num_followers=13)
    v4 = dataclasses.replace(v3, tracks=(*v3.tracks[:2], plain(track(4, name="SONG 4"))))
    other = playlist(plain(track(7)), name="Other", description="ends\n")
    other = dataclasses.replace(other, id=OTHER)
    builder.commit({**files_2021(v1), **files_2021(other)}, date="2026-01-01T06:00:00")
    sorted_v2 = {**files_2021(v2), formats.plain_path(PID): sorted_by_a_merge(plain_2021(v2))}
    builder.commit(sorted_v2, date="2026-01-02T06:00:00")
    builder.commit({page_path("Mix"): None, **files_2021(v3)}, date="2026-01-03T06:00:00")
    sorted_v4 = sorted_by_a_merge(plain_2021(v4))  # and no page: named by the version before
    builder.commit(
        {page_path("New Mix"): None, formats.plain_path(PID): sorted_v4},
        date="2026-01-04T06:00:00",
    )
    walked = assert_same_every_way(tmp_path / "repo", [PID, OTHER], monkeypatch)
    document = json.loads(walked[f"history {PID} --format json"][1])
    assert [v["name"] for v in document["versions"]] == ["New Mix", "New Mix", "Mix", "Mix"]
    assert [len(v["updated"]) for v in document["versions"]] == [1, 0, 0, 0]
    assert [t["url"] for t in document["versions"][-1]["added"]] == [
        track(n).url for n in (1, 2, 3)
    ]  # the first version's page
    v5 = dataclasses.replace(v4, tracks=(*v4.tracks, plain(track(9))))
    builder.commit(
        {formats.plain_path(PID): sorted_by_a_merge(plain_2021(v5))}, date="2026-01-05T06:00:00"
    )
    again = assert_same_every_way(tmp_path / "repo", [PID, OTHER], monkeypatch)
    assert json.loads(again[f"history {PID} --format json"][1])["versions"][0]["name"] == "New Mix"
