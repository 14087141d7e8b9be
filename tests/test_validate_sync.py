"""A fresh `sync` result, from the real client against the fake Spotify API, is clean."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from gitarchive import git as gitrepo
from gitarchive.git import Store
from gitarchive.sync import SyncOptions, run_sync
from gitarchive.validate import validate_commit_all, validate_commits, validate_worktree
from tests.support.api import fake_id, playlist_with_tracks
from tests.support.builder import init_archive, register
from tests.support.fakespotify import FakeSpotify

if TYPE_CHECKING:
    from pathlib import Path

A = fake_id("validate-test", "a")
B = fake_id("validate-test", "b")


def test_a_fresh_sync_validates_clean(
    tmp_path: Path, fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_spotify.setenv(monkeypatch)
    root = tmp_path / "archive"
    seed = fake_spotify.add_seed()
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1, 2, 3], name="Alpha | [beta]"))
    fake_spotify.add_playlist(
        playlist_with_tracks(B, [4, 5], name="Alpha | [beta]")
    )  # a duplicate name
    init_archive(root, seed, A)
    register(root, B, alias={B: "My alias"})
    store = Store.discover(root)
    run_sync(store, SyncOptions(now=datetime(2026, 11, 20, 6, 0, tzinfo=UTC)))
    first = gitrepo.head_id(store)
    assert first is not None

    assert validate_worktree(store) == []
    assert validate_commit_all(store, first) == []

    fake_spotify.add_playlist(playlist_with_tracks(A, [1, 2, 3, 6, 7], name="Alpha | [beta]"))
    run_sync(store, SyncOptions(now=datetime(2026, 11, 21, 6, 0, tzinfo=UTC)))
    second = gitrepo.head_id(store)
    assert second is not None and second != first
    assert validate_commits(store, [second]) == []
    # Not vacuous: the same checks see a hand edit of the synced files.
    plain = root / "playlists/plain" / A
    lines = plain.read_text().splitlines()
    plain.write_text("\n".join([*lines[:3], *reversed(lines[3:])]) + "\n")
    assert {finding.rule for finding in validate_worktree(store)} == {"GA011"}
