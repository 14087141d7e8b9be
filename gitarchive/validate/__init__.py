"""The archive's rules, and the checks that run them (``gitarchive validate``, git hooks).

Every rule has an id (``GA001``...) that appears in each finding together with
the file and, where it can be known, the line; checks collect every finding
instead of stopping at the first. The grammar of every file is
:mod:`gitarchive.formats`' (its scanners give the documents the checks read);
this package holds only the rules:

- :mod:`.rules` the rule table (codes, severities, what each requires);
- :mod:`.checks` one module per file kind, from a scanned document to findings;
- :mod:`.validator` every rule over chosen paths of one :mod:`.sources` source;
- :mod:`.run` what to validate (files, work tree, commit, range, index);
- :mod:`.push` the pre-push hook's stdin protocol and commit selection.

Retained history: ``gitarchive remove`` keeps a playlist's files unless
``--purge``. A playlist with files but no registry entry is therefore fine as
long as its plain file is kept and its files agree with each other. Generated
files of an unregistered playlist without a plain file are orphans (GA042). A
registry entry without generated files is fine too: it waits for the next sync.
"""

from __future__ import annotations

from gitarchive.formats.paths import classify
from gitarchive.validate.checks.secrets import check_secrets
from gitarchive.validate.findings import Finding, errors, findings_json
from gitarchive.validate.push import (
    MAX_COMMITS_ONE_BY_ONE,
    PushUpdate,
    commits_to_push,
    parse_pre_push,
    validate_framework_push,
    validate_push,
)
from gitarchive.validate.rules import RULES
from gitarchive.validate.run import (
    validate_commit_all,
    validate_commits,
    validate_files,
    validate_range,
    validate_revision,
    validate_staged,
    validate_worktree,
    validate_worktree_paths,
)
from gitarchive.validate.sources import MappingSource, Source
from gitarchive.validate.validator import Validator

__all__ = [
    "MAX_COMMITS_ONE_BY_ONE",
    "RULES",
    "Finding",
    "MappingSource",
    "PushUpdate",
    "Source",
    "Validator",
    "check_secrets",
    "classify",
    "commits_to_push",
    "errors",
    "findings_json",
    "parse_pre_push",
    "validate_commit_all",
    "validate_commits",
    "validate_files",
    "validate_framework_push",
    "validate_push",
    "validate_range",
    "validate_revision",
    "validate_staged",
    "validate_worktree",
    "validate_worktree_paths",
]
