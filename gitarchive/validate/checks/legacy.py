"""GA007: files of spotify-playlist-archive's older layouts, read but not checked.

A name-keyed page is read by history and import through the one page grammar
(formats.early); validate only looks for rows that grammar cannot read, so
that the note can say which versions are read from their plain files instead.
"""

from __future__ import annotations

from gitarchive.formats import cumulative, pretty
from gitarchive.formats.early import row_readable
from gitarchive.formats.page import split_row
from gitarchive.validate.findings import Finding

PAGE_MESSAGE = (
    "a page of the name-keyed layout (pages are named by playlist id now): read by history "
    "and import, not checked"
)
FILE_MESSAGE = "a file of an older spotify-playlist-archive layout: kept as it is, not checked"
ROW_MESSAGE = (
    "this row has an unescaped '|' in a name and its links do not tell its cells apart: "
    "this version of the playlist is read from its plain file"
)
_TABLES = (tuple(pretty.COLUMNS), tuple(cumulative.COLUMNS))


def check_legacy(path: str, text: str) -> list[Finding]:
    if not path.endswith(".md"):
        return [Finding("GA007", path, None, FILE_MESSAGE)]
    findings = [Finding("GA007", path, None, PAGE_MESSAGE)]
    lines = text.split("\n")
    columns: tuple[str, ...] | None = None
    for number, line in enumerate(lines, start=1):
        if columns is None:
            cells = split_row(line)
            columns = next((c for c in _TABLES if cells is not None and tuple(cells) == c), None)
            continue
        if not line.strip():
            break
        if line.startswith("|-") or line.startswith("| -"):
            continue  # the divider
        if not row_readable(line, columns):
            findings.append(Finding("GA007", path, number, ROW_MESSAGE))
    return findings
