"""What to validate: a set of files, the working tree, a commit, a range, the index."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive import git
from gitarchive.errors import UsageError
from gitarchive.formats.paths import PLAYLISTS_DIR, SETTINGS_PATH
from gitarchive.validate.sources import BlobMapSource, CommitSource, MappingSource, WorkTreeSource
from gitarchive.validate.validator import Validator

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from gitarchive.git import Store
    from gitarchive.validate.findings import Finding


def validate_files(files: Mapping[str, bytes], paths: Iterable[str] | None = None) -> list[Finding]:
    """Validate ``paths`` (default: every archive path) of an in-memory set of files."""
    source = MappingSource(files)
    chosen = [p for p in files if p.startswith(PLAYLISTS_DIR + "/")] if paths is None else paths
    return Validator(source).run(chosen)


def validate_worktree(store: Store) -> list[Finding]:
    """Every archive file in the working tree (plus gitarchive.toml), ignored files excepted."""
    root = store.workdir
    if root is None:
        raise UsageError("a bare repository has no working tree; use --all or a range")
    paths: list[str] = []
    base = root / PLAYLISTS_DIR
    if base.is_dir():
        for file in sorted(base.rglob("*")):
            if file.is_file():
                relative = file.relative_to(root).as_posix()
                if not git.is_ignored(store, relative):
                    paths.append(relative)
    if (root / SETTINGS_PATH).is_file():
        paths.append(SETTINGS_PATH)
    return Validator(WorkTreeSource(root)).run(paths)


def validate_commit_all(
    store: Store, commit_id: str, *, label_commit: bool = False
) -> list[Finding]:
    """Every file of a commit: archive rules under playlists/, secrets everywhere."""
    files = git.tree_files(store, commit_id, "")
    commit = commit_id if label_commit else None
    return Validator(BlobMapSource(store, files), commit=commit).run(files)


def validate_commits(store: Store, commits: Iterable[str]) -> list[Finding]:
    """Each commit's changes against its first parent, checked at that commit.

    Checking every commit (not only the tip) matters for secrets: a token pasted
    in one commit and deleted in the next still reaches the remote's history.
    """
    findings: list[Finding] = []
    seen: set[tuple[str, str, int | None, str]] = set()
    for commit_id in commits:
        changed = git.changed_files(store, commit_id)
        source = CommitSource(store, commit_id)
        for finding in Validator(source, commit=commit_id).run(changed):
            key = (finding.rule, finding.path, finding.line, finding.message)
            if key not in seen:  # the same unchanged problem reported once, at its first commit
                seen.add(key)
                findings.append(finding)
    return findings


def validate_range(store: Store, revision_range: str) -> list[Finding]:
    """Files changed by each commit of ``A..B`` (``A..`` means ``A..HEAD``)."""
    if ".." not in revision_range or "..." in revision_range:
        raise UsageError(f"not a range A..B: {revision_range!r}")
    base, _, tip = revision_range.partition("..")
    tip_id = git.resolve(store, tip or "HEAD")
    hidden = [git.resolve(store, base)] if base else []
    return validate_commits(store, git.commits_between(store, tip_id, hidden))


def validate_staged(store: Store) -> list[Finding]:
    """Files staged for the next commit (the pre-commit hook)."""
    changed = git.staged_changes(store)
    source = BlobMapSource(store, git.staged_files(store))
    return Validator(source).run(changed)


def validate_revision(store: Store, revision: str) -> list[Finding]:
    """The files one commit changed against its first parent."""
    return validate_commits(store, [git.resolve(store, revision)])
