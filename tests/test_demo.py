"""`gitarchive demo`: the archive it makes is what the shipped snapshots imply.

Every expectation is computed from the shipped data (``load_demo_data``), never
hard-coded, and compared with what the real commands read back from git.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from gitarchive import demo, formats
from gitarchive.demo import DemoData, DemoState, build_demo, expected_playlist, load_demo_data
from gitarchive.errors import PlaylistUnavailable, UsageError
from gitarchive.spotify import Auth, SpotifyClient
from tests.support import SEED_ID
from tests.support.cli import run_cli_captured
from tests.support.demo import DemoArchive
from tests.support.gitcli import git

DATA = load_demo_data()


@pytest.fixture
def archive(demo_archive: DemoArchive) -> tuple[Path, demo.DemoResult]:
    return demo_archive.path, demo_archive.result


# ------------------------------------------------------------ expectations


def archived_versions(data: DemoData, playlist_id: str) -> list[tuple[date, DemoState]]:
    """The versions a correct archive holds: each available day whose state changed."""
    versions: list[tuple[date, DemoState]] = []
    for moment, state in zip(data.days, data.playlists[playlist_id].states, strict=True):
        if state is not None and (not versions or versions[-1][1] != state):
            versions.append((moment.date(), state))
    return versions


def expected_commit_count(data: DemoData) -> int:
    changed_days = {
        day for playlist_id in data.playlists for day, _ in archived_versions(data, playlist_id)
    }
    # playlists/status.json changes on the days the set of unavailable playlists changes
    failing = [
        frozenset(pid for pid, p in data.playlists.items() if p.states[index] is None)
        for index in range(len(data.days))
    ]
    status_days = {
        data.days[index].date()
        for index, failed in enumerate(failing)
        if failed != (failing[index - 1] if index else frozenset())
    }
    # the set-up commit, then one per day with any change
    return 1 + len(changed_days | status_days)


def expected_timeline(data: DemoData, playlist_id: str) -> list[dict[str, Any]]:
    """Per version whose tracks changed: the date and the ids added / removed / updated."""
    timeline = []
    before: DemoState | None = None
    for day, state in archived_versions(data, playlist_id):
        old = Counter(t.id for t in before.tracks) if before else Counter()
        new = Counter(t.id for t in state.tracks)
        old_meta = {t.id: (t.name, t.artists, t.album[0]) for t in before.tracks} if before else {}
        updated = sorted(
            t.id
            for t in state.tracks
            if t.id in old_meta and old_meta[t.id] != (t.name, t.artists, t.album[0])
        )
        entry = {
            "date": day.isoformat(),
            "added": sorted((new - old).elements()),
            "removed": sorted((old - new).elements()),
            "updated": updated,
        }
        if entry["added"] or entry["removed"] or entry["updated"]:
            timeline.append(entry)
        before = state
    return timeline


def expected_cumulative(data: DemoData, playlist_id: str) -> dict[str, tuple[str, str | None]]:
    """track id -> (added, removed): added is the earliest of first archived day and
    Spotify's added_at; removed is the day of its last removal, None while present."""
    added: dict[str, date] = {}
    removed: dict[str, date | None] = {}
    for day, state in archived_versions(data, playlist_id):
        present = {t.id: t for t in state.tracks}
        for track_id, track in present.items():
            added_at = track.added_at
            known = added_at is not None and not added_at.startswith("1970-01-01")
            first = min(day, date.fromisoformat(added_at[:10])) if added_at and known else day
            added[track_id] = min(added.get(track_id, first), first)
            removed[track_id] = None
        for track_id in added:
            if track_id not in present and removed.get(track_id) is None:
                removed[track_id] = day
    return {
        track_id: (added[track_id].isoformat(), (r.isoformat() if r else None))
        for track_id, r in removed.items()
    }


# ------------------------------------------------------------------ the data


def test_shipped_data_has_what_the_demo_promises() -> None:
    assert SEED_ID in DATA.playlists
    for playlist_id in DATA.playlists:
        versions = archived_versions(DATA, playlist_id)
        assert 20 <= len(versions) <= 40, playlist_id
    timelines = {pid: expected_timeline(DATA, pid) for pid in DATA.playlists}
    seed = timelines[SEED_ID][1:]
    assert any(entry["added"] for entry in seed)
    assert any(entry["removed"] for entry in seed)
    assert any(entry["updated"] for entry in seed)  # a renamed album
    ever_removed = {t for entry in seed for t in entry["removed"]}
    assert ever_removed & {t for entry in seed for t in entry["added"]}, "a re-added track"
    followers = {s.followers for s in DATA.playlists[SEED_ID].states if s}
    assert len(followers) > 20  # likes moving
    assert any(None in p.states for p in DATA.playlists.values()), "a playlist goes 404"
    assert any(
        s is not None and len(s.tracks) > 50 for p in DATA.playlists.values() for s in p.states
    )


