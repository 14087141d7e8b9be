"""GA010-GA012: a plain file, over :func:`gitarchive.formats.plain.scan_plain`."""

from __future__ import annotations

from gitarchive.formats.plain import FIRST_TRACK_LINE, PlainDoc, is_track_line, sort_key
from gitarchive.validate.findings import Finding


def check_plain(path: str, doc: PlainDoc) -> list[Finding]:
    if not doc.lines:
        return [Finding("GA010", path, 1, "empty file; expected name, description, blank line")]
    findings: list[Finding] = []
    if not doc.final_newline:
        findings.append(Finding("GA012", path, len(doc.lines), "no newline at the end of the file"))
    if doc.lines[0].strip() == "":
        findings.append(Finding("GA010", path, 1, "line 1 must be the playlist's name"))
    if len(doc.lines) < 2:
        findings.append(Finding("GA010", path, 2, "missing the description line"))
    if len(doc.lines) >= 3 and not doc.has_blank_separator:
        findings.append(
            Finding("GA010", path, 3, "line 3 must be blank (it separates the header from tracks)")
        )
    tracks = doc.tracks
    for offset, line in enumerate(tracks):
        if not is_track_line(line):
            where = offset + FIRST_TRACK_LINE
            message = "not a track line 'Title -- Artist1, Artist2 -- Album'"
            findings.append(Finding("GA010", path, where, message))
    for offset in range(len(tracks) - 1):
        if sort_key(tracks[offset]) > sort_key(tracks[offset + 1]):
            message = (
                "track lines are not sorted case-insensitively (this line sorts before "
                "the one above it)"
            )
            findings.append(Finding("GA011", path, offset + FIRST_TRACK_LINE + 1, message))
            break
    return findings
