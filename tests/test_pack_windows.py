"""A pass over the whole history keeps a bounded part of the pack files mapped."""

from __future__ import annotations

import pygit2

from gitarchive import git


def test_reading_the_history_maps_a_bounded_part_of_the_packs() -> None:
    # libgit2's default (windows of 1 GiB, up to 8 GiB) kept every page of the pack that
    # a fold touched resident: the peak memory of `gitarchive index` grew with the pack
    assert git.Store is not None
    assert pygit2.settings.mwindow_mapped_limit <= 64 << 20
    assert pygit2.settings.mwindow_size <= 32 << 20
