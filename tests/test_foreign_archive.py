"""The foreign-shaped archive generator writes what its Truth says, quirks included.

Small shapes (6 playlists x 40 daily commits) keep these in seconds; the archives are built
once per module.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pygit2
import pytest

from gitarchive import formats
from gitarchive.formats import spa
from tests.support import foreign_archive
from tests.support.foreign_archive import (
    QUIRK_KINDS,
    Shape,
    Truth,
    cached,
    cached_truth,
    generate,
    layout_at,
)
from tests.support.foreign_pages import early_duration

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.foreign_model import TrackTruth, Version


def small(layout: str = "2021", **changes: Any) -> Shape:
    shape = Shape(playlists=6, commits=40, min_tracks=8, max_tracks=14, layout=layout)
    return dataclasses.replace(shape, **changes)


LAYOUTS = ("2019", "2021", "today", "own", "mixed")
_ROW_LINK = re.compile(r"\(https://open\.spotify\.com/track/([0-9A-Za-z]{22})\)")


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Truth]:
    root = tmp_path_factory.mktemp("foreign")
    return {layout: generate(root / layout, small(layout)) for layout in LAYOUTS}


def read(truth: Truth, commit: str, path: str) -> str | None:
    repo = pygit2.Repository(str(truth.path))
    tree = repo[commit].peel(pygit2.Tree)
    try:
        entry = tree[path]
    except KeyError:
        return None
    return repo[entry.id].peel(pygit2.Blob).data.decode()


def plain_of(truth: Truth, commit: str, playlist_id: str) -> str:
    text = read(truth, commit, formats.plain_path(playlist_id))
    assert text is not None, (commit, playlist_id)
    return text


def expected_plain(version: Version, final: bool) -> str:
    lines = sorted((t.plain_line for t in version.tracks), key=str.lower)
    text = "\n".join([version.name, version.description, "", *lines])
    return text + "\n" if final else text


def test_the_same_seed_gives_the_same_repository(
    tmp_path: Path, archives: dict[str, Truth]
) -> None:
    again = generate(tmp_path / "again", small())
    assert again.head == archives["2021"].head
    other = generate(tmp_path / "other", small(seed=2))
    assert other.head != archives["2021"].head


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_plain_file_is_what_truth_says(archives: dict[str, Truth], layout: str) -> None:
    truth = archives[layout]
    sorted_at = {(q.commit, q.playlist_id) for q in truth.quirks_of("merge_sorted")}
    for commit in truth.commits:
        for playlist_id in truth.playlist_ids:
            version = truth.version_at(playlist_id, commit)
            assert version is not None
            if (commit, playlist_id) in sorted_at:
                continue
            writer = truth.layouts[commit]
            text = plain_of(truth, commit, playlist_id)
            if writer == "own":
                playlist = formats.read_plain(text, playlist_id)
                assert playlist.unique_name == version.name
                assert [t.plain_line for t in playlist.tracks] == sorted(
                    (t.plain_line for t in version.tracks), key=str.lower
                )
            else:
                assert text == expected_plain(version, final=writer == "today")


def page_rows(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|-"))
    return [line for line in lines[start + 1 :] if line.startswith("| ")]


@pytest.mark.parametrize("layout", ["2019", "2021", "mixed"])
def test_name_keyed_pages_carry_each_version_s_ids_and_lengths(
    archives: dict[str, Truth], layout: str
) -> None:
    truth = archives[layout]
    for playlist_id in truth.playlist_ids:
        for version in truth.versions[playlist_id]:
            if version.layout not in ("2019", "2021"):
                continue
            text = read(truth, version.commit, f"playlists/pretty/{version.name}.md")
            assert text is not None and not text.endswith("\n")
            assert (
                f"](https://open.spotify.com/playlist/{playlist_id})"
                in text.splitlines()[0 if version.layout == "2019" else 2]
            )
            rows = page_rows(text)
            assert [_ROW_LINK.search(row).group(1) for row in rows] == list(  # type: ignore[union-attr]
                version.track_ids
            )
            lengths = [row.rsplit(" | ", 1)[1].removesuffix(" |") for row in rows]
            assert lengths == [early_duration(t.duration_ms) for t in version.tracks]


def test_a_rename_moves_the_name_keyed_pages(archives: dict[str, Truth]) -> None:
    truth = archives["2021"]
    renames = [
        (before, after)
        for versions in truth.versions.values()
        for before, after in itertools.pairwise(versions)
        if before.name != after.name
    ]
    assert renames
    for before, after in renames:
        for folder in ("pretty", "cumulative"):
            assert read(truth, after.commit, f"playlists/{folder}/{before.name}.md") is None
            assert read(truth, after.commit, f"playlists/{folder}/{after.name}.md") is not None


def test_commits_are_daily_with_pinned_identities(archives: dict[str, Truth]) -> None:
    truth = archives["2021"]
    repo = pygit2.Repository(str(truth.path))
    days = [truth.dates[c].date() for c in truth.commits]
    assert days == [date(2019, 5, 1) + timedelta(days=n) for n in range(len(days))]
    first = repo[truth.commits[0]].peel(pygit2.Commit)
    assert first.author.name == first.committer.name == foreign_archive.BOT[0]
    assert first.commit_time == int(truth.dates[truth.commits[0]].timestamp())
    assert [str(oid) for oid in repo.head.peel(pygit2.Commit).parent_ids] == [truth.commits[-2]]


def test_mixed_goes_2019_then_2021_then_today() -> None:
    shape = small("mixed")
    seen = [layout_at(shape, index) for index in range(shape.commits)]
    assert seen == sorted(seen, key=("2019", "2021", "today").index)
    assert set(seen) == {"2019", "2021", "today"}


def quirk_text(truth: Truth, commit: str, path: str) -> str:
    text = read(truth, commit, path)
    assert text is not None, (commit, path)
    return text


@pytest.mark.parametrize("layout", ["2021", "mixed"])
def test_every_quirk_is_where_truth_says(archives: dict[str, Truth], layout: str) -> None:
    truth = archives[layout]
    assert {q.kind for q in truth.quirks} == set(QUIRK_KINDS)
    for quirk in truth.quirks:
        text = quirk_text(truth, quirk.commit, quirk.path)
        version = truth.version_at(quirk.playlist_id, quirk.commit)
        assert version is not None
        check_quirk(truth, quirk.kind, quirk.commit, text, version, quirk.detail)


def check_quirk(
    truth: Truth, kind: str, commit: str, text: str, version: Version, detail: str
) -> None:
    lines = text.split("\n")
    if kind == "no_final_newline":
        assert not text.endswith("\n")
    elif kind == "blank_description":
        assert lines[1] == "" and version.description == ""
    elif kind == "description_newline":
        assert lines[2] == lines[3] == "" and version.description.endswith("\n")
    elif kind == "merge_sorted":
        assert commit in truth.merges and "" not in lines
        assert lines == sorted(lines, key=str.lower)
        assert {version.name, version.description} <= set(lines)
    elif kind == "case_edit":
        old, new = detail.split(" -> ")
        assert old != new and old.lower() == new.lower()
        assert new in lines and old not in lines
    elif kind == "alias":
        assert text == version.name + "\n"
    elif kind == "bare_seconds":
        assert re.search(r" \| [1-5]?[0-9] \| ", text) or re.search(
            r" \| [1-5]?[0-9] \|$", text, re.M
        )
    elif kind == "pipe_in_name":
        assert any("|" in t.title and f"[{t.title}](" in text for t in version.tracks) or (
            re.search(r"\[[^\]]* \| [^\]]*\]\(https://open\.spotify\.com/track/", text)
        )


def test_a_merge_has_two_parents_and_the_next_day_restores_the_order(
    archives: dict[str, Truth],
) -> None:
    truth = archives["2021"]
    repo = pygit2.Repository(str(truth.path))
    assert truth.merges
    for quirk in truth.quirks_of("merge_sorted"):
        commit = repo[quirk.commit].peel(pygit2.Commit)
        assert len(commit.parent_ids) == 2
        following = truth.commits[truth.commits.index(quirk.commit) + 1]
        version = truth.version_at(quirk.playlist_id, following)
        assert version is not None
        assert plain_of(truth, following, quirk.playlist_id) == expected_plain(version, False)


def test_without_quirks_only_the_layout_s_own_facts_remain(tmp_path: Path) -> None:
    truth = generate(tmp_path / "plainest", small(quirks=False))
    assert {q.kind for q in truth.quirks} == {"no_final_newline"}
    assert not truth.merges
    tracks: list[TrackTruth] = [t for v in truth.versions.values() for x in v for t in x.tracks]
    assert all(t.duration_ms >= 60_000 and "|" not in t.title for t in tracks)


def test_today_s_extra_files_have_the_writer_s_shapes(archives: dict[str, Truth]) -> None:
    truth = archives["today"]
    head = truth.head
    for playlist_id in truth.playlist_ids:
        cumulative = json.loads(quirk_text(truth, head, f"playlists/cumulative/{playlist_id}.json"))
        assert spa.cumulative_json_problems(cumulative) == []
        followers = json.loads(quirk_text(truth, head, f"playlists/followers/{playlist_id}.json"))
        assert spa.followers_problems(followers) == []
        snapshot = formats.read_json(
            quirk_text(truth, head, formats.json_path(playlist_id)), playlist_id
        )
        assert tuple(t.id for t in snapshot.tracks) == truth.versions[playlist_id][-1].track_ids
    for name in ("metadata-full.json", "metadata-compact.json"):
        document = json.loads(quirk_text(truth, head, f"playlists/metadata/{name}"))
        assert spa.metadata_problems(document) == []


def test_the_work_tree_is_head_s(archives: dict[str, Truth]) -> None:
    truth = archives["2021"]
    playlist_id = truth.playlist_ids[0]
    on_disk = (truth.path / formats.plain_path(playlist_id)).read_text()
    assert on_disk == plain_of(truth, truth.head, playlist_id)


def test_cached_builds_once_per_shape(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(foreign_archive, "CACHE", tmp_path / "cache")
    shape = Shape(playlists=2, commits=5, min_tracks=3, max_tracks=4)
    first = cached(shape)
    marker = first / ".git" / "foreign-complete"
    stamp = marker.stat().st_mtime_ns
    assert cached(shape) == first and marker.stat().st_mtime_ns == stamp
    truth = cached_truth(shape)
    assert truth.path == first and truth.head == str(pygit2.Repository(str(first)).head.target)
    assert truth.versions == generate(tmp_path / "fresh", shape).versions
    others = [
        dataclasses.replace(shape, playlists=3),
        dataclasses.replace(shape, commits=6),
        dataclasses.replace(shape, min_tracks=2),
        dataclasses.replace(shape, max_tracks=5),
        dataclasses.replace(shape, layout="today"),
        dataclasses.replace(shape, quirks=False),
        dataclasses.replace(shape, seed=9),
    ]
    keys = {other.key for other in others}
    assert len(keys | {shape.key}) == 8


def test_a_merge_sorts_some_description_above_its_name(archives: dict[str, Truth]) -> None:
    """The case that misleads a reader taking the first non-track line for the name."""
    for layout in ("2019", "2021", "mixed"):
        truth = archives[layout]
        misleading = []
        for quirk in truth.quirks_of("merge_sorted"):
            version = truth.version_at(quirk.playlist_id, quirk.commit)
            assert version is not None
            lines = plain_of(truth, quirk.commit, quirk.playlist_id).split("\n")
            if lines.index(version.description) < lines.index(version.name):
                misleading.append(quirk)
        assert misleading, layout
