"""A finding: one broken rule, where it is and what is wrong."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from gitarchive.validate.rules import NOTES


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

    @property
    def is_note(self) -> bool:
        """A note is shown but does not fail validation (see rules.NOTES)."""
        return self.rule in NOTES

    def at(self, commit: str) -> Finding:
        return self if self.commit is not None else replace(self, commit=commit)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "path": self.path,
            "line": self.line,
            "message": self.message,
            "commit": self.commit,
            "severity": "note" if self.is_note else "error",
        }


def errors(findings: list[Finding]) -> list[Finding]:
    """The findings that fail validation (notes left out)."""
    return [finding for finding in findings if not finding.is_note]


def findings_json(findings: list[Finding]) -> str:
    failing = errors(findings)
    return json.dumps(
        {"ok": not failing, "count": len(failing), "findings": [f.to_dict() for f in findings]},
        indent=2,
        ensure_ascii=False,
    )
