"""Commands that check files: validate, and the git hooks (install, uninstall, run)."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer

from gitarchive.cli.common import (
    app,
    err,
    handle_errors,
    out,
    state,
)

hooks_app = typer.Typer(
    help="Install or remove gitarchive's git hooks.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


hook_app = typer.Typer(
    help="Run a git hook's checks (called by the installed hook scripts).",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


app.add_typer(hooks_app, name="hooks")
app.add_typer(hook_app, name="hook")


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
@handle_errors
def validate(
    revision_range: Annotated[
        str | None, typer.Argument(help="Validate only files changed in A..B.")
    ] = None,
    all_files: Annotated[
        bool, typer.Option("--all", help="Validate every file at HEAD (or the range's end).")
    ] = False,
    output_format: Annotated[
        ValidateFormat, typer.Option("--format", help="Output format.")
    ] = ValidateFormat.text,
) -> None:
    """Check the archive's files against gitarchive's rules.

    Default: the working tree's archive files. --all: every file at HEAD (or at
    the range's end). A range A..B: each commit's changed files (REV alone: the
    files that commit changed).
    """
    from gitarchive import git
    from gitarchive import validate as checks
    from gitarchive.git import Store

    store = Store.discover(state.directory)
    if all_files:
        end = revision_range or "HEAD"
        if ".." in end:
            end = end.partition("..")[2] or "HEAD"
        findings = checks.validate_commit_all(store, git.resolve(store, end))
    elif revision_range is None:
        findings = checks.validate_worktree(store)
    elif ".." in revision_range:
        findings = checks.validate_range(store, revision_range)
    else:
        findings = checks.validate_revision(store, revision_range)
    _report_findings(findings, output_format, hook=None)


@hooks_app.command("install")
@handle_errors
def hooks_install(
    pre_commit: Annotated[
        bool, typer.Option("--pre-commit", help="Also install the pre-commit hook.")
    ] = False,
) -> None:
    """Install the pre-push hook (chaining any hook already there)."""
    from gitarchive import hooks
    from gitarchive.git import Store

    store = Store.discover(state.directory)
    wanted = ("pre-push", "pre-commit") if pre_commit else ("pre-push",)
    for action in hooks.install(store, wanted):
        out.print(str(action), markup=False)


@hooks_app.command("uninstall")
@handle_errors
def hooks_uninstall() -> None:
    """Remove gitarchive's hooks, restoring any hook they chained."""
    from gitarchive import hooks
    from gitarchive.git import Store

    actions = hooks.uninstall(Store.discover(state.directory))
    for action in actions:
        out.print(str(action), markup=False)
    if not actions:
        out.print("no gitarchive hooks installed", markup=False)


@hook_app.command("pre-push")
@handle_errors
def hook_pre_push(
    remote_name: Annotated[str, typer.Argument(help="Name of the remote.")] = "",
    remote_url: Annotated[str, typer.Argument(help="URL of the remote.")] = "",
) -> None:
    """Validate the commits being pushed (reads git's pre-push stdin)."""

    from gitarchive import validate as checks
    from gitarchive.git import Store

    store = Store.discover(state.directory)
    findings = checks.validate_framework_push(store, os.environ)
    if findings is None:
        findings = checks.validate_push(store, sys.stdin.read())
    _report_findings(findings, ValidateFormat.text, hook="pre-push")


@hook_app.command("pre-commit")
@handle_errors
def hook_pre_commit(
    files: Annotated[
        list[str] | None,
        typer.Argument(
            help="Validate these work tree files (the pre-commit framework passes them; "
            "with --all-files, every file). None: the files staged for commit."
        ),
    ] = None,
) -> None:
    """Validate the archive files staged for commit, or the files given."""
    from gitarchive import validate as checks
    from gitarchive.git import Store

    store = Store.discover(state.directory)
    if files:
        findings = checks.validate_worktree_paths(store, files)
    else:
        findings = checks.validate_staged(store)
    _report_findings(findings, ValidateFormat.text, hook="pre-commit")


def _report_findings(
    findings: list[Any], output_format: ValidateFormat, *, hook: str | None
) -> None:
    """Print every finding; exit 1 when there is any (ValidationFailed carries them)."""
    from gitarchive import validate as checks
    from gitarchive.errors import ValidationFailed

    failing = checks.errors(findings)  # notes (e.g. legacy layouts) are shown, never fail
    if output_format is ValidateFormat.json:
        typer.echo(checks.findings_json(findings))
        if failing:
            raise typer.Exit(1)
        return
    stream = err if hook else out
    for finding in findings:
        stream.print(str(finding), markup=False, emoji=False)
    if not failing:
        if hook is None:
            out.print("ok: no problems found", markup=False)
        return
    findings = failing
    files = len({finding.path for finding in findings})
    summary = f"{len(findings)} problem(s) in {files} file(s)"
    if hook == "pre-push":
        summary += "; push rejected (fix them, or skip the check once: git push --no-verify)"
    elif hook == "pre-commit":
        summary += "; commit rejected (fix them, or skip once: git commit --no-verify)"
    raise ValidationFailed(summary, list(findings))
