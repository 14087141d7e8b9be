"""The JSON text of a document's scalar values, written without the json module's encoder.

A stored cumulative view and a history document are mostly strings, None, bools
and ints, one field at a time: calling the encoder per field was the slow part of
writing them. Anything else (a float, a list) goes to the caller's own encoder,
so the text is exactly what that encoder writes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

# the C escaper json.dumps(..., ensure_ascii=False) uses for a str
encode_string: Callable[[str], str] = json.encoder.encode_basestring


def scalar_json(value: object, otherwise: Callable[[object], str]) -> str:
    """``value`` as JSON text: by hand for a str, None, a bool or an int, else ``otherwise``."""
    kind = type(value)
    if kind is str:
        return encode_string(value)  # type: ignore[arg-type]
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    return otherwise(value)
