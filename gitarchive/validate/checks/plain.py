"""GA010-GA014: a plain file, over :func:`gitarchive.formats.plain.scan_plain`.

The grammar every writer of the layout produced: the name, the description (a
description that was blank or ended in a line break takes its own lines, as
spotify-playlist-archive wrote it), one blank line, the track lines; a final
newline or none (that project's writer wrote none).
"""

from __future__ import annotations

from gitarchive.formats.plain import PlainDoc, is_track_line, sort_key
from gitarchive.validate.findings import Finding


def header_end(lines: list[str]) -> int | None:
    """The index of the blank line that ends the header (None when there is none).

    The description may span lines and hold blank ones, so the header ends at the
    first blank line (from line 3 on) that the track lines (or the end) follow.
    """
    first_blank: int | None = None
    for index in range(2, len(lines)):
        if lines[index] == "":
            first_blank = index if first_blank is None else first_blank
            if index + 1 == len(lines) or is_track_line(lines[index + 1]):
                return index
    return first_blank


def is_merge_sorted(lines: list[str]) -> bool:
    """Whether the name and description were sorted in among the track lines.

    Merges in spotify-playlist-archive's history left files whose name and
    description lines stand among the tracks, with no blank line: one or two
    lines that are not tracks, no blank one, and not all of them at the top (a
    header at the top that lacks its blank line is a broken file, GA010).
    """
    others = [line for line in lines if not is_track_line(line)]
    return "" not in lines and 0 < len(others) <= 2 < len(lines) and others != lines[: len(others)]


def check_plain(path: str, doc: PlainDoc) -> list[Finding]:
    lines = doc.lines
    if not lines:
        what = (
            "empty: how spotify-playlist-archive's early layout registered a playlist (the "
            "next run of its writer filled the file in); no name, description or tracks"
        )
        return [Finding("GA014", path, None, what)]
    if is_merge_sorted(lines):
        what = (
            "the name and description lines are sorted in among the tracks (a merge in "
            "spotify-playlist-archive's history); read as name and description"
        )
        return [Finding("GA013", path, None, what)]
    findings: list[Finding] = []
    if lines[0].strip() == "":
        findings.append(Finding("GA010", path, 1, "line 1 must be the playlist's name"))
    if len(lines) < 2:
        findings.append(Finding("GA010", path, 2, "missing the description line"))
    end = header_end(lines)
    if end is None:
        if len(lines) >= 3:
            what = "no blank line after the name and description (it separates them from tracks)"
            findings.append(Finding("GA010", path, 3, what))
        return findings
    tracks = lines[end + 1 :]
    first = end + 2  # the first track's line number
    if tracks and tracks[-1] == "" and doc.final_newline:
        findings.append(Finding("GA012", path, len(lines), "blank line at the end of the file"))
        tracks = tracks[:-1]
    for offset, line in enumerate(tracks):
        if not is_track_line(line):
            message = "not a track line 'Title -- Artist1, Artist2 -- Album'"
            findings.append(Finding("GA010", path, first + offset, message))
    for offset in range(len(tracks) - 1):
        if sort_key(tracks[offset]) > sort_key(tracks[offset + 1]):
            message = (
                "track lines are not sorted case-insensitively (this line sorts before "
                "the one above it)"
            )
            findings.append(Finding("GA011", path, first + offset + 1, message))
            break
    return findings
