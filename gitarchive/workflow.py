"""The GitHub Actions workflow ``init`` writes, and where it installs gitarchive from.

The workflow runs with ``contents: write`` and the Spotify secrets, so it must
install exactly the gitarchive that wrote it, from a source that exists:

* ``pypi`` (the default): ``gitarchive==<version>``, the released package pinned to
  the version that wrote the workflow.
* ``git``: ``gitarchive @ git+<repository>@<commit>``. The repository is
  ``--repository``, else the ``Source`` URL of this installation's own metadata (a
  fork's metadata names the fork); the commit is ``--install-commit``, else the one
  pip recorded for a git install (``direct_url.json``), else the HEAD of the checkout
  an editable install runs from. A commit that this checkout has but that no
  remote-tracking branch contains is refused: the runner could not fetch it.

Every action is pinned by full commit id, its release in a comment, from
:data:`PINNED_ACTIONS`; ``tests/test_workflows.py`` holds every workflow of the
project (and the one written here) to that list.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import metadata
from importlib.resources import files
from pathlib import Path
from urllib.parse import unquote, urlsplit

from gitarchive import git
from gitarchive.errors import GitArchiveError, UsageError

SOURCES = ("pypi", "git")
FALLBACK_REPOSITORY = "https://github.com/gitarchive/gitarchive"

# owner/name -> (commit, release, runtime): the current major of each action. A tag
# can be moved; a commit cannot. When you move one, take the commit the release's tag
# points at (`git ls-remote https://github.com/OWNER/NAME refs/tags/vX.Y.Z`).
PINNED_ACTIONS: dict[str, tuple[str, str, str]] = {
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1", "node24"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0", "node24"),
    "actions/cache": ("55cc8345863c7cc4c66a329aec7e433d2d1c52a9", "v6.1.0", "node24"),
    "actions/configure-pages": ("45bfe0192ca1faeb007ade9deae92b16b8254a0d", "v6.0.0", "node24"),
    "actions/upload-pages-artifact": (
        "fc324d3547104276b827a68afc52ff2a11cc49c9",
        "v5.0.0",
        "composite",  # runs upload-artifact v7 (node24) inside
    ),
    "actions/deploy-pages": ("368f82528645a54fb793d4d04e342629a3f51346", "v5.0.1", "node24"),
    "actions/upload-artifact": ("043fb46d1a93c77aae656e7c1c64a875d1fc6a0a", "v7.0.1", "node24"),
    "actions/download-artifact": ("3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "v8.0.1", "node24"),
    "pypa/gh-action-pypi-publish": (
        "dc37677b2e1c63e2034f94d8a5b11f265b73ba33",
        "v1.14.2",
        "docker",
    ),
}

_COMMIT = re.compile(r"[0-9a-f]{40}")
_RELEASE = re.compile(r"\d+(\.\d+)*")


@dataclass(frozen=True, slots=True)
class InstallSource:
    """Where the workflow installs gitarchive from (``init --install-from``)."""

    kind: str = "pypi"  # one of SOURCES
    repository: str | None = None  # git: None means "the Source URL of this installation"
    commit: str | None = None  # git: None means "the commit this installation came from"


@dataclass(frozen=True, slots=True)
class Origin:
    """What this installation knows of where it came from."""

    commit: str | None  # the commit it was built from
    checkout: Path | None  # a local repository holding that commit, to ask about remotes


def requirement(source: InstallSource, version: str) -> str:
    """The pip requirement that installs this gitarchive from ``source``."""
    if source.kind not in SOURCES:
        raise UsageError(f"--install-from {source.kind!r}: expected one of {', '.join(SOURCES)}")
    if source.kind == "pypi":
        if not _RELEASE.fullmatch(version):
            raise UsageError(
                f"gitarchive {version} is not a release on the package index: use "
                "--install-from git (with --install-commit COMMIT if this installation "
                "does not know its commit)"
            )
        return f"gitarchive=={version}"
    repository = source.repository or source_repository()
    if not repository.startswith(("https://", "file://")) or any(
        c.isspace() or c in "\"'@#" for c in repository
    ):
        raise UsageError(f"--repository {repository!r}: expected an https:// URL")
    return f"gitarchive @ git+{repository.rstrip('/')}@{_commit(source)}"


def _commit(source: InstallSource) -> str:
    if source.commit is not None:
        if not _COMMIT.fullmatch(source.commit):
            raise UsageError(
                f"--install-commit {source.commit!r}: expected a full commit id "
                "(40 hexadecimal digits, as `git rev-parse HEAD` prints it)"
            )
        return source.commit
    origin = installed_origin()
    if origin.commit is None:
        raise UsageError(
            "cannot tell which commit of gitarchive this is (not installed from git): "
            "pass --install-commit COMMIT, or use --install-from pypi for a released version"
        )
    if origin.checkout is not None and on_a_remote(origin.checkout, origin.commit) is False:
        raise UsageError(
            f"commit {origin.commit} of gitarchive is on no remote-tracking branch of "
            f"{origin.checkout}: push it first (the workflow's runner cannot fetch it), "
            "or pass --install-commit COMMIT"
        )
    return origin.commit


def on_a_remote(checkout: Path, commit: str) -> bool | None:
    """Whether some remote-tracking branch of the repository at ``checkout`` has ``commit``;
    None when that cannot be told (the repository is gone, or does not hold the commit)."""
    try:
        store = git.Store.discover(checkout)
    except GitArchiveError:
        return None
    if not git.has_commit(store, commit):
        return None
    return not git.commits_not_on_remotes(store, commit)


def source_repository() -> str:
    """The ``Source`` URL in this installation's metadata (``[project.urls]``)."""
    try:
        urls = metadata.metadata("gitarchive").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        urls = []
    for entry in urls:
        label, _, url = str(entry).partition(",")
        if label.strip().lower() == "source" and url.strip():
            return url.strip()
    return FALLBACK_REPOSITORY


def installed_origin() -> Origin:
    """The commit this installation was built from, and a checkout that has it."""
    try:
        record = metadata.distribution("gitarchive").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        record = None
    data = json.loads(record) if record else {}
    commit = data.get("vcs_info", {}).get("commit_id") if isinstance(data, dict) else None
    url = str(data.get("url", "")) if isinstance(data, dict) else ""
    local = Path(unquote(urlsplit(url).path)) if url.startswith("file://") else None
    if isinstance(commit, str):
        # pip cloned a remote URL: the commit is there; a local clone may not have pushed it
        return Origin(commit, local)
    # an editable install (or running from a checkout): the HEAD of the checkout whose
    # top holds this package
    top = Path(__file__).resolve().parent.parent
    head = git.checkout_commit(top)
    return Origin(head, top if head is not None else None)


def installed_commit() -> str | None:
    """The gitarchive commit this installation was built from, if pip or git can tell."""
    return installed_origin().commit


def documentation_url() -> str:
    """Where the workflow's messages send the reader: docs/ci.md of this installation's source."""
    return f"{source_repository().rstrip('/')}/blob/main/docs/ci.md"


def render(branch: str, version: str, source: InstallSource) -> str:
    template = files("gitarchive").joinpath("templates", "gitarchive.yml").read_text("utf-8")
    pins = {
        name.split("/")[1].replace("-", "_"): f"{name}@{commit} # {release}"
        for name, (commit, release, _) in PINNED_ACTIONS.items()
    }
    return template.format(
        branch=branch,
        version=version,
        requirement=requirement(source, version),
        docs=documentation_url(),
        **pins,
    )
