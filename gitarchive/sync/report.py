"""A sync's result in words: grouped failures, warnings, GitHub Actions' summary and annotations.

Pure functions over :class:`~gitarchive.sync.result.SyncResult`; the CLI prints
them. Failures that share a cause are one line with the count, the ids and the
fix, in the words ``gitarchive doctor`` uses (:mod:`gitarchive.spotify.access`).
Every text passes through :func:`gitarchive.errors.redact`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive.errors import redact
from gitarchive.spotify.access import CAUSES, group_by_cause

if TYPE_CHECKING:
    from gitarchive.sync.result import SyncResult, Unavailable


def failure_lines(result: SyncResult) -> list[str]:
    """One line per cause (count, ids, fix), then one per playlist whose failure has none."""
    unavailable = [u for u in result.unavailable if u.kind == "unavailable"]
    lines = [group.line() for group in group_by_cause({u.id: u.cause for u in unavailable})]
    grouped = {u.id for u in unavailable if u.cause in CAUSES}
    for missing in result.unavailable:
        if missing.id not in grouped:
            lines.append(f"{_label(missing)}: {missing.reason}")
    return [redact(line) for line in lines]


def _label(missing: Unavailable) -> str:
    return f"{missing.name} ({missing.id})" if missing.name else missing.id


def step_summary(result: SyncResult) -> str:
    """The markdown GitHub shows on the run's page ($GITHUB_STEP_SUMMARY)."""
    stamp = result.date.strftime("%Y-%m-%d %H:%M UTC")
    changed = ", ".join(f"{c.name} (+{c.added} \u2212{c.removed})" for c in result.changed[:10])
    rows = [
        ("synced, changed", len(result.changed), changed),
        ("synced, unchanged", result.unchanged, ""),
    ]
    unavailable = [u for u in result.unavailable if u.kind == "unavailable"]
    for group in group_by_cause({u.id: u.cause for u in unavailable}):
        rows.append((f"unavailable: {group.summary}", len(group.ids), f"fix: {group.fix}"))
    for u in unavailable:
        if u.cause not in CAUSES:
            rows.append(("unavailable", 1, f"{_label(u)}: {u.reason}"))
    for u in result.unavailable:
        if u.kind == "dropped":
            rows.append(("dropped and kept (files unchanged)", 1, f"{_label(u)}: {u.reason}"))
    skipped = [u.id for u in result.unavailable if u.kind == "skipped"]
    rows.append(("skipped by the time budget", len(skipped), ", ".join(skipped[:10])))
    lines = [
        f"## gitarchive sync, {stamp}",
        "",
        "| playlists | count | details |",
        "|---|---:|---|",
    ]
    lines += [f"| {_cell(what)} | {count} | {_cell(details)} |" for what, count, details in rows]
    commit = f"commit `{result.commit[:12]}`" if result.commit else "no commit"
    lines += ["", f"{result.fetched} of {result.registered} playlists fetched; {commit}."]
    lines += [f"\n> **warning:** {_cell(w)}" for w in result.warnings]
    return redact("\n".join(lines)) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def workflow_commands(result: SyncResult) -> list[str]:
    """``::error::`` per failure line, ``::warning::`` per warning (workflow commands)."""
    lines = [f"::error title=gitarchive sync::{_escape(line)}" for line in failure_lines(result)]
    lines += [f"::warning title=gitarchive sync::{_escape(redact(w))}" for w in result.warnings]
    return lines


def _escape(text: str) -> str:
    """GitHub's workflow-command escaping: one line, ``%``, CR and LF encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
