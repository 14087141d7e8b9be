"""timeline.diff_versions equals history.diff_tracks (it only skips shared track objects)."""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gitarchive.history import diff_tracks
from gitarchive.history.entries import KeyCache, diff_versions
from tests.support.models import model_track as track
from tests.support.models import plain_track as plain

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


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \t\r\x07\x08\x0b\x0c\x1b\n→é🎵|")))
def test_text_lines_are_what_the_console_prints_to_a_pipe(line: str) -> None:
    import io

    from rich.text import Text

    from gitarchive.cli.console import SafeConsole
    from gitarchive.cli.terminal import clean

    buffer = io.StringIO()
    SafeConsole(file=buffer, highlight=False, soft_wrap=True).print(Text(line, style="green"))
    assert clean(line) + "\n" == buffer.getvalue()


def test_json_writers_match_json_dumps() -> None:
    import json

    from gitarchive.history.documents import track_json

    doc: dict[str, Any] = {"id": None, "name": 'a "q" \\ \n é 🎵', "artists": [], "album": "",
                           "url": None, "duration_ms": 0}  # fmt: skip
    assert track_json(doc, "") == json.dumps(doc, ensure_ascii=False, indent=2)
    doc["artists"] = ["x", "y\u2028"]
    assert track_json(doc, "") == json.dumps(doc, ensure_ascii=False, indent=2)
