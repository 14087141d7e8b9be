"""GA001-GA003: a registry entry."""

from __future__ import annotations

from gitarchive.formats.registry import alias_problem, scan_registry
from gitarchive.model import is_playlist_id
from gitarchive.validate.checks.text import decode
from gitarchive.validate.findings import Finding


def check_registry(path: str, name: str, data: bytes) -> list[Finding]:
    findings: list[Finding] = []
    if not is_playlist_id(name):
        findings.append(
            Finding("GA001", path, None, f"{name!r} is not a playlist id (22 letters/digits)")
        )
    text = decode(path, data, findings)
    if text is None:
        return findings
    doc = scan_registry(text)
    if len(doc.lines) > 1:
        message = f"{len(doc.lines)} lines; a registry file is empty or holds one line (an alias)"
        return [*findings, Finding("GA002", path, 2, message)]
    if doc.alias is not None and (problem := alias_problem(doc.alias)):
        findings.append(Finding("GA003", path, 1, problem))
    return findings
