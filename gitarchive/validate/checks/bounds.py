"""GA027: the links and numbers a page shows lie in the grammar (`formats.sanitize`).

The readers of committed files never hand on a link outside
``https://open.spotify.com/<kind>/<id>``, a like count outside ``0..MAX_COUNT`` or a
length beyond 48 hours (they read as no link and unknown): this rule says where a
page holds one. Links are found on the raw line (``[text](target)``), because
markdown-it does not even read a ``javascript:`` target as a link.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from gitarchive.formats.durations import parse_duration
from gitarchive.formats.page import split_row
from gitarchive.formats.sanitize import count_problem, duration_problem, link_problem
from gitarchive.validate.findings import Finding

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

_TARGET_RE = re.compile(r"\]\(([^()\s]*)\)")


def link_findings(path: str, line: int | None, text: str) -> list[Finding]:
    """GA027 for every ``[text](target)`` of ``text`` whose target is no Spotify link."""
    findings = []
    for target in _TARGET_RE.findall(text):
        problem = link_problem(target) if target else None  # "[]()": no link
        if problem is not None:
            findings.append(Finding("GA027", path, line, f"link {problem}"))
    return findings


def row_findings(
    path: str, lines: Sequence[str], rows: Iterable[int], *, linked: slice, length: int | None
) -> list[Finding]:
    """GA027 for a table's rows (their 1-based lines): the ``linked`` cells' links, and the
    cell at ``length`` (when given) within 48 hours."""
    findings: list[Finding] = []
    for line in rows:
        cells = split_row(lines[line - 1]) if 0 < line <= len(lines) else None
        if cells is None:
            continue  # the table rules report a row that is not one
        for cell in cells[linked]:
            findings += link_findings(path, line, cell)
        if length is not None and length < len(cells):
            duration = parse_duration(cells[length]) if cells[length] else None
            problem = None if duration is None else duration_problem(duration)
            if problem is not None:
                findings.append(Finding("GA027", path, line, f"length {problem}"))
    return findings


def likes_finding(path: str, line: int | None, count: int | None) -> list[Finding]:
    problem = count_problem(count)
    return [] if problem is None else [Finding("GA027", path, line, f"like count {problem}")]
