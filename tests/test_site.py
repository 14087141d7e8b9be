"""`gitarchive site`: the data the pages carry, escaping, the SVG chart, the command's edges.

The pages' behaviour in a real browser is tested in test_site_browser.py; here
the documents are checked against the history engine directly.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gitarchive.history import Version, diff_tracks
from gitarchive.history.moves import moves
from gitarchive.model import Album, Artist, Playlist, Track
from gitarchive.site.data import PlaylistHistory, replay, same_order
from gitarchive.site.pages import embed_json, index_page, playlist_page
from gitarchive.site.svg import likes_chart, nice_ticks, sparkline
from tests.support.builder import RepoBuilder, playlist_files
from tests.support.cli import run_cli
from tests.support.models import PID, model_playlist, model_track, plain_track
from tests.support.timeline_oracle import history_document, timeline

if TYPE_CHECKING:
    from pathlib import Path

HOSTILE = '</script><script>window.__pwned=1</script><!-- "quotes" & \u202eRTL\u202c'


def version(day: int, p: Playlist, hour: int = 6) -> Version:
    return Version(commit=f"{day:040x}", date=datetime(2026, 1, day, hour, tzinfo=UTC), playlist=p)


def site_document(versions: list[Version], **kwargs: Any) -> dict[str, Any]:
    history = PlaylistHistory(PID, **kwargs)
    for v in versions:
        history.add(v)
    return history.document(github=None)


def as_rows(document: dict[str, Any], indices: list[int]) -> list[tuple[str, tuple[str, ...], str]]:
    rows = document["tracks"]
    return [(rows[i][0], tuple(rows[i][1]), rows[i][2]) for i in indices]


def track_rows(tracks: tuple[Track, ...]) -> list[tuple[str, tuple[str, ...], str]]:
    return [(t.name, tuple(a.name for a in t.artists), t.album.name) for t in tracks]


def check_against_history(versions: list[Version]) -> None:
    """Steps = history's timeline; replayed lists = the versions; highlights = its diffs."""
    document = site_document(versions)
    changes = timeline(versions)
    expected = history_document(PID, "x", changes)["versions"]
    assert [step["c"] for step in document["versions"]] == [v["commit"] for v in expected]
    lists = replay(document)
    for number, (step, listed, change, wanted) in enumerate(
        zip(document["versions"], lists, changes, expected, strict=True)
    ):
        assert as_rows(document, listed) == track_rows(change.playlist.tracks)
        previous = change.previous.tracks if change.previous else ()
        before = step.get("p", lists[number - 1] if number else [])
        added = [listed[position] for position, _ in step.get("a", [])]
        assert [index for _, index in step.get("a", [])] == added
        removed = [before[position] for position in step.get("r", [])]
        assert as_rows(document, before) == track_rows(previous)
        assert Counter(as_rows(document, added)) == Counter(
            (t["name"], tuple(t["artists"]), t["album"]) for t in wanted["added"]
        )
        assert Counter(as_rows(document, removed)) == Counter(
            (t["name"], tuple(t["artists"]), t["album"]) for t in wanted["removed"]
        )
        updated = [(listed[position], before_index) for position, before_index in step.get("u", [])]
        assert [
            (as_rows(document, [after])[0], as_rows(document, [old])[0]) for after, old in updated
        ] == [
            (
                (u["after"]["name"], tuple(u["after"]["artists"]), u["after"]["album"]),
                (u["before"]["name"], tuple(u["before"]["artists"]), u["before"]["album"]),
            )
            for u in wanted["updated"]
        ]


