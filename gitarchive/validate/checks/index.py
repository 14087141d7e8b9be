"""GA043-GA044: the index, over :mod:`gitarchive.formats.index`'s scanners."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from gitarchive.formats.index import IndexDoc, scan_index, scan_index_exact
from gitarchive.formats.markdown import escape, markdown_safe
from gitarchive.formats.paths import PRETTY_DIR
from gitarchive.validate.findings import Finding

if TYPE_CHECKING:
    from collections.abc import Mapping


def check_index(path: str, text: str) -> tuple[IndexDoc | None, list[Finding]]:
    """The index as scanned (None when its links cannot be read), and GA044's findings."""
    exact = scan_index_exact(text)
    if exact is not None:
        return exact, []
    doc = scan_index(text)
    if doc.problem is not None:
        return None, [Finding("GA044", path, doc.problem[0], doc.problem[1])]
    if doc.heading is not None and doc.heading[1] != len(doc.entries):
        what = f"the heading says {doc.heading[1]} playlists but {len(doc.entries)} are listed"
        return doc, [Finding("GA044", path, doc.heading[0], what)]
    return doc, []


def check_listing(
    path: str,
    doc: IndexDoc,
    *,
    with_pages: set[str],
    registered: set[str],
    unique_names: Mapping[str, str],
) -> list[Finding]:
    """GA043: the index lists exactly the playlists that have pages, under their JSON's name."""
    lines: dict[str, int | None] = {}
    for entry in doc.entries:
        lines.setdefault(entry.playlist_id, entry.line)
    listed = Counter(entry.playlist_id for entry in doc.entries)
    findings: list[Finding] = []
    for playlist_id, count in sorted(listed.items()):
        if count > 1:
            findings.append(
                Finding("GA043", path, lines[playlist_id], f"lists {playlist_id} twice")
            )
        if playlist_id not in with_pages:
            what = f"lists {playlist_id}, which has no page in {PRETTY_DIR}/"
            findings.append(Finding("GA043", path, lines[playlist_id], what))
    # Removed playlists whose files were kept may be listed or not; registered
    # playlists with a page must be listed.
    for playlist_id in sorted((registered & with_pages) - set(listed)):
        what = f"does not list {playlist_id}, which is registered and has a page"
        findings.append(Finding("GA043", path, None, what))
    names = {entry.playlist_id: entry.name for entry in doc.entries}
    for playlist_id, unique in sorted(unique_names.items()):
        shown = escape(unique) if doc.names_escaped else markdown_safe(unique)
        if playlist_id in names and names[playlist_id] != shown:
            what = f"names {playlist_id} {names[playlist_id]!r}; its JSON says {unique!r}"
            findings.append(Finding("GA043", path, lines[playlist_id], what))
    return findings
