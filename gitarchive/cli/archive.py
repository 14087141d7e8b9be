"""Commands that set up and refresh the archive: init, add, remove, list, sync."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gitarchive import __version__
from gitarchive.cli.common import (
    FORMAT_HELP,
    OutputFormat,
    app,
    deprecated_json_flag,
    err,
    handle_errors,
    index_call,
    open_history_store,
    open_store,
    out,
    state,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime

    from gitarchive.archive_init import SetupAction
    from gitarchive.git import Identity, Store
    from gitarchive.sync import Progress as SyncProgress
    from gitarchive.sync import SyncOptions, SyncResult


# init's install-source options (docs/ci.md): declared here, init is long enough without them
InstallFrom = Annotated[
    str,
    typer.Option(
        help="Where the workflow installs gitarchive from: pypi (gitarchive==VERSION, "
        "this version) or git (a commit of --repository: this installation's, or "
        "--install-commit)."
    ),
]
InstallRepository = Annotated[
    str | None,
    typer.Option(
        help="gitarchive's git repository for --install-from git "
        "(default: the Source URL of this installation's metadata)."
    ),
]
InstallCommit = Annotated[
    str | None,
    typer.Option(
        "--install-commit",
        help="With --install-from git: this commit (full id) instead of this installation's.",
    ),
]


@app.command()
@handle_errors
def init(
    path: Annotated[
        Path | None, typer.Argument(help="Where to create the archive (default: -C or .).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite gitarchive's own files.")] = False,
    commit: Annotated[
        bool, typer.Option(help="Commit the set-up files (only them) in a commit of their own.")
    ] = True,
    install_from: InstallFrom = "pypi",
    repository: InstallRepository = None,
    commit_id: InstallCommit = None,
) -> None:
    """Create an archive: git repository, registry, gitarchive.toml and a CI workflow."""
    from gitarchive.archive_init import init_archive
    from gitarchive.workflow import InstallSource

    # like git -C: a relative PATH is taken from the -C directory
    target = (state.directory / path if path is not None else state.directory).resolve()
    source = InstallSource(kind=install_from, repository=repository, commit=commit_id)
    store, actions, made = init_archive(
        target,
        force=force,
        version=__version__,
        source=source,
        identity=_identity if commit else None,
    )
    _print_init(store.workdir or target, actions, made)


def _print_init(root: Path, actions: list[SetupAction], made: str | None) -> None:
    out.print(f"Archive at {root}", markup=False)
    for action in actions:
        out.print(f"  {action.action:<11} {action.path}", markup=False)
    if made:
        out.print(f"committed {made[:12]}", markup=False)
    if any(action.action == "kept" for action in actions):
        err.print(
            "gitarchive: some files differ from gitarchive's and were kept; "
            "use --force to overwrite them",
            markup=False,
        )
    out.print(
        "Next: gitarchive login (your Spotify account: SPOTIFY_CLIENT_ID, then "
        "SPOTIFY_REFRESH_TOKEN), gitarchive add --mine (or add <playlist URL>), then "
        "gitarchive sync; see docs/auth.md for what each access can archive, docs/ci.md for CI.",
        markup=False,
    )


@app.command()
@handle_errors
def add(
    playlists: Annotated[
        list[str] | None,
        typer.Argument(help="Playlist ids, URLs or URIs; `liked` for your Liked Songs."),
    ] = None,
    alias: Annotated[
        str | None, typer.Option(help="Display name to use instead of Spotify's.")
    ] = None,
    commit: Annotated[bool, typer.Option(help="Commit the registry change.")] = False,
    mine: Annotated[
        bool,
        typer.Option(
            "--mine",
            help="Register every playlist you own or collaborate on (needs a user token: "
            "SPOTIFY_REFRESH_TOKEN from `gitarchive login`).",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="With --mine: list them, register nothing.")
    ] = False,
) -> None:
    """Register playlists for archiving."""
    from gitarchive import registry
    from gitarchive.errors import UsageError

    store = open_store()
    if mine == bool(playlists):
        raise UsageError("give playlist ids or URLs, or --mine (not both)")
    if dry_run and not mine:
        raise UsageError("--dry-run goes with --mine")
    if alias is not None and mine:
        raise UsageError("--alias names one playlist; it does not go with --mine")
    if mine:
        playlists = _mine(store, dry_run=dry_run)
        if not playlists:
            return
    changes, files = registry.add_entries(store, playlists or [], alias=alias)
    ids = [change.id for change in changes if change.action != "unchanged"]
    commit_id = registry.apply_registry_change(
        store,
        files,
        commit=commit,
        message=_registry_message("Register", ids),
        identity=_identity(store) if commit and files else None,
    )
    for change in changes:
        out.print(f"{change.action:<9} {change.path}", markup=False)
    if commit_id:
        out.print(f"committed {commit_id[:12]}", markup=False)


def _mine(store: Store, *, dry_run: bool) -> list[str]:
    """The user's owned and collaborative playlists not yet registered (printed on --dry-run)."""
    from gitarchive.cli.access import mine_to_add

    found = mine_to_add(store)
    if not found:
        out.print("Every playlist you own or collaborate on is registered.", markup=False)
        return []
    if dry_run:
        for summary in found:
            role = "owner" if summary.owned else "collaborator"
            tracks = "?" if summary.total is None else str(summary.total)
            out.print(f"{summary.id}  {tracks:>5}  {role:<12}  {summary.name}", markup=False)
        out.print(f"{len(found)} to register (run without --dry-run to add them)", markup=False)
        out.print("Your Liked Songs can be archived too: gitarchive add liked", markup=False)
        return []
    return [summary.id for summary in found]


