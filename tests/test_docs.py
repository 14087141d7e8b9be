"""The docs cannot drift: the CLI reference is generated, and the README's links resolve."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from gitarchive import docgen

ROOT = Path(__file__).resolve().parent.parent
CLI_MD = ROOT / "docs" / "cli.md"
REGENERATE = "python -m gitarchive.docgen > docs/cli.md"


def test_committed_cli_reference_is_what_the_app_generates() -> None:
    committed = CLI_MD.read_text(encoding="utf-8")
    assert committed == docgen.render_reference(), (
        f"docs/cli.md is out of date with the CLI; regenerate it: {REGENERATE}"
    )


def test_every_command_argument_and_option_has_help_text() -> None:
    assert docgen.undocumented() == []


def test_reference_lists_every_command_and_option_of_the_app() -> None:
    text = CLI_MD.read_text(encoding="utf-8")
    for command in docgen.commands():
        assert f"## {command.title}\n" in text
        for param in command.params:
            assert param.declaration.replace("|", "\\|") in text


def test_undocumented_finds_a_missing_command_or_option_help() -> None:
    app = typer.Typer(help="A test app.")

    @app.command()
    def documented(
        flag: Annotated[bool, typer.Option(help="Has help.")] = False,
    ) -> None:
        """Has help."""

    @app.command()
    def bare(
        name: Annotated[str, typer.Argument()] = "x",
        level: Annotated[int, typer.Option()] = 1,
    ) -> None:
        pass

    assert docgen.undocumented(app) == [
        "gitarchive bare: command has no help text",
        "gitarchive bare: argument name has no help text",
        "gitarchive bare: option level has no help text",
    ]


def test_module_prints_the_reference() -> None:
    # The documented way to regenerate, run as a user would.
    result = subprocess.run(
        [sys.executable, "-m", "gitarchive.docgen"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert result.stdout == docgen.render_reference()


# The README is the package description too: on a package page relative links break, so
# links to the repository's files are absolute, to its main branch.
REPOSITORY_FILES = re.compile(r"^https://github\.com/gitarchive/gitarchive/(?:blob|tree)/main/")


def _readme_targets() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"\]\(([^)\s]+)\)", readme)


def _readme_links() -> list[str]:
    """The repository files the README links to, as paths from the root."""
    return [REPOSITORY_FILES.sub("", t) for t in _readme_targets() if REPOSITORY_FILES.match(t)]


def test_readme_links_are_absolute() -> None:
    relative = [t for t in _readme_targets() if not re.match(r"^[a-z]+:", t)]
    assert relative == [], "relative links break on the package page"


def test_every_local_file_the_readme_links_to_exists() -> None:
    missing = [t for t in _readme_links() if not (ROOT / t.split("#")[0]).exists()]
    assert missing == []


def test_readme_links_every_docs_page() -> None:
    linked = {Path(t.split("#")[0]).as_posix() for t in _readme_links()}
    pages = {p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md")}
    assert pages - linked == set(), "docs pages the README does not link to"
