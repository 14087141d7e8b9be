"""`gitarchive import`: a playlist's past from a spotify-playlist-archive-style repository."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pygit2
import pytest

from gitarchive import formats
from gitarchive.formats.paths import cumulative_json_path, followers_path
from gitarchive.spotify import parse_playlist
from tests.support.api import fake_id, playlist_with_tracks
from tests.support.builder import RepoBuilder, playlist_files
from tests.support.cli import run_cli, run_cli_captured
from tests.support.fakespotify import FakeSpotify
from tests.support.gitcli import git, git_process
from tests.support.hostile import TERMINAL_ESCAPES

if TYPE_CHECKING:
    from pathlib import Path

    from gitarchive.model import Playlist

P = fake_id("import-test", "p")  # imported
R = fake_id("import-test", "r")  # archived here only
Q = fake_id("import-test", "q")  # the source's other playlist


def model(playlist_id: str, lineup: list[int], **kwargs: Any) -> Playlist:
    data = playlist_with_tracks(playlist_id, lineup, **kwargs)
    meta = {k: v for k, v in data.items() if k != "items"}
    return parse_playlist(meta, data["items"]["items"])


def track_numbers(document: dict[str, Any], playlist_id: str) -> list[str]:
    return sorted(t["name"] for t in document["tracks"])


def build_source(path: Path, *, layout: str = "current") -> None:
    """A spotify-playlist-archive clone: P changes on 01-10 and 03-10 and after our start.

    ``layout``: "current" (id-keyed), "2021" (name-keyed pages), "mixed" (the 2021 page
    first, id-keyed files from the second version on, as in a clone that lived through both).
    """
    builder = RepoBuilder(path)
    for date, lineup in (
        ("2025-01-10T12:00:00Z", [0, 1, 2]),
        ("2025-02-20T12:00:00Z", None),  # only Q changes
        ("2025-03-10T12:00:00Z", [1, 2, 3]),
        ("2026-11-25T12:00:00Z", [7]),  # newer than P's first version here: not imported
    ):
        files: dict[str, str | bytes | None] = {}
        name_keyed = layout == "2021" or (layout == "mixed" and date.startswith("2025-01"))
        if lineup is None:
            files.update(playlist_files(model(Q, [5, 6], name="Other")))
        else:
            playlist = model(P, lineup, name="Pop")
            if name_keyed:  # 2021: the page named by the playlist's name
                page = formats.render_pretty(playlist, github=None)
                files["playlists/pretty/Pop.md"] = page
            else:
                files.update(playlist_files(playlist))
                files[cumulative_json_path(P)] = "{}\n"
                files[followers_path(P)] = json.dumps({date[:10]: 10}) + "\n"
        builder.commit(files, date=date, message="update")


@pytest.fixture
def archive(tmp_path: Path, fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Here: R synced on 2025-02-01; P registered and synced 2026-11-20 and -21."""
    fake_spotify.setenv(monkeypatch)
    root = tmp_path / "archive"
    pygit2.init_repository(str(root), initial_head="main")
    fake_spotify.add_playlist(playlist_with_tracks(R, [0, 1], name="Rock"))
    assert run_cli("-C", str(root), "add", R) == 0
    assert run_cli("-C", str(root), "sync", "--date", "2025-02-01T06:00:00Z") == 0
    fake_spotify.add_playlist(playlist_with_tracks(P, [2, 3, 4], name="Pop"))
    assert run_cli("-C", str(root), "add", P) == 0
    assert run_cli("-C", str(root), "sync", "--date", "2026-11-20T06:00:00Z") == 0
    fake_spotify.add_playlist(playlist_with_tracks(P, [3, 4, 5], name="Pop"))
    assert run_cli("-C", str(root), "sync", "--date", "2026-11-21T06:00:00Z") == 0
    return root


