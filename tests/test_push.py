"""`sync --push` against real remotes.

Two clones of one bare remote; a pre-receive hook that refuses; a port nobody listens on;
an HTTP server that refuses every credential. The local commit always stays, the message
says what to do, and the next `sync --push` pushes it even when nothing changed.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.api import fake_id, playlist_with_tracks
from tests.support.builder import register
from tests.support.cli import run_cli_captured
from tests.support.gitcli import git
from tests.support.gitcli import git_daemon as serve_git
from tests.support.hostile import SYNC_DATE, head, new_archive, with_bare_remote

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.support.fakespotify import FakeSpotify

A = fake_id("defects-push", "a")
B = fake_id("defects-push", "b")
C = fake_id("defects-push", "c")
D = fake_id("defects-push", "d")
LATER = "2026-11-29T06:00:00Z"


@pytest.fixture
def served(fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch) -> FakeSpotify:
    fake_spotify.setenv(monkeypatch)
    fake_spotify.add_playlist(playlist_with_tracks(A, [0, 1], name="Alpha"))
    fake_spotify.add_playlist(playlist_with_tracks(B, [0], name="Beta"))
    fake_spotify.add_playlist(playlist_with_tracks(C, [2, 3], name="Gamma"))
    fake_spotify.add_playlist(playlist_with_tracks(D, [4], name="Delta"))
    return fake_spotify


def test_rebuild_keeps_the_remotes_registry_changes(
    tmp_path: Path, served: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = new_archive(tmp_path / "seed", A, C, D)
    assert run_cli_captured(capsys, "-C", str(seed), "sync", "--date", SYNC_DATE)[0] == 0
    remote = with_bare_remote(seed)
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    git(tmp_path, "clone", "-q", str(remote), str(ours))
    git(tmp_path, "clone", "-q", str(remote), str(theirs))

    # Clone 2 registers B, renames C with an alias and unregisters D, then pushes.
    for command in (["add", B, "--commit"], ["add", C, "--alias", "Renamed", "--commit"]):
        assert run_cli_captured(capsys, "-C", str(theirs), *command)[0] == 0
    assert run_cli_captured(capsys, "-C", str(theirs), "remove", D, "--commit")[0] == 0
    git(theirs, "push", "-q")

    # Clone 1, behind, syncs a change of A and pushes.
    served.add_playlist(playlist_with_tracks(A, [0, 1, 5], name="Alpha"))
    code, out, err = run_cli_captured(capsys, "-C", str(ours), "sync", "--push", "--date", LATER)
    assert code == 0, (out, err)
    assert "pushed" in out
    tip = head(remote, "main")
    assert tip == head(ours)
    registry = git(remote, "ls-tree", "--name-only", "main", "playlists/registry/").split()
    assert f"playlists/registry/{B}" in registry
    assert f"playlists/registry/{D}" not in registry
    assert git(remote, "show", f"main:playlists/registry/{C}") == "Renamed\n"
    assert "Renamed" in git(remote, "show", f"main:playlists/plain/{C}").splitlines()[0]
    assert "Track 5 of" in git(remote, "show", f"main:playlists/plain/{A}")
    assert git(ours, "status", "--porcelain") == ""


def _archive_with_remote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    root = new_archive(tmp_path / "archive", A)
    remote = with_bare_remote(root)
    return root, remote


def _reject_hook(remote: Path) -> Path:
    hook = remote / "hooks/pre-receive"
    hook.write_text("#!/bin/sh\necho 'refused by policy' >&2\nexit 1\n")
    hook.chmod(0o755)
    return hook


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Refuse(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="git"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def refusing_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refuse)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/archive.git"
    server.shutdown()
    server.server_close()


@pytest.fixture
def git_daemon(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """`git daemon` serving a folder over git:// with pushes enabled: unlike a local path
    (libgit2 writes straight into it), a push through it runs the remote's hooks."""
    base = tmp_path / "served"
    base.mkdir()
    with serve_git(base, pushes=True) as port:
        yield base, port


