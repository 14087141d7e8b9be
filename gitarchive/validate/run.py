"""What to validate: a set of files, the working tree, a commit, a range, the index."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from gitarchive import git
from gitarchive.errors import UsageError
from gitarchive.formats.paths import PLAYLISTS_DIR, SETTINGS_PATH
from gitarchive.git.modes import changed_symlinks, staged_symlinks, tree_symlinks
from gitarchive.validate.findings import Finding
from gitarchive.validate.sources import BlobMapSource, CommitSource, MappingSource, WorkTreeSource
from gitarchive.validate.validator import Validator

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from gitarchive.git import Store


def validate_files(files: Mapping[str, bytes], paths: Iterable[str] | None = None) -> list[Finding]:
    """Validate ``paths`` (default: every archive path) of an in-memory set of files."""
    source = MappingSource(files)
    chosen = [p for p in files if p.startswith(PLAYLISTS_DIR + "/")] if paths is None else paths
    return Validator(source).run(chosen)


def symlink_findings(paths: Iterable[str], commit: str | None = None) -> list[Finding]:
    """GA006 for each symbolic link found under playlists/."""
    what = "symbolic link: nothing under playlists/ may be a link (it is never followed)"
    return [Finding("GA006", path, None, what, commit) for path in sorted(paths)]


def _worktree_files(store: Store, root: Path) -> tuple[list[str], list[str]]:
    """``(files, links)`` under playlists/ in the work tree, walked without following links."""
    files: list[str] = []
    links: list[str] = []
    if (root / PLAYLISTS_DIR).is_symlink():
        return files, [PLAYLISTS_DIR]
    for folder, dirs, names in os.walk(root / PLAYLISTS_DIR):
        here = Path(folder)
        for name in sorted(dirs + names):
            relative = (here / name).relative_to(root).as_posix()
            if git.is_ignored(store, relative):
                continue
            if (here / name).is_symlink():
                links.append(relative)
            elif name in names:
                files.append(relative)
    return sorted(files), links


def validate_worktree(store: Store) -> list[Finding]:
    """Every archive file in the working tree (plus gitarchive.toml), ignored files excepted."""
    root = store.workdir
    if root is None:
        raise UsageError("a bare repository has no working tree; use --all or a range")
    paths, links = _worktree_files(store, root)
    settings = root / SETTINGS_PATH
    if settings.is_file() and not settings.is_symlink():
        paths.append(SETTINGS_PATH)
    return symlink_findings(links) + Validator(WorkTreeSource(root)).run(paths)


def validate_worktree_paths(store: Store, paths: Iterable[str]) -> list[Finding]:
    """The given work tree files (the pre-commit framework's file list), whatever the index says.

    Paths are relative to the work tree's root; paths that are not files (deleted,
    folders) are skipped, and links under playlists/ are reported, never followed.
    """
    root = store.workdir
    if root is None:
        raise UsageError("a bare repository has no working tree")
    chosen: list[str] = []
    links: list[str] = []
    for given in sorted(set(paths)):
        path = Path(given).as_posix()
        if path.startswith(("/", "../")) or "/../" in path:
            raise UsageError(f"{given}: not a path inside the work tree")
        target = root / path
        if path.startswith(PLAYLISTS_DIR + "/") and _link_on_the_way(root, path):
            links.append(path)
        elif target.is_file() and not target.is_symlink():
            chosen.append(path)
    return symlink_findings(links) + Validator(WorkTreeSource(root)).run(chosen)


def _link_on_the_way(root: Path, path: str) -> bool:
    parts = path.split("/")
    return any((root.joinpath(*parts[: i + 1])).is_symlink() for i in range(len(parts)))


def validate_commit_all(
    store: Store, commit_id: str, *, label_commit: bool = False
) -> list[Finding]:
    """Every file of a commit: archive rules under playlists/, secrets everywhere."""
    files = git.tree_files(store, commit_id, "")
    commit = commit_id if label_commit else None
    links = tree_symlinks(store, commit_id, PLAYLISTS_DIR)
    for link in links:
        files.pop(link, None)
    source = BlobMapSource(store, files)
    # read as git reads (no hashing of each blob against its id: git.unverified_reads); a
    # whole tree's blobs, a third of the time of a clone's validation
    with git.unverified_reads():
        return symlink_findings(links, commit) + Validator(source, commit=commit).run(files)


def validate_commits(store: Store, commits: Iterable[str]) -> list[Finding]:
    """Each commit's changes against its first parent, checked at that commit.

    Checking every commit (not only the tip) matters for secrets: a token pasted
    in one commit and deleted in the next still reaches the remote's history.
    """
    findings: list[Finding] = []
    seen: set[tuple[str, str, int | None, str]] = set()
    for commit_id in commits:
        changed = git.changed_files(store, commit_id)
        links = changed_symlinks(store, commit_id, PLAYLISTS_DIR)
        for link in links:
            changed.pop(link, None)
        source = CommitSource(store, commit_id)
        found = Validator(source, commit=commit_id).run(changed)
        for finding in symlink_findings(links, commit_id) + found:
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
    links = staged_symlinks(store, PLAYLISTS_DIR)
    changed = [path for path in git.staged_changes(store) if path not in links]
    source = BlobMapSource(store, git.staged_files(store))
    return symlink_findings(links) + Validator(source).run(changed)


def validate_revision(store: Store, revision: str) -> list[Finding]:
    """The files one commit changed against its first parent."""
    return validate_commits(store, [git.resolve(store, revision)])
