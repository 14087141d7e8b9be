"""The site's quick stays fold gives the stays fold's result, whatever the versions."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from gitarchive.site.stays import QuickStaysFold
from gitarchive.tracks import PlaylistStaysFold
from tests.support.models import model_playlist, model_track, plain_track

# Tracks as readers hand them out: the same object while a line is unchanged. A copy (same
# key, another object) may carry other dates; a plain one is keyed by its line.
POOL = [model_track(n) for n in range(8)]
COPIES = [model_track(n, added=f"2026-0{1 + n % 9}-01") for n in range(8)]
PLAIN = [plain_track(track) for track in POOL]

versions = st.lists(
    st.tuples(
        st.lists(
            st.tuples(st.sampled_from(("pool", "copy", "plain")), st.integers(0, 2)),
            max_size=5,
        ),
        st.integers(-2, 5),  # days after the previous version (a few go back)
    ),
    max_size=12,
)


@settings(max_examples=200)
@given(versions)
@example([([("pool", 0), ("pool", 1)], 0), ([("copy", 0), ("pool", 1)], 1)])  # re-read in place
def test_the_quick_fold_folds_as_the_stays_fold(
    steps: list[tuple[list[tuple[str, int]], int]],
) -> None:
    quick, reference = QuickStaysFold("p"), PlaylistStaysFold("p")
    day = date(2026, 11, 1)
    for picks, days in steps:
        day += timedelta(days=days)
        sources = {"pool": POOL, "copy": COPIES, "plain": PLAIN}
        playlist = model_playlist(*(sources[kind][n] for kind, n in picks))
        quick.add(playlist, day)
        reference.add(playlist, day)
    assert list(quick.track_keys()) == list(reference.track_keys())
    assert quick.result() == reference.result()
