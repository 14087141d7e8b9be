"""Python's cyclic garbage collector, paused over a pass of many acyclic objects.

The folds (index, site, import, cumulative views) allocate millions of small
objects (tracks, their tuples, versions, rendered rows) that live until the
pass ends and are never in reference cycles. The collector's passes would
traverse them again and again and find nothing: a quarter of a walk's time,
11% of an index build's. Objects that do form cycles must not be made in
such a pass in bulk (tests pin that the readers a fold lets go are freed at
once, without a collection).
"""

from __future__ import annotations

import contextlib
import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block, back on after it if it was on."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def stop() -> None:
    """The collector off for the rest of this process's life: a process that only folds
    (an index worker), whose every task would otherwise end by re-enabling it over all
    it keeps (a collection of the young generation, as large as the task's survivors)."""
    gc.disable()
