"""The validator: every rule over chosen paths of one source, findings collected.

Checks that involve more than one file (a playlist's plain, pretty and JSON
files; the index) read the sibling files they need from the same source, so
validating only what a commit changed still sees the whole commit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive.errors import FormatError
from gitarchive.formats.cumulative import scan_cumulative
from gitarchive.formats.page import nav_target
from gitarchive.formats.paths import (
    FOLLOWERS_DIR,
    INDEX_PATH,
    METADATA_DIR,
    PRETTY_DIR,
    REGISTRY_DIR,
    SPA_KINDS,
    PathKind,
    archive_paths,
    classify,
)
from gitarchive.formats.plain import FIRST_TRACK_LINE, read_plain, scan_plain
from gitarchive.formats.pretty import read_pretty_doc, render_pretty, scan_pretty
from gitarchive.formats.text import load_json
from gitarchive.model import is_playlist_id
from gitarchive.validate.checks.consistency import PlaylistFiles, compare, orphan_findings
from gitarchive.validate.checks.cumulative import check_cumulative
from gitarchive.validate.checks.index import check_index, check_listing
from gitarchive.validate.checks.legacy import check_legacy
from gitarchive.validate.checks.plain import check_plain, header_end
from gitarchive.validate.checks.pretty import check_pretty
from gitarchive.validate.checks.registry import check_registry
from gitarchive.validate.checks.secrets import check_secrets
from gitarchive.validate.checks.snapshot import check_snapshot
from gitarchive.validate.checks.spa import check_spa_file
from gitarchive.validate.checks.status import check_status
from gitarchive.validate.checks.text import decode, lenient
from gitarchive.validate.findings import Finding

if TYPE_CHECKING:
    from collections.abc import Iterable

    from gitarchive.model import Playlist
    from gitarchive.validate.sources import Source

STRAY_MESSAGE = (
    "stray file: playlists/ holds only registry/<id>, plain/<id>, pretty/<id>.md, "
    "pretty/<id>.json, cumulative/<id>.md, index.md, status.json (and spotify-playlist-archive's "
    "cumulative/<id>.json, followers/<id>.json, metadata/*)"
)
_PLAYLIST_FILE_KINDS = ("registry", "plain", "pretty", "json", "cumulative")
_TEXT_KINDS = (
    "plain",
    "pretty",
    "json",
    "cumulative",
    "index",
    "status",
    "keep",
    "legacy",
    *SPA_KINDS,
)


class Validator:
    """Runs every rule over chosen paths of one source and collects the findings."""

    def __init__(self, source: Source, *, commit: str | None = None) -> None:
        self.source = source
        self.commit = commit
        self.findings: list[Finding] = []
        self._reads: dict[str, bytes | None] = {}
        self._snapshots: dict[str, Playlist | None] = {}
        self._rendered: set[str] = set()  # pretty pages identical to their JSON's rendering

    def _read(self, path: str) -> bytes | None:
        """A file of the source, read once per validation."""
        if path not in self._reads:
            self._reads[path] = self.source.read(path)
        return self._reads[path]

    def _add(self, findings: Iterable[Finding]) -> None:
        commit = self.commit
        self.findings.extend(f.at(commit) if commit else f for f in findings)

    def run(self, paths: Iterable[str]) -> list[Finding]:
        touched: set[str] = set()
        index_check = False
        for path in sorted(set(paths)):
            kind = classify(path)
            if kind.kind in _PLAYLIST_FILE_KINDS and kind.playlist_id is not None:
                touched.add(kind.playlist_id)
                index_check = index_check or kind.kind != "cumulative"
            index_check = index_check or kind.kind == "index"
            data = self._read(path)
            if data is not None:  # deleted: its playlist's remaining files are checked below
                self._check_file(path, kind, data)
        for playlist_id in sorted(touched):
            if is_playlist_id(playlist_id):
                self._check_playlist(playlist_id)
        if index_check:
            self._check_index(touched)
        return self.findings

    def _check_file(self, path: str, kind: PathKind, data: bytes) -> None:
        findings: list[Finding] = []
        if kind.kind == "stray":
            findings.append(Finding("GA004", path, None, STRAY_MESSAGE))
        if kind.kind in ("registry", "alias") and kind.playlist_id is not None:
            findings += check_registry(path, kind.playlist_id, data)
            findings += check_secrets(path, lenient(data))  # an alias is free text
            self._add(findings)
            return
        if b"\0" in data[:8000] or (kind.kind == "metadata" and not path.endswith(".json")):
            if kind.kind in _TEXT_KINDS and kind.kind != "metadata":
                findings.append(Finding("GA005", path, None, "binary file, expected UTF-8 text"))
            self._add(findings)
            return
        text = decode(path, data, findings) if kind.kind in _TEXT_KINDS else lenient(data)
        if text is not None:
            findings += check_secrets(path, text)
            findings += self._check_text(path, kind, text)
        self._add(findings)

    def _check_text(self, path: str, kind: PathKind, text: str) -> list[Finding]:
        playlist_id = kind.playlist_id or ""
        if kind.kind == "plain":
            return check_plain(path, scan_plain(text))
        if kind.kind == "pretty":
            if self._pretty_is_rendered(playlist_id, text):
                self._rendered.add(path)  # well-formed and consistent by construction
                return []
            return check_pretty(path, playlist_id, scan_pretty(text))[0]
        if kind.kind == "json":
            findings, self._snapshots[playlist_id] = check_snapshot(path, playlist_id, text)
            return findings
        if kind.kind == "cumulative":
            return check_cumulative(path, playlist_id, scan_cumulative(text))
        if kind.kind == "index":
            return check_index(path, text)[1]
        if kind.kind == "status":
            return check_status(path, text)
        if kind.kind in SPA_KINDS:
            return check_spa_file(path, kind.kind, text)
        if kind.kind == "legacy":
            return check_legacy(path, text)
        return []

    # -- the fast path: pages that are exactly what sync writes

    def _snapshot(self, playlist_id: str) -> Playlist | None:
        """The playlist's JSON snapshot, read once; None when missing or invalid."""
        if playlist_id not in self._snapshots:
            path = archive_paths(playlist_id).json
            data = self._read(path)
            version = None
            if data is not None:
                try:
                    version = check_snapshot(path, playlist_id, data.decode("utf-8"))[1]
                except UnicodeDecodeError:
                    version = None
            self._snapshots[playlist_id] = version
        return self._snapshots[playlist_id]

    def _pretty_is_rendered(self, playlist_id: str, text: str) -> bool:
        """Whether the page is byte for byte the rendering of the playlist's valid JSON.

        Such a page satisfies every pretty rule and agrees with the JSON by
        construction, so the markdown parse (the costly part of validation) is
        skipped; any other page gets the full checks.
        """
        version = self._snapshot(playlist_id)
        if version is None:
            return False
        github, branch = nav_target(text)
        return render_pretty(version, github=github, branch=branch) == text

    # -- one playlist's files together

    def _check_playlist(self, playlist_id: str) -> None:
        paths = archive_paths(playlist_id)
        present = {kind: self._read(path) for kind, path in paths.generated().items()}
        if self._read(paths.registry) is None and present["plain"] is None:
            self._add(orphan_findings(playlist_id, [paths.of(k) for k, d in present.items() if d]))
            return
        files = PlaylistFiles(json=self._snapshot(playlist_id) if present["json"] else None)
        # A sibling that does not read is left out of the comparison: its own
        # rules report it when it is checked (when it changes, or with --all).
        plain, pretty = present["plain"], present["pretty"]
        # a plain file alone (a name-keyed clone) has nothing to agree with
        if plain is not None and (present["json"] is not None or pretty is not None):
            self._read_plain(playlist_id, plain, files)
        if pretty is not None and paths.pretty not in self._rendered:
            self._read_pretty(playlist_id, pretty, files)
        self._add(compare(paths, files))

    def _read_plain(self, playlist_id: str, data: bytes, files: PlaylistFiles) -> None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return
        files.plain = read_plain(text, playlist_id, path=archive_paths(playlist_id).plain)
        lines = scan_plain(text).lines
        end = header_end(lines)
        if end is not None:  # else GA010 reports the file; compared from line 4 as written
            files.plain_lines, files.plain_first_line = lines[end + 1 :], end + 2
        else:
            files.plain_lines = lines[FIRST_TRACK_LINE - 1 :]
        if files.plain_lines and files.plain_lines[-1] == "":
            files.plain_lines.pop()  # GA012 reports a blank last line

    def _read_pretty(self, playlist_id: str, data: bytes, files: PlaylistFiles) -> None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return
        if self._pretty_is_rendered(playlist_id, text):
            return  # identical to the JSON's rendering: nothing to compare
        doc = scan_pretty(text)
        try:
            files.pretty = read_pretty_doc(doc, playlist_id, path=archive_paths(playlist_id).pretty)
        except FormatError:
            return
        files.pretty_rows = [line for line, _ in doc.table.rows] if doc.table else []

    # -- index.md

    def _check_index(self, touched: set[str]) -> None:
        with_pages = {
            stem
            for name in self.source.names(PRETTY_DIR)
            for stem in (name.removesuffix(".md"), name.removesuffix(".json"))
            if stem != name and is_playlist_id(stem)
        }
        data = self._read(INDEX_PATH)
        if data is None:
            if with_pages and self._is_spa_clone():
                what = (
                    "missing: a spotify-playlist-archive clone whose writer listed the playlists "
                    "in README.md; not checked"
                )
                self._add([Finding("GA046", INDEX_PATH, None, what)])
            elif with_pages:
                what = f"missing, but {len(with_pages)} playlists have pages"
                self._add([Finding("GA043", INDEX_PATH, None, what)])
            return
        doc, problems = check_index(INDEX_PATH, lenient(data))
        if doc is None:
            if INDEX_PATH not in {f.path for f in self.findings}:
                self._add(problems)
            return
        registered = {name for name in self.source.names(REGISTRY_DIR) if is_playlist_id(name)}
        self._add(
            check_listing(
                INDEX_PATH,
                doc,
                with_pages=with_pages,
                registered=registered,
                unique_names=self._unique_names(touched),
            )
        )

    def _is_spa_clone(self) -> bool:
        """Whether the archive holds files only spotify-playlist-archive's writer wrote."""
        return bool(self.source.names(FOLLOWERS_DIR) or self.source.names(METADATA_DIR))

    def _unique_names(self, playlist_ids: set[str]) -> dict[str, str]:
        """The JSON snapshots' unique names of these playlists (where readable)."""
        names: dict[str, str] = {}
        for playlist_id in sorted(playlist_ids):
            data = self._read(archive_paths(playlist_id).json)
            if data is None:
                continue
            try:
                unique = load_json(data)["unique_name"]
            except (ValueError, KeyError, TypeError):
                continue
            if isinstance(unique, str):
                names[playlist_id] = unique
        return names
