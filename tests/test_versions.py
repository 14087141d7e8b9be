"""Versions read from real repositories built with pygit2: every archive shape."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pygit2
import pytest

from gitarchive import formats, lookup, snapshot_delta, version_reader, versions
from gitarchive import git as gitrepo
from gitarchive.errors import PlaylistNotFound, UsageError
from gitarchive.git import Store
from gitarchive.history import fold_cumulative
from tests.support.builder import RepoBuilder, deleted_files, playlist_files
from tests.support.models import PID, model_playlist, model_track
from tests.support.timeline_oracle import timeline

if TYPE_CHECKING:
    from gitarchive.model import Track

OTHER = "Q" * 22


def open_store(path: Path) -> Store:
    return Store(pygit2.Repository(str(path)))


@pytest.mark.parametrize("kinds", [("json", "pretty", "plain"), ("pretty",), ("json",)])
def test_versions_from_each_source(tmp_path: Path, kinds: tuple[str, ...]) -> None:
    builder = RepoBuilder(tmp_path / "r")
    v1 = model_playlist(model_track(1), model_track(2), likes=5)
    v2 = model_playlist(model_track(2), model_track(3), likes=5)
    c1 = builder.commit_playlists([v1], date="2026-01-01T06:00:00", kinds=kinds)
    builder.commit({"README.md": "unrelated"}, date="2026-01-02T06:00:00")
    c3 = builder.commit_playlists([v2], date="2026-01-03T06:00:00", kinds=kinds)
    found = versions.list_versions(open_store(tmp_path / "r"), PID)
    assert [v.commit for v in found] == [c1, c3]
    assert found[0].source == kinds[0]
    assert found[1].date == datetime(2026, 1, 3, 6, tzinfo=UTC)
    assert [t.key for t in found[1].playlist.tracks] == [model_track(2).key, model_track(3).key]
    changes = timeline(found)
    assert [t.name for t in changes[1].diff.removed] == ["Song 1"]
    assert [t.name for t in changes[1].diff.added] == ["Song 3"]


def test_plain_only_archive_including_sorted_in_header(tmp_path: Path) -> None:
    builder = RepoBuilder(tmp_path / "r", bare=True)
    path = formats.plain_path(PID)
    # an early spotify-playlist-archive file: header sorted in among the tracks
    builder.commit({path: "a -- b -- c\nMy Mix\nsome words\nZed -- Y -- X\n"}, date="2026-01-01")
    builder.commit({path: "My Mix\nsome words\n\na -- b -- c\nNew -- N -- M\n"}, date="2026-01-02")
    found = versions.list_versions(open_store(tmp_path / "r"), PID)
    assert [v.playlist.display_name for v in found] == ["My Mix", "My Mix"]
    changes = timeline(found)
    assert [t.plain_line for t in changes[1].diff.added] == ["New -- N -- M"]
    assert [t.plain_line for t in changes[1].diff.removed] == ["Zed -- Y -- X"]
    assert not changes[1].name_changed and not changes[1].description_changed


def test_plain_then_json_transition_is_not_a_mass_replacement(tmp_path: Path) -> None:
    builder = RepoBuilder(tmp_path / "r")
    builder.commit_playlists(
        [model_playlist(model_track(1), model_track(2))], date="2026-01-01", kinds=("plain",)
    )
    builder.commit_playlists(
        [model_playlist(model_track(1), model_track(2), model_track(3))],
        date="2026-01-02",
        kinds=("json", "plain"),
    )
    found = versions.list_versions(open_store(tmp_path / "r"), PID)
    assert [v.source for v in found] == ["plain", "json"]
    change = timeline(found)[1]
    assert change.diff.added == (model_track(3),) and not change.diff.removed
    assert not change.diff.updated
    view = fold_cumulative(found)
    assert view is not None and len(view.tracks) == 3


def test_fast_plain_reader_equals_read_plain(tmp_path: Path) -> None:
    builder = RepoBuilder(tmp_path / "r")
    texts = [
        "Name\nDesc\n\nA -- B, C -- D\nA -- B, C -- D\nno separators\nx -- y\n",
        "Name\n\n\n",
        "Name\nDesc\n\nA -- B -- D\n\nE -- F -- G\n",  # blank line among tracks
        "\ufeffName\nDesc\n\nA -- B -- D\n",
        "Name\r\nDesc\r\n\r\nA -- B -- D\r\n",
    ]
    store = None
    for day, text in enumerate(texts, start=1):
        builder.commit({formats.plain_path(PID): text}, date=f"2026-01-0{day}")
        store = open_store(tmp_path / "r")
    assert store is not None
    found = versions.list_versions(store, PID)
    for text, found_version in zip(texts, found, strict=True):
        expected = formats.read_plain(text.removeprefix("\ufeff"), PID)
        assert found_version.playlist == expected


def test_deleted_and_re_registered_playlist(tmp_path: Path) -> None:
    builder = RepoBuilder(tmp_path / "r")
    builder.commit_playlists([model_playlist(model_track(1), model_track(2))], date="2026-01-01")
    builder.commit(deleted_files(PID), date="2026-01-02")
    builder.commit_playlists(
        [model_playlist(model_track(9))], date="2026-01-03", kinds=(), extra={"x": "y"}
    )
    c4 = builder.commit_playlists(
        [model_playlist(model_track(2), model_track(3))], date="2026-01-04"
    )
    store = open_store(tmp_path / "r")
    found = versions.list_versions(store, PID)
    assert len(found) == 2  # the deletion is no version
    changes = timeline(found)
    assert changes[1].version.commit == c4
    assert changes[1].diff.removed == (model_track(1),)  # compared with the last version before
    assert changes[1].diff.added == (model_track(3),)
    view = fold_cumulative(found)
    assert view is not None
    assert {e.track.name: e.removed for e in view.tracks}["Song 1"] == date(2026, 1, 4)


def test_merges_follow_first_parent(tmp_path: Path) -> None:
    builder = RepoBuilder(tmp_path / "r")
    base = builder.commit_playlists([model_playlist(model_track(1))], date="2026-01-01")
    builder.commit_playlists(
        [model_playlist(model_track(7))], date="2026-01-02", parents=[base], ref="refs/heads/other"
    )
    main = builder.commit_playlists(
        [model_playlist(model_track(1), model_track(2))], date="2026-01-03"
    )
    side = str(builder.repo.references["refs/heads/other"].target)
    merge = builder.commit_playlists(
        [model_playlist(model_track(1), model_track(2), model_track(3))],
        date="2026-01-04",
        parents=[main, side],
    )
    found = versions.list_versions(open_store(tmp_path / "r"), PID)
    assert [v.commit for v in found] == [base, main, merge]
    assert all(model_track(7) not in v.playlist.tracks for v in found)


def test_renamed_playlist_and_likes_only(tmp_path: Path) -> None:
    builder = RepoBuilder(tmp_path / "r")
    builder.commit_playlists(
        [model_playlist(model_track(1), name="Old", likes=1)], date="2026-01-01"
    )
    builder.commit_playlists(
        [model_playlist(model_track(1), name="Old", likes=2)], date="2026-01-02"
    )
    builder.commit_playlists(
        [model_playlist(model_track(1), name="New", likes=2)], date="2026-01-03"
    )
    found = versions.list_versions(open_store(tmp_path / "r"), PID)
    assert len(found) == 3
    assert [c.version.date.day for c in timeline(found)] == [1, 3]
    assert [c.version.date.day for c in timeline(found, likes=True)] == [1, 2, 3]
    assert timeline(found)[1].name_changed


def test_an_unreadable_version_is_skipped_and_reported_with_commit_and_path(
    tmp_path: Path,
) -> None:
    builder = RepoBuilder(tmp_path / "r")
    builder.commit_playlists([model_playlist(model_track(1))], date="2026-01-01", kinds=("json",))
    bad = builder.commit({formats.json_path(PID): "{not json"}, date="2026-01-02")
    builder.commit_playlists([model_playlist(model_track(3))], date="2026-01-03", kinds=("json",))
    warnings: list[str] = []
    found = versions.list_versions(open_store(tmp_path / "r"), PID, warn=warnings.append)
    assert [v.date.day for v in found] == [1, 3]
    assert [len(warnings)] == [1]
    assert bad[:12] in warnings[0]
    assert formats.json_path(PID) in warnings[0]
    assert "skipped" in warnings[0]


def test_an_unreadable_best_source_falls_back_to_the_next_best_of_that_commit(
    tmp_path: Path,
) -> None:
    builder = RepoBuilder(tmp_path / "r")
    builder.commit_playlists([model_playlist(model_track(1))], date="2026-01-01")
    bad = builder.commit({formats.json_path(PID): "{not json"}, date="2026-01-02")
    warnings: list[str] = []
    found = versions.list_versions(open_store(tmp_path / "r"), PID, warn=warnings.append)
    assert [v.source for v in found] == ["json", "pretty"]
    assert found[-1].commit == bad
    assert bad[:12] in warnings[0]
    assert f"read {formats.pretty_path(PID)}" in warnings[0]


def test_all_playlists_pass_equals_per_playlist_folds(tmp_path: Path) -> None:
    builder = RepoBuilder(tmp_path / "r")
    other = dataclasses.replace(model_playlist(model_track(5)), id=OTHER)
    builder.commit_playlists([model_playlist(model_track(1)), other], date="2026-01-01")
    builder.commit_playlists([model_playlist(model_track(1), model_track(2))], date="2026-01-02")
    builder.commit(deleted_files(OTHER), date="2026-01-03")
    builder.commit_playlists(
        [dataclasses.replace(model_playlist(model_track(6)), id=OTHER)],
        date="2026-01-04",
        kinds=("plain",),
    )
    store = open_store(tmp_path / "r")
    views = versions.all_cumulative_views(store)
    assert set(views) == {PID, OTHER}
    for playlist_id, view in views.items():
        assert view == fold_cumulative(versions.list_versions(store, playlist_id))
    # shards in worker processes give exactly the one-process result
    workers = next(
        n for n in range(2, 9) if versions._shard_of(PID, n) != versions._shard_of(OTHER, n)
    )
    assert versions.all_cumulative_views(store, workers=workers) == views


def test_resolve_playlist_by_id_url_and_name(tmp_path: Path) -> None:
    builder = RepoBuilder(tmp_path / "r")
    other = dataclasses.replace(model_playlist(model_track(5), name="Chill"), id=OTHER)
    builder.commit_playlists(
        [model_playlist(model_track(1), name="Mix"), other],
        date="2026-01-01",
        extra={
            formats.INDEX_PATH: formats.render_index([(PID, "Mix"), (OTHER, "Chill")]),
            formats.registry_path(PID): "",
            formats.registry_path(OTHER): "Evening\n",
        },
    )
    store = open_store(tmp_path / "r")
    assert lookup.resolve_playlist(store, PID) == PID
    assert lookup.resolve_playlist(store, f"https://open.spotify.com/playlist/{PID}?si=x") == PID
    assert lookup.resolve_playlist(store, f"spotify:playlist:{OTHER}") == OTHER
    assert lookup.resolve_playlist(store, "Mix") == PID
    assert lookup.resolve_playlist(store, "chill") == OTHER
    assert lookup.resolve_playlist(store, "Evening") == OTHER
    with pytest.raises(PlaylistNotFound):
        lookup.resolve_playlist(store, "Nothing Like This")


def test_a_spotify_playlist_archive_alias_file_names_its_playlist(tmp_path: Path) -> None:
    builder = RepoBuilder(tmp_path / "r")
    builder.commit(
        {
            f"playlists/plain/{PID}": "Mix\n\nSong -- Artist -- Album",
            f"playlists/aliases/{PID}": "Morning Mix\n",
        },
        date="2021-01-01",
    )
    assert lookup.resolve_playlist(open_store(tmp_path / "r"), "morning mix") == PID


def test_ambiguous_name_lists_candidates(tmp_path: Path) -> None:
    builder = RepoBuilder(tmp_path / "r")
    builder.commit(
        {
            formats.INDEX_PATH: formats.render_index([(PID, "mix"), (OTHER, "Mix")]),
        },
        date="2026-01-01",
    )
    store = open_store(tmp_path / "r")
    assert lookup.resolve_playlist(store, "Mix") == OTHER  # exact match wins
    with pytest.raises(UsageError) as caught:
        lookup.resolve_playlist(store, "MIX")
    assert PID in str(caught.value) and OTHER in str(caught.value)


def test_name_from_json_snapshot_when_index_is_missing(tmp_path: Path) -> None:
    builder = RepoBuilder(tmp_path / "r")
    builder.commit(
        playlist_files(model_playlist(model_track(1), name="Only In JSON")), date="2026-01-01"
    )
    assert lookup.resolve_playlist(open_store(tmp_path / "r"), "only in json") == PID


def hostile_track(n: int, text: str) -> Track:
    base = model_track(n)
    return dataclasses.replace(
        base, name=f"{text} {n}", album=dataclasses.replace(base.album, name=text)
    )


HOSTILE = ["    },\n    {", "\\n    }", '"quoted" }, ]', "emoji 🎧 | [x](y)", "", "מימין לשמאל"]


def test_fast_json_reader_equals_read_json(tmp_path: Path) -> None:
    builder = RepoBuilder(tmp_path / "r")
    seed = (Path(__file__).parent / "data" / "pretty-37i9dQZF1DX5LEXW9eXA0n.json").read_text(
        encoding="utf-8"
    )
    seed = seed.replace("37i9dQZF1DX5LEXW9eXA0n", PID)
    texts = [
        seed,
        formats.render_json(model_playlist(*(hostile_track(n, t) for n, t in enumerate(HOSTILE)))),
        formats.render_json(
            model_playlist(hostile_track(1, HOSTILE[0]), model_track(2), model_track(2))
        ),
        formats.render_json(model_playlist()),
        formats.render_json(model_playlist(model_track(3), description="line\nbreak")),
        '{"original_name": "compact", "description": "", "tracks": []}',
    ]
    for day, text in enumerate(texts, start=1):
        builder.commit({formats.json_path(PID): text}, date=f"2026-01-0{day}")
    found = versions.list_versions(open_store(tmp_path / "r"), PID)
    assert len(found) == len(texts)
    for text, found_version in zip(texts, found, strict=True):
        assert found_version.playlist == formats.read_json(text, PID)


def test_fast_readers_are_used_on_the_usual_layouts(tmp_path: Path) -> None:
    # guards the two equality tests above against passing through the fallback only
    builder = RepoBuilder(tmp_path / "r")
    builder.commit_playlists([model_playlist(model_track(1), model_track(2))], date="2026-01-01")
    store = open_store(tmp_path / "r")
    reader = version_reader.VersionReader(store)
    head = gitrepo.head_id(store) or ""
    for kind, path in (("json", formats.json_path(PID)), ("plain", formats.plain_path(PID))):
        blob = gitrepo.list_dir(store, head, path.rpartition("/")[0])[path.rpartition("/")[2]]
        reader.read(kind, blob, PID, path, commit=head)
    assert len(reader.snapshots._elements) == 2
    assert len(reader._lines) == 2


def test_a_snapshot_whose_track_list_did_not_change_reuses_the_previous_tracks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Most versions only move the likes: the reader hands out the previous version's very
    tuple of tracks (the diff's and the fold's shortcut), and still reads what read_json
    reads, for every version and for several playlists read in turn."""
    first = model_playlist(model_track(1), model_track(2), likes=10)
    versions_of_one = [
        first,
        dataclasses.replace(first, num_followers=11, snapshot_id="b"),  # likes only
        dataclasses.replace(first, num_followers=12, original_name="Renamed"),  # header only
        model_playlist(model_track(1), model_track(2), model_track(3), likes=12),  # appended
        model_playlist(model_track(1), model_track(2), likes=13),  # back to the first list
        model_playlist(model_track(1), hostile_track(2, HOSTILE[0]), likes=13),
        model_playlist(model_track(1), hostile_track(2, HOSTILE[0]), likes=14),
        model_playlist(likes=14),
        model_playlist(likes=15),
    ]
    builder = RepoBuilder(tmp_path / "r")
    texts = [formats.render_json(playlist) for playlist in versions_of_one]
    for day, text in enumerate(texts, start=1):
        builder.commit({formats.json_path(PID): text}, date=f"2026-01-{day:02d}")
    found = versions.list_versions(open_store(tmp_path / "r"), PID)
    assert [version.playlist for version in found] == [
        formats.read_json(text, PID) for text in texts
    ]
    tracks = [version.playlist.tracks for version in found]
    assert tracks[1] is tracks[0] and tracks[2] is tracks[0]
    assert tracks[3] is not tracks[2] and tracks[4] is not tracks[3]
    assert tracks[6] is tracks[5]
    # a budget for the kept track lists smaller than one list: every read compares
    # against nothing kept (or a list of another playlist) and parses, with equal results
    monkeypatch.setattr(snapshot_delta.SnapshotDelta, "KEPT_BYTES", 10)
    store = open_store(tmp_path / "r")
    reader = version_reader.VersionReader(store)
    for version in found:
        blob = gitrepo.list_dir(store, version.commit, "playlists/pretty")[f"{PID}.json"]
        read = reader.read("json", blob, PID, formats.json_path(PID), commit=version.commit)
        assert read == version.playlist
        kept = reader.snapshots._last.values()
        assert reader.snapshots._kept <= max(len(track_list.text) for track_list in kept)