@pytest.mark.parametrize("failure", ["rejected", "unreachable", "authentication"])
def test_push_failures_keep_the_commit_and_the_next_sync_pushes_it(
    tmp_path: Path,
    served: FakeSpotify,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    refusing_server: str,
    git_daemon: tuple[Path, int],
    failure: str,
) -> None:
    root, remote = _archive_with_remote(tmp_path, capsys)
    remote_before = head(remote, "main")
    if failure == "rejected":
        served_remote = git_daemon[0] / "archive.git"
        remote.rename(served_remote)
        remote = served_remote
        git(root, "remote", "set-url", "origin", f"git://127.0.0.1:{git_daemon[1]}/archive.git")
        hook = _reject_hook(remote)
    elif failure == "unreachable":
        git(root, "remote", "set-url", "origin", f"http://127.0.0.1:{_closed_port()}/x.git")
    else:
        monkeypatch.setenv("GITHUB_TOKEN", "ghp_refusedrefusedrefusedrefused0000")
        git(root, "remote", "set-url", "origin", refusing_server)
    code, out, err = run_cli_captured(
        capsys, "-C", str(root), "sync", "--push", "--date", SYNC_DATE
    )
    assert code == 1, (out, err)
    assert "internal error" not in err and len(err.strip().splitlines()) == 1, err
    assert "sync --push" in err and "stays in the local branch" in err
    if failure == "rejected":
        assert "pre-receive hook declined" in err
    assert "ghp_refused" not in out + err
    committed = head(root)
    assert committed != remote_before and head(remote, "main") == remote_before
    assert git(root, "status", "--porcelain") == ""

    # the cause is fixed; nothing changed on Spotify: the waiting commit is pushed
    if failure == "rejected":
        hook.unlink()
    else:
        git(root, "remote", "set-url", "origin", str(remote))
    code, out, err = run_cli_captured(capsys, "-C", str(root), "sync", "--push", "--date", LATER)
    assert code == 0, (out, err)
    assert head(remote, "main") == committed == head(root)
    # and once pushed, a sync with no change pushes nothing more
    code, out, err = run_cli_captured(capsys, "-C", str(root), "sync", "--push", "--date", LATER)
    assert code == 0 and head(remote, "main") == committed


@pytest.mark.parametrize("setup", ["detached", "no-remote", "missing-local-remote"])
def test_push_checks_come_before_the_commit(
    tmp_path: Path, served: FakeSpotify, capsys: pytest.CaptureFixture[str], setup: str
) -> None:
    root = new_archive(tmp_path / "archive", A)
    expected = {
        "detached": "detached HEAD",
        "no-remote": "no remote 'origin'",
        "missing-local-remote": "does not exist",
    }[setup]
    if setup == "detached":
        with_bare_remote(root)
        git(root, "checkout", "-q", "--detach")
    elif setup == "missing-local-remote":
        git(root, "remote", "add", "origin", str(tmp_path / "gone.git"))
    before = head(root)
    code, out, err = run_cli_captured(
        capsys, "-C", str(root), "sync", "--push", "--date", SYNC_DATE
    )
    assert code == 1, (out, err)
    assert expected in err and "unsupported URL protocol" not in err
    assert head(root) == before
    assert git(root, "status", "--porcelain") == ""
    assert not (root / "playlists/plain").exists()


def test_remote_registration_of_an_unsynced_playlist_is_kept_for_the_next_sync(
    tmp_path: Path, served: FakeSpotify, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = new_archive(tmp_path / "seed", A)
    remote = with_bare_remote(seed)
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    git(tmp_path, "clone", "-q", str(remote), str(ours))
    git(tmp_path, "clone", "-q", str(remote), str(theirs))
    register(theirs, B)
    git(theirs, "add", "playlists")
    git(theirs, "commit", "-qm", "register B by hand")
    git(theirs, "push", "-q")
    code, out, err = run_cli_captured(capsys, "-C", str(ours), "sync", "--push", "--date", LATER)
    assert code == 0, (out, err)
    assert f"playlists/registry/{B}" in git(remote, "ls-tree", "-r", "--name-only", "main")
    assert (ours / f"playlists/registry/{B}").exists()
    # the next sync archives it
    code, out, err = run_cli_captured(
        capsys, "-C", str(ours), "sync", "--push", "--date", "2026-11-30T06:00:00Z"
    )
    assert code == 0, (out, err)
    assert f"playlists/plain/{B}" in git(remote, "ls-tree", "-r", "--name-only", "main")
