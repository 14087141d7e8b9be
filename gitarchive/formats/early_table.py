"""An early page's table cut into its rows by regular expressions, for the version reader.

The version reader (:mod:`gitarchive.version_reader`) reads a page of
spotify-playlist-archive's early writers (:mod:`gitarchive.formats.early`) against
the playlist's previous page: its rows are cut out of the text and looked up by
their text, and only the new ones are parsed. The cut here is the same as
splitting the page into lines and taking the ``|`` lines after its first divider
line, done by regular expressions over the whole text; a page it cannot cut that
way is left to ``read_pretty``.
"""

from __future__ import annotations

import re

from gitarchive.formats.early import is_early_page

# The divider under a page's table header, |---|---| (markdown's delimiter row), as the
# first line of a text split at "\n" that matches ^\|(?:\s*:?-+:?\s*\|)+\s*$
_DIVIDER_LINE = re.compile(r"^\|(?:[^\S\n]*:?-+:?[^\S\n]*\|)+[^\S\n]*$", re.MULTILINE)
# the line end before the first line (of the rows after it) that is not a table row;
# anchored on "\n", not on ^ (a MULTILINE ^ is tried at every character: 10x slower)
_NOT_A_ROW = re.compile(r"\n(?!\|)")
# a row (after its line end) whose number cell is a plain number: the row from the
# border after that cell, rows are known without their places; a row whose number
# cell is not (an escaped pipe, a word, a tab: the early reader's cells split on
# links only around a number between spaces) is not matched: the full reader judges
# it by its cells, which renumbering would change
_AFTER_NUMBER_CELL = re.compile(r"\n\| *\d+ *(\|[^\n]*)")
# a numbered row's start: its line end and number cell, up to the border after it
_ROW_START = re.compile(r"\n\| *\d+ *(?=\|)")
NUMBERED_ROW = "| 1 "  # what a row's key is read after, under a numbered head
# where markdown reads lines that look like a table as something else (code fences,
# ``` and ~~~, found by _not_markdown_text; HTML): such a page is read whole
_RAW_HTML = re.compile(r"<(?:pre|script|style|textarea|!--)", re.IGNORECASE)


def page_table(text: str) -> tuple[int, str, list[str], str, str] | None:
    """A page's table as (line index of its divider, table head, its rows' keys, the
    text a key is read after, the page without its rows); None without a divider under
    a first line, and for a page whose rows the fast path would not read as
    ``read_pretty`` does (not an early page, code or HTML, a number cell that is not a
    number).

    A row's key is the row itself, or under a ``| No. |`` head the row from the
    border after its number cell: the row is read as ``"| 1 " + key`` (a row is
    known without its place). The same cut as splitting the page into lines, taking
    the first divider line and the ``|`` lines after it, done by regular
    expressions: the rows are never split one by one unless they are new.
    """
    # the rows are read as an early page's (formats.early): only such a page's are
    if not is_early_page(text.partition("\n")[0]) or _not_markdown_text(text):
        return None
    found = _DIVIDER_LINE.search(text)
    if found is None or found.start() == 0:
        return None
    divider_at = found.start()
    divider = text.count("\n", 0, divider_at)
    head_at = text.rfind("\n", 0, divider_at - 1) + 1
    table_head = text[head_at : found.end()]
    start = found.end() + 1  # the first row's line
    if start > len(text):  # the divider is the last line
        return divider, table_head, [], "", text
    if table_head.startswith("| No. |"):
        cut = _numbered_rows(text, start)
        if cut is not None:
            return divider, table_head, cut[0], NUMBERED_ROW, cut[1]
    found = _NOT_A_ROW.search(text, start - 1)
    if found is None:  # rows up to the end, without a final line end
        stop, skeleton = len(text), text[: start - 1]
    else:
        stop = found.start() + 1
        skeleton = text[:start] + text[stop:]
    if not table_head.startswith("| No. |"):
        rows = text[start:stop].split("\n")
        if rows[-1] == "":  # the line end of the last row
            rows.pop()
        return divider, table_head, rows, "", skeleton
    # from the line end before the first row: every line up to ``stop`` is a row, and
    # one whose number cell is not a plain number is not matched
    keys = _AFTER_NUMBER_CELL.findall(text, start - 1, stop)
    if len(keys) != text.count("\n", start - 1, stop) - (found is not None):
        return None
    return divider, table_head, keys, NUMBERED_ROW, skeleton


def _numbered_rows(text: str, start: int) -> tuple[list[str], str] | None:
    """The keys of the rows from ``start`` (a line's start, after a line end) and the
    page without them, as :func:`page_table` cuts them under a numbered head, when
    every line from there to the last numbered row is one and the line after it (if
    any) does not start with ``|``; None for any other page (the line-by-line cut then
    judges it).

    One split at each numbered row's start (the pattern's literal line end is found by
    a fast search, and the keys are the slices between), cheaper than matching each
    row through to its line end.
    """
    parts = _ROW_START.split(text[start - 1 :])
    if len(parts) < 2 or parts[0]:
        return None
    keys = parts[1:]
    last = keys[-1]
    end = last.find("\n")
    if end < 0:  # rows up to the end, without a final line end
        skeleton = text[: start - 1]
    elif last.startswith("|", end + 1):
        return None
    else:
        keys[-1] = last[:end]
        skeleton = text[:start] + text[len(text) - len(last) + end + 1 :]
    if "\n" in "".join(keys):  # a line among the rows that is not a numbered row
        return None
    return keys, skeleton


def _not_markdown_text(text: str) -> bool:
    """Whether the page holds text markdown reads as code or HTML (searched for only
    where its first character is: a regular expression over every page costs more,
    and so does a search for three characters, against one's)."""
    if ("`" in text and "```" in text) or ("~" in text and "~~~" in text):
        return True
    return "<" in text and _RAW_HTML.search(text) is not None
