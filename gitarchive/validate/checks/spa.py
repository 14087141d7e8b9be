"""GA032-GA034: files of current spotify-playlist-archive clones, over formats.spa's shapes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from gitarchive.formats.spa import cumulative_json_problems, followers_problems, metadata_problems
from gitarchive.formats.text import load_json
from gitarchive.validate.findings import Finding

if TYPE_CHECKING:
    from collections.abc import Callable

_SHAPES: dict[str, tuple[str, Callable[[Any], list[str]]]] = {
    "cumulative_json": ("GA032", cumulative_json_problems),
    "followers": ("GA033", followers_problems),
    "metadata": ("GA034", metadata_problems),
}
_MAX_SHOWN = 20


def check_spa_file(path: str, kind: str, text: str) -> list[Finding]:
    """The shape rule of one spotify-playlist-archive file (``kind`` from formats.paths)."""
    rule, problems_of = _SHAPES[kind]
    if kind == "metadata" and not path.endswith(".json"):
        return []  # compressed copies (*.br): binary, not read
    try:
        document = load_json(text)
    except json.JSONDecodeError as exc:
        return [Finding(rule, path, exc.lineno, f"invalid JSON: {exc.msg}")]
    problems = problems_of(document)
    findings = [Finding(rule, path, None, problem) for problem in problems[:_MAX_SHOWN]]
    if len(problems) > _MAX_SHOWN:
        findings.append(Finding(rule, path, None, f"... and {len(problems) - _MAX_SHOWN} more"))
    return findings
