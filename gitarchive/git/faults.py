"""Named fault points of a sync (a restore, an index build), for fault-injection tests only.

TEST-ONLY. ``GITARCHIVE_FAULT=point[:action][@n]`` makes the process fail the
``n``-th time (default: the first) it reaches ``point``; the action is
``kill`` (SIGKILL to itself, the default: no cleanup, no ``finally``), ``int``
(SIGINT, as Ctrl-C) or ``raise`` (a :class:`FaultInjected` exception). This
module is the one place that reads the variable (once per process); with it
unset a point costs one dictionary lookup. CONTRIBUTING.md documents it, and
tests/test_faults.py kills a real ``gitarchive sync`` at every point in
:data:`POINTS` and checks that nothing archived is lost or half-written.
"""

from __future__ import annotations

import os
import signal
import threading

ENV = "GITARCHIVE_FAULT"

POINTS = (
    "after-fetch",  # sync/run.py: every playlist fetched, nothing written
    "between-files",  # git/worktree.py: some work tree files written, not all (use @n)
    "after-objects",  # git/commit.py: blobs, trees and commit written; ref not moved
    "before-ref-update",  # git/commit.py: files and objects written, just before the CAS
    "after-ref-update",  # git/commit.py: ref moved, index not yet written
    "index-write",  # git/worktree.py: index entries made in memory, about to write it
    "after-index-write",  # git/commit.py: index written, pending marker still there
    "before-push",  # git/remote.py: committed, push not started
    "during-push",  # git/remote.py: the remote has answered for the ref, tracking ref not set
    "after-push",  # git/remote.py: pushed, tracking ref not yet updated
    "repack-before-delete",  # git/maintenance.py: new pack in place, old packs not deleted
)
#: The points of a restore (tests/test_restore_faults.py), apart: a sync never reaches them.
RESTORE_POINTS = (
    "restore-after-create",  # restore/run.py: the new playlist exists, nothing written into it
    "restore-after-replace",  # restore/run.py: the first 100 items written, the rest not
    "restore-between-adds",  # restore/run.py: some chunks of 100 appended, not all (use @n)
)
#: The points of the change index's parallel build (tests/test_index_faults.py).
INDEX_POINTS = (
    "fold-worker",  # index/workers.py: a worker process about to fold a playlist (use @n)
    "fold-writer",  # index/workers.py: the writer, one playlist's rows written (use @n)
)
ACTIONS = ("kill", "int", "raise")


class FaultInjected(RuntimeError):
    """Raised at a fault point with the ``raise`` action (a bug-shaped failure)."""


class _Plan:
    def __init__(self, spec: str) -> None:
        point, _, rest = spec.partition(":")
        point, _, count = point.partition("@")
        action, _, count2 = rest.partition("@")
        self.point = point
        self.action = action or "kill"
        self.at = int(count or count2 or "1")
        points = (*POINTS, *RESTORE_POINTS, *INDEX_POINTS)
        if point not in points or self.action not in ACTIONS or self.at < 1:
            raise ValueError(
                f"{ENV}={spec!r}: expected point[:action][@n], point one of {', '.join(points)}, "
                f"action one of {', '.join(ACTIONS)}"
            )
        self.reached = 0
        self.lock = threading.Lock()


_plan: _Plan | None = None
_loaded = False


def _load() -> _Plan | None:
    global _plan, _loaded
    if not _loaded:
        spec = os.environ.get(ENV, "")
        _plan = _Plan(spec) if spec else None
        _loaded = True
    return _plan


def fault_point(name: str) -> None:
    """Fail here if the test-only switch names this point (see the module docs)."""
    plan = _load()
    if plan is None or plan.point != name:
        return
    with plan.lock:
        plan.reached += 1
        if plan.reached != plan.at:
            return
    if plan.action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif plan.action == "int":
        # Python raises KeyboardInterrupt in the main thread at its next bytecode,
        # wherever it is then, as a real Ctrl-C would
        os.kill(os.getpid(), signal.SIGINT)
    else:
        raise FaultInjected(f"fault injected at {name}")
