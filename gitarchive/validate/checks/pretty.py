"""GA020-GA025 and GA027: a pretty page, over :func:`gitarchive.formats.pretty.scan_pretty`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive.errors import FormatError
from gitarchive.formats.durations import parse_duration, parse_duration_english
from gitarchive.formats.page import cell_plain, links, split_row
from gitarchive.formats.paths import cumulative_path, plain_path
from gitarchive.formats.pretty import COLUMNS, PrettyDoc, parse_summary, read_pretty_doc
from gitarchive.model import playlist_url
from gitarchive.validate.checks.bounds import likes_finding, link_findings, row_findings
from gitarchive.validate.findings import Finding

_ESCAPE_PIPE = "(escape '|' in names as '\\|')"

if TYPE_CHECKING:
    from gitarchive.formats.page import Block
    from gitarchive.model import Playlist


def check_pretty(
    path: str, playlist_id: str, doc: PrettyDoc
) -> tuple[list[Finding], Playlist | None]:
    """The page's rules, and the playlist read from it when they all hold."""
    findings = _check_head(path, playlist_id, doc)
    if doc.table is None:
        findings.append(Finding("GA021", path, None, "missing the track table"))
    else:
        findings += _check_table(path, doc)
    if doc.snapshot is None:
        findings.append(Finding("GA025", path, None, "missing the 'Snapshot ID: `...`' line"))
    elif not doc.snapshot_well_formed():
        findings.append(Finding("GA025", path, doc.snapshot.line, "expected 'Snapshot ID: `<id>`'"))
    if doc.table is not None and doc.summary is not None:
        findings += _check_summary(path, doc.table, doc.summary)
    findings += _check_bounds(path, doc)
    if findings:
        return findings, None
    try:
        return [], read_pretty_doc(doc, playlist_id, path=path)
    except FormatError as exc:
        return [Finding("GA020", path, exc.line, exc.message)], None


def _check_head(path: str, playlist_id: str, doc: PrettyDoc) -> list[Finding]:
    findings: list[Finding] = []
    if doc.nav is None:
        findings.append(Finding("GA020", path, 1, "missing the 'pretty - [cumulative]...' line"))
    else:
        targets = links(doc.nav.children)
        missing = {"/" + cumulative_path(playlist_id), "/" + plain_path(playlist_id)} - set(targets)
        if missing:
            what = "the links line lacks " + ", ".join(sorted(missing))
            findings.append(Finding("GA020", path, doc.nav.line, what))
        for target in targets:
            if "githistory" in target and not target.endswith("/" + plain_path(playlist_id)):
                what = "the githistory link does not point at this playlist"
                findings.append(Finding("GA020", path, doc.nav.line, what))
    url = playlist_url(playlist_id)
    if doc.title is None:
        findings.append(Finding("GA020", path, None, "missing the '### [name](url)' title"))
    elif doc.title.level != 3 or links(doc.title.children) != [url]:
        what = f"the title must be '### [name]({url})'"
        findings.append(Finding("GA020", path, doc.title.line, what))
    if doc.summary is None or parse_summary(doc.summary.content) is None:
        what = "missing the '[owner](url) - N likes - N songs - total' line"
        findings.append(Finding("GA020", path, None, what))
    return findings


def _check_bounds(path: str, doc: PrettyDoc) -> list[Finding]:
    """GA027: the owner's and every row's links, the likes and the lengths in the grammar."""
    findings: list[Finding] = []
    if doc.summary is not None and (summary := parse_summary(doc.summary.content)) is not None:
        findings += link_findings(path, doc.summary.line, summary.owner_source)
        findings += likes_finding(path, doc.summary.line, summary.likes[1])
    if doc.table is not None and doc.table.header == list(COLUMNS):
        rows = [line for line, _ in doc.table.rows]
        findings += row_findings(path, doc.lines, rows, linked=slice(1, 4), length=4)
    return findings


def _check_table(path: str, doc: PrettyDoc) -> list[Finding]:
    table = doc.table
    assert table is not None
    if table.header != list(COLUMNS):
        what = f"columns are {' | '.join(table.header)}; expected {' | '.join(COLUMNS)}"
        return [Finding("GA021", path, table.line, what)]
    findings: list[Finding] = []
    for number, (line, cells) in enumerate(table.rows, start=1):
        raw = split_row(doc.lines[line - 1]) if 0 < line <= len(doc.lines) else None
        if raw is None or len(raw) != len(COLUMNS) or raw[0] == "":
            count = 0 if raw is None else len(raw)
            what = f"row {number} has {count} cells; expected {len(COLUMNS)} {_ESCAPE_PIPE}"
            findings.append(Finding("GA021", path, line, what))
            continue
        if cell_plain(cells[0]) != str(number):
            what = f"row number is {cell_plain(cells[0])!r}; expected {number}"
            findings.append(Finding("GA022", path, line, what))
        length = cell_plain(cells[4])
        if length and parse_duration(length) is None:
            what = f"length {length!r} is not a m:ss or h:mm:ss duration"
            findings.append(Finding("GA023", path, line, what))
    return findings


def _check_summary(path: str, table: Block, block: Block) -> list[Finding]:
    summary = parse_summary(block.content)
    if summary is None:
        return []
    findings: list[Finding] = []
    songs = summary.songs
    if songs is not None and songs != len(table.rows):
        what = f"says {summary.songs_text.strip()} songs but the table has {len(table.rows)} rows"
        findings.append(Finding("GA024", path, block.line, what))
    lengths = [parse_duration(cell_plain(cells[4]) or "0:00") for _, cells in table.rows]
    if any(length is None for length in lengths) or len(table.header) != len(COLUMNS):
        return findings  # GA023 reports the unreadable lengths
    low = sum(length or 0 for length in lengths)
    high = low + 1000 * len(lengths)  # each row is floored to the second
    total = parse_duration_english(summary.total_text.strip())
    if total is None:
        what = f"total length {summary.total_text!r} is malformed"
        findings.append(Finding("GA024", path, block.line, what))
    elif total[1] < low or total[0] > high:
        what = f"total length {summary.total_text.strip()!r} does not match the sum of the rows"
        findings.append(Finding("GA024", path, block.line, what))
    return findings