@app.command()
@handle_errors
def remove(
    playlists: Annotated[list[str], typer.Argument(help="Playlist ids, URLs or URIs.")],
    purge: Annotated[bool, typer.Option(help="Also delete the archived files.")] = False,
    commit: Annotated[bool, typer.Option(help="Commit the change.")] = False,
) -> None:
    """Unregister playlists (their files and history stay unless --purge)."""
    from gitarchive import registry

    store = open_store()
    changes, files = registry.remove_entries(store, playlists, purge=purge)
    ids = [change.id for change in changes if change.action == "removed"]
    commit_id = registry.apply_registry_change(
        store,
        files,
        commit=commit,
        message=_registry_message("Unregister" if not purge else "Remove", ids),
        identity=_identity(store) if commit and files else None,
    )
    from gitarchive.formats.paths import classify  # formats imports markdown-it: not at startup

    for change in changes:
        shown = "not registered" if change.action == "absent" else change.action
        out.print(f"{shown:<14} {change.path}", markup=False)
    for path, data in sorted(files.items()):
        if data is None and classify(path).kind != "registry":
            out.print(f"{'deleted':<14} {path}", markup=False)
    if commit_id:
        out.print(f"committed {commit_id[:12]}", markup=False)


@app.command("list")
@handle_errors
def list_(
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help=FORMAT_HELP)
    ] = OutputFormat.text,
    json_output: Annotated[bool, typer.Option("--json", hidden=True)] = False,
) -> None:
    """List registered playlists: id, name, tracks, last change, status."""
    import json

    from gitarchive.listing import list_playlists
    from gitarchive.sync import last_failures

    deprecated_json_flag(json_output)
    store = open_history_store()
    rows = list_playlists(store, last_failures(store), _index_last_changes(store))
    if json_output or output_format is OutputFormat.json:
        sys.stdout.write(json.dumps([row.to_dict() for row in rows], ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
        return
    if not rows:
        out.print("No playlists registered (gitarchive add <playlist URL>).", markup=False)
        return
    if out.is_terminal:  # for a reader; a pipe gets the rows alone, for cut and awk
        # one space less after ID: TRACKS ends where the counts end
        out.print(f"{'ID':<22} {'TRACKS':>6}  {'CHANGED':<10}  NAME  [STATUS]", markup=False)
    for row in rows:
        changed = row.last_change.strftime("%Y-%m-%d") if row.last_change else "-"
        tracks = "-" if row.tracks is None else str(row.tracks)
        out.print(
            f"{row.id}  {tracks:>5}  {changed:<10}  {row.name or '-'}  [{row.status}]",
            markup=False,
        )


def _index_last_changes(store: Store) -> Callable[[], Mapping[str, datetime]] | None:
    """The plain files' last changes from the change index, when one exists (else: the walk)."""
    from gitarchive import index

    if not index.worth_reading(store):
        return None

    def read() -> Mapping[str, datetime]:
        changes: Mapping[str, datetime] = index_call(
            store, lambda found: found.last_plain_changes()
        )
        return changes

    return read


@app.command()
@handle_errors
def sync(
    only: Annotated[
        list[str] | None, typer.Option(help="Sync only these playlists (repeatable).")
    ] = None,
    no_commit: Annotated[
        bool, typer.Option("--no-commit", help="Write files but do not commit.")
    ] = False,
    push: Annotated[bool, typer.Option(help="Push the commit to the upstream remote.")] = False,
    date: Annotated[
        str | None, typer.Option(help="ISO 8601 time to record as 'now' (backfills, tests).")
    ] = None,
    message: Annotated[str | None, typer.Option(help="Commit message.")] = None,
    strict: Annotated[
        bool,
        typer.Option(help="Exit 1 when any playlist failed or a registry entry is invalid."),
    ] = False,
    accept_drops: Annotated[
        bool,
        typer.Option(
            "--accept-drops",
            help="Commit playlists whose track count fell by more than max_drop (default 50%).",
        ),
    ] = False,
    output_format: Annotated[
        OutputFormat,
        typer.Option("--format", help=FORMAT_HELP + " JSON is printed even on errors."),
    ] = OutputFormat.text,
    json_output: Annotated[bool, typer.Option("--json", hidden=True)] = False,
) -> None:
    """Fetch every registered playlist and commit what changed.

    Playlists that cannot be read, or whose track count fell past the drop limit, keep
    their files; they are reported grouped by cause and recorded in playlists/status.json.
    Under GitHub Actions the run also writes a step summary and annotations.
    """
    deprecated_json_flag(json_output)
    options = functools.partial(
        _sync_options, only, not no_commit, push, date, message, strict, accept_drops
    )
    run = _sync_json if json_output or output_format is OutputFormat.json else _sync_text
    run(options)


def _sync_options(
    only: list[str] | None,
    commit: bool,
    push: bool,
    date: str | None,
    message: str | None,
    strict: bool,
    accept_drops: bool,
) -> SyncOptions:
    """Built inside the JSON path's try: a bad --date is a document too."""
    from gitarchive.sync import SyncOptions

    return SyncOptions(
        only=tuple(only or ()),
        commit=commit,
        push=push,
        now=_sync_date(date),
        message=message,
        strict=strict,
        accept_drops=accept_drops,
    )


def _sync_text(options: Callable[[], SyncOptions]) -> None:
    result = _run_with_progress(open_store(), options(), bar=err.is_terminal)
    _print_sync_summary(result)
    _github_actions_report(result, json_output=False)
    if result.exit_code:
        raise typer.Exit(result.exit_code)


def _sync_json(options: Callable[[], SyncOptions]) -> None:
    """The sync as one JSON document on stdout, whatever happens (errors: handle_errors)."""
    result = _run_with_progress(open_store(), options(), bar=False)
    sys.stdout.write(result.to_json())
    _github_actions_report(result, json_output=True)
    if result.exit_code:
        raise typer.Exit(result.exit_code)


def _run_with_progress(store: Store, options: SyncOptions, *, bar: bool) -> SyncResult:
    """run_sync, with a transient fetch progress bar on stderr when ``bar``."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

    from gitarchive.sync import run_sync

    if not bar:
        return run_sync(store, options)
    progress_bar = Progress(
        TextColumn("fetching"), BarColumn(), MofNCompleteColumn(), console=err, transient=True
    )
    task: TaskID | None = None

    def on_progress(event: SyncProgress) -> None:
        nonlocal task
        if task is None:
            task = progress_bar.add_task("fetch", total=event.total)
        progress_bar.update(task, completed=event.done)

    with progress_bar:
        return run_sync(store, options, on_progress=on_progress)


def _identity(store: Store) -> Identity:
    from gitarchive import git
    from gitarchive.settings import load_settings

    settings = load_settings(store.workdir)
    return git.resolve_identity(store, name=settings.author_name, email=settings.author_email)


def _registry_message(verb: str, ids: list[str]) -> str:
    noun = "playlist" if len(ids) == 1 else "playlists"
    shown = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
    return f"{verb} {len(ids)} {noun}: {shown}"


def _sync_date(value: str | None) -> datetime | None:
    from datetime import UTC, datetime

    from gitarchive.errors import UsageError

    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise UsageError(
            f"--date {value!r}: not an ISO 8601 time from the year 1 to 9999 "
            "(e.g. 2026-11-28T06:00:00Z)"
        ) from None


def _github_actions_report(result: SyncResult, *, json_output: bool) -> None:
    """Under GitHub Actions: the step summary file and ::error::/::warning:: annotations."""
    import os

    from gitarchive.sync.report import step_summary, workflow_commands

    if os.environ.get("GITHUB_ACTIONS") != "true":
        return
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        try:
            with Path(summary_file).open("a", encoding="utf-8") as handle:
                handle.write(step_summary(result))
        except OSError as exc:
            err.print(f"gitarchive: warning: cannot write the step summary: {exc}", markup=False)
    # the runner reads workflow commands from stdout; with --json stdout stays pure JSON
    stream = sys.stderr if json_output else sys.stdout
    for command in workflow_commands(result):
        stream.write(command + "\n")
    stream.flush()


def _print_sync_summary(result: SyncResult) -> None:
    from gitarchive.errors import redact
    from gitarchive.sync.report import failure_lines

    stamp = result.date.strftime("%Y-%m-%d %H:%M UTC")
    for path, reason in result.invalid_entries:
        err.print(f"gitarchive: warning: {path}: {reason} (skipped)", markup=False)
    for change in result.changed:
        out.print(
            f"  changed      {change.name}  +{change.added} \u2212{change.removed}"
            + ("  (new)" if change.new else ""),
            markup=False,
        )
    for line in failure_lines(result):
        out.print(f"  failed       {line}", markup=False)
    if result.commit:
        state_text = f"commit {result.commit[:12]}" + (" pushed" if result.pushed else "")
    elif result.files_changed or result.status_changed:
        state_text = "files written, not committed"
    else:
        state_text = "no change, no commit"
    out.print(
        f"Sync {stamp}: {result.fetched} of {result.registered} playlists fetched, "
        f"{len(result.changed)} changed (+{result.tracks_added} "
        f"\u2212{result.tracks_removed} tracks); {state_text}",
        markup=False,
    )
    if result.registered and not result.fetched:
        err.print("gitarchive: error: no playlist could be fetched", markup=False)
    for warning in result.warnings:
        err.print(f"gitarchive: warning: {redact(warning)}", markup=False)
