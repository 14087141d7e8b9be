"""Shared fixtures. Every test runs with git isolated from the user's configuration."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pygit2
import pytest
from hypothesis import settings

from gitarchive.demo import build_demo
from tests.support.browser import BROWSER_NEEDED, run_includes_browser_tests, system_chromium
from tests.support.demo import DemoArchive
from tests.support.fakespotify import fake_spotify, fake_spotify_dev  # noqa: F401  (fake Spotify Web API)
from tests.support.leaks import GITHUB_TOKEN_CANARY, URL_CANARIES, leaked

if TYPE_CHECKING:
    from collections.abc import Generator, Iterator
    from pathlib import Path

# CI must be reproducible (a red run can be re-run and stays red, and needs no example
# database); local runs explore new examples each time and remember failing ones. Neither has
# a deadline: shared machines make timings noise. Tests that need more examples say so.
settings.register_profile(
    "ci", derandomize=True, database=None, max_examples=100, deadline=None, print_blob=True
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")


def pytest_configure(config: pytest.Config) -> None:
    """A run that includes the browser tests stops at once, in one line, without a browser
    (rather than 8 tracebacks), and fails: it is never a skip. Checked once, by the process
    that starts the run (not by each xdist worker); a -k or -m selection may not hold the
    browser tests, and is left to them."""
    if hasattr(config, "workerinput") or config.option.keyword or config.option.markexpr:
        return
    start = config.rootpath if config.args_source is pytest.Config.ArgsSource.TESTPATHS else None
    base = start or config.invocation_params.dir
    if run_includes_browser_tests(list(config.args), base) and system_chromium() is None:
        raise pytest.UsageError(BROWSER_NEEDED)


# Pinned identity and time for every commit a test makes (pygit2 and the git CLI alike).
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.invalid",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
}


@pytest.fixture(scope="session", autouse=True)
def _isolated_git_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point libgit2's global/system/xdg config search at an empty folder."""
    empty = tmp_path_factory.mktemp("gitconfig")
    levels = (
        pygit2.enums.ConfigLevel.GLOBAL,
        pygit2.enums.ConfigLevel.XDG,
        pygit2.enums.ConfigLevel.SYSTEM,
    )
    saved = {level: pygit2.settings.search_path[level] for level in levels}
    for level in levels:
        pygit2.settings.search_path[level] = str(empty)
    yield
    for level, value in saved.items():
        pygit2.settings.search_path[level] = value


@pytest.fixture(autouse=True)
def _isolated_git_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The git CLI (used only by tests, e.g. `git push`) sees no user config either."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name, value in GIT_IDENTITY.items():
        monkeypatch.setenv(name, value)
    # A distinctive token every test runs with: the leak check looks for it everywhere.
    monkeypatch.setenv("GITHUB_TOKEN", GITHUB_TOKEN_CANARY)
    for name in (
        "SPOTIFY_CLIENT_ID",
        "SPOTIFY_CLIENT_SECRET",
        "SPOTIFY_REFRESH_TOKEN",
        "GITHUB_ACTIONS",
        "GITARCHIVE_API_URL",
        "GITARCHIVE_ACCOUNTS_URL",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def demo_archive(tmp_path_factory: pytest.TempPathFactory) -> DemoArchive:
    """The demo archive, built once per run by the real sync (35 syncs). Tests only read it;
    one that must change it works on a shutil.copytree of ``path`` (far cheaper than a build)."""
    path = tmp_path_factory.mktemp("demo") / "archive"
    return DemoArchive(path, build_demo(path))


OUTPUT = pytest.StashKey[str]()
FAKES = ("fake_spotify", "fake_spotify_dev")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep what each phase printed, for the leak check at teardown."""
    report = yield
    item.stash[OUTPUT] = item.stash.get(OUTPUT, "") + report.capstdout + report.capstderr
    return report


@pytest.fixture(autouse=True)
def _no_secret_leaks(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[None]:
    """After every test: no secret in its output, its files or its repositories' objects."""
    fakes = [request.getfixturevalue(name) for name in FAKES if name in request.fixturenames]
    yield
    secrets = {GITHUB_TOKEN_CANARY, *URL_CANARIES}
    for fake in fakes:
        secrets |= fake.secrets_seen()
    marker = request.node.get_closest_marker("secret_files")
    allowed = {tmp_path / name for name in (marker.args if marker else ())}
    places = leaked(secrets, request.node.stash.get(OUTPUT, ""), tmp_path, allowed)
    assert places == [], "secrets leaked"
