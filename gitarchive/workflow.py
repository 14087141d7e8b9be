"""The GitHub Actions workflow ``init`` writes, and where it installs gitarchive from.

The workflow runs with ``contents: write`` and the Spotify secrets, so it must
install exactly the gitarchive that wrote it, from a source that exists:

* ``git``: the commit of gitarchive's repository this installation was built from, as
  ``gitarchive @ git+<repository>@<commit>``. The commit comes from pip's record of a
  git install (``direct_url.json``), or from the checkout an editable install runs in.
* ``pypi``: ``gitarchive==<version>`` from the package index, once it is published.
* ``auto`` (the default): ``git`` when this installation knows its commit, else
  ``pypi`` for a released version, else an error that says which option to pass.

Actions are pinned by full commit id, their release in a comment; Dependabot or
``zizmor --fix`` can move them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import metadata
from importlib.resources import files
from pathlib import Path

from gitarchive import git
from gitarchive.errors import UsageError

DEFAULT_REPOSITORY = "https://github.com/gitarchive/gitarchive"
SOURCES = ("auto", "git", "pypi")

# (owner/name, commit, release): the current major versions, which run on Node 24
CHECKOUT = ("actions/checkout", "de0fac2e4500dabe0009e67214ff5f5447ce83dd", "v6.0.2")
SETUP_PYTHON = ("actions/setup-python", "a309ff8b426b58ec0e2a45f0f869d46889d02405", "v6.2.0")
PINNED_ACTIONS = (CHECKOUT, SETUP_PYTHON)

_COMMIT = re.compile(r"[0-9a-f]{40}")
_RELEASE = re.compile(r"\d+(\.\d+)*")


@dataclass(frozen=True, slots=True)
class InstallSource:
    """Where the workflow installs gitarchive from."""

    kind: str = "auto"  # one of SOURCES
    repository: str = DEFAULT_REPOSITORY
    commit: str | None = None  # git: None means "the commit this installation came from"


def requirement(source: InstallSource, version: str) -> str:
    """The pip requirement that installs this gitarchive from ``source``."""
    if source.kind not in SOURCES:
        raise UsageError(f"--install-from {source.kind!r}: expected one of {', '.join(SOURCES)}")
    commit = source.commit or (installed_commit() if source.kind != "pypi" else None)
    if source.kind == "pypi" or (source.kind == "auto" and commit is None):
        if not _RELEASE.fullmatch(version):
            raise UsageError(
                f"gitarchive {version} is not a release on the package index: "
                "use --install-from git --commit SHA"
            )
        return f"gitarchive=={version}"
    if not source.repository.startswith(("https://", "file://")) or any(
        c.isspace() or c in "\"'@#" for c in source.repository
    ):
        raise UsageError(f"--repository {source.repository!r}: expected an https:// URL")
    if commit is None or not _COMMIT.fullmatch(commit):
        raise UsageError(
            "cannot tell which commit of gitarchive this is (not installed from git): "
            "pass --commit SHA, or --install-from pypi for a released version"
        )
    return f"gitarchive @ git+{source.repository.rstrip('/')}@{commit}"


def installed_commit() -> str | None:
    """The gitarchive commit this installation was built from, if pip or git can tell."""
    try:
        record = metadata.distribution("gitarchive").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        record = None
    if record:
        data = json.loads(record)
        commit = data.get("vcs_info", {}).get("commit_id")
        if isinstance(commit, str):
            return commit
    # an editable install (or running from a checkout): the HEAD of the checkout whose
    # top holds this package
    return git.checkout_commit(Path(__file__).resolve().parent.parent)


def render(branch: str, version: str, source: InstallSource) -> str:
    template = files("gitarchive").joinpath("templates", "gitarchive.yml").read_text("utf-8")
    return template.format(
        branch=branch,
        version=version,
        requirement=requirement(source, version),
        checkout_sha=CHECKOUT[1],
        checkout_version=CHECKOUT[2],
        setup_python_sha=SETUP_PYTHON[1],
        setup_python_version=SETUP_PYTHON[2],
    )