def test_steps_replay_to_every_version_with_historys_highlights() -> None:
    a, b, c, d = model_track(1), model_track(2), model_track(3), model_track(4)
    renamed = model_track(2, name="Song 2 (Remastered)")
    versions = [
        version(1, model_playlist(a, b, c)),
        version(2, model_playlist(a, b, c, likes=5)),  # likes only: no step
        version(3, model_playlist(d, a, renamed)),  # c removed, d added first, b updated
        version(4, model_playlist(a, d, renamed, a)),  # reorder + duplicate
        version(5, model_playlist(a, d, renamed, a, name="Mix II", description="new")),
    ]
    check_against_history(versions)
    document = site_document(versions)
    assert [step.get("n") for step in document["versions"]] == ["Mix", None, None, "Mix II"]
    assert document["likes"] == [("2026-01-01T06:00:00Z", 1), ("2026-01-02T06:00:00Z", 5),
                                 ("2026-01-03T06:00:00Z", 1)]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 9), max_size=8), min_size=1, max_size=8))
def test_random_histories_match_the_history_engine(states: list[list[int]]) -> None:
    pool = [model_track(n) for n in range(10)]
    versions = [
        version(day + 1, model_playlist(*(pool[n] for n in s))) for day, s in enumerate(states)
    ]
    check_against_history(versions)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 11), max_size=8), min_size=1, max_size=10))
def test_the_diff_of_changed_tracks_only_equals_diff_tracks(states: list[list[int]]) -> None:
    # shared objects (as the readers give them), duplicates, renamed tracks with the same id,
    # and plain-file tracks (keyed by line) that must match their JSON twins
    base = [model_track(n) for n in range(4)]
    pool = [*base, model_track(1, name="Song 1 (Live)"), *(plain_track(t) for t in base),
            model_track(5), model_track(6), plain_track(model_track(5)), model_track(7),
            model_track(8)]  # fmt: skip
    history = PlaylistHistory(PID)
    previous = None
    for state in states:
        current = model_playlist(*(pool[n] for n in state))
        assert history._diff(previous, current) == diff_tracks(
            previous.tracks if previous else None, current.tracks
        )
        previous = current


def test_since_starts_with_a_whole_list() -> None:
    a, b, c = model_track(1), model_track(2), model_track(3)
    versions = [
        version(1, model_playlist(a)),
        version(2, model_playlist(a, b)),
        version(3, model_playlist(b, c)),
    ]
    document = site_document(versions, since=datetime(2026, 1, 2, tzinfo=UTC))
    assert len(document["versions"]) == 2
    assert "p" in document["versions"][0]
    assert [as_rows(document, x) for x in replay(document)] == [
        track_rows((a, b)),
        track_rows((b, c)),
    ]
    # the cumulative table still covers every version
    assert len(document["cumulative"]) == 3


