"""The hostile repository corpus.

Each repository below is what a careless collaborator, a hand edit or a hostile pull
request can leave behind. Every command (list, validate, history, cumulative, show, sync
against the fake API, add, remove) runs on each one and must:

- exit 0 or 1: never 3 (a bug), never a traceback;
- when it fails, say so in one line on stderr (validate: its findings) naming the file,
  the commit or the playlist;
- write nothing outside the repository (the parent folder, with a decoy file and a
  decoy folder that links point at, is listed with sizes and mtimes before and after);
- lose nothing: every commit reachable before stays reachable.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from typing import TYPE_CHECKING

import pygit2
import pytest

from gitarchive import formats
from tests.support.api import playlist_with_tracks
from tests.support.builder import RepoBuilder, playlist_files
from tests.support.cli import run_cli_captured
from tests.support.gitcli import git
from tests.support.hostile import snapshot_outside
from tests.support.models import PID, model_playlist, model_track

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.support.fakespotify import FakeSpotify

DECOY = "SPOTIFY_CLIENT_SECRET=decoy-outside-the-repository-77"
LONG = "L" * 500
REGISTRY = "playlists/registry"


def _version(count: int, name: str = "Mix") -> dict[str, str | None]:
    return dict(playlist_files(model_playlist(*(model_track(n) for n in range(count)), name=name)))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive of one playlist over four commits (json, pretty and plain files)."""
    root = tmp_path_factory.mktemp("hostile-template") / "repo"
    builder = RepoBuilder(root)
    builder.commit({f"{REGISTRY}/{PID}": "", **_version(2)}, date="2026-11-01T06:00:00Z")
    for day, count in ((2, 3), (3, 5), (4, 4)):
        builder.commit(_version(count), date=f"2026-11-0{day}T06:00:00Z")
    git(root, "checkout", "-q", "-f", "main")
    return root


def _commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A", "playlists")
    git(root, "commit", "-qm", message)


def _outside(root: Path) -> tuple[Path, Path]:
    """A decoy file and a decoy folder beside the repository, for links to point at."""
    secret = root.parent / "decoy-secret"
    secret.write_text(DECOY + "\n")
    folder = root.parent / "decoy-folder"
    folder.mkdir(exist_ok=True)
    (folder / "keep").write_text("keep\n")
    return secret, folder


def _entry(name: str) -> Callable[[Path], str]:
    def make(root: Path) -> str:
        (root / REGISTRY / name).write_text("")
        _commit_all(root, f"entry {name!r}")
        return name

    return make


def _entry_in_tree_only(name: str) -> Callable[[Path], str]:
    """A registry name no file system holds (500 characters): in HEAD's tree, not on disk."""

    def make(root: Path) -> str:
        repo = pygit2.Repository(str(root))
        head = repo.head.peel(pygit2.Commit)
        registry = repo.get(head.tree[REGISTRY].id)
        playlists_tree = repo.get(head.tree["playlists"].id)
        assert isinstance(registry, pygit2.Tree) and isinstance(playlists_tree, pygit2.Tree)
        folder = repo.TreeBuilder(registry)
        folder.insert(name, repo.create_blob(b""), pygit2.enums.FileMode.BLOB)
        playlists = repo.TreeBuilder(playlists_tree)
        playlists.insert("registry", folder.write(), pygit2.enums.FileMode.TREE)
        top = repo.TreeBuilder(head.tree)
        top.insert("playlists", playlists.write(), pygit2.enums.FileMode.TREE)
        signature = pygit2.Signature("Test", "test@example.invalid", 1764000000, 0)
        repo.create_commit("HEAD", signature, signature, "long", top.write(), [head.id])
        return name

    return make


def _fifo(root: Path) -> str:
    os.mkfifo(root / REGISTRY / "FFFFFFFFFFFFFFFFFFFFFF")
    return PID


def _subfolder(root: Path) -> str:
    (root / REGISTRY / "abc").mkdir()
    (root / REGISTRY / "abc/def").write_text("")
    _commit_all(root, "an id with a slash")
    return "abc/def"


def _link_at(path: str, to: str) -> Callable[[Path], str]:
    def make(root: Path) -> str:
        secret, folder = _outside(root)
        target = root / path
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
        target.symlink_to(secret if to == "file" else folder)
        return PID if PID in path else "DDDDDDDDDDDDDDDDDDDDDD"

    return make


def _committed_link(root: Path) -> str:
    _link_at(f"{REGISTRY}/DDDDDDDDDDDDDDDDDDDDDD", "file")(root)
    _commit_all(root, "a link")
    return PID


def _folder_for_file(root: Path) -> str:
    target = root / formats.json_path(PID)
    target.unlink()
    target.mkdir()
    (target / "x").write_text("mine\n")
    return PID


