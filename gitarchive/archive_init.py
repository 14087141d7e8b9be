"""``gitarchive init``: an archive's set-up files (settings, workflow, registry folder).

The files are rendered for the repository's own branch. Nothing the user wrote is
overwritten without ``force``, and with an identity the set-up files are committed
in a commit of their own, built from HEAD's tree: whatever else the user staged or
changed stays as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files
from typing import TYPE_CHECKING

from gitarchive import git
from gitarchive.errors import SettingsError, UsageError
from gitarchive.formats.paths import REGISTRY_DIR
from gitarchive.settings import SETTINGS_FILE, parse_settings
from gitarchive.workflow import InstallSource, render

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from gitarchive.git import Store

WORKFLOW_PATH = ".github/workflows/gitarchive.yml"
KEEP_PATH = f"{REGISTRY_DIR}/.gitkeep"
_DEFAULT_BRANCH_LINE = '# branch = "main"'


@dataclass(frozen=True, slots=True)
class SetupAction:
    path: str
    action: str  # "created", "unchanged", "kept", "overwritten"


def _template(name: str) -> str:
    return files("gitarchive").joinpath("templates", name).read_text(encoding="utf-8")


def setup_files(branch: str, version: str, source: InstallSource | None = None) -> dict[str, bytes]:
    """The files ``init`` writes, rendered for this branch and gitarchive version."""
    workflow = render(branch, version, source or InstallSource())
    return {
        KEEP_PATH: b"",
        SETTINGS_FILE: _settings_text(branch).encode(),
        WORKFLOW_PATH: workflow.encode(),
    }


def _settings_text(branch: str) -> str:
    """The settings template; on a branch other than main, its ``branch`` line is set, so
    that every page links to the branch the archive lives on."""
    text = _template(SETTINGS_FILE)
    if branch == "main":
        return text
    line = f"branch = {json.dumps(branch, ensure_ascii=False)}"
    try:
        parse_settings(line)
    except SettingsError:
        return text  # a branch no page can link to: the links stay off until it is set
    return text.replace(_DEFAULT_BRANCH_LINE, line, 1)


def init_archive(
    path: Path,
    *,
    force: bool = False,
    version: str = "0.0.0",
    source: InstallSource | None = None,
    identity: Callable[[Store], git.Identity] | None = None,
    now: datetime | None = None,
) -> tuple[Store, list[SetupAction], str | None]:
    """Create (or complete) an archive at ``path``; never overwrite without ``force``.

    With ``identity``, the files it wrote (and set-up files that are on disk as
    gitarchive writes them but not committed yet) are committed in a commit of
    their own. Returns the store, what happened to each file, and the commit.
    """
    store = git.init_repository(path)
    branch = _branch_to_set_up(store, path)
    actions, to_write, to_commit = _plan_setup(store, setup_files(branch, version, source), force)
    if identity is None or not to_commit:
        git.write_worktree_files(store, to_write)
        return store, actions, None
    try:
        who = identity(store)  # before anything is written: a refusal leaves no half set-up
    except SettingsError as exc:
        raise SettingsError(f"{exc} (or run init --no-commit)") from None
    git.write_worktree_files(store, {p: d for p, d in to_write.items() if p not in to_commit})
    with git.ArchiveLock(store):
        commit_id = git.commit_changes(
            store,
            to_commit,
            message="Set up gitarchive: settings, workflow, registry",
            identity=who,
            when=now or datetime.now(UTC),
        )
    return store, actions, commit_id


def _branch_to_set_up(store: Store, path: Path) -> str:
    """The branch HEAD is on; a bare repository or a detached HEAD is refused."""
    if store.workdir is None:
        raise UsageError(f"{path} is a bare repository: init needs a work tree")
    branch = git.current_branch(store)
    if branch is None:
        head = git.head_id(store) or ""
        raise UsageError(
            f"HEAD is detached (at {head[:12]}): a sync commits to a branch; "
            "check out the archive's branch (git switch BRANCH), then run init again"
        )
    return branch


def _plan_setup(
    store: Store, wanted: dict[str, bytes], force: bool
) -> tuple[list[SetupAction], dict[str, bytes | None], dict[str, bytes | None]]:
    """What happens to each set-up file, the files to write, and the files to commit."""
    head = git.head_id(store)
    actions: list[SetupAction] = []
    to_write: dict[str, bytes | None] = {}
    to_commit: dict[str, bytes | None] = {}
    for relative, data in wanted.items():
        existing = git.read_worktree_file(store, relative)
        if existing is None:
            action = "created"
        elif existing == data:
            action = "unchanged"
        else:
            action = "overwritten" if force else "kept"
        if action in ("created", "overwritten"):
            to_write[relative] = data
        if action != "kept" and (head is None or git.read_file(store, head, relative) != data):
            to_commit[relative] = data
        actions.append(SetupAction(relative, action))
    return actions, to_write, to_commit
