"""Generating a bench's archive in a process of its own.

A child's peak RSS as ``wait4`` reports it (``ru_maxrss``) survives ``exec``: a command
started by a bench that has grown to 800 MiB generating its archive is reported at
800 MiB at least, whatever it used itself. (Seen: the first ``bench.index_cold --shape
foreign`` on a new machine reported an 818 MiB peak for a build that peaked at 124 MiB.)
So a bench that measures memory generates its archives here, in a spawned process, and
stays small itself.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

# a bench above this when it starts a measured command has generated something itself
SMALL_BYTES = 200 << 20


def built_apart(generate: Callable[..., Any], /, *args: Any) -> Path:
    """``generate(*args)``'s archive (a path), generated in a new process; ``generate``
    must be importable by name (a module's top-level function)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return Path(pool.submit(generate, *args).result())


def check_small() -> None:
    """Fail when this process has grown past :data:`SMALL_BYTES` (its children's peaks
    would start there)."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:") and int(line.split()[1]) * 1024 > SMALL_BYTES:
            raise SystemExit(
                f"this bench peaked at {int(line.split()[1]) >> 10} MiB before measuring: "
                "its children's peak RSS would start there; generate with built_apart"
            )
