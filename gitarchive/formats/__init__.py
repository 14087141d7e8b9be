"""Every file format of the archive, rendered and read back.

See docs/formats.md for the exact layout of each file. Readers raise
:class:`gitarchive.errors.FormatError` naming the file (and line) on malformed
input; callers add the commit when they know it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from gitarchive.formats.text import decode

if TYPE_CHECKING:
    from gitarchive.formats.cumulative import read_cumulative, render_cumulative
    from gitarchive.formats.durations import (
        format_duration,
        format_duration_english,
        format_likes,
        parse_duration,
    )
    from gitarchive.formats.index import read_index, render_index
    from gitarchive.formats.markdown import escape as escape_markdown
    from gitarchive.formats.paths import (
        INDEX_PATH,
        STATUS_PATH,
        classify_path,
        cumulative_path,
        json_path,
        plain_path,
        pretty_path,
        registry_path,
    )
    from gitarchive.formats.plain import read_plain, render_plain
    from gitarchive.formats.pretty import read_early_row, read_pretty, render_pretty
    from gitarchive.formats.snapshot import (
        read_json,
        read_json_data,
        read_json_track,
        read_json_track_data,
        reread_json_data,
    )
    from gitarchive.formats.snapshot_text import render_json
    from gitarchive.formats.status import read_status, render_status
    from gitarchive.formats.version import read_version

# Each format's module is imported on first use (PEP 562): `cumulative` needs
# one renderer, and importing every reader and renderer cost a read ~8 ms of CPU.
_HOME = {
    "INDEX_PATH": ("paths", "INDEX_PATH"),
    "STATUS_PATH": ("paths", "STATUS_PATH"),
    "read_status": ("status", "read_status"),
    "render_status": ("status", "render_status"),
    "classify_path": ("paths", "classify_path"),
    "cumulative_path": ("paths", "cumulative_path"),
    "escape_markdown": ("markdown", "escape"),
    "format_duration": ("durations", "format_duration"),
    "format_duration_english": ("durations", "format_duration_english"),
    "format_likes": ("durations", "format_likes"),
    "json_path": ("paths", "json_path"),
    "parse_duration": ("durations", "parse_duration"),
    "plain_path": ("paths", "plain_path"),
    "pretty_path": ("paths", "pretty_path"),
    "read_cumulative": ("cumulative", "read_cumulative"),
    "read_index": ("index", "read_index"),
    "read_json": ("snapshot", "read_json"),
    "read_json_track": ("snapshot", "read_json_track"),
    "read_json_data": ("snapshot", "read_json_data"),
    "read_json_track_data": ("snapshot", "read_json_track_data"),
    "reread_json_data": ("snapshot", "reread_json_data"),
    "read_plain": ("plain", "read_plain"),
    "read_early_row": ("pretty", "read_early_row"),
    "read_pretty": ("pretty", "read_pretty"),
    "read_version": ("version", "read_version"),
    "registry_path": ("paths", "registry_path"),
    "render_cumulative": ("cumulative", "render_cumulative"),
    "render_index": ("index", "render_index"),
    "render_json": ("snapshot_text", "render_json"),
    "render_plain": ("plain", "render_plain"),
    "render_pretty": ("pretty", "render_pretty"),
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home[0]}"), home[1])
    globals()[name] = value
    return value


__all__ = [
    "INDEX_PATH",
    "STATUS_PATH",
    "classify_path",
    "cumulative_path",
    "decode",
    "escape_markdown",
    "format_duration",
    "format_duration_english",
    "format_likes",
    "json_path",
    "parse_duration",
    "plain_path",
    "pretty_path",
    "read_cumulative",
    "read_early_row",
    "read_index",
    "read_json",
    "read_json_data",
    "read_json_track",
    "read_json_track_data",
    "read_plain",
    "read_pretty",
    "read_status",
    "read_version",
    "registry_path",
    "render_cumulative",
    "render_index",
    "render_json",
    "render_plain",
    "render_pretty",
    "render_status",
    "reread_json_data",
]
