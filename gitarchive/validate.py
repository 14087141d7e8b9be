"""The archive's rules, and the checks that run them (``gitarchive validate``, git hooks).

Every rule has an id (``GA001``...) that appears in each finding together with
the file and, where it can be known, the line. Checks collect every finding
instead of stopping at the first, so one run shows everything to fix.

What is checked is chosen by the caller as a *source* (where file contents come
from: the working tree, a commit, the index) plus a set of *paths* (every
archive file, or only the ones a commit changed). Checks that involve more than
one file (consistency between a playlist's plain, pretty and JSON files, the
index) read the sibling files they need from the same source, so validating
only what a commit changed still sees the whole commit.

Retained history: ``gitarchive remove`` keeps a playlist's files unless
``--purge``. A playlist with files but no registry entry is therefore fine as
long as its plain file is kept (the file its history is walked through) and its
files agree with each other. Generated files of an unregistered playlist
without a plain file are orphans (GA042). A registry entry without generated
files is fine too: it was just added and is waiting for the next sync.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from markdown_it import MarkdownIt

from gitarchive import gitstore
from gitarchive.errors import FormatError, UsageError
from gitarchive.formats.durations import parse_duration
from gitarchive.model import is_playlist_id, playlist_url

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from markdown_it.token import Token

    from gitarchive.gitstore import Store
    from gitarchive.model import Playlist

ARCHIVE_ROOT = "playlists"

#: Every rule: id -> what it requires. The ids are stable; add, never renumber.
RULES: dict[str, str] = {
    "GA001": "registry: the file name is a valid playlist id (22 letters/digits)",
    "GA002": "registry: a registry file is empty or holds exactly one line",
    "GA003": "registry: an alias has no control characters and no surrounding spaces",
    "GA004": "layout: no stray files or folders in playlists/",
    "GA005": "encoding: archive files are UTF-8 text",
    "GA010": "plain: header (name, description, blank line) and 'Title -- Artists -- Album' lines",
    "GA011": "plain: track lines are sorted as sync sorts them (case-insensitively)",
    "GA012": "plain: the file ends with a newline",
    "GA020": "pretty: the page parses into the expected header, title and summary",
    "GA021": "pretty: the table has the columns No. | Title | Artist(s) | Album | Length",
    "GA022": "pretty: table rows are numbered 1..N",
    "GA023": "pretty: every Length cell is a m:ss duration",
    "GA024": "pretty: the song count and total length match the table",
    "GA025": "pretty: the page ends with a 'Snapshot ID: `...`' line",
    "GA026": "cumulative: header, table (m:ss lengths, Added/Removed dates) and footnote",
    "GA030": "json: the snapshot is valid JSON",
    "GA031": "json: the snapshot has every required key with the right type",
    "GA040": "consistency: plain, pretty and JSON files list the same tracks",
    "GA041": "consistency: plain, pretty and JSON files agree on the playlist's name",
    "GA042": "consistency: generated files belong to a registered or retained playlist",
    "GA043": "consistency: index.md lists exactly the playlists that have pages",
    "GA044": "index: index.md parses",
    "GA050": "secrets: no Spotify client secret (32 hex digits)",
    "GA051": "secrets: no Spotify access token",
    "GA052": "secrets: no Spotify refresh token",
    "GA053": "secrets: no GitHub token",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One broken rule: which, where (file, line, commit) and what is wrong."""

    rule: str
    path: str
    line: int | None
    message: str
    commit: str | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        if self.commit:
            where = f"{self.commit[:12]}:{where}"
        return f"{where}: {self.rule} {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "path": self.path,
            "line": self.line,
            "message": self.message,
            "commit": self.commit,
        }


# ------------------------------------------------------------------------ sources


class Source(Protocol):
    """Where file contents come from: a commit, the index, the working tree."""

    def read(self, path: str) -> bytes | None:
        """The file's bytes, None when it does not exist."""

    def names(self, folder: str) -> set[str]:
        """Names of the files directly in ``folder``."""


class MappingSource:
    """Files given as a mapping of path -> bytes (tests, library callers)."""

    def __init__(self, files: Mapping[str, bytes]) -> None:
        self.files = dict(files)

    def read(self, path: str) -> bytes | None:
        return self.files.get(path)

    def names(self, folder: str) -> set[str]:
        prefix = folder.rstrip("/") + "/"
        return {
            path[len(prefix) :]
            for path in self.files
            if path.startswith(prefix) and "/" not in path[len(prefix) :]
        }


