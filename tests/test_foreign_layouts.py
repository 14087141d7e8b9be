"""Archives shaped like real spotify-playlist-archive clones read as they really were.

Each layout the writers produced (2019 early pages, 2021 name-keyed pages, today's id-keyed
files, and all three in one log) is generated once per session with its quirks; its Truth
says what every playlist's versions were. These pin the behaviour gitarchive owes them:
validation passes, ``history`` tells each version's changes, a case-only edit is an update,
a merge's sorted header lines never rename a playlist, a description's final newline never
becomes a track, and a version of a page layout carries the page's ids and lengths.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.cli import run_cli_captured
from tests.support.foreign_archive import Shape, Truth, generate

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.foreign_model import TrackTruth, Version

WRITERS = ("2019", "2021", "today", "mixed")


def shape(layout: str) -> Shape:
    return Shape(playlists=8, commits=60, min_tracks=10, max_tracks=18, layout=layout)


@pytest.fixture(scope="session")
def foreign(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Truth]:
    root = tmp_path_factory.mktemp("foreign-layouts")
    return {layout: generate(root / layout, shape(layout)) for layout in (*WRITERS, "own")}


def cli_json(capsys: pytest.CaptureFixture[str], truth: Truth, *args: str) -> Any:
    code, out, err = run_cli_captured(capsys, "-C", str(truth.path), *args)
    assert code == 0, f"gitarchive {' '.join(args)}: exit {code}\n{err}"
    return json.loads(out)


def stamp(truth: Truth, commit: str) -> str:
    return f"{truth.dates[commit]:%Y-%m-%dT%H:%M:%SZ}"


def line(track: TrackTruth) -> str:
    return track.plain_line


def doc_line(doc: dict[str, Any]) -> str:
    return f"{doc['name']} -- {', '.join(doc['artists'])} -- {doc['album']}"


def changes(before: Version | None, after: Version) -> tuple[list[str], list[str], list[str]]:
    """What ``after`` added, removed and updated (same track, other text) against ``before``."""
    old = {t.id: t for t in before.tracks} if before else {}
    new = {t.id: t for t in after.tracks}
    added = sorted(line(t) for i, t in new.items() if i not in old)
    removed = sorted(line(t) for i, t in old.items() if i not in new)
    updated = sorted(line(t) for i, t in new.items() if i in old and line(old[i]) != line(t))
    return added, removed, updated


def expected_entries(truth: Truth, playlist_id: str) -> dict[str, tuple[Version, Version | None]]:
    """Every commit that wrote the playlist's files, by date, with the version before it.

    A commit that rewrote files without changing name, description or tracks (a merge's
    sorted header lines, the next day's order restored, a new writer's layout) may be listed
    only with nothing added, removed or updated.
    """
    found: dict[str, tuple[Version, Version | None]] = {}
    before = None
    for version in truth.versions[playlist_id]:
        found[stamp(truth, version.commit)] = (version, before)
        before = version
    return found


def significant(version: Version, before: Version | None) -> bool:
    """More than a reorder: tracks came, went or changed text, or the name or description did."""
    if before is None or any(changes(before, version)):
        return True
    return (version.name, version.description.strip()) != (
        before.name,
        before.description.strip(),
    )


@pytest.mark.parametrize("layout", (*WRITERS, "own"))
def test_a_generated_archive_of_each_layout_validates(
    foreign: dict[str, Truth], layout: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli_captured(capsys, "-C", str(foreign[layout].path), "validate", "--all")
    assert code == 0, out + err


@pytest.mark.parametrize("layout", (*WRITERS, "own"))
def test_history_agrees_with_what_each_version_really_was(
    foreign: dict[str, Truth], layout: str, capsys: pytest.CaptureFixture[str]
) -> None:
    truth = foreign[layout]
    for playlist_id in truth.playlist_ids:
        document = cli_json(capsys, truth, "history", playlist_id, "--format", "json", "--reverse")
        listed = {entry["date"]: entry for entry in document["versions"]}
        expected = expected_entries(truth, playlist_id)
        assert listed.keys() <= expected.keys(), (playlist_id, "versions that never were")
        needed = {day for day, (v, b) in expected.items() if significant(v, b)}
        assert needed <= listed.keys(), (
            playlist_id,
            "versions missing",
            sorted(needed - listed.keys()),
        )
        for day, entry in listed.items():
            version, before = expected[day]
            added, removed, updated = changes(before, version)
            where = (playlist_id, day)
            assert sorted(doc_line(doc) for doc in entry["added"]) == added, where
            assert sorted(doc_line(doc) for doc in entry["removed"]) == removed, where
            if not updated:
                assert entry["updated"] == [], where
            assert entry["name"] == version.name, where
            assert entry["description"].strip() == version.description.strip(), where


@pytest.mark.parametrize("layout", WRITERS)
def test_a_case_only_edit_is_an_update(
    foreign: dict[str, Truth], layout: str, capsys: pytest.CaptureFixture[str]
) -> None:
    truth = foreign[layout]
    edits = truth.quirks_of("case_edit")
    assert edits
    for quirk in edits:
        old, new = quirk.detail.split(" -> ")
        document = cli_json(
            capsys, truth, "history", quirk.playlist_id, "--format", "json", "--reverse"
        )
        entry = next(
            (e for e in document["versions"] if e["date"] == stamp(truth, quirk.commit)), None
        )
        assert entry is not None, (quirk, "the edit's version is missing")
        pairs = [(doc_line(u["before"]), doc_line(u["after"])) for u in entry["updated"]]
        assert (old, new) in pairs, quirk
        assert new not in [doc_line(doc) for doc in entry["added"]]
        assert old not in [doc_line(doc) for doc in entry["removed"]]
        code, text, _ = run_cli_captured(
            capsys, "-C", str(truth.path), "history", quirk.playlist_id, "--reverse"
        )
        assert code == 0
        assert any(row.lstrip().startswith("~") and new.split(" -- ")[0] in row
                   for row in text.splitlines()), text  # fmt: skip


@pytest.mark.parametrize("layout", ["2019", "2021", "mixed"])
def test_header_lines_a_merge_sorted_among_tracks_never_rename_a_playlist(
    foreign: dict[str, Truth], layout: str, capsys: pytest.CaptureFixture[str]
) -> None:
    truth = foreign[layout]
    merged = truth.quirks_of("merge_sorted")
    assert merged
    for playlist_id in sorted({quirk.playlist_id for quirk in merged}):
        names = {version.name for version in truth.versions[playlist_id]}
        document = cli_json(capsys, truth, "history", playlist_id, "--format", "json")
        shown = {entry["name"] for entry in document["versions"]}
        assert shown <= names, (playlist_id, sorted(shown - names))
        lines = {line(t) for v in truth.versions[playlist_id] for t in v.tracks}
        for entry in document["versions"]:
            for doc in entry["added"] + entry["removed"]:
                assert doc_line(doc) in lines, (playlist_id, entry["date"], doc_line(doc))


@pytest.mark.parametrize("layout", WRITERS)
def test_a_description_ending_in_a_newline_never_adds_an_empty_track(
    foreign: dict[str, Truth], layout: str, capsys: pytest.CaptureFixture[str]
) -> None:
    truth = foreign[layout]
    quirks = truth.quirks_of("description_newline")
    assert quirks
    for playlist_id in sorted({quirk.playlist_id for quirk in quirks}):
        document = cli_json(capsys, truth, "history", playlist_id, "--format", "json")
        for entry in document["versions"]:
            assert all(doc["name"].strip() for doc in entry["added"]), entry["date"]
        shown = cli_json(capsys, truth, "show", playlist_id, "--format", "json")
        assert len(shown["tracks"]) == len(truth.versions[playlist_id][-1].tracks)
        assert all(track["name"].strip() for track in shown["tracks"])


def test_show_at_each_version_carries_that_page_s_ids_and_lengths(
    foreign: dict[str, Truth], capsys: pytest.CaptureFixture[str]
) -> None:
    truth = foreign["2021"]
    for playlist_id in truth.playlist_ids:
        for version in truth.content_versions(playlist_id):
            at = stamp(truth, version.commit)
            shown = cli_json(capsys, truth, "show", playlist_id, "--format", "json", "--at", at)
            where = (playlist_id, at)
            urls = [track["url"] for track in shown["tracks"]]
            assert urls == [t.url for t in version.tracks], where
            lengths = [track["duration_ms"] for track in shown["tracks"]]
            assert lengths == [t.duration_ms // 1000 * 1000 for t in version.tracks], where


def test_export_sqlite_of_the_2021_layout_carries_each_page_s_ids_and_lengths(
    foreign: dict[str, Truth], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    truth = foreign["2021"]
    out = tmp_path / "archive.db"
    code, _, err = run_cli_captured(capsys, "-C", str(truth.path), "export", "sqlite", str(out))
    assert code == 0, err
    with contextlib.closing(sqlite3.connect(out)) as db:
        for playlist_id in truth.playlist_ids:
            held = {
                track.url: track.duration_ms // 1000 * 1000
                for version in truth.content_versions(playlist_id)
                for track in version.tracks
            }
            exported = db.execute(
                "SELECT DISTINCT t.url, t.duration_ms FROM changes c"
                " JOIN tracks t ON t.id = c.track_id"
                " WHERE c.playlist_id = ? AND c.kind = 'added'",
                (playlist_id,),
            ).fetchall()
            assert exported, playlist_id
            assert dict(exported) == {url: held[url] for url, _ in exported}, playlist_id
            assert set(dict(exported)) == set(held), playlist_id
