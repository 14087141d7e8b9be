"""The pre-push hook: git's stdin protocol, and which commits a push sends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gitarchive import git
from gitarchive.errors import FormatError
from gitarchive.formats.paths import PLAYLISTS_DIR
from gitarchive.git.modes import changed_symlinks
from gitarchive.validate.checks.secrets import check_secrets
from gitarchive.validate.checks.text import lenient
from gitarchive.validate.run import symlink_findings, validate_commit_all, validate_commits

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from gitarchive.git import Store
    from gitarchive.validate.findings import Finding


@dataclass(frozen=True, slots=True)
class PushUpdate:
    """One line of git's pre-push input."""

    local_ref: str
    local_id: str
    remote_ref: str
    remote_id: str

    @property
    def is_deletion(self) -> bool:
        return git.is_zero_id(self.local_id)

    @property
    def is_new_branch(self) -> bool:
        return git.is_zero_id(self.remote_id)


def parse_pre_push(text: str) -> list[PushUpdate]:
    """git's pre-push stdin: ``<local ref> <local sha> <remote ref> <remote sha>`` per line."""
    updates: list[PushUpdate] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 4:
            raise FormatError(f"unexpected pre-push input: {line!r}", path="<stdin>", line=number)
        updates.append(PushUpdate(*parts))
    return updates


def commits_to_push(store: Store, updates: Iterable[PushUpdate]) -> list[str]:
    """The commits a push sends: per ref, what the remote lacks; deletions send nothing."""
    commits: list[str] = []
    seen: set[str] = set()
    for update in updates:
        if update.is_deletion:
            continue
        remote_tip = None if update.is_new_branch else git.peel_to_commit(store, update.remote_id)
        # A new branch, or a remote tip we never fetched: whatever no
        # remote-tracking ref reaches is what the remote may lack.
        hidden = [remote_tip] if remote_tip is not None else git.remote_tracking_ids(store)
        tip = git.peel_to_commit(store, update.local_id)
        if tip is None:
            continue  # a tag of a tree or blob: no commits, nothing to validate
        for commit_id in git.commits_between(store, tip, hidden):
            if commit_id not in seen:
                seen.add(commit_id)
                commits.append(commit_id)
    return commits


#: Above this many commits in one push, each pushed tip's whole tree gets the archive
#: rules instead of every commit one by one (see validate_push); secrets are still
#: searched in every pushed commit's new blobs.
MAX_COMMITS_ONE_BY_ONE = 200


def validate_push(
    store: Store, stdin_text: str, *, max_commits: int = MAX_COMMITS_ONE_BY_ONE
) -> list[Finding]:
    """The pre-push hook: validate every commit being pushed, and only those.

    A push of more than ``max_commits`` commits is usually the first push of a
    long history to a new remote (an imported archive): checking thousands of
    commits one by one would take minutes, so each pushed tip's whole tree gets
    the archive rules, and every blob any pushed commit adds is searched for
    secrets, each distinct blob once (a token added in one commit and removed in
    the next still reaches the remote's history).
    """
    updates = parse_pre_push(stdin_text)
    commits = commits_to_push(store, updates)
    if len(commits) <= max_commits:
        return validate_commits(store, commits) + secrets_in_messages(store, commits)
    findings: list[Finding] = []
    tips = dict.fromkeys(update.local_id for update in updates if not update.is_deletion)
    for tip in tips:
        findings.extend(validate_commit_all(store, tip, label_commit=True))
    for commit_id in commits:  # a link in any pushed commit, not only in the tips
        findings += symlink_findings(changed_symlinks(store, commit_id, PLAYLISTS_DIR), commit_id)
    found = findings + secrets_in_new_blobs(store, commits) + secrets_in_messages(store, commits)
    return _unique(found)


#: The path a finding in a commit message names (no file holds it).
MESSAGE_PATH = "<commit message>"


def secrets_in_messages(store: Store, commits: Iterable[str]) -> list[Finding]:
    """Secrets in the pushed commits' messages: the remote keeps them as long as any file."""
    findings: list[Finding] = []
    for commit_id in commits:
        message = git.commit_info(store, commit_id).message
        findings.extend(f.at(commit_id) for f in check_secrets(MESSAGE_PATH, message))
    return findings


def secrets_in_new_blobs(store: Store, commits: Iterable[str]) -> list[Finding]:
    """Secrets in the blobs the commits add or change, each distinct blob read once."""
    findings: list[Finding] = []
    seen: set[str] = set()
    for commit_id in commits:
        for path, blob in sorted(git.changed_files(store, commit_id).items()):
            if blob is None or blob in seen:
                continue
            seen.add(blob)
            data = git.read_blob(store, blob)
            if b"\0" not in data[:8000]:  # binary files hold no pasted tokens
                found = check_secrets(path, lenient(data))
                findings.extend(finding.at(commit_id) for finding in found)
    return findings


def _unique(findings: list[Finding]) -> list[Finding]:
    """One finding per problem: a secret still in a tip is found by both passes."""
    seen: set[tuple[str, str, int | None, str]] = set()
    kept: list[Finding] = []
    for finding in findings:
        key = (finding.rule, finding.path, finding.line, finding.message)
        if key not in seen:
            seen.add(key)
            kept.append(finding)
    return kept


def validate_framework_push(store: Store, env: Mapping[str, str]) -> list[Finding] | None:
    """The pre-push stage of the pre-commit framework, which passes refs in the environment.

    The framework swallows git's stdin and sets ``PRE_COMMIT_FROM_REF`` /
    ``PRE_COMMIT_TO_REF`` instead; None when those are not set.
    """
    tip = env.get("PRE_COMMIT_TO_REF")
    if not tip:
        return None
    base = env.get("PRE_COMMIT_FROM_REF", "")
    tip_id = git.resolve(store, tip)
    if base and not git.is_zero_id(base) and git.has_commit(store, base):
        commits = git.commits_between(store, tip_id, [git.resolve(store, base)])
    else:
        commits = git.commits_not_on_remotes(store, tip_id)
    return validate_commits(store, commits) + secrets_in_messages(store, commits)
