"""One sync at a time per archive: an OS file lock on ``.git/gitarchive.lock``.

The kernel decides who holds the lock (``flock``), and releases it when its
holder exits, however it exits: a sync killed with SIGKILL never blocks the
next one, and no stale-lock guessing is needed. The file's content (pid, host,
start time) only names the holder in the message of a sync that must wait.

POSIX only, as the package's classifiers declare (pyproject.toml says why): Windows has
neither ``flock`` nor ``O_NOFOLLOW``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
from datetime import UTC, datetime

from gitarchive.errors import LockedError
from gitarchive.git.store import Store

LOCK_FILE = "gitarchive.lock"
_HOLDER_MAX = 4096  # the file is ours, but read no more than a holder line needs


class ArchiveLock:
    """An exclusive lock for the lifetime of a sync (a context manager)."""

    def __init__(self, store: Store) -> None:
        self.path = store.git_dir / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock now or raise LockedError naming its holder; never waits."""
        if self._fd is not None:
            raise LockedError(f"this process already holds {self.path}")
        flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW
        try:
            fd = os.open(self.path, flags, 0o644)
        except OSError as exc:
            raise LockedError(f"cannot open the lock file {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _describe_holder(fd)
            os.close(fd)
            raise LockedError(
                f"another sync is running on this archive ({holder}); it holds {self.path}"
            ) from None
        # the record only names the holder for a second sync's message: a full disk must not
        # cost the lock (the flock is held); the writes that matter report it themselves
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, _holder_record().encode(), 0)
        self._fd = fd

    def release(self) -> None:
        # The file stays: unlinking it would let a waiting opener lock an
        # inode that a third process no longer sees.
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            os.close(fd)  # closing the last descriptor releases the flock

    def __enter__(self) -> ArchiveLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _holder_record() -> str:
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    record = {"pid": os.getpid(), "host": socket.gethostname(), "started": started}
    return json.dumps(record, sort_keys=True) + "\n"


def _describe_holder(fd: int) -> str:
    """Who the lock file says holds it, for a message only (never trusted for a decision)."""
    try:
        raw = os.pread(fd, _HOLDER_MAX, 0)
        record = json.loads(raw.decode("utf-8"))
        pid, host, started = record["pid"], record["host"], record["started"]
    except (OSError, ValueError, TypeError, KeyError):
        return "holder not recorded yet"
    if not isinstance(pid, int) or not isinstance(host, str) or not isinstance(started, str):
        return "holder not recorded yet"
    clean_host = "".join(ch for ch in host if ch.isprintable())[:100]
    clean_started = "".join(ch for ch in started if ch.isprintable())[:40]
    return f"pid {pid} on {clean_host}, started {clean_started}"
