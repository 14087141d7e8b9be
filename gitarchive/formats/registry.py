"""A registry entry, ``playlists/registry/<id>``: empty, or one line, the alias.

The alias replaces Spotify's name. It is one line of free text without
control characters and without surrounding spaces; the reader is lenient
(it strips), ``gitarchive validate`` holds files to the strict form.
"""

from __future__ import annotations

from dataclasses import dataclass

from gitarchive.formats.sanitize import name_problem


@dataclass(frozen=True, slots=True)
class RegistryDoc:
    """A registry file's lines (without the empty string after a final newline)."""

    lines: list[str]

    @property
    def alias(self) -> str | None:
        """The alias as written (unstripped); None for an empty file or several lines."""
        return self.lines[0] if len(self.lines) == 1 else None


def scan_registry(text: str) -> RegistryDoc:
    if text == "":
        return RegistryDoc([])
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return RegistryDoc(lines)


def alias_problem(alias: str) -> str | None:
    """What is wrong with an alias as written, None when it is a clean one-line name."""
    if alias.strip() == "":
        return "blank alias; leave the file empty to use Spotify's name"
    if name_problem(alias) is not None:  # the client's rule for every name
        return "the alias contains control characters"
    if alias != alias.strip():
        return "the alias has leading or trailing spaces"
    return None
