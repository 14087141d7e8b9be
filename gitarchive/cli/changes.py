"""`gitarchive changes`: what changed in every playlist, newest first, grouped by day.

The work is done by :mod:`gitarchive.changes`; this module parses the options
and prints. The site's ``changes.html`` shows the same changes.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from gitarchive.cli.common import app, date_option, handle_errors, index_call, open_history_store

if TYPE_CHECKING:
    from gitarchive.index import ChangeIndex
    from gitarchive.timeline import Entry


class ChangesFormat(StrEnum):
    text = "text"
    json = "json"


@app.command("changes")
@handle_errors
def changes_command(
    since: Annotated[
        str | None,
        typer.Option(
            help="Only changes on or after DATE (as git's --since: 2026-11-01, "
            "yesterday, '2 weeks ago')."
        ),
    ] = None,
    output_format: Annotated[
        ChangesFormat, typer.Option("--format", help="Output format.")
    ] = ChangesFormat.text,
) -> None:
    """What changed in every playlist, newest first, grouped by day."""
    from gitarchive import changes
    from gitarchive.cli import output

    moment = date_option("--since", since, end_of_day=False)
    store = open_history_store()

    def read(index: ChangeIndex) -> dict[str, list[Entry]]:
        return changes.read_timelines(store, index)

    found = changes.collect(index_call(store, read), since=moment)
    if output_format is ChangesFormat.json:
        sys.stdout.write(changes.changes_json(found, since=moment))
        return
    output.write_lines(changes.changes_text(found))
