"""Spotify's ``fields`` filter, as the fake Web API honours it.

``fields=items(added_at,item(name,album(name))),total,next`` keeps only the
named keys; parentheses select inside an object, or inside each object of a
list. A named key that is absent stays absent (so a filter naming ``item``
drops an entry's ``track``: the 2026 integrity defect). Values that are not
objects are kept as they are, whatever the selection inside them.
"""

from __future__ import annotations

from typing import Any

Spec = dict[str, "Spec | None"]


def parse_fields(text: str) -> Spec:
    spec, end = _parse(text, 0)
    if end != len(text):
        raise ValueError(f"unbalanced parentheses in fields at {end}")
    return spec


def _parse(text: str, start: int) -> tuple[Spec, int]:
    spec: Spec = {}
    name = ""
    index = start
    while index < len(text):
        char = text[index]
        if char == "(":
            sub, index = _parse(text, index + 1)
            if index >= len(text) or text[index] != ")":
                raise ValueError("unbalanced parentheses in fields")
            spec[name.strip()] = sub
            name = ""
        elif char == ")":
            break
        elif char == ",":
            if name.strip():
                spec[name.strip()] = None
            name = ""
        else:
            name += char
        index += 1
    if name.strip():
        spec[name.strip()] = None
    return spec, index


def apply_fields(value: Any, spec: Spec | None) -> Any:
    if spec is None:
        return value
    if isinstance(value, list):
        return [apply_fields(element, spec) for element in value]
    if isinstance(value, dict):
        return {key: apply_fields(value[key], sub) for key, sub in spec.items() if key in value}
    return value
