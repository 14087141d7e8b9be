"""The archive's layout: the only place that knows folders and file names.

spotify-playlist-archive's layout, which gitarchive writes and reads::

    playlists/registry/<id>         registry entry (empty, or one line: the alias)
    playlists/plain/<id>            plain file
    playlists/pretty/<id>.md        pretty page
    playlists/pretty/<id>.json      JSON snapshot
    playlists/cumulative/<id>.md    cumulative page
    playlists/index.md              index
    gitarchive.toml                 settings

and what that project's writers left in older clones, read and never written::

    playlists/aliases/<id>          an alias (2019-2021; later also the registry: empty = none)
    playlists/pretty/<Name>.md      name-keyed pages (2019-2021, formats.early)
    playlists/cumulative/<Name>.md
    playlists/metadata.json         the metadata before it moved into metadata/

:func:`classify` names the kind of any path; every module that needs to know
what a path is asks it instead of matching folder names itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from gitarchive.model import is_playlist_id

PLAYLISTS_DIR = "playlists"
PLAIN_DIR = "playlists/plain"
PRETTY_DIR = "playlists/pretty"
CUMULATIVE_DIR = "playlists/cumulative"
REGISTRY_DIR = "playlists/registry"
ALIASES_DIR = "playlists/aliases"  # spotify-playlist-archive's registry entries before registry/
FOLLOWERS_DIR = "playlists/followers"
METADATA_DIR = "playlists/metadata"
INDEX_PATH = "playlists/index.md"
STATUS_PATH = "playlists/status.json"  # the last sync's failures (formats.status)
SETTINGS_PATH = "gitarchive.toml"
KEEP_NAMES = frozenset({".gitkeep", ".keep"})

#: The kinds of a playlist's own files, in the order :class:`ArchivePaths` lists them.
PLAYLIST_KINDS = ("registry", "plain", "pretty", "json", "cumulative")
#: Files that current spotify-playlist-archive clones also hold (read, never written).
SPA_KINDS = ("cumulative_json", "followers", "metadata")
#: Every kind :func:`classify` can answer. ``alias`` is ``aliases/<id>`` (an entry of the
#: registry as spotify-playlist-archive kept it before ``registry/``); ``legacy`` is a page
#: of the name-keyed layout (``pretty/<Name>.md``, ``cumulative/<Name>.md``) or the old
#: ``metadata.json``.
KINDS = (
    *PLAYLIST_KINDS,
    *SPA_KINDS,
    "alias",
    "index",
    "status",
    "settings",
    "keep",
    "legacy",
    "stray",
    "other",
)


def plain_path(playlist_id: str) -> str:
    return f"{PLAIN_DIR}/{playlist_id}"


def pretty_path(playlist_id: str) -> str:
    return f"{PRETTY_DIR}/{playlist_id}.md"


def json_path(playlist_id: str) -> str:
    return f"{PRETTY_DIR}/{playlist_id}.json"


def cumulative_path(playlist_id: str) -> str:
    return f"{CUMULATIVE_DIR}/{playlist_id}.md"


def registry_path(playlist_id: str) -> str:
    return f"{REGISTRY_DIR}/{playlist_id}"


def followers_path(playlist_id: str) -> str:
    """spotify-playlist-archive's likes by day: ``{"YYYY-MM-DD": count}``."""
    return f"{FOLLOWERS_DIR}/{playlist_id}.json"


def cumulative_json_path(playlist_id: str) -> str:
    """spotify-playlist-archive's cumulative view as JSON."""
    return f"{CUMULATIVE_DIR}/{playlist_id}.json"


@dataclass(frozen=True, slots=True)
class ArchivePaths:
    """Every file one playlist may have."""

    registry: str
    plain: str
    pretty: str
    json: str
    cumulative: str

    def of(self, kind: str) -> str:
        path: str = getattr(self, kind)
        return path

    def generated(self) -> dict[str, str]:
        """kind -> path of the files sync writes (all but the registry entry)."""
        return {kind: self.of(kind) for kind in PLAYLIST_KINDS if kind != "registry"}


