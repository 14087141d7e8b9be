"""No secret reaches a file, a git object or the output: checked after every test.

The canaries are the fake Spotify's secrets (client secret, every refresh, access
token, authorization code and PKCE verifier it saw: ``login``'s output is covered), the
distinctive ``GITHUB_TOKEN`` every test runs with, and the credentials tests put into
git URLs (``import``'s output and commit messages are covered). After each test that had
any, :func:`leaked` looks in what the test printed, every regular file under its
``tmp_path`` (links are not followed) and every object of every repository there, inflated.
"""

from __future__ import annotations

import os
from pathlib import Path

import pygit2

GITHUB_TOKEN_CANARY = "ghp_gitarchiveLeakCanary0123456789abcdef"
# Credentials tests put into git URLs (``import``'s source): a user, a password, the tail of
# a password after a raw "@", and an ``access_token`` query value. Short and not token-shaped,
# so that only redacting the URL itself (not the generic token filter) keeps them out.
URL_USER_CANARY = "urlUserCanary-5k"
URL_PASSWORD_CANARY = "urlPassCanary-9q"
URL_PASSWORD_TAIL_CANARY = "urlPassTail-3zx"
URL_QUERY_CANARY = "urlQueryCanary-7w"
URL_CANARIES = frozenset(
    {URL_USER_CANARY, URL_PASSWORD_CANARY, URL_PASSWORD_TAIL_CANARY, URL_QUERY_CANARY}
)
MAX_FILE_BYTES = 20 * 1024 * 1024


def _files(root: Path) -> list[Path]:
    found = []
    for folder, _dirs, names in os.walk(root, followlinks=False):
        for name in names:
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return found


def _repositories(root: Path) -> list[Path]:
    return [
        Path(folder)
        for folder, dirs, names in os.walk(root, followlinks=False)
        if "HEAD" in names and "objects" in dirs and "refs" in dirs
    ]


def _objects(git_dir: Path) -> list[tuple[str, bytes]]:
    try:
        repo = pygit2.Repository(str(git_dir))
    except pygit2.GitError:
        return []
    found = []
    for oid in repo.odb:
        try:
            found.append((str(oid), repo.odb.read(oid)[1]))
        except pygit2.GitError:  # damaged on purpose: its raw bytes are scanned as a file
            continue
    return found


def leaked(secrets: set[str], output: str, root: Path, allowed: set[Path]) -> list[str]:
    """Where any of ``secrets`` shows: "output", a file path, or "object <id> in <repo>".

    ``allowed``: files a test asked gitarchive to keep a secret in (0600 token files).
    """
    wanted = [secret for secret in secrets if len(secret) >= 12]
    if not wanted:
        return []
    places = [f"output: {s[:12]}…" for s in wanted if s in output]
    encoded = [secret.encode() for secret in wanted]
    for path in _files(root):
        if path in allowed or path.stat().st_size > MAX_FILE_BYTES:
            continue
        data = path.read_bytes()
        places += [f"{path}: {s[:12].decode()}…" for s in encoded if s in data]
    for git_dir in _repositories(root):
        for oid, data in _objects(git_dir):
            places += [f"object {oid} in {git_dir}" for s in encoded if s in data]
    return places
