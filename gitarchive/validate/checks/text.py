"""Bytes to text for the checks: UTF-8 (GA005), or lenient where only secrets are searched."""

from __future__ import annotations

from gitarchive.validate.findings import Finding


def decode(path: str, data: bytes, findings: list[Finding]) -> str | None:
    """The text of an archive file; a GA005 finding (and None) when it is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        findings.append(Finding("GA005", path, line, "not UTF-8 text"))
        return None


def lenient(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")