def test_embedded_json_cannot_close_its_script_tag() -> None:
    text = embed_json({"name": HOSTILE, "x": "a\u2028b"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"name": HOSTILE, "x": "a\u2028b"}


def hostile_history() -> PlaylistHistory:
    bad = Track(
        name=HOSTILE,
        artists=(Artist('"><img src=x onerror=alert(1)>'),),
        album=Album("<!--"),
        url="https://open.spotify.com/track/" + "1" * 22,
    )
    history = PlaylistHistory(PID)
    history.add(version(1, Playlist(id=PID, original_name=HOSTILE, tracks=(bad,))))
    return history


def test_pages_escape_every_name() -> None:
    history = hostile_history()
    summary = history.summary()
    assert summary is not None
    pages = [
        playlist_page(history.document(github=None), name=HOSTILE, description=HOSTILE,
                      generated="now"),
        index_page([summary], title=HOSTILE, generated="now"),
    ]  # fmt: skip
    for page in pages:
        assert "<script>window" not in page
        assert "<img" not in page and "<!--" not in page
        assert page.count("<script") == page.count("</script>")
        # the only scripts are the inline one (admitted by hash) and the JSON data
        assert set(re.findall(r"<script[^>]*>", page)) <= {
            "<script>",
            '<script type="application/json" id="data">',
        }
        assert "&lt;/script&gt;" in page


def test_likes_chart_has_one_point_per_change_and_readable_axes() -> None:
    points = [("2026-01-01T06:00:00Z", 1200), ("2026-02-01T06:00:00Z", 1350),
              ("2026-03-15T06:00:00Z", 98_000)]  # fmt: skip
    svg = likes_chart(points, title=HOSTILE)
    assert svg.count('<circle class="pt"') == 3
    assert "2026-01-01" in svg and "2026-03-15" in svg  # first and last dates on the x axis
    assert re.search(r">\d+(\.\d)?k<", svg)  # y labels in k
    assert "<script" not in svg
    assert likes_chart([], title="x").startswith('<p class="nolikes">')
    assert sparkline(points).count("<polyline") == 1 and sparkline(points[:1]) == ""
    assert nice_ticks(0, 95) == [0, 25, 50, 75, 100]


def test_site_refuses_a_folder_it_did_not_write(tmp_path: Path) -> None:
    repo = tmp_path / "archive"
    builder = RepoBuilder(repo)
    builder.commit(playlist_files(model_playlist(model_track(1))), date="2026-01-01T06:00:00Z")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me\n")
    assert run_cli("-C", str(repo), "site", str(mine)) == 1
    assert (mine / "notes.txt").read_text() == "keep me\n"
    out = tmp_path / "out"
    assert run_cli("-C", str(repo), "site", str(out)) == 0
    assert (out / "index.html").is_file() and (out / "p" / f"{PID}.html").is_file()
    (out / "p" / ("Z" * 22 + ".html")).write_text("stale")
    (out / "p" / ("Z" * 22 + ".atom")).write_text("stale")
    assert (
        run_cli("-C", str(repo), "site", str(out), "--playlist", PID, "--since", "2026-01-01") == 0
    )
    assert sorted(p.name for p in (out / "p").iterdir()) == [f"{PID}.atom", f"{PID}.html"]
    assert run_cli("-C", str(repo), "site", str(out), "--since", "whenever") == 1
    assert run_cli("-C", str(repo), "site", str(out), "--playlist", "No such name") == 1


def _site_job(workflow: str) -> str:
    start = workflow.index("\n  site:\n")
    end = workflow.find("\n  validate:\n", start)
    return workflow[start : end if end > 0 else len(workflow)]


def test_workflows_deploy_the_site_only_when_pages_is_switched_on(tmp_path: Path) -> None:
    from pathlib import Path as RealPath

    from gitarchive.archive_init import WORKFLOW_PATH

    assert run_cli("init", str(tmp_path / "a")) == 0
    generated = (tmp_path / "a" / WORKFLOW_PATH).read_text(encoding="utf-8")
    own = (RealPath(__file__).parent.parent / ".github/workflows/archive.yml").read_text("utf-8")
    for workflow in (generated, own):
        job = _site_job(workflow)
        assert "    needs: sync\n    if: vars.GITARCHIVE_PAGES == 'true'\n" in job
        assert "run: gitarchive site _site" in job and "path: _site" in job
        assert "pages: write" in job and "id-token: write" in job and "contents: read" in job
        uses = re.findall(r"uses: (\S+)(.*)", job)
        assert {name.split("@")[0] for name, _ in uses} == {
            "actions/checkout", "actions/setup-python", "actions/configure-pages", "actions/cache",
            "actions/upload-pages-artifact", "actions/deploy-pages",
        }  # fmt: skip
        for name, comment in uses:  # pinned by full commit id, the version in a comment
            assert re.fullmatch(r"[\w/-]+@[0-9a-f]{40}", name), name
            assert re.fullmatch(r" # v\d+\.\d+\.\d+", comment), (name, comment)


@given(
    st.lists(st.sampled_from("abcdefgh"), max_size=8),
    st.lists(st.sampled_from("abcdefgh"), max_size=8),
)
def test_the_quick_check_of_an_unchanged_order_agrees_with_the_moves_rule(
    before: list[str], after: list[str]
) -> None:
    if same_order(before, after):
        assert moves(before, after) == []
    elif len(set(before)) == len(before) and len(set(after)) == len(after):
        assert moves(before, after) != []
