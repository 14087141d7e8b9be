"""Helpers for the validate and hooks tests: archive files from the renderers, pygit2 commits.

Everything is built with ``gitarchive.formats`` and pygit2, so the
tests do not depend on ``sync``. Secrets are assembled at run time so that this
repository never holds anything that looks like a real token.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pygit2

from gitarchive import formats
from gitarchive.history import update_cumulative
from gitarchive.model import Album, Artist, Owner, Playlist, Track

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

DATA = Path(__file__).resolve().parent.parent / "data"
SEED_ID = "37i9dQZF1DX5LEXW9eXA0n"
DAY = date(2026, 11, 1)


def seed_playlist() -> Playlist:
    text = (DATA / f"pretty-{SEED_ID}.json").read_text(encoding="utf-8")
    return formats.read_json(text, SEED_ID)


def playlist_id(number: int) -> str:
    return f"pl{number:020d}"


def make_playlist(number: int, *, tracks: int = 6, name: str | None = None) -> Playlist:
    """A playlist with hostile-ish names: pipes, brackets, mixed case, ' -- '-free lines."""
    pid = playlist_id(number)
    items = []
    for position in range(tracks):
        tag = f"{number:04d}{position:04d}"
        items.append(
            Track(
                name=["zeta | pipe", "Alpha [x]", "beta_(y)", "Gamma*", "delta~", "Épée"][
                    position % 6
                ]
                + f" {tag}",
                artists=(
                    Artist(f"Artist {position}", f"https://open.spotify.com/artist/ar{tag:0>20}"),
                ),
                album=Album(f"Album {position}", f"https://open.spotify.com/album/al{tag:0>20}"),
                url=f"https://open.spotify.com/track/tr{tag:0>20}",
                duration_ms=150_000 + 7_919 * position + number,
                added_at=datetime(2026, 1, 1 + position % 28, 12, 0, tzinfo=UTC),
            )
        )
    title = name if name is not None else f"Playlist {number}"
    return Playlist(
        id=pid,
        original_name=title,
        unique_name=title,
        description=f"Description of {title}.",
        tracks=tuple(items),
        snapshot_id="MTY1MzcwMDAyMCwwMDAwMDAwMDRlYWVkNmZmODZmMWMyMzdiYWJkZmIw",
        num_followers=1000 + number,
        owner=Owner("Owner", "https://open.spotify.com/user/owner"),
    )


def playlist_files(playlist: Playlist, *, registered: bool = True) -> dict[str, bytes]:
    files = {
        formats.plain_path(playlist.id): formats.render_plain(playlist).encode(),
        formats.pretty_path(playlist.id): formats.render_pretty(
            playlist, github="someone/archive"
        ).encode(),
        formats.json_path(playlist.id): formats.render_json(playlist).encode(),
        formats.cumulative_path(playlist.id): formats.render_cumulative(
            update_cumulative(None, playlist, DAY), github="someone/archive"
        ).encode(),
    }
    if registered:
        files[formats.registry_path(playlist.id)] = b""
    return files


def archive_files(
    playlists: Iterable[Playlist], *, unregistered: Iterable[Playlist] = ()
) -> dict[str, bytes]:
    """A complete archive: every playlist's files and the index of the registered ones."""
    files: dict[str, bytes] = {}
    registered = list(playlists)
    for playlist in registered:
        files.update(playlist_files(playlist))
    for playlist in unregistered:
        files.update(playlist_files(playlist, registered=False))
    entries = [(p.id, p.unique_name) for p in registered]
    files[formats.INDEX_PATH] = formats.render_index(entries).encode()
    return files


def github_token() -> str:
    return "ghp" + "_" + "Zx9" * 12


def spotify_access_token() -> str:
    return "B" + "Q" + "Ab3-_xY9" * 20


def spotify_refresh_token() -> str:
    return "A" + "Q" + "Cd4_-zW8" * 16


def client_secret() -> str:
    return "0123456789abcdef" + "fedcba9876543210"


def commit(
    repo: pygit2.Repository,
    files: Mapping[str, bytes | None],
    message: str = "archive",
    *,
    ref: str = "HEAD",
    parents: list[str] | None = None,
    checkout: bool = True,
) -> str:
    """A commit of the parent's tree plus ``files`` (None deletes); optionally written to disk."""
    if parents is None:
        parents = [] if repo.head_is_unborn else [str(repo.head.target)]
    index = pygit2.Index()
    if parents:
        parent = repo.get(parents[0])
        assert isinstance(parent, pygit2.Commit)
        index.read_tree(parent.tree)
    for path, data in files.items():
        if data is None:
            if path in index:
                index.remove(path)
            continue
        blob = repo.create_blob(data)
        index.add(pygit2.IndexEntry(path, blob, pygit2.enums.FileMode.BLOB))
    tree = index.write_tree(repo)
    signature = pygit2.Signature("Test", "test@example.invalid", 1767225600, 0)
    commit_id = repo.create_commit(
        ref, signature, signature, message, tree, [pygit2.Oid(hex=p) for p in parents]
    )
    if checkout and repo.workdir and ref == "HEAD":
        root = Path(repo.workdir)
        for path, data in files.items():
            target = root / path
            if data is None:
                target.unlink(missing_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        repo.index.read_tree(repo.get(commit_id).tree)  # type: ignore[union-attr]
        repo.index.write()
    return str(commit_id)
