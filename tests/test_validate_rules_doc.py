"""docs/hooks.md's rules table is generated from the rule table, and covers every code used."""

from __future__ import annotations

import re
from pathlib import Path

from gitarchive.validate.rules import RULES, SEVERITY, TABLE_END, TABLE_START, rules_markdown

ROOT = Path(__file__).resolve().parent.parent
HOOKS_MD = ROOT / "docs" / "hooks.md"
REGENERATE = 'python -c "from gitarchive.validate.rules import write_docs; write_docs()"'


def test_docs_rules_table_is_generated_from_the_rule_table() -> None:
    text = HOOKS_MD.read_text(encoding="utf-8")
    start, end = text.index(TABLE_START), text.index(TABLE_END) + len(TABLE_END)
    assert text[start:end] == rules_markdown(), f"docs/hooks.md is out of date: {REGENERATE}"


def test_every_rule_code_the_checks_emit_is_in_the_table() -> None:
    source = "\n".join(
        path.read_text(encoding="utf-8")
        for path in (ROOT / "gitarchive" / "validate").rglob("*.py")
        if path.name != "rules.py"
    )
    emitted = set(re.findall(r'"(GA\d{3})"', source))
    assert emitted, "the checks name their rules as string literals"
    assert emitted <= set(RULES)
    assert set(SEVERITY.values()) <= {"error", "note"}
