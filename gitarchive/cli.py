"""The command line: thin typer commands over the core modules.

This is the only module that knows about typer, rich, exit codes and the
terminal. Domain errors (``GitArchiveError``) are caught here and only here,
turned into one line on stderr and exit status 1; anything unexpected is a bug
and exits 3 with a short "please report" line; Ctrl-C exits 130.
"""

from __future__ import annotations

import functools
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from gitarchive import __version__
from gitarchive.errors import GitArchiveError

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from gitarchive.gitstore import Store
    from gitarchive.history import Change
    from gitarchive.model import Track

P = ParamSpec("P")
R = TypeVar("R")

ISSUES_URL = "https://github.com/gitarchive/gitarchive/issues"

app = typer.Typer(
    name="gitarchive",
    help="A git-native archive of Spotify playlists.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
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

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


class State:
    """Options given before the command, shared by every command."""

    def __init__(self) -> None:
        self.directory = Path.cwd()
        self.verbose = False


state = State()


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` as gitarchive's one-line error and return the Exit to raise."""
    err.print(f"gitarchive: error: {message}", markup=False)
    return typer.Exit(code)


def not_implemented(command: str) -> typer.Exit:
    return fail(f"{command}: not implemented yet")


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Map domain errors to exit 1, Ctrl-C to 130 and bugs to exit 3, at the CLI edge."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except GitArchiveError as exc:
            raise fail(str(exc)) from None
        except KeyboardInterrupt:
            err.print("gitarchive: interrupted", markup=False)
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as exc:
            if state.verbose:
                raise
            err.print(
                f"gitarchive: internal error: {type(exc).__name__}: {exc}\n"
                f"This is a bug; please report it at {ISSUES_URL} "
                "(run again with -v for the traceback).",
                markup=False,
            )
            raise typer.Exit(3) from None

    return wrapper


def _version(value: bool) -> None:
    if value:
        out.print(f"gitarchive {__version__}", markup=False)
        raise typer.Exit()


@app.callback()
def main_options(
    directory: Annotated[
        Path | None,
        typer.Option(
            "-C",
            help="Run as if started in PATH: act on the archive that contains it.",
            metavar="PATH",
            show_default=False,
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("-v", "--verbose", help="Log debug details (never secrets).")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """A git-native archive of Spotify playlists."""
    # set on every invocation: tests (and embedders) call the app more than once per process
    state.directory = Path.cwd()
    if directory is not None:
        if not directory.is_dir():
            raise fail(f"-C {directory}: no such directory")
        state.directory = directory.resolve()
    state.verbose = verbose
    if verbose:
        import logging

        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")


class HistoryFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


class CumulativeFormat(StrEnum):
    markdown = "markdown"
    json = "json"
    csv = "csv"


class ShowFormat(StrEnum):
    markdown = "markdown"
    json = "json"
    plain = "plain"


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"


# ------------------------------------------------------------------ archive setup


@app.command()
@handle_errors
def init(
    path: Annotated[
        Path | None, typer.Argument(help="Where to create the archive (default: -C or .).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite gitarchive's own files.")] = False,
) -> None:
    """Create an archive: git repository, registry, gitarchive.toml and a CI workflow."""
    from gitarchive.registry import init_archive

    # like git -C: a relative PATH is taken from the -C directory
    target = (state.directory / path if path is not None else state.directory).resolve()
    store, actions = init_archive(target, force=force, version=__version__)
    root = store.workdir or target
    out.print(f"Archive at {root}", markup=False)
    for action in actions:
        out.print(f"  {action.action:<11} {action.path}", markup=False)
    if any(action.action == "kept" for action in actions):
        err.print(
            "gitarchive: some files differ from gitarchive's and were kept; "
            "use --force to overwrite them",
            markup=False,
        )
    out.print(
        "Next: gitarchive add <playlist URL>, then gitarchive sync "
        "(set SPOTIFY_CLIENT_ID / SPOTIFY_CLIENT_SECRET; see docs/ci.md for CI).",
        markup=False,
    )


@app.command()
@handle_errors
def add(
    playlists: Annotated[list[str], typer.Argument(help="Playlist ids, URLs or URIs.")],
    alias: Annotated[
        str | None, typer.Option(help="Display name to use instead of Spotify's.")
    ] = None,
    commit: Annotated[bool, typer.Option(help="Commit the registry change.")] = False,
) -> None:
    """Register playlists for archiving."""
    from gitarchive import registry

    store = _open_store()
    changes, files = registry.add_entries(store, playlists, alias=alias)
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


@app.command()
@handle_errors
def remove(
    playlists: Annotated[list[str], typer.Argument(help="Playlist ids, URLs or URIs.")],
    purge: Annotated[bool, typer.Option(help="Also delete the archived files.")] = False,
    commit: Annotated[bool, typer.Option(help="Commit the change.")] = False,
) -> None:
    """Unregister playlists (their files and history stay unless --purge)."""
    from gitarchive import registry

    store = _open_store()
    changes, files = registry.remove_entries(store, playlists, purge=purge)
    ids = [change.id for change in changes if change.action == "removed"]
    commit_id = registry.apply_registry_change(
        store,
        files,
        commit=commit,
        message=_registry_message("Unregister" if not purge else "Remove", ids),
        identity=_identity(store) if commit and files else None,
    )
    for change in changes:
        shown = "not registered" if change.action == "absent" else change.action
        out.print(f"{shown:<14} {change.path}", markup=False)
    for path, data in sorted(files.items()):
        if data is None and not path.startswith("playlists/registry/"):
            out.print(f"{'deleted':<14} {path}", markup=False)
    if commit_id:
        out.print(f"committed {commit_id[:12]}", markup=False)


@app.command("list")
@handle_errors
def list_(
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List registered playlists: id, name, tracks, last change, status."""
    import json

    from gitarchive.registry import list_playlists
    from gitarchive.sync import last_sync_record

    store = _open_store()
    record = last_sync_record(store).get("unavailable")
    rows = list_playlists(store, record if isinstance(record, dict) else None)
    if json_output:
        sys.stdout.write(json.dumps([row.to_dict() for row in rows], ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
        return
    if not rows:
        out.print("No playlists registered (gitarchive add <playlist URL>).", markup=False)
        return
    for row in rows:
        changed = row.last_change.strftime("%Y-%m-%d") if row.last_change else "-"
        tracks = "-" if row.tracks is None else str(row.tracks)
        out.print(
            f"{row.id}  {tracks:>5}  {changed:<10}  {row.name or '-'}  [{row.status}]",
            markup=False,
        )


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
        bool, typer.Option(help="Fail on invalid registry entries or unavailable playlists.")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Fetch every registered playlist and commit what changed."""
    from gitarchive.sync import SyncOptions, run_sync

    store = _open_store()
    options = SyncOptions(
        only=tuple(only or ()),
        commit=not no_commit,
        push=push,
        now=_sync_date(date),
        message=message,
        strict=strict,
    )
    progress_bar = None
    task = None
    if err.is_terminal and not json_output:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        progress_bar = Progress(
            TextColumn("fetching"), BarColumn(), MofNCompleteColumn(), console=err, transient=True
        )

    def on_progress(event: Any) -> None:
        nonlocal task
        if progress_bar is None:
            return
        if task is None:
            task = progress_bar.add_task("fetch", total=event.total)
        progress_bar.update(task, completed=event.done)

    if progress_bar is not None:
        with progress_bar:
            result = run_sync(store, options, on_progress=on_progress)
    else:
        result = run_sync(store, options, on_progress=on_progress)
    if json_output:
        sys.stdout.write(result.to_json())
    else:
        _print_sync_summary(result)
    if result.exit_code:
        raise typer.Exit(result.exit_code)


def _open_store() -> Any:
    from gitarchive.gitstore import Store

    return Store.discover(state.directory)


def _identity(store: Any) -> Any:
    from gitarchive import gitstore
    from gitarchive.settings import load_settings

    settings = load_settings(store.workdir)
    return gitstore.resolve_identity(store, name=settings.author_name, email=settings.author_email)


def _registry_message(verb: str, ids: list[str]) -> str:
    noun = "playlist" if len(ids) == 1 else "playlists"
    shown = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
    return f"{verb} {len(ids)} {noun}: {shown}"


def _sync_date(value: str | None) -> Any:
    from datetime import UTC, datetime

    from gitarchive.errors import UsageError

    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--date {value!r}: not an ISO 8601 time (e.g. 2026-11-28T06:00:00Z)"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _print_sync_summary(result: Any) -> None:
    stamp = result.date.strftime("%Y-%m-%d %H:%M UTC")
    for path, reason in result.invalid_entries:
        err.print(f"gitarchive: warning: {path}: {reason} (skipped)", markup=False)
    for change in result.changed:
        out.print(
            f"  changed      {change.name}  +{change.added} \u2212{change.removed}"
            + ("  (new)" if change.new else ""),
            markup=False,
        )
    for missing in result.unavailable:
        label = f"{missing.name} ({missing.id})" if missing.name else missing.id
        out.print(f"  unavailable  {label}: {missing.reason}", markup=False)
    if result.commit:
        state_text = f"commit {result.commit[:12]}" + (" pushed" if result.pushed else "")
    elif result.changed and result.files_changed:
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
    if result.refresh_token_rotated:
        where = (
            f"it was written to {result.refresh_token_file}"
            if result.refresh_token_file
            else "set GITARCHIVE_REFRESH_TOKEN_FILE to have it written to a file, "
            "or run `gitarchive login` again"
        )
        err.print(
            "gitarchive: warning: Spotify issued a new refresh token and the stored one may "
            f"stop working; {where} and update SPOTIFY_REFRESH_TOKEN",
            markup=False,
        )


# ------------------------------------------------------------------------ history


@app.command()
@handle_errors
def history(
    playlist: Annotated[str, typer.Argument(help="Playlist id, URL, URI or name.")],
    output_format: Annotated[
        HistoryFormat, typer.Option("--format", help="Output format.")
    ] = HistoryFormat.text,
    since: Annotated[str | None, typer.Option(help="Only versions on or after DATE.")] = None,
    until: Annotated[str | None, typer.Option(help="Only versions on or before DATE.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most N versions.", min=1)] = None,
    reverse: Annotated[bool, typer.Option(help="Newest first.")] = False,
    likes: Annotated[bool, typer.Option(help="Show likes over time.")] = False,
) -> None:
    """A timeline of tracks added, removed and updated, rebuilt from the commit log."""
    from gitarchive import history as core
    from gitarchive import versions

    store, playlist_id = _open_playlist(playlist)
    found = versions.list_versions(store, playlist_id)
    if not found:
        raise _not_archived(playlist_id)
    changes = core.select_changes(
        core.timeline(found, likes=likes),
        since=_date_option("--since", since, end_of_day=False),
        until=_date_option("--until", until, end_of_day=True),
        limit=limit,
        reverse=reverse,
    )
    name = found[-1].playlist.display_name
    if output_format is HistoryFormat.json:
        sys.stdout.write(core.dump_json(core.history_document(playlist_id, name, changes)))
    elif output_format is HistoryFormat.markdown:
        sys.stdout.write(core.timeline_markdown(name, playlist_id, changes, likes=likes))
    else:
        _print_paged(_timeline_text(name, playlist_id, changes, likes=likes))


@app.command()
@handle_errors
def cumulative(
    playlist: Annotated[str, typer.Argument(help="Playlist id, URL, URI or name.")],
    output_format: Annotated[
        CumulativeFormat, typer.Option("--format", help="Output format.")
    ] = CumulativeFormat.markdown,
) -> None:
    """Every track the playlist ever held, with Added / Removed dates."""
    from gitarchive import formats, versions
    from gitarchive import history as core

    store, playlist_id = _open_playlist(playlist)
    view = core.fold_cumulative(versions.list_versions(store, playlist_id))
    if view is None:
        raise _not_archived(playlist_id)
    if output_format is CumulativeFormat.json:
        sys.stdout.write(core.dump_json(core.cumulative_document(view)))
    elif output_format is CumulativeFormat.csv:
        sys.stdout.write(core.cumulative_csv(view))
    else:
        github, branch = _link_settings(store)
        sys.stdout.write(formats.render_cumulative(view, github=github, branch=branch))


@app.command()
@handle_errors
def show(
    playlist: Annotated[str, typer.Argument(help="Playlist id, URL, URI or name.")],
    at: Annotated[
        str | None, typer.Option(help="A date (YYYY-MM-DD[THH:MM]) or a git revision.")
    ] = None,
    output_format: Annotated[
        ShowFormat, typer.Option("--format", help="Output format.")
    ] = ShowFormat.markdown,
) -> None:
    """The playlist as it was at a date or revision."""
    from gitarchive import formats, versions

    store, playlist_id = _open_playlist(playlist)
    _commit, version = versions.version_at(store, playlist_id, at)
    if output_format is ShowFormat.json:
        sys.stdout.write(formats.render_json(version))
    elif output_format is ShowFormat.plain:
        sys.stdout.write(formats.render_plain(version))
    else:
        github, branch = _link_settings(store)
        sys.stdout.write(formats.render_pretty(version, github=github, branch=branch))


def _open_playlist(argument: str) -> tuple[Store, str]:
    from gitarchive import versions
    from gitarchive.gitstore import Store

    store = Store.discover(state.directory)
    return store, versions.resolve_playlist(store, argument)


def _not_archived(playlist_id: str) -> GitArchiveError:
    from gitarchive.errors import PlaylistNotFound

    return PlaylistNotFound(
        f"playlist {playlist_id} has no archived version in this repository's history",
        playlist=playlist_id,
    )


def _date_option(option: str, value: str | None, *, end_of_day: bool) -> datetime | None:
    from gitarchive.errors import UsageError
    from gitarchive.versions import parse_moment

    if value is None:
        return None
    moment = parse_moment(value, end_of_day=end_of_day)
    if moment is None:
        raise UsageError(f"{option} {value!r}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z]")
    return moment


def _link_settings(store: Store) -> tuple[str | None, str]:
    """The githistory link settings sync uses: gitarchive.toml, else the origin remote."""
    from gitarchive import gitstore
    from gitarchive.settings import SETTINGS_FILE, load_settings, parse_settings

    if store.workdir is not None:
        settings = load_settings(store.workdir)
    else:
        head = store.head_id()
        data = None if head is None else store.read_file(head, SETTINGS_FILE)
        settings = parse_settings(data.decode("utf-8")) if data is not None else load_settings(None)
    return settings.github or gitstore.github_slug(store), settings.branch


def _print_paged(lines: list[Text]) -> None:
    """Like git log: coloured and paged on a terminal, plain when piped."""
    if out.is_terminal:
        os.environ.setdefault("LESS", "FRX")  # what git sets: quit if one screen, keep colours
        with out.pager(styles=True):
            for line in lines:
                out.print(line)
    else:
        for line in lines:
            out.print(line)


def _track_text(track: Track) -> str:
    artists = ", ".join(artist.name for artist in track.artists)
    return f"{track.name} — {artists} — {track.album.name}"


def _timeline_text(
    name: str, playlist_id: str, changes: list[Change], *, likes: bool
) -> list[Text]:
    from gitarchive.history import format_likes_plain

    lines: list[Text] = [Text(f"{name} ({playlist_id})", style="bold"), Text("")]
    for change in changes:
        version = change.version
        playlist = change.playlist
        lines.append(Text(f"commit {version.commit}", style="yellow"))
        lines.append(Text(f"Date:   {version.date:%Y-%m-%d %H:%M:%S} UTC"))
        if change.previous is None:
            lines.append(Text(f"    First archived version: {len(playlist.tracks)} tracks"))
        if change.name_changed and change.previous is not None:
            lines.append(
                Text(f"    Renamed: {change.previous.display_name} → {playlist.display_name}")
            )
        if change.description_changed:
            lines.append(Text(f"    Description: {playlist.description}"))
        if likes:
            delta = ""
            before = change.previous.num_followers if change.previous else None
            if before is not None and playlist.num_followers is not None:
                delta = f" ({playlist.num_followers - before:+,})"
            lines.append(Text(f"    Likes: {format_likes_plain(playlist.num_followers)}{delta}"))
        for track in change.diff.added:
            lines.append(Text(f"    + {_track_text(track)}", style="green"))
        for track in change.diff.removed:
            lines.append(Text(f"    - {_track_text(track)}", style="red"))
        for update in change.diff.updated:
            lines.append(
                Text(
                    f"    ~ {_track_text(update.before)} → {_track_text(update.after)}",
                    style="cyan",
                )
            )
        lines.append(Text(""))
    return lines


# ---------------------------------------------------------------- validate, hooks


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
    from gitarchive import validate as checks
    from gitarchive.gitstore import Store

    store = Store.discover(state.directory)
    if all_files:
        end = revision_range or "HEAD"
        if ".." in end:
            end = end.partition("..")[2] or "HEAD"
        findings = checks.validate_commit_all(store, store.resolve(end))
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
    from gitarchive.gitstore import Store

    store = Store.discover(state.directory)
    wanted = ("pre-push", "pre-commit") if pre_commit else ("pre-push",)
    for action in hooks.install(store, wanted):
        out.print(str(action), markup=False)


@hooks_app.command("uninstall")
@handle_errors
def hooks_uninstall() -> None:
    """Remove gitarchive's hooks, restoring any hook they chained."""
    from gitarchive import hooks
    from gitarchive.gitstore import Store

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
    import os

    from gitarchive import validate as checks
    from gitarchive.gitstore import Store

    store = Store.discover(state.directory)
    findings = checks.validate_framework_push(store, os.environ)
    if findings is None:
        findings = checks.validate_push(store, sys.stdin.read())
    _report_findings(findings, ValidateFormat.text, hook="pre-push")


@hook_app.command("pre-commit")
@handle_errors
def hook_pre_commit() -> None:
    """Validate the archive files staged for commit."""
    from gitarchive import validate as checks
    from gitarchive.gitstore import Store

    findings = checks.validate_staged(Store.discover(state.directory))
    _report_findings(findings, ValidateFormat.text, hook="pre-commit")


def _report_findings(
    findings: list[Any], output_format: ValidateFormat, *, hook: str | None
) -> None:
    """Print every finding; exit 1 when there is any (ValidationFailed carries them)."""
    from gitarchive import validate as checks
    from gitarchive.errors import ValidationFailed

    if output_format is ValidateFormat.json:
        typer.echo(checks.findings_json(findings))
        if findings:
            raise typer.Exit(1)
        return
    stream = err if hook else out
    for finding in findings:
        stream.print(str(finding), markup=False, emoji=False)
    if not findings:
        if hook is None:
            out.print("ok: no problems found", markup=False)
        return
    files = len({finding.path for finding in findings})
    summary = f"{len(findings)} problem(s) in {files} file(s)"
    if hook == "pre-push":
        summary += "; push rejected (fix them, or skip the check once: git push --no-verify)"
    elif hook == "pre-commit":
        summary += "; commit rejected (fix them, or skip once: git commit --no-verify)"
    raise ValidationFailed(summary, list(findings))


# --------------------------------------------------------------- login and demo


@app.command()
@handle_errors
def login(
    port: Annotated[int, typer.Option(help="Port of the local callback server.")] = 8888,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print the URL instead of opening a browser.")
    ] = False,
) -> None:
    """Authorize gitarchive with your Spotify account (PKCE) and print a refresh token."""
    import os
    import webbrowser

    from gitarchive.errors import AuthError
    from gitarchive.spotify.login import login as run_login

    client_id = os.environ.get("SPOTIFY_CLIENT_ID", "").strip()
    if not client_id:
        raise AuthError(
            "SPOTIFY_CLIENT_ID is not set: create an app at https://developer.spotify.com/dashboard"
            f" with the redirect URI http://127.0.0.1:{port}/callback and export its client id"
        )

    def show_url(url: str) -> None:
        if not no_browser and webbrowser.open(url):
            err.print("Opened the browser to authorize gitarchive. If nothing happened, open:")
        else:
            err.print("Open this URL in a browser to authorize gitarchive:")
        err.print(url, markup=False)
        err.print("Waiting for Spotify to redirect to the local callback...")

    result = run_login(client_id, port=port, show_url=show_url)
    err.print(f"Logged in (scopes: {result.scope or 'none'}). Your refresh token:")
    out.print(result.refresh_token, markup=False)
    err.print(
        "Keep it secret. It lasts six months; run `gitarchive login` again when syncs say it"
        " expired.\nStore it where the sync runs, e.g. as GitHub Actions secrets:\n"
        "  gh secret set SPOTIFY_REFRESH_TOKEN    (paste the token when asked; or run\n"
        "  `gitarchive login | gh secret set SPOTIFY_REFRESH_TOKEN`: stdout is the token alone)\n"
        f"  gh secret set SPOTIFY_CLIENT_ID --body {client_id}\n"
        "or locally: export SPOTIFY_REFRESH_TOKEN=<token>",
        markup=False,
    )


@app.command()
@handle_errors
def demo(
    path: Annotated[Path | None, typer.Argument(help="New folder for the demo archive.")] = None,
) -> None:
    """Build a demo archive from snapshots shipped with gitarchive (no network)."""
    from gitarchive import demo as demo_module

    given = path if path is not None else Path(demo_module.DEFAULT_DEMO_FOLDER)
    target = given if given.is_absolute() else state.directory / given
    shown = demo_module.display_path(target, Path.cwd())
    demo_module.check_demo_target(target)
    out.print(
        f"Building a demo archive in {shown}/ from snapshots shipped with gitarchive "
        "(no network)...",
        markup=False,
    )
    result = demo_module.build_demo(target)
    for line in demo_module.summary_lines(result, shown):
        out.print(line, markup=False)


from gitarchive import cli_site  # noqa: E402 - registers `site` once the helpers above exist

cli_site.register(app)


def main(argv: list[str] | None = None) -> Any:
    """Console entry point (``gitarchive``); ``argv`` lets tests call it in-process."""
    return app(args=argv, prog_name="gitarchive")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