class WorkTreeSource:
    """Files on disk under a work tree's root."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def read(self, path: str) -> bytes | None:
        try:
            return (self.root / path).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def names(self, folder: str) -> set[str]:
        try:
            return {entry.name for entry in (self.root / folder).iterdir() if entry.is_file()}
        except (FileNotFoundError, NotADirectoryError):
            return set()


class BlobMapSource:
    """Files named by blob ids in a store (a commit's tree, the index)."""

    def __init__(self, store: Store, blobs: Mapping[str, str]) -> None:
        self.store = store
        self.blobs = blobs
        self._folders: dict[str, set[str]] | None = None

    def read(self, path: str) -> bytes | None:
        blob = self.blobs.get(path)
        return None if blob is None else self.store.read_blob(blob)

    def names(self, folder: str) -> set[str]:
        if self._folders is None:
            folders: dict[str, set[str]] = {}
            for path in self.blobs:
                head, _, name = path.rpartition("/")
                folders.setdefault(head, set()).add(name)
            self._folders = folders
        return self._folders.get(folder.rstrip("/"), set())


class CommitSource:
    """Files of one commit, read lazily (only the folders and blobs a check needs)."""

    def __init__(self, store: Store, commit_id: str) -> None:
        self.store = store
        self.commit_id = commit_id
        self._folders: dict[str, dict[str, str]] = {}

    def _folder(self, folder: str) -> dict[str, str]:
        if folder not in self._folders:
            self._folders[folder] = self.store.list_dir(self.commit_id, folder)
        return self._folders[folder]

    def read(self, path: str) -> bytes | None:
        folder, _, name = path.rpartition("/")
        blob = self._folder(folder).get(name)
        return None if blob is None else self.store.read_blob(blob)

    def names(self, folder: str) -> set[str]:
        return set(self._folder(folder.rstrip("/")))


# ---------------------------------------------------------------- classification


@dataclass(frozen=True, slots=True)
class _Kind:
    kind: str  # registry | plain | pretty | json | cumulative | index | keep | stray | other
    playlist_id: str | None = None


_KEEP_NAMES = {".gitkeep", ".keep"}
_FOLDERS = {"registry", "plain", "pretty", "cumulative"}


def classify(path: str) -> _Kind:
    """What an archive path is, by its place in the layout."""
    if not path.startswith(ARCHIVE_ROOT + "/"):
        return _Kind("other")
    rest = path[len(ARCHIVE_ROOT) + 1 :]
    if rest == "index.md":
        return _Kind("index")
    parts = rest.split("/")
    if parts[-1] in _KEEP_NAMES and len(parts) <= 2:
        return _Kind("keep")
    if len(parts) != 2 or parts[0] not in _FOLDERS:
        return _Kind("stray")
    folder, name = parts
    if folder == "registry":
        return _Kind("registry", name)
    if folder == "plain":
        return _Kind("plain", name) if is_playlist_id(name) else _Kind("stray")
    if folder == "cumulative":
        stem = name.removesuffix(".md")
        ok = name.endswith(".md") and is_playlist_id(stem)
        return _Kind("cumulative", stem) if ok else _Kind("stray")
    if name.endswith(".md") and is_playlist_id(name[:-3]):
        return _Kind("pretty", name[:-3])
    if name.endswith(".json") and is_playlist_id(name[:-5]):
        return _Kind("json", name[:-5])
    return _Kind("stray")


def _paths(playlist_id: str) -> dict[str, str]:
    return {
        "registry": f"{ARCHIVE_ROOT}/registry/{playlist_id}",
        "plain": f"{ARCHIVE_ROOT}/plain/{playlist_id}",
        "pretty": f"{ARCHIVE_ROOT}/pretty/{playlist_id}.md",
        "json": f"{ARCHIVE_ROOT}/pretty/{playlist_id}.json",
        "cumulative": f"{ARCHIVE_ROOT}/cumulative/{playlist_id}.md",
    }


INDEX_PATH = f"{ARCHIVE_ROOT}/index.md"


# ------------------------------------------------------------------------ secrets


# Spotify ids are 22 base-62 characters and snapshot ids are standard base64 of
# "<time>,<hex>" (about 56-68 characters, no '-' or '_'): the patterns below are
# anchored on prefixes or lengths that neither can reach, so sync output is clean.
# Prefixed tokens: the regexes start with a literal so that re's prefix search makes
# each scan nearly free; the "not glued to a longer word" condition is checked in
# code, because a leading lookbehind would disable that search. This runs over
# every changed file on every push.
_PREFIXED_SECRETS: tuple[tuple[str, re.Pattern[str], str, str], ...] = (
    (
        "GA053",
        re.compile(r"gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,}"),
        "something that looks like a GitHub token",
        "_",
    ),
    (
        "GA051",
        re.compile(r"BQ[A-Za-z0-9_-]{100,}"),
        "something that looks like a Spotify access token (BQ...)",
        "_-",
    ),
    (
        "GA052",
        re.compile(r"AQ[A-Za-z0-9_-]{100,}"),
        "something that looks like a Spotify refresh token (AQ...)",
        "_-",
    ),
)
# Unprefixed: one scan for runs of base64url characters long enough to matter,
# classified in code: exactly 32 hex digits (with both digits and letters) is a
# client secret; 150+ characters using '-' or '_' is a bearer token (standard
# base64 snapshot ids use neither, Spotify ids are 22 characters).
_CANDIDATE_RUN = re.compile(r"[0-9A-Za-z_-]{32,}")
_ALNUM_SEGMENT = re.compile(r"[0-9A-Za-z]+")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_WHAT_HEX = "32 hex digits that look like a Spotify client secret"
_WHAT_BEARER = "a long base64url string that looks like an access token"


def _is_client_secret(text: str) -> bool:
    return (
        len(text) == 32
        and set(text) <= _HEX_DIGITS
        and any(c.isdigit() for c in text)
        and any(c.isalpha() for c in text)
    )


def check_secrets(path: str, text: str) -> list[Finding]:
    """Anything that looks like a credential; the message never repeats the secret."""
    hits: list[tuple[str, int, int, str]] = []  # rule, start, length, what
    for rule, pattern, what, extra in _PREFIXED_SECRETS:
        for match in pattern.finditer(text):
            before = text[match.start() - 1] if match.start() else " "
            if not (before.isalnum() or before in extra):
                hits.append((rule, match.start(), match.end() - match.start(), what))
    for match in _CANDIDATE_RUN.finditer(text):
        run = match.group()
        before = text[match.start() - 1] if match.start() else " "
        if len(run) >= 150 and ("-" in run or "_" in run) and before not in "+/=":
            hits.append(("GA051", match.start(), len(run), _WHAT_BEARER))
        for segment in _ALNUM_SEGMENT.finditer(run):
            if _is_client_secret(segment.group()):
                hits.append(("GA050", match.start() + segment.start(), 32, _WHAT_HEX))
    findings: list[Finding] = []
    seen: set[tuple[str, int]] = set()
    for rule, position, length, what in sorted(hits, key=lambda hit: (hit[1], hit[0])):
        line_start = text.rfind("\n", 0, position) + 1
        line = text.count("\n", 0, line_start) + 1
        if (rule, line) in seen:
            continue
        seen.add((rule, line))
        findings.append(
            Finding(
                rule,
                path,
                line,
                f"{what} ({length} characters at column {position - line_start + 1}); "
                "remove it and revoke it if it was real",
            )
        )
    return findings


# ----------------------------------------------------------------------- registry


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def check_registry(path: str, name: str, data: bytes) -> list[Finding]:
    findings: list[Finding] = []
    if not is_playlist_id(name):
        findings.append(
            Finding("GA001", path, None, f"{name!r} is not a playlist id (22 letters/digits)")
        )
    text = _decode(path, data, findings)
    if text is None or text == "":
        return findings
    body = text[:-1] if text.endswith("\n") else text
    if "\n" in body:
        count = len(body.split("\n"))
        findings.append(
            Finding(
                "GA002",
                path,
                2,
                f"{count} lines; a registry file is empty or holds one line (an alias)",
            )
        )
        return findings
    if body.strip() == "":
        findings.append(
            Finding("GA003", path, 1, "blank alias; leave the file empty to use Spotify's name")
        )
    elif _CONTROL.search(body):
        findings.append(Finding("GA003", path, 1, "the alias contains control characters"))
    elif body != body.strip():
        findings.append(Finding("GA003", path, 1, "the alias has leading or trailing spaces"))
    return findings


def _decode(path: str, data: bytes, findings: list[Finding]) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        findings.append(Finding("GA005", path, line, "not UTF-8 text"))
        return None


# -------------------------------------------------------------------------- plain


def plain_track_lines(text: str) -> list[str]:
    """The track lines of a plain file (after the name, description and blank line)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines[3:]


def check_plain(path: str, playlist_id: str, text: str) -> list[Finding]:
    findings: list[Finding] = []
    if text == "":
        return [Finding("GA010", path, 1, "empty file; expected name, description, blank line")]
    if not text.endswith("\n"):
        findings.append(
            Finding("GA012", path, text.count("\n") + 1, "no newline at the end of the file")
        )
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if lines[0].strip() == "":
        findings.append(Finding("GA010", path, 1, "line 1 must be the playlist's name"))
    if len(lines) < 2:
        findings.append(Finding("GA010", path, 2, "missing the description line"))
    if len(lines) >= 3 and lines[2] != "":
        findings.append(
            Finding("GA010", path, 3, "line 3 must be blank (it separates the header from tracks)")
        )
    tracks = lines[3:]
    for offset, line in enumerate(tracks):
        if line.count(" -- ") < 2:
            findings.append(
                Finding(
                    "GA010",
                    path,
                    offset + 4,
                    "not a track line 'Title -- Artist1, Artist2 -- Album'",
                )
            )
    if tracks != sorted(tracks, key=str.lower):
        for offset in range(len(tracks) - 1):
            if tracks[offset].lower() > tracks[offset + 1].lower():
                findings.append(
                    Finding(
                        "GA011",
                        path,
                        offset + 5,
                        "track lines are not sorted case-insensitively (this line sorts before "
                        "the one above it)",
                    )
                )
                break
    if not findings:
        findings.extend(_reader_findings("GA010", path, "read_plain", text, playlist_id))
    return findings


def _reader_findings(
    rule: str, path: str, reader: str, text: str, playlist_id: str
) -> list[Finding]:
    """Run one of gitarchive.formats' readers; its FormatError becomes a finding."""
    from gitarchive import formats

    try:
        getattr(formats, reader)(text, playlist_id, path=path)
    except FormatError as exc:
        return [Finding(rule, path, exc.line, exc.message)]
    return []


# ------------------------------------------------------------------------- pretty

_MD = MarkdownIt("commonmark").enable("table")
# Compare links exactly as written (no percent-encoding, no scheme filter), as formats reads them.
_MD.normalizeLink = lambda url: url  # type: ignore[method-assign]
_MD.validateLink = lambda url: True  # type: ignore[method-assign]
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_SUMMARY = re.compile(
    r" - (?P<likes>[\d,]+ likes?|\?\?\? likes) - (?P<songs>[\d,]+) songs? - (?P<total>[^-]+)$"
)
_TOTAL_PART = re.compile(r"(\d+) (day|hr|min|sec)s?")
_UNIT_SECONDS = {"day": 86400, "hr": 3600, "min": 60, "sec": 1}
COLUMNS = ["No.", "Title", "Artist(s)", "Album", "Length"]


@dataclass(slots=True)
class _Table:
    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]]  # (line, cells)


