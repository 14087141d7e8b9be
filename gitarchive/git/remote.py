"""Remotes: pushing HEAD's branch, fetching the remote's tip.

Credentials come from the caller (a token, else the SSH agent) and never
appear in an error message: URLs are redacted before they are quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pygit2

from gitarchive.errors import PushError, redact_url_text
from gitarchive.git.faults import fault_point
from gitarchive.git.repository import current_branch
from gitarchive.git.store import Store, head_id


@dataclass(frozen=True, slots=True)
class PushTarget:
    remote: str
    local_ref: str  # refs/heads/<branch>
    remote_ref: str  # the branch on the remote
    tracking_ref: str  # refs/remotes/<remote>/<branch>


def push_target(store: Store) -> PushTarget:
    """Where HEAD's branch goes: its upstream if configured, else origin, same name."""
    branch = current_branch(store)
    if branch is None:
        raise PushError("cannot push a detached HEAD: check out a branch")
    config = store.repo.config

    def get(key: str) -> str | None:
        try:
            return str(config[key])
        except (KeyError, pygit2.GitError):
            return None

    remote = get(f"branch.{branch}.remote") or "origin"
    merge = get(f"branch.{branch}.merge") or f"refs/heads/{branch}"
    if remote not in [r.name for r in store.repo.remotes]:
        raise PushError(f"no remote {remote!r} to push to (git remote add {remote} URL)")
    _check_local_remote(store, remote)
    short = merge.removeprefix("refs/heads/")
    return PushTarget(remote, f"refs/heads/{branch}", merge, f"refs/remotes/{remote}/{short}")


def _check_local_remote(store: Store, remote: str) -> None:
    """A remote that is a path on this machine must exist (libgit2 would say
    "unsupported URL protocol")."""
    url = store.repo.remotes[remote].url or ""
    if url.startswith("file://"):
        path = url.removeprefix("file://")
    elif "://" in url or re.match(r"^[^/]+:", url):
        return  # a network URL, or scp-like host:path
    else:
        path = url
    base = store.workdir if store.workdir is not None else store.git_dir
    local = Path(path).expanduser()
    if not (base / local).exists() and not local.exists():
        raise PushError(
            f"remote {remote!r} is the local path {path}, which does not exist "
            f"(git remote set-url {remote} URL)"
        )


class _Callbacks(pygit2.RemoteCallbacks):
    def __init__(self, token: str | None) -> None:
        super().__init__()
        self._token = token
        self._asked = 0
        self.rejected: list[str] = []

    def credentials(self, url: str, username_from_url: str | None, allowed_types: Any) -> Any:
        self._asked += 1
        if self._asked > 2:
            raise PushError(f"authentication to {_redact(url)} failed")
        if self._token and allowed_types & pygit2.enums.CredentialType.USERPASS_PLAINTEXT:
            return pygit2.UserPass("x-access-token", self._token)
        if allowed_types & pygit2.enums.CredentialType.SSH_KEY:
            return pygit2.KeypairFromAgent(username_from_url or "git")
        raise PushError(
            f"{_redact(url)} needs credentials: set GITHUB_TOKEN (or use an SSH remote)"
        )

    def push_update_reference(self, refname: str, message: str | None) -> None:
        fault_point("during-push")
        if message:
            self.rejected.append(f"{refname}: {message}")


def _redact(text: str) -> str:
    return redact_url_text(text)


# libgit2's and git-receive-pack's ways of saying "the remote has commits you lack"
_REMOTE_MOVED = ("fastforward", "fetch first", "not present locally", "stale info")


def push_head(store: Store, target: PushTarget, *, token: str | None) -> bool:
    """Push HEAD's branch. False when the remote moved (not a fast-forward); PushError else."""
    remote = store.repo.remotes[target.remote]
    callbacks = _Callbacks(token)
    fault_point("before-push")
    try:
        remote.push([f"{target.local_ref}:{target.remote_ref}"], callbacks=callbacks)
    except PushError:
        raise
    except (pygit2.GitError, OSError) as exc:
        text = str(exc)
        if any(sign in text.replace("-", "") for sign in _REMOTE_MOVED):
            return False
        raise PushError(f"push to {target.remote} failed: {_redact(text)}") from None
    if callbacks.rejected:
        text = "; ".join(callbacks.rejected)
        if any(sign in text.replace("-", "") for sign in _REMOTE_MOVED):
            return False
        raise PushError(f"{target.remote} rejected the push: {_redact(text)}")
    fault_point("after-push")
    # what the remote now holds, so that `git status` does not say "ahead by 1"
    head = head_id(store)
    if head is not None:
        store.repo.references.create(target.tracking_ref, pygit2.Oid(hex=head), force=True)
    return True


def fetch_tip(store: Store, target: PushTarget, *, token: str | None) -> str | None:
    """Fetch the remote branch; its tip (None if the remote has no such branch)."""
    remote = store.repo.remotes[target.remote]
    try:
        refspec = f"+{target.remote_ref}:{target.tracking_ref}"
        remote.fetch([refspec], callbacks=_Callbacks(token))
    except PushError:
        raise
    except (pygit2.GitError, OSError) as exc:
        raise PushError(f"fetch from {target.remote} failed: {_redact(str(exc))}") from None
    ref = store.repo.references.get(target.tracking_ref)
    return None if ref is None else str(ref.resolve().target)
