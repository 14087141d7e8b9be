"""GA007: files of spotify-playlist-archive's older layouts, read but not checked.

A name-keyed page is read by history and import through the one page grammar
(formats.early); validate only looks for rows that grammar cannot read, so
that the note can say which versions are read from their plain files instead.
"""

from __future__ import annotations

from itertools import repeat

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
    for number, line in enumerate(lines[:12]):  # the table starts within the first lines
        cells = split_row(line)
        columns = next((c for c in _TABLES if cells is not None and tuple(cells) == c), None)
        if columns is not None:
            findings += _unreadable_rows(path, lines, number + 2, columns)
            break
    return findings


def _unreadable_rows(
    path: str, lines: list[str], start: int, columns: tuple[str, ...]
) -> list[Finding]:
    """GA007 for each row from ``start`` (0-based, after the divider) to the first blank line."""
    rows = lines[start:]
    rows = rows[: rows.index("")] if "" in rows else rows
    # Nearly every row's pipes are exactly its borders: counted at C speed (map), since a
    # cumulative page holds every track ever seen; only the other rows are matched against
    # their links.
    pipes = len(columns) + 1
    counts = list(map(str.count, rows, repeat("|")))
    suspects = {n for n, count in enumerate(counts) if count != pipes}
    if "\\|" in "\n".join(rows):
        suspects.update(n for n, line in enumerate(rows) if "\\|" in line)
    return [
        Finding("GA007", path, start + n + 1, ROW_MESSAGE)
        for n in sorted(suspects)
        if not row_readable(rows[n], columns)
    ]
