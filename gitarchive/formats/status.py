"""``playlists/status.json``: the playlists whose last sync failed, committed with the archive.

A fresh clone (a CI checkout, a collaborator's machine) must know which
playlists the last sync could not archive: ``.git`` files are not cloned, so
the status lives in the tree. The file lists failures only, each with the day
it started, so a sync whose failures are the same as the last one's writes the
same bytes (and commits nothing for it)::

    {
      "failed": {
        "<playlist id>": {
          "since": "2026-11-21",      # first sync of this run of failures (UTC day)
          "kind": "unavailable",      # or "dropped" (a count drop kept back), "skipped"
          "cause": "not_owner",       # gitarchive.spotify.access cause code, or null
          "reason": "one line, no secrets"
        }
      }
    }

A playlist not listed was archived by its last sync (or never synced). An
archive without the file has no recorded failures.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gitarchive.errors import FormatError
from gitarchive.formats.paths import STATUS_PATH
from gitarchive.formats.text import decode, load_json
from gitarchive.model import is_playlist_id

if TYPE_CHECKING:
    from collections.abc import Mapping

KINDS = ("unavailable", "dropped", "skipped")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FIELDS = {"since", "kind", "cause", "reason"}
MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class Failure:
    since: str  # YYYY-MM-DD
    kind: str  # one of KINDS
    cause: str | None
    reason: str


def render_status(failed: Mapping[str, Failure]) -> str:
    document = {
        "failed": {
            playlist_id: {
                "since": failure.since,
                "kind": failure.kind,
                "cause": failure.cause,
                "reason": _one_line(failure.reason),
            }
            for playlist_id, failure in sorted(failed.items())
        }
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())[:MAX_REASON]


def status_problems(document: Any) -> list[str]:
    """What is wrong with a parsed status document; empty when it is what sync writes."""
    if not isinstance(document, dict) or set(document) != {"failed"}:
        return ['expected an object with the one key "failed"']
    failed = document["failed"]
    if not isinstance(failed, dict):
        return ['"failed" is not an object']
    problems: list[str] = []
    for playlist_id, entry in failed.items():
        where = f"failed[{playlist_id!r}]"
        if not is_playlist_id(playlist_id):
            problems.append(f"{where}: not a playlist id")
        if not isinstance(entry, dict) or set(entry) != _FIELDS:
            problems.append(f"{where}: expected the keys {', '.join(sorted(_FIELDS))}")
            continue
        problems += _entry_problems(where, entry)
    return problems


def _entry_problems(where: str, entry: dict[str, Any]) -> list[str]:
    problems = []
    if not isinstance(entry["since"], str) or not _DAY.match(entry["since"]):
        problems.append(f"{where}.since: expected YYYY-MM-DD")
    if entry["kind"] not in KINDS:
        problems.append(f"{where}.kind: expected one of {', '.join(KINDS)}")
    if entry["cause"] is not None and not isinstance(entry["cause"], str):
        problems.append(f"{where}.cause: expected a string or null")
    reason = entry["reason"]
    if not isinstance(reason, str) or reason != _one_line(reason) or not reason:
        problems.append(f"{where}.reason: expected one non-empty line")
    return problems


def read_status(text: str, *, path: str = STATUS_PATH) -> dict[str, Failure]:
    """The failures a status file records (strict: the first problem is a FormatError)."""
    try:
        document = load_json(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"invalid JSON: {exc.msg}", path=path, line=exc.lineno) from None
    problems = status_problems(document)
    if problems:
        raise FormatError(problems[0], path=path)
    return {
        playlist_id: Failure(
            since=entry["since"], kind=entry["kind"], cause=entry["cause"], reason=entry["reason"]
        )
        for playlist_id, entry in document["failed"].items()
    }


def read_status_file(data: bytes | None, *, path: str = STATUS_PATH) -> dict[str, Failure]:
    """:func:`read_status` of a status file's bytes; none recorded when there is no file."""
    return {} if data is None else read_status(decode(data, path), path=path)