def _inline_links(inline: Token) -> list[str]:
    return [
        str(child.attrs.get("href", ""))
        for child in inline.children or []
        if child.type == "link_open"
    ]


def _line(token: Token) -> int:
    return (token.map[0] + 1) if token.map else 1


def _parse_table(tokens: list[Token], start: int) -> tuple[_Table, int]:
    table = _Table([], _line(tokens[start]), [])
    index = start + 1
    in_head = False
    row: list[str] | None = None
    row_line = 0
    while index < len(tokens) and tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            row, row_line = [], _line(token)
        elif token.type == "inline" and row is not None:
            row.append(token.content)
        elif token.type == "tr_close" and row is not None:
            if in_head:
                table.header = row
            else:
                table.rows.append((row_line, row))
            row = None
        index += 1
    return table, index


def _total_range_ms(text: str) -> tuple[int, int] | None:
    parts = _TOTAL_PART.findall(text)
    if not parts or _TOTAL_PART.sub("", text).strip():
        return None
    seconds = sum(int(number) * _UNIT_SECONDS[unit] for number, unit in parts)
    granularity = min(_UNIT_SECONDS[unit] for _, unit in parts)
    # Totals may be truncated or rounded to their smallest unit: allow one unit either way.
    return (seconds - granularity) * 1000, (seconds + granularity) * 1000


def check_pretty(path: str, playlist_id: str, text: str) -> list[Finding]:
    findings: list[Finding] = []
    tokens = _MD.parse(text)
    lines = text.split("\n")
    header_ok = title_ok = False
    summary: tuple[int, re.Match[str]] | None = None
    table: _Table | None = None
    snapshot_ok = False
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "paragraph_open" and token.level == 0:
            inline = tokens[index + 1]
            first_line = lines[token.map[0]] if token.map else ""
            if inline.content.startswith("pretty - ") and not header_ok:
                header_ok = True
                links = _inline_links(inline)
                expected = {
                    f"/{ARCHIVE_ROOT}/cumulative/{playlist_id}.md",
                    f"/{ARCHIVE_ROOT}/plain/{playlist_id}",
                }
                missing = expected - set(links)
                if missing:
                    findings.append(
                        Finding(
                            "GA020",
                            path,
                            _line(token),
                            "the links line lacks " + ", ".join(sorted(missing)),
                        )
                    )
                for link in links:
                    if "githistory" in link and not link.endswith(
                        f"/{ARCHIVE_ROOT}/plain/{playlist_id}"
                    ):
                        findings.append(
                            Finding(
                                "GA020",
                                path,
                                _line(token),
                                "the githistory link does not point at this playlist",
                            )
                        )
            elif inline.content.startswith("Snapshot ID:"):
                shape = inline.content[len("Snapshot ID:") :].strip()
                if not (len(shape) >= 2 and shape[0] == shape[-1] == "`"):
                    findings.append(
                        Finding(
                            "GA025",
                            path,
                            _line(token),
                            "expected 'Snapshot ID: `<id>`'",
                        )
                    )
                snapshot_ok = True  # present; malformed already reported
            else:
                match = _SUMMARY.search(first_line)
                if match and summary is None:
                    summary = (_line(token), match)
        elif token.type == "heading_open" and token.level == 0 and not title_ok:
            inline = tokens[index + 1]
            title_ok = True
            links = _inline_links(inline)
            if token.tag != "h3" or links != [playlist_url(playlist_id)]:
                findings.append(
                    Finding(
                        "GA020",
                        path,
                        _line(token),
                        f"the title must be '### [name]({playlist_url(playlist_id)})'",
                    )
                )
        elif token.type == "table_open" and table is None:
            table, index = _parse_table(tokens, index)
        index += 1
    if not header_ok:
        findings.append(Finding("GA020", path, 1, "missing the 'pretty - [cumulative]...' line"))
    if not title_ok:
        findings.append(Finding("GA020", path, None, "missing the '### [name](url)' title"))
    if summary is None:
        findings.append(
            Finding(
                "GA020", path, None, "missing the '[owner](url) - N likes - N songs - total' line"
            )
        )
    if table is None:
        findings.append(Finding("GA021", path, None, "missing the track table"))
    else:
        findings.extend(_check_table(path, table, lines))
    if not snapshot_ok:
        findings.append(Finding("GA025", path, None, "missing the 'Snapshot ID: `...`' line"))
    if table is not None and summary is not None:
        findings.extend(_check_summary(path, table, *summary))
    if not findings:
        findings.extend(_reader_findings("GA020", path, "read_pretty", text, playlist_id))
    return findings


