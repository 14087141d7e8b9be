"""Counts in words: "1 sync", "2 syncs", as every message that counts things says them."""

from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``count`` and the noun that agrees with it; ``plural_form`` where "s" is not it."""
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"
