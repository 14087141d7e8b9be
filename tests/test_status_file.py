"""playlists/status.json: formats' writer and scanner, and validate's rule GA045."""

from __future__ import annotations

import json

import pytest

from gitarchive import formats
from gitarchive.errors import FormatError
from gitarchive.formats.paths import classify
from gitarchive.formats.status import Failure, status_problems
from gitarchive.validate import validate_files
from tests.support.api import fake_id

A = fake_id("status", "a")
B = fake_id("status", "b")


def test_render_then_read_is_lossless_sorted_and_one_line() -> None:
    failed = {
        B: Failure("2026-11-21", "dropped", None, "the track count fell\nfrom 60 to 0"),
        A: Failure("2026-11-20", "unavailable", "not_owner", "403"),
    }
    text = formats.render_status(failed)
    assert list(json.loads(text)["failed"]) == sorted([A, B])
    back = formats.read_status(text)
    assert back[A] == failed[A]
    assert back[B].reason == "the track count fell from 60 to 0"
    assert classify(formats.STATUS_PATH).kind == "status"


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ([], 'the one key "failed"'),
        ({"failed": [], "x": 1}, 'the one key "failed"'),
        ({"failed": {"../etc": {}}}, "not a playlist id"),
        (
            {"failed": {A: {"since": "2026-11-21", "kind": "gone", "cause": None, "reason": "x"}}},
            "kind",
        ),
        (
            {"failed": {A: {"since": "today", "kind": "dropped", "cause": None, "reason": "x"}}},
            "since",
        ),
        (
            {"failed": {A: {"since": "2026-11-21", "kind": "dropped", "cause": 3, "reason": "x"}}},
            "cause",
        ),
        (
            {
                "failed": {
                    A: {"since": "2026-11-21", "kind": "dropped", "cause": None, "reason": "a\nb"}
                }
            },
            "reason",
        ),
        ({"failed": {A: {"since": "2026-11-21", "kind": "dropped"}}}, "expected the keys"),
    ],
)
def test_malformed_status_is_a_finding_and_a_format_error(document: object, problem: str) -> None:
    text = json.dumps(document)
    assert any(problem in p for p in status_problems(document))
    with pytest.raises(FormatError, match=r"status\.json"):
        formats.read_status(text)
    findings = validate_files({formats.STATUS_PATH: text.encode()})
    assert findings and {f.rule for f in findings} == {"GA045"}


def test_what_sync_writes_validates() -> None:
    text = formats.render_status({A: Failure("2026-11-21", "skipped", None, "budget spent")})
    assert validate_files({formats.STATUS_PATH: text.encode()}) == []
    assert validate_files({formats.STATUS_PATH: b"{not json"})[0].rule == "GA045"