def _check_table(path: str, table: _Table, lines: list[str]) -> list[Finding]:
    findings: list[Finding] = []
    if table.header != COLUMNS:
        findings.append(
            Finding(
                "GA021",
                path,
                table.header_line,
                f"columns are {' | '.join(table.header)}; expected {' | '.join(COLUMNS)}",
            )
        )
        return findings
    for number, (line, cells) in enumerate(table.rows, start=1):
        raw = lines[line - 1] if 0 < line <= len(lines) else ""
        # markdown-it pads short rows and drops extra cells silently: count the raw pipes
        # (an unescaped '|' in a title is the usual hand-editing accident).
        pipes = len(_UNESCAPED_PIPE.findall(raw.strip()))
        if len(cells) != len(COLUMNS) or pipes != len(COLUMNS) + 1 or cells[0] == "":
            findings.append(
                Finding(
                    "GA021",
                    path,
                    line,
                    f"row {number} has {max(pipes - 1, 0)} cells; expected {len(COLUMNS)} "
                    "(escape '|' in names as '\\|')",
                )
            )
            continue
        if cells[0] != str(number):
            findings.append(
                Finding("GA022", path, line, f"row number is {cells[0]!r}; expected {number}")
            )
        if cells[4] and parse_duration(cells[4]) is None:
            findings.append(
                Finding("GA023", path, line, f"length {cells[4]!r} is not a m:ss duration")
            )
    return findings


def _check_summary(path: str, table: _Table, line: int, match: re.Match[str]) -> list[Finding]:
    findings: list[Finding] = []
    songs = int(match.group("songs").replace(",", ""))
    if songs != len(table.rows):
        findings.append(
            Finding(
                "GA024",
                path,
                line,
                f"says {songs} songs but the table has {len(table.rows)} rows",
            )
        )
    durations = [parse_duration(cells[4] or "0:00") for _, cells in table.rows if len(cells) == 5]
    if all(d is not None for d in durations) and len(durations) == len(table.rows):
        low = sum(d for d in durations if d is not None)
        high = low + 1000 * len(durations)  # each row is floored to the second
        total = _total_range_ms(match.group("total"))
        if total is None:
            findings.append(
                Finding("GA024", path, line, f"total length {match.group('total')!r} is malformed")
            )
        elif total[1] < low or total[0] > high:
            findings.append(
                Finding(
                    "GA024",
                    path,
                    line,
                    f"total length {match.group('total').strip()!r} does not match the sum of "
                    "the rows",
                )
            )
    return findings


# --------------------------------------------------------------------- cumulative

