"""GA030-GA031: a JSON snapshot, over :func:`gitarchive.formats.snapshot.shape_problems`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from gitarchive.errors import FormatError
from gitarchive.formats.snapshot import key_line, read_json, shape_problems
from gitarchive.formats.text import load_json
from gitarchive.model import playlist_url
from gitarchive.validate.findings import Finding

if TYPE_CHECKING:
    from gitarchive.model import Playlist

_MAX_SHOWN = 20


def check_snapshot(path: str, playlist_id: str, text: str) -> tuple[list[Finding], Playlist | None]:
    """The JSON rules, and the snapshot read back when it passes them."""
    try:
        document = load_json(text)
    except json.JSONDecodeError as exc:
        return [Finding("GA030", path, exc.lineno, f"invalid JSON: {exc.msg}")], None
    problems = shape_problems(document)
    findings = [Finding("GA031", path, key_line(text, p), p) for p in problems[:_MAX_SHOWN]]
    if len(problems) > _MAX_SHOWN:
        more = f"... and {len(problems) - _MAX_SHOWN} more"
        findings.append(Finding("GA031", path, None, more))
    if not problems and document["url"] != playlist_url(playlist_id):
        what = f"url is {document['url']!r}, not this playlist's {playlist_url(playlist_id)}"
        findings.append(Finding("GA031", path, key_line(text, "url"), what))
    if findings:
        return findings, None
    try:
        return [], read_json(text, playlist_id, path=path)
    except FormatError as exc:
        return [Finding("GA031", path, exc.line, exc.message)], None