def test_the_real_client_reads_the_transport_as_the_data_says() -> None:
    transport = demo.DemoTransport(DATA)
    auth = Auth(client_id=demo.DEMO_CLIENT_ID, client_secret=demo.DEMO_CLIENT_SECRET)

    async def fetch_all() -> list[tuple[DemoState | None, object]]:
        seen: list[tuple[DemoState | None, object]] = []
        async with SpotifyClient(
            auth,
            api_url=demo.DEMO_API_URL,
            accounts_url=demo.DEMO_ACCOUNTS_URL,
            transport=transport,
        ) as client:
            for index in (0, 14, len(DATA.days) - 1):
                transport.now = DATA.days[index]
                for playlist_id in DATA.playlists:
                    state = DATA.state(playlist_id, transport.now)
                    try:
                        seen.append((state, await client.get_playlist(playlist_id)))
                    except PlaylistUnavailable as exc:
                        seen.append((state, exc))
        return seen

    results = asyncio.run(fetch_all())
    assert any(isinstance(got, PlaylistUnavailable) for _, got in results)
    for state, got in results:
        if state is None:
            assert isinstance(got, PlaylistUnavailable)
        else:
            assert got == expected_playlist(state)
    paged = sum(1 for state, _ in results if state is not None and len(state.tracks) > 50)
    assert paged > 0  # pagination happened
    # a metadata read per playlist; a second look at its snapshot_id after two pages or more
    assert transport.requests["playlist"] == len(results) + paged
    assert transport.requests["items"] >= len(results) - sum(s is None for s, _ in results) + paged


def test_transport_enforces_the_api_rules() -> None:
    transport = demo.DemoTransport(DATA)

    async def calls() -> list[int]:
        async with httpx.AsyncClient(transport=transport) as http:
            base = f"{demo.DEMO_API_URL}/playlists/{SEED_ID}"
            anonymous = await http.get(base)
            token = await http.post(
                f"{demo.DEMO_ACCOUNTS_URL}/api/token",
                data={"grant_type": "client_credentials"},
                auth=(demo.DEMO_CLIENT_ID, demo.DEMO_CLIENT_SECRET),
            )
            wrong = await http.post(
                f"{demo.DEMO_ACCOUNTS_URL}/api/token",
                data={"grant_type": "client_credentials"},
                auth=(demo.DEMO_CLIENT_ID, "nope"),
            )
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            too_many = await http.get(f"{base}/items?limit=51", headers=headers)
            page = await http.get(f"{base}/items?limit=50", headers=headers)
            unknown = await http.get(f"{demo.DEMO_API_URL}/playlists/{'x' * 22}", headers=headers)
            return [
                anonymous.status_code,
                wrong.status_code,
                too_many.status_code,
                page.status_code,
                unknown.status_code,
            ]

    assert asyncio.run(calls()) == [401, 400, 400, 200, 404]


# --------------------------------------------------------------- the archive


def test_commit_count_is_one_set_up_plus_one_per_day_with_a_change(
    archive: tuple[Path, demo.DemoResult],
) -> None:
    path, result = archive
    commits = int(git(path, "rev-list", "--count", "HEAD"))
    assert commits == expected_commit_count(DATA) == result.commits
    assert result.syncs == len(DATA.days)
    assert commits < 1 + result.syncs, "some days change nothing: no commit"
    authors = set(git(path, "log", "--format=%an <%ae>").splitlines())
    assert authors == {f"{demo.DEMO_AUTHOR_NAME} <{demo.DEMO_AUTHOR_EMAIL}>"}
    dates = git(path, "log", "--format=%cI").split()
    assert dates[0].startswith(DATA.days[-1].date().isoformat())


