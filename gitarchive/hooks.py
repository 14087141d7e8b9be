"""Installing gitarchive's git hooks, and chaining the hooks that were there before.

``install`` writes small shell scripts (from ``gitarchive/hook_templates/``) into
the folder git runs hooks from (``core.hooksPath`` when set). A hook that is not
gitarchive's is never destroyed: it is renamed to ``<hook>.gitarchive-chained``
and our script runs it first, with the same arguments and the same stdin. Our
scripts carry a marker line, so installing again upgrades them in place and
``uninstall`` knows what it may delete (and what to restore).

The script records the interpreter that installed it (``sys.executable``), so a
hook finds gitarchive inside a virtualenv that is not on git's PATH; when that
interpreter is gone it falls back to ``gitarchive`` on PATH, then to
``python3 -m gitarchive``.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from gitarchive import git
from gitarchive.errors import ArchiveError

if TYPE_CHECKING:
    from pathlib import Path

    from gitarchive.git import Store

MARKER = "# gitarchive-managed-hook:"
CHAINED_SUFFIX = ".gitarchive-chained"
HOOKS = ("pre-push", "pre-commit")
_GIT_COMMAND = {"pre-push": "push", "pre-commit": "commit"}


@dataclass(frozen=True, slots=True)
class HookAction:
    """What install/uninstall did to one hook."""

    hook: str
    path: Path
    action: str  # installed | upgraded | chained | removed | restored | skipped
    detail: str = ""

    def __str__(self) -> str:
        text = f"{self.hook}: {self.action} {self.path}"
        return f"{text} ({self.detail})" if self.detail else text


def render_hook(hook: str, python: str | None = None) -> str:
    """The script for ``hook`` (pre-push or pre-commit), recording ``python``."""
    if hook not in HOOKS:
        raise ValueError(f"unknown hook {hook!r}")
    template = resources.files("gitarchive").joinpath("hook_templates/hook.sh").read_text("utf-8")
    return (
        template.replace("@PYTHON@", shlex.quote(python or sys.executable))
        .replace("@HOOK@", hook)
        .replace("@GITCMD@", _GIT_COMMAND[hook])
        .replace("@STDIN@", "yes" if hook == "pre-push" else "no")
    )


def is_gitarchive_hook(path: Path) -> bool:
    """Whether the file at ``path`` is a hook that gitarchive wrote (any version)."""
    try:
        head = path.read_bytes()[:2048]
    except (FileNotFoundError, IsADirectoryError):
        return False
    return MARKER.encode() in head


def install(
    store: Store, hooks: tuple[str, ...] = ("pre-push",), *, python: str | None = None
) -> list[HookAction]:
    """Install ``hooks``, chaining foreign hooks and upgrading our own."""
    folder = git.hooks_dir(store)
    try:
        return _install(folder, hooks, python)
    except OSError as exc:
        where = exc.filename or folder
        raise ArchiveError(f"cannot install hooks in {folder}: {where}: {exc.strerror}") from None


def _install(folder: Path, hooks: tuple[str, ...], python: str | None) -> list[HookAction]:
    folder.mkdir(parents=True, exist_ok=True)
    actions: list[HookAction] = []
    for hook in hooks:
        target = folder / hook
        chained = folder / (hook + CHAINED_SUFFIX)
        action = "installed"
        if target.exists() or target.is_symlink():
            if is_gitarchive_hook(target):
                action = "upgraded"
            else:
                if chained.exists() or chained.is_symlink():
                    raise ArchiveError(
                        f"{target} is not gitarchive's hook and {chained.name} already exists: "
                        "merge them by hand, then run 'gitarchive hooks install' again",
                        path=str(target),
                    )
                target.rename(chained)
                actions.append(
                    HookAction(hook, chained, "chained", f"your previous {hook} hook, run first")
                )
        temporary = folder / f".{hook}.gitarchive-tmp"
        temporary.write_text(render_hook(hook, python), encoding="utf-8")
        temporary.chmod(0o755)
        temporary.replace(target)  # atomic: git never runs a half-written hook
        actions.append(HookAction(hook, target, action))
    return actions


def uninstall(store: Store, hooks: tuple[str, ...] = HOOKS) -> list[HookAction]:
    """Remove gitarchive's hooks and put back the hooks they chained."""
    folder = git.hooks_dir(store)
    actions: list[HookAction] = []
    for hook in hooks:
        target = folder / hook
        chained = folder / (hook + CHAINED_SUFFIX)
        if target.exists() or target.is_symlink():
            if not is_gitarchive_hook(target):
                actions.append(HookAction(hook, target, "skipped", "not gitarchive's hook"))
                continue
            target.unlink()
            actions.append(HookAction(hook, target, "removed"))
        if chained.exists() or chained.is_symlink():
            chained.rename(target)
            actions.append(HookAction(hook, target, "restored", f"from {chained.name}"))
    return actions
