"""The rule table: every rule's code, severity and what it requires.

The codes are stable: add, never renumber. ``docs/hooks.md``'s rules table is
generated from this table (:func:`rules_markdown`), and a test keeps it so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ERROR = "error"
NOTE = "note"  # reported, but does not fail validation


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    severity: str
    summary: str


TABLE: tuple[Rule, ...] = (
    Rule(
        "GA001",
        ERROR,
        "registry: the file name is a valid playlist id (22 letters/digits)",
    ),
    Rule(
        "GA002",
        ERROR,
        "registry: a registry file is empty or holds exactly one line (the alias; a "
        "final newline is fine)",
    ),
    Rule(
        "GA003",
        ERROR,
        "registry: the alias has no control characters (tabs, `\\r`, ...) and no "
        "leading/trailing spaces; not blank",
    ),
    Rule(
        "GA004",
        ERROR,
        "layout: `playlists/` holds only `registry/<id>`, `plain/<id>`, `pretty/<id>.md`, "
        "`pretty/<id>.json`, `cumulative/<id>.md`, `index.md` (and `.gitkeep`/`.keep`), and "
        "spotify-playlist-archive's `aliases/<id>` (checked as a registry entry: GA001-GA003), "
        "`cumulative/<id>.json`, `followers/<id>.json`, `metadata/*` and legacy files (GA007); "
        "anything else, including other subfolders, is a stray",
    ),
    Rule(
        "GA005",
        ERROR,
        "encoding: archive files are UTF-8 text",
    ),
    Rule(
        "GA006",
        ERROR,
        "layout: nothing under `playlists/` is a symbolic link (git mode 120000), in any "
        "validated or pushed commit, the index or the work tree; a link is reported, never "
        "followed",
    ),
    Rule(
        "GA007",
        NOTE,
        "legacy: a page of the name-keyed layout (`pretty/<Name>.md`, `cumulative/<Name>.md`, "
        "2019-2021) or the old `playlists/metadata.json` is reported as a note, not an error: "
        "history and import read the pages, validate does not check them (nothing is written "
        "there); the note says when a row cannot be read (an unescaped `|` whose cells the "
        "links do not tell apart), so that version is read from its plain file",
    ),
    Rule(
        "GA010",
        ERROR,
        "plain: line 1 the name, then the description (blank, or over more lines when it held "
        "line breaks), one blank line, then `Title -- Artists -- Album` lines",
    ),
    Rule(
        "GA011",
        ERROR,
        "plain: track lines sorted as sync sorts them, `sorted(lines, key=str.lower)`",
    ),
    Rule(
        "GA012",
        ERROR,
        "plain: the file ends with its last line, with or without a newline "
        "(spotify-playlist-archive wrote none), never with a blank line",
    ),
    Rule(
        "GA013",
        NOTE,
        "plain: the name and description lines sorted in among the track lines (merges in "
        "spotify-playlist-archive's history did this) are a note: they are read as the name "
        "and the description",
    ),
    Rule(
        "GA014",
        NOTE,
        "plain: an empty plain file is a note: it is how spotify-playlist-archive's early layout "
        "registered a playlist (`touch playlists/plain/<id>`; its writer filled it in on its "
        "next run)",
    ),
    Rule(
        "GA020",
        ERROR,
        "pretty: parses (markdown-it-py) into the links line "
        "(`/playlists/cumulative/<id>.md`, `/playlists/plain/<id>`, githistory "
        "pointing at this playlist), the `### "
        "[name](https://open.spotify.com/playlist/<id>)` title and the `[owner](url) "
        "- N likes - N songs - total` line; then `formats.read_pretty` reads it",
    ),
    Rule(
        "GA021",
        ERROR,
        "pretty: the table's columns are `No. | Title | Artist(s) | Album | Length`, "
        "and every row has exactly 5 cells (counted on the raw line: an unescaped `|`"
        " in a name is the usual hand-editing accident, and markdown silently drops "
        "extra cells)",
    ),
    Rule(
        "GA022",
        ERROR,
        "pretty: rows are numbered 1..N",
    ),
    Rule(
        "GA023",
        ERROR,
        "pretty: every Length cell is `m:ss`, or `h:mm:ss` from one hour on (or empty"
        " when unknown; bare seconds under a minute, `49`, as early pages wrote them)",
    ),
    Rule(
        "GA024",
        ERROR,
        'pretty: "N songs" equals the number of rows, and the total length agrees '
        "with the sum of the rows (within the rounding of each)",
    ),
    Rule(
        "GA025",
        ERROR,
        "pretty: the page has a ``Snapshot ID: `...` `` line",
    ),
    Rule(
        "GA026",
        ERROR,
        "cumulative: the links line, title, `N songs - total` (N = rows), the table "
        "`Title | Artist(s) | Album | Length | Added | Removed` with 6 cells per row,"
        " `m:ss` or `h:mm:ss` lengths, `YYYY-MM-DD` Added (optionally `\\*`) and "
        'Removed dates, and the "first scraped" footnote',
    ),
    Rule(
        "GA027",
        ERROR,
        "bounds: in pretty and cumulative pages every track, album, artist and owner link is "
        "`https://open.spotify.com/<kind>/<id>`, the like count lies in 0..10,000,000,000 and "
        "every Length within 48 h (readers treat anything else as no link, unknown)",
    ),
    Rule(
        "GA030",
        ERROR,
        "json: the snapshot is valid JSON",
    ),
    Rule(
        "GA031",
        ERROR,
        "json: every required key with the right type (`url`, `original_name`, "
        "`unique_name`, `description`, `snapshot_id` strings; `num_followers` int or "
        "null; `owner{name,url}`; `tracks[{url, name, album{name,url}, "
        "artists[{name,url}], duration_ms int or null, added_at string or null}]`), `url` is "
        "this playlist's, and `formats.read_json` reads it; `duration_ms` lies in 0..48 h and "
        "`num_followers` in 0..10,000,000,000, every non-empty `url` is "
        "`https://open.spotify.com/<kind>/<id>` (the Spotify client's rules, `formats.sanitize`)",
    ),
    Rule(
        "GA032",
        ERROR,
        "spotify-playlist-archive: `cumulative/<id>.json` is valid JSON with `date_first_scraped`, "
        "`name`, `description`, `tracks[{url, name, album, artists, duration_ms, date_added, "
        "date_added_asterisk, date_removed}]` (dates `YYYY-MM-DD`)",
    ),
    Rule(
        "GA033",
        ERROR,
        "spotify-playlist-archive: `followers/<id>.json` is valid JSON mapping `YYYY-MM-DD` to a "
        "like count (a whole number in 0..10,000,000,000, or null)",
    ),
    Rule(
        "GA034",
        ERROR,
        "spotify-playlist-archive: `metadata/*.json` is valid JSON mapping playlist ids to a name "
        "(compact) or to `{url, original_name, unique_name, description, snapshot_id, "
        "num_followers, owner}` (full); `metadata/*.br` are compressed copies, not read",
    ),
    Rule(
        "GA040",
        ERROR,
        "consistency: the plain file, the pretty table and the JSON list the same "
        "tracks (plain lines as a multiset; table rows in order: title, artists, "
        "album, link, length)",
    ),
    Rule(
        "GA041",
        ERROR,
        "consistency: the plain file's and the pretty page's name is the JSON's "
        "`unique_name` (or `original_name`)",
    ),
    Rule(
        "GA042",
        ERROR,
        "consistency: generated files belong to a registered playlist or to its "
        "retained history (see below)",
    ),
    Rule(
        "GA043",
        ERROR,
        "consistency: `index.md` lists no playlist without a page, none twice, every "
        "registered playlist that has a page, and each under its JSON's `unique_name`",
    ),
    Rule(
        "GA044",
        ERROR,
        "index: `index.md` parses, and its `## Playlists (N)` heading counts its entries",
    ),
    Rule(
        "GA045",
        ERROR,
        'status: `playlists/status.json` is the JSON sync writes: `{"failed": {<playlist '
        "id>: {since: YYYY-MM-DD, kind: unavailable|dropped|skipped, cause: string or null, "
        "reason: one non-empty line}}}`",
    ),
    Rule(
        "GA046",
        NOTE,
        "index: a spotify-playlist-archive clone (it holds `followers/` or `metadata/`) without "
        "`index.md` is a note, not GA043: that project's writer listed the playlists in "
        "README.md for a time",
    ),
    Rule(
        "GA050",
        ERROR,
        "secrets: no Spotify client secret (32 hex digits, with both digits and "
        "letters, not part of a longer word: a 40-hex git id is fine)",
    ),
    Rule(
        "GA051",
        ERROR,
        "secrets: no Spotify access token (`BQ` + 100 or more base64url characters, "
        "or any 150+ character base64url run that uses `-` or `_`)",
    ),
    Rule(
        "GA052",
        ERROR,
        "secrets: no Spotify refresh token (`AQ` + 100 or more base64url characters)",
    ),
    Rule(
        "GA053",
        ERROR,
        "secrets: no GitHub token (`ghp_`, `gho_`, `ghs_`, `ghu_`, `ghr_`, `github_pat_`)",
    ),
)

#: code -> summary, for callers that only need the words.
RULES: dict[str, str] = {rule.code: rule.summary for rule in TABLE}
NOTES: frozenset[str] = frozenset(rule.code for rule in TABLE if rule.severity == NOTE)
SEVERITY: dict[str, str] = {rule.code: rule.severity for rule in TABLE}

TABLE_START = (
    "<!-- rules table: generated from gitarchive/validate/rules.py (write_docs); do not edit -->"
)
TABLE_END = "<!-- end of rules table -->"


def rules_markdown() -> str:
    """The rules as the markdown table docs/hooks.md shows."""
    lines = [TABLE_START, "", "| id | severity | rule |", "|---|---|---|"]
    for rule in TABLE:
        lines.append(
            f"| {rule.code} | {rule.severity} | {rule.summary.replace('|', chr(92) + '|')} |"
        )
    lines += ["", TABLE_END]
    return "\n".join(lines)


def write_docs(path: Path = Path("docs/hooks.md")) -> None:
    """Replace the rules table between the markers in ``path``."""
    text = path.read_text(encoding="utf-8")
    start = text.index(TABLE_START)
    end = text.index(TABLE_END) + len(TABLE_END)
    path.write_text(text[:start] + rules_markdown() + text[end:], encoding="utf-8")
