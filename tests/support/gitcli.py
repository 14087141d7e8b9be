"""The git CLI, for tests only: an independent oracle of what pygit2 wrote (the package
itself never runs git)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def git_process(
    cwd: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``git ARGS`` in ``cwd``, whatever its exit status (for tests that expect a refusal)."""
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, input=stdin, timeout=60
    )


def git(cwd: Path, *args: str, stdin: str | None = None) -> str:
    """``git ARGS``'s stdout; a failure fails the test with git's own words."""
    done = git_process(cwd, *args, stdin=stdin)
    if done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@contextlib.contextmanager
def git_daemon(base: Path, *, pushes: bool = False) -> Iterator[int]:
    """`git daemon` serving every repository under ``base`` over git:// on 127.0.0.1 (a real
    network transport, unlike a path, that libgit2 clones with a URL's user and password in
    it; with ``pushes``, a push through it runs the remote's hooks); the port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    command = ["git", "daemon", "--reuseaddr", f"--base-path={base}", "--export-all"]
    command += ["--enable=receive-pack"] if pushes else []
    daemon = subprocess.Popen(
        [*command, f"--port={port}", "--listen=127.0.0.1", str(base)],
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert daemon.poll() is None, "git daemon exited"
                assert time.monotonic() < deadline, "git daemon did not listen"
                time.sleep(0.05)  # polling for the daemon's socket, not waiting out a race
        yield port
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
