"""GA045: ``playlists/status.json``, over :func:`gitarchive.formats.status.status_problems`."""

from __future__ import annotations

import json

from gitarchive.formats.status import status_problems
from gitarchive.validate.findings import Finding


def check_status(path: str, text: str) -> list[Finding]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return [Finding("GA045", path, exc.lineno, f"invalid JSON: {exc.msg}")]
    except RecursionError:  # hostile nesting: json's decoder recurses once per level
        return [Finding("GA045", path, None, "invalid JSON: nested too deeply")]
    return [Finding("GA045", path, None, problem) for problem in status_problems(document)]
