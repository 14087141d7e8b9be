"""The stays fold steps only what a version changed, and gives the stays of stepping every
track of every version (the oracle: tests/support/stays_oracle.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from hypothesis import given, settings
from hypothesis import strategies as st

from gitarchive.history.delta import Tracker
from gitarchive.tracks import PlaylistStaysFold
from tests.support.models import model_playlist, model_track, plain_track
from tests.support.stays_oracle import SlowStaysFold

if TYPE_CHECKING:
    from gitarchive.model import Track

# shared objects (as the readers give them), an equal copy (a new object, same track), the
# same id under another name and with earlier and later added_at, plain-file twins keyed by
# their line, and a local file (no id)
BASE = [model_track(n) for n in range(4)]
POOL = [
    *BASE,
    replace(BASE[0]),
    model_track(1, name="Song 1 (Live)"),
    model_track(2, added="2026-01-05"),
    model_track(2, added="2025-12-01"),
    *(plain_track(track) for track in BASE),
    model_track(5, added="2026-03-01"),
    plain_track(model_track(5)),
    model_track(6),
]

versions = st.lists(
    st.tuples(st.integers(-2, 3), st.lists(st.integers(0, len(POOL) - 1), max_size=8)),
    min_size=1,
    max_size=12,
)


@settings(max_examples=400, deadline=None)
@given(versions)
def test_the_stays_equal_those_of_stepping_every_track(
    history: list[tuple[int, list[int]]],
) -> None:
    fast, slow = PlaylistStaysFold("P" * 22), SlowStaysFold("P" * 22)
    given_keys = PlaylistStaysFold("P" * 22)  # told each version's keys
    # told each version's keys and the tracker's delta from the version before, as the site
    # does: only the new and gone objects looked at where both list each key once
    given_delta, tracker = PlaylistStaysFold("P" * 22), Tracker()
    day = date(2026, 2, 1)
    before: tuple[Track, ...] | None = None
    for step, state in history:
        day += timedelta(days=step)  # mostly forwards, sometimes the same day or backwards
        playlist = model_playlist(*(POOL[number] for number in state), name=f"Mix {step}")
        if state == [] and before is not None:  # the very tuple of the version before
            playlist = replace(playlist, tracks=before)
        fast.add(playlist, day)
        slow.add(playlist, day)
        keys = [track.key for track in playlist.tracks]
        given_keys.add(playlist, day, keys)
        given_delta.add(playlist, day, keys, tracker.step(before, playlist.tracks))
        before = playlist.tracks
        assert fast.result() == slow.result() == given_keys.result() == given_delta.result()
    assert (
        list(fast.track_keys())
        == list(slow.track_keys())
        == list(given_keys.track_keys())
        == list(given_delta.track_keys())
    )