def test_work_tree_is_clean_and_validates(
    archive: tuple[Path, demo.DemoResult], capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = archive
    assert git(path, "status", "--porcelain") == ""
    code, out, err = run_cli_captured(capsys, "-C", str(path), "validate", "--all")
    assert code == 0, out + err


@pytest.mark.parametrize("playlist_id", list(DATA.playlists))
def test_history_shows_the_shipped_changes(
    archive: tuple[Path, demo.DemoResult],
    capsys: pytest.CaptureFixture[str],
    playlist_id: str,
) -> None:
    path, _ = archive
    code, out, err = run_cli_captured(
        capsys, "-C", str(path), "history", playlist_id, "--format", "json", "--reverse"
    )
    assert code == 0, err
    document = json.loads(out)
    got = [
        {
            "date": version["date"][:10],
            "added": sorted(t["id"] for t in version["added"]),
            "removed": sorted(t["id"] for t in version["removed"]),
            "updated": sorted(u["after"]["id"] for u in version["updated"]),
        }
        for version in document["versions"]
        if version["added"] or version["removed"] or version["updated"]
    ]
    assert got == expected_timeline(DATA, playlist_id)


@pytest.mark.parametrize("playlist_id", list(DATA.playlists))
def test_cumulative_matches_what_the_data_implies(
    archive: tuple[Path, demo.DemoResult],
    capsys: pytest.CaptureFixture[str],
    playlist_id: str,
) -> None:
    path, _ = archive
    code, out, err = run_cli_captured(
        capsys, "-C", str(path), "cumulative", playlist_id, "--format", "json"
    )
    assert code == 0, err
    document = json.loads(out)
    got = {t["id"]: (t["added"], t["removed"]) for t in document["tracks"]}
    assert got == expected_cumulative(DATA, playlist_id)
    assert document["first_scraped"] == DATA.days[0].date().isoformat()


@pytest.mark.parametrize("index", [0, 12, 16, 30, -1])
def test_show_at_a_date_is_that_days_snapshot(
    archive: tuple[Path, demo.DemoResult], capsys: pytest.CaptureFixture[str], index: int
) -> None:
    path, _ = archive
    day = DATA.days[index]
    for playlist_id in DATA.playlists:
        # On a 404 day the archive still shows the last version it had.
        state = next(
            s for d, s in reversed(archived_versions(DATA, playlist_id)) if d <= day.date()
        )
        code, out, err = run_cli_captured(
            capsys,
            "-C",
            str(path),
            "show",
            playlist_id,
            "--at",
            day.date().isoformat(),
            "--format",
            "json",
        )
        assert code == 0, err
        assert formats.read_json(out, playlist_id) == expected_playlist(state)


def test_unavailable_days_are_reported_and_files_kept(
    archive: tuple[Path, demo.DemoResult],
) -> None:
    _, result = archive
    expected = {
        playlist_id: sum(state is None for state in playlist.states)
        for playlist_id, playlist in DATA.playlists.items()
        if None in playlist.states
    }
    assert result.unavailable == expected


# ----------------------------------------------------------- the command


def test_demo_refuses_a_non_empty_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(UsageError):
        build_demo(target)
    code, _, err = run_cli_captured(capsys, "demo", str(target))
    assert code == 1
    assert "not empty" in err and err.count("\n") == 1
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    a_file = tmp_path / "file"
    a_file.write_text("x")
    code, _, err = run_cli_captured(capsys, "demo", str(a_file))
    assert code == 1 and "not a folder" in err


def test_demo_command_default_folder_inside_another_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # As on a fresh clone of gitarchive: `gitarchive demo` inside someone else's repository
    # makes its own repository and never commits into the enclosing one.
    outer = tmp_path / "clone"
    outer.mkdir()
    git(outer, "init", "-q", "-b", "main")
    code, out, err = run_cli_captured(capsys, "-C", str(outer), "demo")
    assert code == 0, err
    made = outer / demo.DEFAULT_DEMO_FOLDER
    assert (made / ".git").is_dir()
    # Started elsewhere (-C), it names the folder so that `cd` works from where the user is.
    assert "Try next:" in out and f"cd {made.resolve()}\n" in out
    assert git(outer, "status", "--porcelain") == f"?? {demo.DEFAULT_DEMO_FOLDER}/\n"
    assert (
        subprocess.run(
            ["git", "rev-parse", "--verify", "-q", "HEAD"], cwd=outer, check=False
        ).returncode
        != 0
    ), "the enclosing repository got a commit"
    assert int(git(made, "rev-list", "--count", "HEAD")) == expected_commit_count(DATA)
    # A second run refuses the folder the first one made.
    code, _, err = run_cli_captured(capsys, "-C", str(outer), "demo")
    assert code == 1 and "not empty" in err
