"""`gitarchive demo`: build a demo archive from shipped snapshots."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gitarchive.cli.common import (
    app,
    handle_errors,
    out,
    state,
)


@app.command()
@handle_errors
def demo(
    path: Annotated[Path | None, typer.Argument(help="New folder for the demo archive.")] = None,
) -> None:
    """Build a demo archive from snapshots shipped with gitarchive (no network)."""
    from gitarchive import demo as demo_module

    given = path if path is not None else Path(demo_module.DEFAULT_DEMO_FOLDER)
    target = given if given.is_absolute() else state.directory / given
    shown = demo_module.display_path(target, Path.cwd())
    demo_module.check_demo_target(target)
    out.print(
        f"Building a demo archive in {shown}/ from snapshots shipped with gitarchive "
        "(no network)...",
        markup=False,
    )
    result = demo_module.build_demo(target)
    for line in demo_module.summary_lines(result, shown):
        out.print(line, markup=False)