CUMULATIVE_COLUMNS = ["Title", "Artist(s)", "Album", "Length", "Added", "Removed"]
_DIVIDER_CELL = re.compile(r"^:?-+:?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FOOTNOTE = re.compile(r"^\\\*This playlist was first scraped on (\d{4}-\d{2}-\d{2})\.")
_SONGS_LINE = re.compile(r"^(?P<songs>[\d,]+) songs? - (?P<total>.+)$")


def split_row(line: str) -> list[str] | None:
    """The cells of a table row written as ``| a | b |`` (None when it is not one)."""
    text = line.strip()
    if not (text.startswith("|") and text.endswith("|")) or len(text) < 2:
        return None
    return [cell.strip() for cell in _UNESCAPED_PIPE.split(text[1:-1])]


def _valid_date(text: str) -> bool:
    if not _DATE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def check_cumulative(path: str, playlist_id: str, text: str) -> list[Finding]:
    """Line-based: the cumulative page is spotify-playlist-archive's layout, row by row.

    Cheap on purpose (no markdown parse): a sync commit changes one cumulative page
    per changed playlist, and pre-push must stay fast.
    """
    findings: list[Finding] = []
    lines = text.split("\n")
    if not lines[0].startswith(f"[pretty](/{ARCHIVE_ROOT}/pretty/{playlist_id}.md) - cumulative"):
        findings.append(
            Finding("GA026", path, 1, "line 1 must be '[pretty](...) - cumulative - [plain](...)'")
        )
    title = f"](https://open.spotify.com/playlist/{playlist_id})"
    if not any(line.startswith("### [") and line.endswith(title) for line in lines[:8]):
        findings.append(Finding("GA026", path, None, f"missing the title '### [name]({title[2:]}'"))
    header_at = next(
        (n for n, line in enumerate(lines) if split_row(line) == CUMULATIVE_COLUMNS), None
    )
    if header_at is None:
        findings.append(
            Finding(
                "GA026", path, None, "missing the table | " + " | ".join(CUMULATIVE_COLUMNS) + " |"
            )
        )
        return findings
    divider = split_row(lines[header_at + 1]) if header_at + 1 < len(lines) else None
    if divider is None or len(divider) != 6 or not all(_DIVIDER_CELL.match(c) for c in divider):
        findings.append(Finding("GA026", path, header_at + 2, "expected the table's divider row"))
    rows = 0
    number = header_at + 2
    while number < len(lines) and lines[number].strip():
        cells = split_row(lines[number])
        rows += 1
        where = number + 1
        number += 1
        if cells is None or len(cells) != 6:
            findings.append(
                Finding("GA026", path, where, "row does not have 6 cells (escape '|' as '\\|')")
            )
            continue
        length, added, removed = cells[3], cells[4], cells[5]
        if length and parse_duration(length) is None:
            findings.append(Finding("GA026", path, where, f"length {length!r} is not m:ss"))
        if not _valid_date(added.removesuffix("\\*")):
            findings.append(Finding("GA026", path, where, f"Added {added!r} is not a date"))
        if removed and not _valid_date(removed):
            findings.append(Finding("GA026", path, where, f"Removed {removed!r} is not a date"))
    summary = next(
        ((n, m) for n, line in enumerate(lines[:header_at]) if (m := _SONGS_LINE.match(line))),
        None,
    )
    if summary is None:
        findings.append(Finding("GA026", path, None, "missing the 'N songs - total' line"))
    elif int(summary[1].group("songs").replace(",", "")) != rows:
        findings.append(
            Finding(
                "GA026",
                path,
                summary[0] + 1,
                f"says {summary[1].group('songs')} songs but the table has {rows} rows",
            )
        )
    if not any(_FOOTNOTE.match(line) for line in lines[number:]):
        findings.append(
            Finding("GA026", path, None, "missing '\\*This playlist was first scraped on ...'")
        )
    return findings


# --------------------------------------------------------------------------- json

_STR = (str,)
_TRACK_KEYS: dict[str, tuple[type, ...]] = {
    "url": _STR,
    "name": _STR,
    "album": (dict,),
    "artists": (list,),
    "duration_ms": (int,),
    "added_at": (str, type(None)),
}
_TOP_KEYS: dict[str, tuple[type, ...]] = {
    "url": _STR,
    "original_name": _STR,
    "unique_name": _STR,
    "description": _STR,
    "snapshot_id": _STR,
    "num_followers": (int, type(None)),
    "owner": (dict,),
    "tracks": (list,),
}
_NAMED_KEYS: dict[str, tuple[type, ...]] = {"name": _STR, "url": _STR}


def _type_problems(value: Any, keys: Mapping[str, tuple[type, ...]], where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where or 'the snapshot'} is not an object"]
    problems: list[str] = []
    for key, types in keys.items():
        label = f"{where}.{key}" if where else key
        if key not in value:
            problems.append(f"missing {label}")
        elif isinstance(value[key], bool) or not isinstance(value[key], types):
            wanted = " or ".join("null" if t is type(None) else t.__name__ for t in types)
            problems.append(f"{label} is {type(value[key]).__name__}, expected {wanted}")
    return problems


def json_problems(document: Any) -> list[str]:
    """Missing keys and wrong types of a snapshot, as 'tracks[3].album.url is int...' lines."""
    problems = _type_problems(document, _TOP_KEYS, "")
    if not isinstance(document, dict):
        return problems
    if isinstance(document.get("owner"), dict):
        problems += _type_problems(document["owner"], _NAMED_KEYS, "owner")
    tracks = document.get("tracks")
    if isinstance(tracks, list):
        for number, track in enumerate(tracks):
            where = f"tracks[{number}]"
            problems += _type_problems(track, _TRACK_KEYS, where)
            if not isinstance(track, dict):
                continue
            if isinstance(track.get("album"), dict):
                problems += _type_problems(track["album"], _NAMED_KEYS, f"{where}.album")
            if isinstance(track.get("artists"), list):
                for position, artist in enumerate(track["artists"]):
                    problems += _type_problems(artist, _NAMED_KEYS, f"{where}.artists[{position}]")
    return problems


def check_json(path: str, playlist_id: str, text: str) -> list[Finding]:
    return read_checked_json(path, playlist_id, text)[0]


def read_checked_json(
    path: str, playlist_id: str, text: str
) -> tuple[list[Finding], Playlist | None]:
    """The JSON rules, and the snapshot read back when it passes them."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return [Finding("GA030", path, exc.lineno, f"invalid JSON: {exc.msg}")], None
    problems = json_problems(document)
    findings = [Finding("GA031", path, _json_line(text, p), p) for p in problems[:20]]
    if len(problems) > 20:
        findings.append(Finding("GA031", path, None, f"... and {len(problems) - 20} more"))
    if not problems and document["url"] != playlist_url(playlist_id):
        findings.append(
            Finding(
                "GA031",
                path,
                _json_line(text, "url"),
                f"url is {document['url']!r}, not this playlist's {playlist_url(playlist_id)}",
            )
        )
    if findings:
        return findings, None
    from gitarchive import formats

    try:
        return [], formats.read_json(text, playlist_id, path=path)
    except FormatError as exc:
        return [Finding("GA031", path, exc.line, exc.message)], None


def _json_line(text: str, problem: str) -> int | None:
    """Best effort: the line of a top-level key named in a problem."""
    match = re.match(r"(?:missing )?(\w+)", problem)
    if match is None or problem.startswith("tracks["):
        return None
    found = re.search(rf'^\s*"{match.group(1)}":', text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else None


# ----------------------------------------------------------------- the validator


@dataclass(slots=True)
class _Parsed:
    plain: Playlist | None = None
    plain_lines: list[str] | None = None
    pretty: Playlist | None = None
    pretty_rows: list[int] | None = None
    json: Playlist | None = None


class Validator:
    """Runs every rule over chosen paths of one source and collects the findings."""

    def __init__(self, source: Source, *, commit: str | None = None) -> None:
        self.source = source
        self.commit = commit
        self.findings: list[Finding] = []
        self._json_versions: dict[str, Playlist | None] = {}
        self._reads: dict[str, bytes | None] = {}
        self._rendered: set[str] = set()  # pretty pages identical to their JSON's rendering

    def _read(self, path: str) -> bytes | None:
        """A file of the source, read once per validation."""
        if path not in self._reads:
            self._reads[path] = self.source.read(path)
        return self._reads[path]

    def _add(self, findings: Iterable[Finding]) -> None:
        for finding in findings:
            if self.commit is not None and finding.commit is None:
                finding = Finding(
                    finding.rule, finding.path, finding.line, finding.message, self.commit
                )
            self.findings.append(finding)

    def run(self, paths: Iterable[str]) -> list[Finding]:
        touched: set[str] = set()
        index_check = False
        for path in sorted(set(paths)):
            kind = classify(path)
            if kind.kind in ("registry", "plain", "pretty", "json", "cumulative"):
                assert kind.playlist_id is not None
                touched.add(kind.playlist_id)
                index_check = index_check or kind.kind in ("registry", "pretty", "json", "plain")
            elif kind.kind == "index":
                index_check = True
            data = self._read(path)
            if data is None:
                continue  # deleted: its playlist's remaining files are checked below
            self._check_file(path, kind, data)
        for playlist_id in sorted(touched):
            if is_playlist_id(playlist_id):
                self._check_playlist(playlist_id)
        if index_check:
            self._check_index(touched)
        return self.findings

    def _check_file(self, path: str, kind: _Kind, data: bytes) -> None:
        findings: list[Finding] = []
        if kind.kind == "stray":
            findings.append(
                Finding(
                    "GA004",
                    path,
                    None,
                    "stray file: playlists/ holds only registry/<id>, plain/<id>, "
                    "pretty/<id>.md, pretty/<id>.json, cumulative/<id>.md and index.md",
                )
            )
        if kind.kind == "registry":
            assert kind.playlist_id is not None
            findings += check_registry(path, kind.playlist_id, data)
            findings += check_secrets(path, _lenient(data))  # an alias is free text
            self._add(findings)
            return
        if b"\0" in data[:8000]:
            if kind.kind not in ("other", "stray"):
                findings.append(Finding("GA005", path, None, "binary file, expected UTF-8 text"))
            self._add(findings)
            return
        if kind.kind in ("other", "stray"):
            text: str | None = _lenient(data)
        else:
            text = _decode(path, data, findings)
        if text is None:
            self._add(findings)
            return
        findings += check_secrets(path, text)
        own: list[Finding] = []
        pid = kind.playlist_id
        if kind.kind == "plain" and pid:
            own = check_plain(path, pid, text)
        elif kind.kind == "pretty" and pid:
            if self._pretty_is_rendered(pid, text):
                self._rendered.add(path)  # well-formed and consistent by construction
            else:
                own = check_pretty(path, pid, text)
        elif kind.kind == "json" and pid:
            own, self._json_versions[pid] = read_checked_json(path, pid, text)
        elif kind.kind == "cumulative" and pid:
            own = check_cumulative(path, pid, text)
        elif kind.kind == "index":
            own = self._index_parse(path, text)[1]
        self._add(findings + own)

    # -- the fast path: pages that are exactly what sync writes

    def _json_version(self, playlist_id: str) -> Playlist | None:
        """The playlist's JSON snapshot, read once; None when missing or invalid."""
        if playlist_id not in self._json_versions:
            version: Playlist | None = None
            path = _paths(playlist_id)["json"]
            data = self._read(path)
            if data is not None:
                try:
                    version = read_checked_json(path, playlist_id, data.decode("utf-8"))[1]
                except UnicodeDecodeError:
                    version = None
            self._json_versions[playlist_id] = version
        return self._json_versions[playlist_id]

    def _pretty_is_rendered(self, playlist_id: str, text: str) -> bool:
        """Whether the page is byte for byte the rendering of the playlist's valid JSON.

        Such a page satisfies every pretty rule and agrees with the JSON by
        construction, so the markdown parse (the costly part of validation) is
        skipped; any other page gets the full markdown-it-py checks.
        """
        version = self._json_version(playlist_id)
        if version is None:
            return False
        from gitarchive import formats

        github, branch = _nav_target(text, playlist_id)
        return formats.render_pretty(version, github=github, branch=branch) == text

    # -- one playlist's files together

    def _check_playlist(self, playlist_id: str) -> None:
        from gitarchive import formats

        paths = _paths(playlist_id)
        registered = self._read(paths["registry"]) is not None
        present = {kind: self._read(path) for kind, path in paths.items() if kind != "registry"}
        generated = [kind for kind, data in present.items() if data is not None]
        if not registered and present["plain"] is None:
            for kind in generated:
                self._add(
                    [
                        Finding(
                            "GA042",
                            paths[kind],
                            None,
                            f"playlist {playlist_id} has no registry entry and no plain file: "
                            "register it, or keep its plain file as retained history, or "
                            "delete its files",
                        )
                    ]
                )
            return
        parsed = _Parsed()
        readers = {
            "plain": formats.read_plain,
            "pretty": formats.read_pretty,
            "json": formats.read_json,
        }
        for kind, reader in readers.items():
            data = present[kind]
            if data is None:
                continue
            if kind == "json":
                parsed.json = self._json_version(playlist_id)
                continue
            if kind == "pretty" and (
                paths[kind] in self._rendered
                or self._pretty_is_rendered(playlist_id, _lenient(data))
            ):
                continue  # identical to the JSON's rendering: nothing to compare
            # A sibling that does not parse is left out of the comparison: its own
            # rules report it when it is checked (when it changes, or with --all).
            try:
                text = data.decode("utf-8")
                version = reader(text, playlist_id, path=paths[kind])
            except (UnicodeDecodeError, FormatError):
                continue
            self._set(parsed, kind, version, text)
        self._compare(playlist_id, paths, parsed)

    @staticmethod
    def _set(parsed: _Parsed, kind: str, version: Playlist, text: str) -> None:
        if kind == "plain":
            parsed.plain = version
            parsed.plain_lines = plain_track_lines(text)
        elif kind == "pretty":
            parsed.pretty = version
            parsed.pretty_rows = [
                number + 1
                for number, line in enumerate(text.split("\n"))
                if re.match(r"^\| \d+ \|", line)
            ]
        else:
            parsed.json = version

    def _compare(self, playlist_id: str, paths: dict[str, str], parsed: _Parsed) -> None:
        from gitarchive import formats

        reference = parsed.json or parsed.pretty
        findings: list[Finding] = []
        if reference is not None:
            names = {reference.unique_name, reference.original_name} - {""}
            ref_kind = "JSON" if parsed.json is not None else "pretty page"
            for kind, version, line in (
                ("pretty", parsed.pretty if parsed.json is not None else None, None),
                ("plain", parsed.plain, 1),
            ):
                if version is None or not names:
                    continue
                name = version.unique_name or version.original_name
                if name not in names:
                    findings.append(
                        Finding(
                            "GA041",
                            paths[kind],
                            line,
                            f"name {name!r} differs from the {ref_kind}'s {sorted(names)[0]!r}",
                        )
                    )
            if parsed.plain is not None and parsed.plain_lines is not None:
                expected = Counter(track.plain_line for track in reference.tracks)
                actual = Counter(parsed.plain_lines)
                if expected != actual:
                    extra = sorted((actual - expected).elements())
                    lacking = sorted((expected - actual).elements())
                    detail = []
                    if extra:
                        detail.append(f"{len(extra)} track line(s) not in the {ref_kind}")
                    if lacking:
                        detail.append(f"{len(lacking)} of the {ref_kind}'s tracks missing")
                    findings.append(
                        Finding(
                            "GA040",
                            paths["plain"],
                            _first_line(parsed.plain_lines, extra, offset=4),
                            "plain file and " + ref_kind + " differ: " + "; ".join(detail),
                        )
                    )
        if parsed.json is not None and parsed.pretty is not None:
            rows = parsed.pretty_rows or []
            json_tracks = parsed.json.tracks
            md_tracks = parsed.pretty.tracks
            if len(json_tracks) != len(md_tracks):
                findings.append(
                    Finding(
                        "GA040",
                        paths["pretty"],
                        None,
                        f"the table has {len(md_tracks)} rows, the JSON {len(json_tracks)} tracks",
                    )
                )
            else:
                for number, (mine, theirs) in enumerate(zip(md_tracks, json_tracks, strict=True)):
                    same = (
                        mine.plain_line == theirs.plain_line
                        and (mine.url or None) == (theirs.url or None)
                        and formats.format_duration(mine.duration_ms or 0)
                        == formats.format_duration(theirs.duration_ms or 0)
                    )
                    if not same:
                        findings.append(
                            Finding(
                                "GA040",
                                paths["pretty"],
                                rows[number] if number < len(rows) else None,
                                f"row {number + 1} differs from track {number + 1} of the JSON",
                            )
                        )
                        break
        self._add(findings)

    # -- index.md

    def _index_parse(
        self, path: str, text: str
    ) -> tuple[list[tuple[str, str]] | None, list[Finding], bool]:
        """``(entries, findings, names_escaped)``; the common layout is read line by line.

        The index of a large archive is thousands of links: a markdown parse of it
        would dominate a pre-push, so the exact layout sync writes is matched with
        a regular expression (names left markdown-escaped), anything else goes
        through ``formats.read_index``.
        """
        fast = _fast_index(text)
        if fast is not None:
            return fast, [], True
        from gitarchive import formats

        try:
            entries = formats.read_index(text, path=path)
        except FormatError as exc:
            return None, [Finding("GA044", path, exc.line, exc.message)], False
        findings = []
        heading = _INDEX_HEADING.search(text)
        if heading and int(heading.group(1)) != len(entries):
            line = text.count("\n", 0, heading.start()) + 1
            findings.append(
                Finding(
                    "GA044",
                    path,
                    line,
                    f"the heading says {heading.group(1)} playlists but {len(entries)} are listed",
                )
            )
        return entries, findings, False

    def _check_index(self, touched: set[str]) -> None:
        pretty_names = self.source.names(f"{ARCHIVE_ROOT}/pretty")
        with_pages = {
            name.rsplit(".", 1)[0]
            for name in pretty_names
            if name.endswith((".md", ".json")) and is_playlist_id(name.rsplit(".", 1)[0])
        }
        registered = {
            name for name in self.source.names(f"{ARCHIVE_ROOT}/registry") if is_playlist_id(name)
        }
        data = self._read(INDEX_PATH)
        if data is None:
            if with_pages:
                self._add(
                    [
                        Finding(
                            "GA043",
                            INDEX_PATH,
                            None,
                            f"missing, but {len(with_pages)} playlists have pages",
                        )
                    ]
                )
            return
        text = _lenient(data)
        entries, problems, escaped = self._index_parse(INDEX_PATH, text)
        if entries is None:
            if INDEX_PATH not in {f.path for f in self.findings}:
                self._add(problems)
            return
        findings: list[Finding] = []
        listed = Counter(playlist_id for playlist_id, _ in entries)
        lines = text.split("\n")

        def line_of(playlist_id: str) -> int | None:
            for number, line in enumerate(lines, start=1):
                if playlist_id in line:
                    return number
            return None

        for playlist_id, count in sorted(listed.items()):
            if count > 1:
                findings.append(
                    Finding("GA043", INDEX_PATH, line_of(playlist_id), f"lists {playlist_id} twice")
                )
            if playlist_id not in with_pages:
                findings.append(
                    Finding(
                        "GA043",
                        INDEX_PATH,
                        line_of(playlist_id),
                        f"lists {playlist_id}, which has no page in {ARCHIVE_ROOT}/pretty/",
                    )
                )
        # Removed playlists whose files were kept may be listed or not; registered
        # playlists with a page must be listed.
        for playlist_id in sorted((registered & with_pages) - set(listed)):
            findings.append(
                Finding(
                    "GA043",
                    INDEX_PATH,
                    None,
                    f"does not list {playlist_id}, which is registered and has a page",
                )
            )
        names = dict(entries)
        for playlist_id in sorted(touched & set(names)):
            data = self._read(_paths(playlist_id)["json"])
            if data is None:
                continue
            try:
                document = json.loads(data)
                unique = document["unique_name"]
            except (ValueError, KeyError, TypeError):
                continue
            if not isinstance(unique, str):
                continue
            if escaped:
                from gitarchive import formats

                unique = formats.escape_markdown(unique)
            if names[playlist_id] != unique:
                findings.append(
                    Finding(
                        "GA043",
                        INDEX_PATH,
                        line_of(playlist_id),
                        f"names {playlist_id} {names[playlist_id]!r}; its JSON says {unique!r}",
                    )
                )
        self._add(findings)


_INDEX_HEADING = re.compile(r"^## Playlists \\?\((\d+)\\?\)", re.MULTILINE)
_INDEX_ITEM = re.compile(
    rf"^- \[(?P<name>.*)\]\(/{ARCHIVE_ROOT}/pretty/(?P<id>[0-9A-Za-z]{{22}})\.md\)$"
)


def _fast_index(text: str) -> list[tuple[str, str]] | None:
    """The index exactly as sync writes it, names still escaped; None for anything else."""
    lines = text.split("\n")
    heading = _INDEX_HEADING.match(lines[0]) if lines else None
    if heading is None or len(lines) < 2 or lines[1] != "" or lines[-1] != "":
        return None
    entries: list[tuple[str, str]] = []
    for line in lines[2:-1]:
        match = _INDEX_ITEM.match(line)
        if match is None:
            return None
        entries.append((match.group("id"), match.group("name")))
    if int(heading.group(1)) != len(entries):
        return None  # the slow path reports it
    return entries


_NAV_GITHISTORY = re.compile(
    r"\[githistory\]\(https://github\.githistory\.xyz/(?P<slug>[^/()]+/[^/()]+)/blob/"
    r"(?P<branch>[^()]+)/playlists/plain/[0-9A-Za-z]{22}\)"
)


def _nav_target(text: str, playlist_id: str) -> tuple[str | None, str]:
    """The GitHub slug and branch that a page's githistory link was rendered with."""
    first = text.split("\n", 1)[0]
    match = _NAV_GITHISTORY.search(first)
    if match is None:
        return None, "main"
    return match.group("slug"), match.group("branch")


def _lenient(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _first_line(lines: list[str], wanted: list[str], *, offset: int) -> int | None:
    targets = set(wanted)
    for number, line in enumerate(lines):
        if line in targets:
            return number + offset
    return None


# ------------------------------------------------------------------ entry points


def validate_files(files: Mapping[str, bytes], paths: Iterable[str] | None = None) -> list[Finding]:
    """Validate ``paths`` (default: every archive path) of an in-memory set of files."""
    source = MappingSource(files)
    chosen = [p for p in files if p.startswith(ARCHIVE_ROOT + "/")] if paths is None else paths
    return Validator(source).run(chosen)


def validate_worktree(store: Store) -> list[Finding]:
    """Every archive file in the working tree (plus gitarchive.toml), ignored files excepted."""
    root = store.workdir
    if root is None:
        raise UsageError("a bare repository has no working tree; use --all or a range")
    paths: list[str] = []
    base = root / ARCHIVE_ROOT
    if base.is_dir():
        for file in sorted(base.rglob("*")):
            if file.is_file():
                relative = file.relative_to(root).as_posix()
                if not gitstore.is_ignored(store, relative):
                    paths.append(relative)
    if (root / "gitarchive.toml").is_file():
        paths.append("gitarchive.toml")
    return Validator(WorkTreeSource(root)).run(paths)


def validate_commit_all(
    store: Store, commit_id: str, *, label_commit: bool = False
) -> list[Finding]:
    """Every file of a commit: archive rules under playlists/, secrets everywhere."""
    files = gitstore.tree_files(store, commit_id, "")
    commit = commit_id if label_commit else None
    return Validator(BlobMapSource(store, files), commit=commit).run(files)


def validate_commits(store: Store, commits: Iterable[str]) -> list[Finding]:
    """Each commit's changes against its first parent, checked at that commit.

    Checking every commit (not only the tip) matters for secrets: a token pasted
    in one commit and deleted in the next still reaches the remote's history.
    """
    findings: list[Finding] = []
    seen: set[tuple[str, str, int | None, str]] = set()
    for commit_id in commits:
        changed = gitstore.changed_files(store, commit_id)
        source = CommitSource(store, commit_id)
        for finding in Validator(source, commit=commit_id).run(changed):
            key = (finding.rule, finding.path, finding.line, finding.message)
            if key not in seen:  # the same unchanged problem reported once, at its first commit
                seen.add(key)
                findings.append(finding)
    return findings


def validate_range(store: Store, revision_range: str) -> list[Finding]:
    """Files changed by each commit of ``A..B`` (``A..`` means ``A..HEAD``)."""
    if ".." not in revision_range or "..." in revision_range:
        raise UsageError(f"not a range A..B: {revision_range!r}")
    base, _, tip = revision_range.partition("..")
    tip_id = store.resolve(tip or "HEAD")
    hidden = [store.resolve(base)] if base else []
    return validate_commits(store, gitstore.commits_between(store, tip_id, hidden))


def validate_staged(store: Store) -> list[Finding]:
    """Files staged for the next commit (the pre-commit hook)."""
    changed = gitstore.staged_changes(store)
    source = BlobMapSource(store, gitstore.staged_files(store))
    return Validator(source).run(changed)


@dataclass(frozen=True, slots=True)
class PushUpdate:
    """One line of git's pre-push input."""

    local_ref: str
    local_id: str
    remote_ref: str
    remote_id: str

    @property
    def is_deletion(self) -> bool:
        return gitstore.is_zero_id(self.local_id)

    @property
    def is_new_branch(self) -> bool:
        return gitstore.is_zero_id(self.remote_id)


def parse_pre_push(text: str) -> list[PushUpdate]:
    """git's pre-push stdin: ``<local ref> <local sha> <remote ref> <remote sha>`` per line."""
    updates: list[PushUpdate] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 4:
            raise FormatError(f"unexpected pre-push input: {line!r}", path="<stdin>", line=number)
        updates.append(PushUpdate(*parts))
    return updates


def commits_to_push(store: Store, updates: Iterable[PushUpdate]) -> list[str]:
    """The commits a push sends: per ref, what the remote lacks; deletions send nothing."""
    commits: list[str] = []
    seen: set[str] = set()
    for update in updates:
        if update.is_deletion:
            continue
        remote_tip = (
            None if update.is_new_branch else gitstore.peel_to_commit(store, update.remote_id)
        )
        # A new branch, or a remote tip we never fetched: whatever no
        # remote-tracking ref reaches is what the remote may lack.
        hidden = [remote_tip] if remote_tip is not None else gitstore.remote_tracking_ids(store)
        tip = gitstore.peel_to_commit(store, update.local_id)
        if tip is None:
            continue  # a tag of a tree or blob: no commits, nothing to validate
        for commit_id in gitstore.commits_between(store, tip, hidden):
            if commit_id not in seen:
                seen.add(commit_id)
                commits.append(commit_id)
    return commits


#: Above this many commits in one push, each pushed tip's whole tree is validated
#: instead of every commit one by one (see validate_push).
MAX_COMMITS_ONE_BY_ONE = 200


def validate_push(
    store: Store, stdin_text: str, *, max_commits: int = MAX_COMMITS_ONE_BY_ONE
) -> list[Finding]:
    """The pre-push hook: validate every commit being pushed, and only those.

    A push of more than ``max_commits`` commits is usually the first push of a
    long history to a new remote (an imported archive): checking thousands of
    commits one by one would take minutes, so each pushed tip's whole tree is
    validated instead (`gitarchive validate A..B` still checks every commit).
    """
    updates = parse_pre_push(stdin_text)
    commits = commits_to_push(store, updates)
    if len(commits) <= max_commits:
        return validate_commits(store, commits)
    findings: list[Finding] = []
    tips = dict.fromkeys(update.local_id for update in updates if not update.is_deletion)
    for tip in tips:
        findings.extend(validate_commit_all(store, tip, label_commit=True))
    return findings


def validate_framework_push(store: Store, env: Mapping[str, str]) -> list[Finding] | None:
    """The pre-push stage of the pre-commit framework, which passes refs in the environment.

    The framework swallows git's stdin and sets ``PRE_COMMIT_FROM_REF`` /
    ``PRE_COMMIT_TO_REF`` instead; None when those are not set.
    """
    tip = env.get("PRE_COMMIT_TO_REF")
    if not tip:
        return None
    base = env.get("PRE_COMMIT_FROM_REF", "")
    tip_id = store.resolve(tip)
    if base and not gitstore.is_zero_id(base) and gitstore.has_commit(store, base):
        commits = gitstore.commits_between(store, tip_id, [store.resolve(base)])
    else:
        commits = gitstore.commits_not_on_remotes(store, tip_id)
    return validate_commits(store, commits)


def validate_revision(store: Store, revision: str) -> list[Finding]:
    """The files one commit changed against its first parent."""
    return validate_commits(store, [store.resolve(revision)])


def findings_json(findings: list[Finding]) -> str:
    return json.dumps(
        {"ok": not findings, "count": len(findings), "findings": [f.to_dict() for f in findings]},
        indent=2,
        ensure_ascii=False,
    )