def _rewrite(path: str, transform: Callable[[bytes], bytes]) -> Callable[[Path], str]:
    def make(root: Path) -> str:
        file = root / path
        file.write_bytes(transform(file.read_bytes()))
        _commit_all(root, f"hand edit of {path}")
        return PID

    return make


def _garbage_deep(root: Path) -> str:
    """History rewritten with a garbage JSON version in its second of five commits."""
    repo = pygit2.Repository(str(root))
    chain = []
    commit = repo.head.peel(pygit2.Commit)
    while True:
        chain.append(commit)
        if not commit.parents:
            break
        commit = commit.parents[0]
    chain.reverse()
    json_path = formats.json_path(PID)
    tree = _replace(repo, chain[0].tree, json_path.split("/"), b'{"tracks": [garbage\n')
    signature = pygit2.Signature("Test", "test@example.invalid", 1764000000, 0)
    parent = repo.create_commit(None, signature, signature, "garbage", tree, [chain[0].id])
    for old in chain[1:]:
        parent = repo.create_commit(
            None, old.author, old.committer, old.message, old.tree_id, [parent]
        )
    repo.references.create("refs/heads/main", parent, force=True)
    return PID


def _replace(
    repo: pygit2.Repository, tree: pygit2.Tree, parts: list[str], data: bytes
) -> pygit2.Oid:
    builder = repo.TreeBuilder(tree)
    if len(parts) == 1:
        builder.insert(parts[0], repo.create_blob(data), pygit2.enums.FileMode.BLOB)
    else:
        sub = repo.get(tree[parts[0]].id)
        assert isinstance(sub, pygit2.Tree)
        builder.insert(parts[0], _replace(repo, sub, parts[1:], data), pygit2.enums.FileMode.TREE)
    return builder.write()


def _shallow(root: Path) -> str:
    source = root.parent / "source"
    root.rename(source)
    git(root.parent, "clone", "-q", "--depth", "2", f"file://{source}", str(root))
    shutil.rmtree(source)
    return PID


def _detached(root: Path) -> str:
    git(root, "checkout", "-q", "--detach", "HEAD~1")
    return PID


def _empty(root: Path) -> str:
    shutil.rmtree(root)
    pygit2.init_repository(str(root), initial_head="main")
    return PID


def _bare(root: Path) -> str:
    source = root.parent / "source"
    root.rename(source)
    git(root.parent, "clone", "-q", "--bare", str(source), str(root))
    shutil.rmtree(source)
    return PID


