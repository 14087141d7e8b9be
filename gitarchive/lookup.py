"""What a user typed for a playlist (an id, URL or URI, or a name) to its id."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from gitarchive import formats, git
from gitarchive.errors import FormatError, PlaylistNotFound, UsageError
from gitarchive.formats.paths import ALIASES_DIR, PRETTY_DIR, REGISTRY_DIR, classify
from gitarchive.model import is_playlist_id, parse_playlist_id
from gitarchive.version_reader import JSON, read_source

if TYPE_CHECKING:
    from gitarchive.git import Store


def resolve_playlist(store: Store, argument: str) -> str:
    """What a user typed (id, URL, URI or name) to a playlist id.

    Names are matched against HEAD: the unique names of ``index.md``, the
    aliases in ``registry/``, and the names in the JSON snapshots. Exact
    matches win over case-insensitive ones; an ambiguous name is an error that
    lists the candidates.
    """
    try:
        return parse_playlist_id(argument)
    except UsageError:
        pass
    head = git.head_id(store)
    if head is None:
        raise PlaylistNotFound(
            f"no playlist named {_shorten(argument)!r}: the archive has no commits"
        )
    wanted = argument.strip()
    names = _names_at(store, head, snapshots=False)
    found = _match_name(names, wanted)
    if found is None:
        names |= _names_at(store, head, snapshots=True)
        found = _match_name(names, wanted)
    if found is None:
        raise PlaylistNotFound(
            f"no playlist named {_shorten(wanted)!r} "
            "(give an id, URL or URI, or a name from index.md)"
        )
    return found


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _match_name(names: set[tuple[str, str]], wanted: str) -> str | None:
    folded = wanted.casefold()
    exact = sorted({(pid, name) for pid, name in names if name == wanted})
    loose = sorted({(pid, name) for pid, name in names if name.casefold() == folded})
    for matches in (exact, loose):
        ids = {pid for pid, _ in matches}
        if len(ids) == 1:
            return ids.pop()
        if len(ids) > 1:
            candidates = ", ".join(f"{pid} ({name})" for pid, name in matches)
            raise UsageError(
                f"the name {wanted!r} matches several playlists: {candidates}; pass the id instead"
            )
    return None


def _names_at(store: Store, commit: str, *, snapshots: bool) -> set[tuple[str, str]]:
    """(id, name) pairs at a commit: index and registry, or the JSON snapshots' names."""
    names: set[tuple[str, str]] = set()
    if snapshots:
        return _snapshot_names(store, commit)
    index = git.read_file(store, commit, formats.INDEX_PATH)
    if index is not None:
        # a broken index must not hide the other sources of names
        with contextlib.suppress(FormatError, UnicodeDecodeError):
            names.update(formats.read_index(index.decode("utf-8"), path=formats.INDEX_PATH))
    # spotify-playlist-archive kept its aliases in aliases/<id> before registry/ existed
    for folder in (REGISTRY_DIR, ALIASES_DIR):
        for name, blob in git.list_dir(store, commit, folder).items():
            if not is_playlist_id(name):
                continue
            alias = git.read_blob(store, blob).decode("utf-8", "replace").strip()
            if alias and "\n" not in alias:
                names.add((name, alias))
    return names


def _snapshot_names(store: Store, commit: str) -> set[tuple[str, str]]:
    names: set[tuple[str, str]] = set()
    for name, blob in git.list_dir(store, commit, PRETTY_DIR).items():
        path = f"{PRETTY_DIR}/{name}"
        found = classify(path)
        if found.kind != JSON or found.playlist_id is None:
            continue
        try:
            snapshot = read_source(
                JSON, git.read_blob(store, blob), found.playlist_id, path, commit=commit
            )
        except FormatError:
            continue
        for value in (snapshot.unique_name, snapshot.original_name):
            if value:
                names.add((snapshot.id, value))
    return names
