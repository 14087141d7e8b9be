"""timeline.diff_versions equals history.diff_tracks (it only skips shared track objects)."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from gitarchive.history import diff_tracks
from gitarchive.timeline import KeyCache, diff_versions
from tests.test_history import plain, track

# the same track as several objects: renamed (an update), read from a plain file
# (matched across the plain/JSON boundary), or an equal copy
POOL = [track(n) for n in range(12)]
POOL += [track(n, name=f"Renamed {n}") for n in range(4)]
POOL += [plain(track(n)) for n in range(2, 8)]
POOL += [track(n, added="2026-01-01") for n in range(3)]

versions = st.lists(st.sampled_from(range(len(POOL))), max_size=30)
unique_versions = st.lists(st.sampled_from(range(len(POOL))), max_size=30, unique=True)


@settings(max_examples=400, deadline=None)
@given(before=versions | unique_versions, after=versions | unique_versions, share=st.booleans())
def test_diff_versions_is_diff_tracks(before: list[int], after: list[int], share: bool) -> None:
    old = [POOL[n] for n in before]
    # consecutive versions share objects; or not (equal copies, as another reader gives)
    new = [POOL[n] if share else dataclasses.replace(POOL[n]) for n in after]
    assert diff_versions(old, new, KeyCache()) == diff_tracks(old, new)


def test_many_shared_tracks_take_the_short_path() -> None:
    old = [track(n) for n in range(100)]
    new = [*old[5:], track(500), track(501)]
    new[10] = track(15, name="Renamed")
    assert diff_versions(old, new, KeyCache()) == diff_tracks(old, new)
    assert diff_versions(None, new, KeyCache()) == diff_tracks(None, new)
