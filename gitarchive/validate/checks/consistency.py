"""GA040-GA042: one playlist's files agree with each other and belong to it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gitarchive.formats.durations import format_duration
from gitarchive.formats.markdown import markdown_safe
from gitarchive.formats.plain import FIRST_TRACK_LINE, one_line
from gitarchive.validate.findings import Finding

if TYPE_CHECKING:
    from collections.abc import Callable

    from gitarchive.formats.paths import ArchivePaths
    from gitarchive.model import Playlist


@dataclass(slots=True)
class PlaylistFiles:
    """What one playlist's files read back as (None: missing, or left to its own rules)."""

    plain: Playlist | None = None
    plain_lines: list[str] = field(default_factory=list)
    plain_first_line: int = FIRST_TRACK_LINE  # the line number of plain_lines[0]
    pretty: Playlist | None = None
    pretty_rows: list[int] = field(default_factory=list)  # the table rows' line numbers
    json: Playlist | None = None


def orphan_findings(playlist_id: str, paths: list[str]) -> list[Finding]:
    """GA042: generated files of a playlist with no registry entry and no plain file."""
    what = (
        f"playlist {playlist_id} has no registry entry and no plain file: register it, or keep "
        "its plain file as retained history, or delete its files"
    )
    return [Finding("GA042", path, None, what) for path in paths]


def compare(paths: ArchivePaths, files: PlaylistFiles) -> list[Finding]:
    reference = files.json or files.pretty
    if reference is None:
        return []
    ref_kind = "JSON" if files.json is not None else "pretty page"
    findings = _compare_names(paths, files, reference, ref_kind)
    if files.plain is not None:
        findings += _compare_plain(paths, files, reference, ref_kind)
    if files.json is not None and files.pretty is not None:
        findings += _compare_table(paths, files, files.json, files.pretty)
    return findings


def _compare_names(
    paths: ArchivePaths, files: PlaylistFiles, reference: Playlist, ref_kind: str
) -> list[Finding]:
    names = {reference.unique_name, reference.original_name} - {""}
    # Each file holds a name as its format can: one line in the plain file, markdown-safe
    # on a page; compared as the less capable of the two files holds it.
    page_safe = files.json is None
    findings: list[Finding] = []
    for kind, version, line in (
        ("pretty", files.pretty if not page_safe else None, None),
        ("plain", files.plain, 1),
    ):
        if version is None or not names:
            continue
        normal = _plain_normal(page_safe) if kind == "plain" else markdown_safe
        name = version.unique_name or version.original_name
        if normal(name) not in {normal(known) for known in names}:
            what = f"name {name!r} differs from the {ref_kind}'s {sorted(names)[0]!r}"
            findings.append(Finding("GA041", paths.of(kind), line, what))
    return findings


def _plain_normal(page_safe: bool) -> Callable[[str], str]:
    """A text as the plain file holds it (and as a page shows it, if that is the reference)."""
    if page_safe:
        return lambda text: one_line(markdown_safe(text))
    return one_line


def _compare_plain(
    paths: ArchivePaths, files: PlaylistFiles, reference: Playlist, ref_kind: str
) -> list[Finding]:
    normal = _plain_normal(files.json is None)
    expected = Counter(normal(track.plain_line) for track in reference.tracks)
    actual = Counter(normal(line) for line in files.plain_lines)
    if expected == actual:
        return []
    extra = sorted((actual - expected).elements())
    lacking = sorted((expected - actual).elements())
    detail = []
    if extra:
        detail.append(f"{len(extra)} track line(s) not in the {ref_kind}")
    if lacking:
        detail.append(f"{len(lacking)} of the {ref_kind}'s tracks missing")
    wanted = set(extra)
    line = next(
        (
            n + files.plain_first_line
            for n, text in enumerate(files.plain_lines)
            if normal(text) in wanted
        ),
        None,
    )
    what = "plain file and " + ref_kind + " differ: " + "; ".join(detail)
    return [Finding("GA040", paths.plain, line, what)]


def _compare_table(
    paths: ArchivePaths, files: PlaylistFiles, snapshot: Playlist, page: Playlist
) -> list[Finding]:
    if len(snapshot.tracks) != len(page.tracks):
        what = f"the table has {len(page.tracks)} rows, the JSON {len(snapshot.tracks)} tracks"
        return [Finding("GA040", paths.pretty, None, what)]
    for number, (mine, theirs) in enumerate(zip(page.tracks, snapshot.tracks, strict=True)):
        same = (
            mine.plain_line == markdown_safe(theirs.plain_line)
            and (mine.url or None) == (theirs.url or None)
            and format_duration(mine.duration_ms or 0) == format_duration(theirs.duration_ms or 0)
        )
        if not same:
            rows = files.pretty_rows
            line = rows[number] if number < len(rows) else None
            what = f"row {number + 1} differs from track {number + 1} of the JSON"
            return [Finding("GA040", paths.pretty, line, what)]
    return []