def cli_json(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> Any:
    code, out, err = run_cli_captured(capsys, "-C", str(root), *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def names(lineup: list[int]) -> list[str]:
    return sorted(t.name for t in model(P, lineup).tracks)


@pytest.mark.parametrize("layout", ["current", "2021", "mixed"])
def test_import_then_sync_gives_one_history(
    archive: Path,
    tmp_path: Path,
    fake_spotify: FakeSpotify,
    capsys: pytest.CaptureFixture[str],
    layout: str,
) -> None:
    capsys.readouterr()  # the fixture's output
    build_source(tmp_path / "spa", layout=layout)
    code, out, err = run_cli_captured(
        capsys, "-C", str(archive), "import", str(tmp_path / "spa"), "--playlist", P
    )
    assert code == 0, err
    assert "imported 2 versions" in out and "1 newer source versions skipped" in out
    fake_spotify.add_playlist(playlist_with_tracks(P, [5, 6], name="Pop"))
    assert run_cli("-C", str(archive), "sync", "--date", "2026-11-22T06:00:00Z") == 0
    capsys.readouterr()
    assert git(archive, "status", "--porcelain", "--untracked-files=all") == ""

    document = cli_json(capsys, archive, "history", P, "--reverse")
    dates = [v["date"] for v in document["versions"]]
    assert dates == [
        "2025-01-10T12:00:00Z",
        "2025-03-10T12:00:00Z",
        "2026-11-20T06:00:00Z",
        "2026-11-21T06:00:00Z",
        "2026-11-22T06:00:00Z",
    ]
    added = [sorted(t["name"] for t in v["added"]) for v in document["versions"]]
    removed = [sorted(t["name"] for t in v["removed"]) for v in document["versions"]]
    assert added[0] == names([0, 1, 2]) and removed[0] == []
    assert added[1] == names([3]) and removed[1] == names([0])
    assert added[2] == names([4]) and removed[2] == names([1])  # across the seam
    # author dates along the first-parent chain are in order (the git CLI as the oracle)
    # (up to the import's last version: the cumulative refresh is dated now, the test's later
    # sync in the past)
    log = git(archive, "log", "--first-parent", "--reverse", "--format=%at %s").splitlines()
    assert log[-2].split(" ", 1)[1].startswith("Cumulative view of Pop")
    stamps = [int(line.split()[0]) for line in log[:-2]]
    assert stamps == sorted(stamps) and len(stamps) == 5  # 2 imported + 3 replayed syncs
    # show --at a date before the import's end, for the imported and the other playlist
    shown = cli_json(capsys, archive, "show", P, "--at", "2025-02-15")
    assert track_numbers(shown, P) == names([0, 1, 2])
    shown = cli_json(capsys, archive, "show", R, "--at", "2025-02-15")
    assert track_numbers(shown, R) == sorted(t.name for t in model(R, [0, 1]).tracks)
    code, _, _ = run_cli_captured(capsys, "-C", str(archive), "show", P, "--at", "2025-01-05")
    assert code == 1  # no version yet then
    view = cli_json(capsys, archive, "cumulative", P)
    first_added = {t["name"]: t["added"] for t in view["tracks"]}
    assert first_added[names([0])[0]] == "2025-01-10"
    # every commit, imported and replayed, passes validation (what a pre-push would check)
    code, out, err = run_cli_captured(capsys, "-C", str(archive), "validate", "--all")
    assert code == 0, out + err
    first = git(archive, "rev-list", "--max-parents=0", "HEAD").strip()
    code, out, err = run_cli_captured(capsys, "-C", str(archive), "validate", f"{first}..HEAD")
    assert code == 0, out + err
    # a second import finds nothing older
    code, out, _ = run_cli_captured(
        capsys, "-C", str(archive), "import", str(tmp_path / "spa"), "--playlist", P
    )
    assert code == 0 and "nothing to import" in out


def test_import_refuses_to_rewrite_pushed_commits(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_source(tmp_path / "spa")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(archive, "remote", "add", "origin", str(remote))
    git(archive, "push", "-q", "origin", "main")
    head = git(archive, "rev-parse", "HEAD")
    code, _, err = run_cli_captured(
        capsys, "-C", str(archive), "import", str(tmp_path / "spa"), "--playlist", P
    )
    assert code == 1 and "remote already has" in err and "--rewrite-pushed" in err
    assert git(archive, "rev-parse", "HEAD") == head
    code, _, err = run_cli_captured(
        capsys,
        "-C",
        str(archive),
        "import",
        tmp_path.joinpath("spa").as_uri(),  # a git URL: cloned with pygit2
        "--playlist",
        P,
        "--rewrite-pushed",
    )
    assert code == 0, err
    assert git(archive, "rev-parse", "HEAD") != head


def test_a_playlist_the_source_lacks_is_one_clear_error(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_source(tmp_path / "spa")
    code, _, err = run_cli_captured(
        capsys, "-C", str(archive), "import", str(tmp_path / "spa"), "--playlist", R
    )
    assert code == 1 and R in err and len(err.strip().splitlines()) == 1


def test_import_never_overwrites_uncommitted_changes(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_source(tmp_path / "spa")
    plain = archive / formats.plain_path(P)
    plain.write_text("my edit\n")
    head = git(archive, "rev-parse", "HEAD")
    code, _, err = run_cli_captured(
        capsys, "-C", str(archive), "import", str(tmp_path / "spa"), "--playlist", P
    )
    assert code == 1 and formats.plain_path(P) in err and "uncommitted" in err
    assert plain.read_text() == "my edit\n" and git(archive, "rev-parse", "HEAD") == head


def test_an_imported_history_is_pushed_through_the_pre_push_hook(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every imported and replayed commit carries a valid index: the hook lets it through."""
    build_source(tmp_path / "spa")
    code, _, err = run_cli_captured(
        capsys, "-C", str(archive), "import", str(tmp_path / "spa"), "--playlist", P
    )
    assert code == 0, err
    commits = git(archive, "rev-list", "--reverse", "HEAD").split()
    for commit_id in commits:
        code, out, err = run_cli_captured(
            capsys, "-C", str(archive), "validate", "--all", commit_id
        )
        assert code == 0, f"{commit_id}: {out}{err}"
        code, out, err = run_cli_captured(capsys, "-C", str(archive), "validate", commit_id)
        assert code == 0, f"{commit_id}: {out}{err}"
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(archive, "remote", "add", "origin", str(remote))
    assert run_cli("-C", str(archive), "hooks", "install") == 0
    pushed = git_process(archive, "push", "origin", "main")
    assert pushed.returncode == 0, pushed.stderr
    assert git(remote, "rev-parse", "main") == git(archive, "rev-parse", "HEAD")


def test_a_merge_reaching_the_rewritten_commits_is_replayed_with_its_first_parent_only(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its second parent would keep every pre-import commit reachable beside its copy."""
    first = git(archive, "rev-list", "--max-parents=0", "HEAD").strip()
    old_chain = set(git(archive, "rev-list", "--first-parent", "HEAD").split())
    git(archive, "checkout", "-q", "-b", "side", first)
    (archive / "notes.txt").write_text("merged in\n")
    git(archive, "add", "notes.txt")
    git(archive, "commit", "-qm", "side")
    git(archive, "checkout", "-q", "main")
    git(archive, "merge", "-q", "--no-ff", "-m", "merge side", "side")
    git(archive, "branch", "-q", "-D", "side")
    merge = git(archive, "rev-parse", "HEAD").strip()
    build_source(tmp_path / "spa")
    document = cli_json(capsys, archive, "import", str(tmp_path / "spa"), "--playlist", P)
    assert document["playlists"][0]["merges_replayed_with_first_parent_only"] == [merge]
    reachable = set(git(archive, "rev-list", "HEAD").split())
    assert not reachable & old_chain  # no pre-import commit is left beside its copy
    subjects = git(archive, "log", "--format=%s").splitlines()
    assert len(subjects) == len(set(subjects))  # git log shows no version twice
    assert (archive / "notes.txt").read_text() == "merged in\n"  # what the merge brought in
    dates = [v["date"] for v in cli_json(capsys, archive, "history", P, "--reverse")["versions"]]
    assert dates == sorted(set(dates)) and len(dates) == 4
    code, out, err = run_cli_captured(capsys, "-C", str(archive), "validate", "--all")
    assert code == 0, out + err


def test_imported_names_are_cleaned_as_the_spotify_client_cleans_them(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    playlist = model(P, [0, 1], name="Pop")
    dirty = replace(
        playlist,
        original_name=f"Pop {TERMINAL_ESCAPES}",
        unique_name=f"Pop {TERMINAL_ESCAPES}",
        tracks=(replace(playlist.tracks[0], name=TERMINAL_ESCAPES), *playlist.tracks[1:]),
    )
    RepoBuilder(tmp_path / "spa").commit(
        playlist_files(dirty), date="2025-01-10T12:00:00Z", message="by hand"
    )
    code, _, err = run_cli_captured(
        capsys, "-C", str(archive), "import", str(tmp_path / "spa"), "--playlist", P
    )
    assert code == 0, err
    log = git(archive, "log", "--format=%B")
    written = git(archive, "show", f"HEAD~1:{formats.json_path(P)}")
    assert "\x1b" not in log and "\\u001b" not in written and "\\u202e" not in written
    code, out, err = run_cli_captured(capsys, "-C", str(archive), "validate", "--all")
    assert code == 0, out + err
