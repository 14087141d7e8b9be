"""GA045: ``playlists/status.json``, over :func:`gitarchive.formats.status.status_problems`."""

from __future__ import annotations

import json

from gitarchive.formats.status import status_problems
from gitarchive.formats.text import load_json
from gitarchive.validate.findings import Finding


def check_status(path: str, text: str) -> list[Finding]:
    try:
        document = load_json(text)
    except json.JSONDecodeError as exc:
        return [Finding("GA045", path, exc.lineno, f"invalid JSON: {exc.msg}")]
    return [Finding("GA045", path, None, problem) for problem in status_problems(document)]
