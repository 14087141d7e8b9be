"""GA026-GA027: a cumulative page, over :func:`gitarchive.formats.cumulative.scan_cumulative`."""

from __future__ import annotations

from gitarchive.formats.cumulative import (
    COLUMNS,
    CumulativeDoc,
    cell_text,
    parse_added,
    parse_day,
)
from gitarchive.formats.durations import parse_duration
from gitarchive.formats.sanitize import duration_problem
from gitarchive.model import playlist_url
from gitarchive.validate.checks.bounds import link_findings
from gitarchive.validate.findings import Finding


def check_cumulative(path: str, playlist_id: str, doc: CumulativeDoc) -> list[Finding]:
    findings: list[Finding] = []

    def report(line: int | None, message: str) -> None:
        findings.append(Finding("GA026", path, line, message))

    if not doc.starts_with_nav(playlist_id):
        report(1, "line 1 must be '[pretty](...) - cumulative - [plain](...)'")
    url = playlist_url(playlist_id)
    if doc.title is None or not doc.title[1].endswith(f"]({url})"):
        report(None, f"missing the title '### [name]({url})'")
    if doc.header is None:
        report(None, "missing the table | " + " | ".join(COLUMNS) + " |")
        return findings
    if not doc.divider_ok:
        report(doc.header + 1, "expected the table's divider row")
    for line, cells in doc.rows:
        if cells is None or len(cells) != len(COLUMNS):
            report(line, "row does not have 6 cells (escape '|' as '\\|')")
            continue
        length, added, removed = (cell_text(cell) for cell in cells[3:6])
        if length and parse_duration(length) is None:
            report(line, f"length {length!r} is not m:ss or h:mm:ss")
        if parse_added(added) is None:
            report(line, f"Added {added!r} is not a date")
        if removed and parse_day(removed) is None:
            report(line, f"Removed {removed!r} is not a date")
    if doc.summary is None:
        report(None, "missing the 'N songs - total' line")
    elif doc.summary[1] != len(doc.rows):
        report(
            doc.summary[0], f"says {doc.summary[1]} songs but the table has {len(doc.rows)} rows"
        )
    if doc.first_scraped is None:
        report(None, "missing '\\*This playlist was first scraped on ...'")
    return findings + _bounds(path, doc)


def _bounds(path: str, doc: CumulativeDoc) -> list[Finding]:
    """GA027: every row's links and length in the grammar."""
    findings: list[Finding] = []
    for line, cells in doc.rows:
        if cells is None or len(cells) != len(COLUMNS):
            continue
        for cell in cells[:3]:
            findings += link_findings(path, line, cell)
        duration = parse_duration(cell_text(cells[3])) if cell_text(cells[3]) else None
        if duration is not None and (problem := duration_problem(duration)) is not None:
            findings.append(Finding("GA027", path, line, f"length {problem}"))
    return findings