#: The kinds of file a version of a playlist may be read from, best first.
SOURCE_KINDS = ("json", "pretty", "plain")
#: The folders holding those files.
SOURCE_FOLDERS = (PRETTY_DIR, PLAIN_DIR)


def source_paths(playlist_id: str) -> tuple[str, str, str]:
    """The paths a version may be read from, in :data:`SOURCE_KINDS`' order."""
    return (json_path(playlist_id), pretty_path(playlist_id), plain_path(playlist_id))


def split_source_path(path: str) -> tuple[str, int] | None:
    """A source path to (playlist id, its place in :data:`SOURCE_KINDS`); None for other files."""
    found = classify(path)
    if found.playlist_id is None or found.kind not in SOURCE_KINDS:
        return None
    return found.playlist_id, SOURCE_KINDS.index(found.kind)


def archive_paths(playlist_id: str) -> ArchivePaths:
    return ArchivePaths(
        registry=registry_path(playlist_id),
        plain=plain_path(playlist_id),
        pretty=pretty_path(playlist_id),
        json=json_path(playlist_id),
        cumulative=cumulative_path(playlist_id),
    )


@dataclass(frozen=True, slots=True)
class PathKind:
    """What a path is: one of :data:`KINDS`, and the playlist it belongs to."""

    kind: str
    playlist_id: str | None = None


# folder -> (suffix, kind) of the files a playlist has there
_PLAYLIST_FILES: dict[str, tuple[tuple[str, str], ...]] = {
    "plain": (("", "plain"),),
    "pretty": ((".md", "pretty"), (".json", "json")),
    "cumulative": ((".md", "cumulative"), (".json", "cumulative_json")),
    "followers": ((".json", "followers"),),
}
# 2019-2021 clones named these pages by the playlist's name instead of its id.
_LEGACY_FOLDERS = frozenset({"pretty", "cumulative"})
_LEGACY_FILES = frozenset({"metadata.json"})  # before metadata/ held it


def classify(path: str) -> PathKind:
    """The kind of any repository path, by its place in the layout.

    Registry entries are classified by folder alone (a bad file name is the
    registry's own rule); elsewhere a name whose id part is not a playlist id,
    or any file in an unknown place under ``playlists/``, is ``stray``.
    """
    if path == SETTINGS_PATH:
        return PathKind("settings")
    if not path.startswith(PLAYLISTS_DIR + "/"):
        return PathKind("other")
    if path == INDEX_PATH:
        return PathKind("index")
    if path == STATUS_PATH:
        return PathKind("status")
    parts = path[len(PLAYLISTS_DIR) + 1 :].split("/")
    if parts[-1] in KEEP_NAMES and len(parts) <= 2:
        return PathKind("keep")
    if len(parts) == 1 and parts[0] in _LEGACY_FILES:
        return PathKind("legacy")
    if len(parts) != 2:
        return PathKind("stray")
    folder, name = parts
    if folder == "registry":
        return PathKind("registry", name)
    if folder == "aliases":
        return PathKind("alias", name)
    if folder == "metadata":
        return PathKind("metadata")
    for suffix, kind in _PLAYLIST_FILES.get(folder, ()):
        stem = name[: len(name) - len(suffix)] if suffix else name
        if name.endswith(suffix) and is_playlist_id(stem):
            return PathKind(kind, stem)
    if folder in _LEGACY_FOLDERS and name.endswith(".md") and name != ".md":
        return PathKind("legacy")
    return PathKind("stray")


def classify_path(path: str) -> tuple[str, str] | None:
    """``(kind, id)`` for a playlist's own file with a valid id; None for anything else."""
    found = classify(path)
    if found.kind in PLAYLIST_KINDS and found.playlist_id and is_playlist_id(found.playlist_id):
        return found.kind, found.playlist_id
    return None