def _bom(data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


def _crlf(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


def _latin1(data: bytes) -> bytes:
    return data.replace(b"Mix", b"Mix \xe9t\xe9")


CASES: dict[str, Callable[[Path], str]] = {
    "id-dotdot": _entry("..%2F..%2Fetc"),
    "id-dots": _entry("...evil"),
    "id-slash": _subfolder,
    "id-newline": _entry("bad\nid"),
    "id-junk": _entry("junk!*?<>|;$(rm)"),
    "id-blank": _entry(" "),
    "id-500": _entry_in_tree_only(LONG),
    "link-plain-file": _link_at(formats.plain_path(PID), "file"),
    "link-registry-entry": _link_at(f"{REGISTRY}/DDDDDDDDDDDDDDDDDDDDDD", "file"),
    "link-registry-committed": _committed_link,
    "link-pretty-folder": _link_at("playlists/pretty", "folder"),
    "link-cumulative-folder": _link_at("playlists/cumulative", "folder"),
    "folder-for-file": _folder_for_file,
    "fifo-registry": _fifo,
    "non-utf8-plain": _rewrite(formats.plain_path(PID), _latin1),
    "non-utf8-json": _rewrite(formats.json_path(PID), _latin1),
    "crlf-pretty": _rewrite(formats.pretty_path(PID), _crlf),
    "crlf-registry": _rewrite(f"{REGISTRY}/{PID}", lambda _: b"Alias\r\n"),
    "bom-json": _rewrite(formats.json_path(PID), _bom),
    "bom-plain": _rewrite(formats.plain_path(PID), _bom),
    "garbage-deep": _garbage_deep,
    "shallow": _shallow,
    "detached": _detached,
    "empty": _empty,
    "bare": _bare,
}

COMMANDS: dict[str, Callable[[str], list[str]]] = {
    "list": lambda arg: ["list"],
    "validate": lambda arg: ["validate"],
    "validate-all": lambda arg: ["validate", "--all"],
    "history": lambda arg: ["history", arg],
    "cumulative": lambda arg: ["cumulative", arg],
    "show": lambda arg: ["show", arg],
    "sync": lambda arg: ["sync", "--date", "2026-11-28T06:00:00Z"],
    "add": lambda arg: ["add", arg],
    "add-commit": lambda arg: ["add", PID, "--commit"],
    "remove": lambda arg: ["remove", arg, "--commit"],
}


LINK_D = f"{REGISTRY}/DDDDDDDDDDDDDDDDDDDDDD"
# What a failure must name, where the case says exactly what is wrong.
NAMED: dict[tuple[str, str], str] = {
    **{("link-registry-entry", c): LINK_D for c in ("sync", "list", "add", "remove")},
    **{("link-registry-committed", c): LINK_D for c in ("sync", "list", "add", "remove")},
    ("link-pretty-folder", "sync"): "playlists/pretty: is a symbolic link",
    ("link-cumulative-folder", "sync"): "playlists/cumulative: is a symbolic link",
    ("folder-for-file", "sync"): f"{formats.json_path(PID)}: is a folder",
    ("non-utf8-json", "sync"): f"{formats.json_path(PID)}: not UTF-8",
    **{("shallow", c): "git fetch --unshallow" for c in ("history", "cumulative", "show")},
    ("bare", "validate"): "bare repository",
    ("bare", "add"): "bare",
}
# A snapshot that does not parse costs its version only: the read commands go on, read the
# page of that commit instead, and warn naming the commit and the path.
WARNED: dict[tuple[str, str], str] = {
    ("garbage-deep", "history"): f"{formats.json_path(PID)}:1: not valid JSON",
    ("garbage-deep", "cumulative"): f"{formats.json_path(PID)}:1: not valid JSON",
    ("non-utf8-json", "history"): f"{formats.json_path(PID)}: not UTF-8",
}
# validate's findings (stdout) for the cases it must flag, by rule and path
FOUND: dict[str, str] = {
    "link-registry-entry": "GA006",
    "link-registry-committed": "GA006",
    "link-plain-file": "GA006",
    "link-pretty-folder": "GA006",
    "link-cumulative-folder": "GA006",
    "id-junk": f"{REGISTRY}/junk",
    "id-slash": f"{REGISTRY}/abc",
    "id-dotdot": f"{REGISTRY}/..%2F",
    "id-newline": f"{REGISTRY}/bad",
    "non-utf8-json": formats.json_path(PID),
    "bom-json": formats.json_path(PID),
    "folder-for-file": formats.json_path(PID),
}
_NAMES_SOMETHING = re.compile(
    r"playlists/|[0-9a-f]{12}|playlist |no playlist named|not a Spotify playlist id|"
    r"repository|clone|no commit"
)


def _head(root: Path) -> str | None:
    repo = pygit2.Repository(str(root))
    return None if repo.head_is_unborn else str(repo.head.target)


def _reachable(root: Path, commit: str) -> bool:
    done = subprocess.run(
        ["git", "-C", str(root), "merge-base", "--is-ancestor", commit, "HEAD"],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_repository(
    case: str,
    command: str,
    template: Path,
    tmp_path: Path,
    fake_spotify: FakeSpotify,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_spotify.setenv(monkeypatch)
    fake_spotify.add_playlist(playlist_with_tracks(PID, [0, 1, 2], name="Mix"))
    root = tmp_path / "repo"
    shutil.copytree(template, root, symlinks=True)
    argument = CASES[case](root)
    before_head = _head(root)
    before_outside = snapshot_outside(tmp_path, root)

    code, out, err = run_cli_captured(capsys, "-C", str(root), *COMMANDS[command](argument))

    assert code in (0, 1), (code, out, err)
    assert "Traceback" not in err and "internal error" not in err, err
    assert DECOY not in out + err and "decoy-outside" not in out + err
    validating = command.startswith("validate")
    if code == 1 and not validating:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("gitarchive: error: "), err
        assert len(lines[0]) < 400 and _NAMES_SOMETHING.search(lines[0]), lines[0]
    if code == 1 and validating:
        assert out.strip() or "bare" in err or "no commit" in err, (out, err)
    if (case, command) in NAMED:
        assert code == 1 and NAMED[case, command] in err, (code, out, err)
    if (case, command) in WARNED:
        said = " ".join(err.split())  # stderr wraps long lines
        assert code == 0 and WARNED[case, command] in said, (code, out, err)
        assert f"read {formats.pretty_path(PID)} of that commit instead" in said, err
    if command == "validate" and case in FOUND:
        assert code == 1 and FOUND[case] in out, (code, out, err)
    assert snapshot_outside(tmp_path, root) == before_outside
    if before_head is not None:  # nothing archived is lost: the old HEAD is still history
        assert _reachable(root, before_head)
    if os.path.isdir(tmp_path / "decoy-folder"):
        assert sorted(p.name for p in (tmp_path / "decoy-folder").iterdir()) == ["keep"]
