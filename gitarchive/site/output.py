"""The site's folder on disk: written only through real folders, never through a link.

``OUT`` may be a folder an archive commits, so anything in it is hostile: a
``.nojekyll`` linking to someone's file, a ``p`` linking to another folder.
Every name gitarchive writes or deletes (the marker, ``.nojekyll``,
``index.html``, ``changes.html``, ``feed.atom``, ``p`` and the pages and feeds
in it) must be a real file or folder, or the build is refused before anything
is written. The writes themselves open each folder with ``O_NOFOLLOW`` and
work relative to its descriptor, so a link swapped in meanwhile is refused
too, never followed. A page is written to a temporary name in its own folder
and renamed into place, so it is never half-written. An error of the disk
(full, read-only, not ours) is one line naming the file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from typing import TYPE_CHECKING

from gitarchive.errors import ArchiveError, UsageError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from pathlib import Path

MARKER = ".gitarchive-site"
PAGES = "p"
TRACK_PAGES = "t"
FILES = (MARKER, ".nojekyll", "index.html", "changes.html", "feed.atom")
PAGE_SUFFIXES = (".html", ".atom")  # a playlist's page and its feed
_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def _mode(path: Path) -> int | None:
    """The mode of ``path`` itself (a link is a link), None when nothing is there."""
    try:
        return os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise disk_error(path, exc) from None


def _refuse_unless(path: Path, mode: int | None, *, folder: bool) -> None:
    if mode is None:
        return
    if stat.S_ISLNK(mode):
        raise UsageError(
            f"{path} is a symbolic link; `gitarchive site` never writes through one: remove it"
        )
    if folder and not stat.S_ISDIR(mode):
        raise UsageError(f"{path} is not a folder; `gitarchive site` writes its pages there")
    if not folder and not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise UsageError(
            f"{path} is {kind}; `gitarchive site` writes its own file there: remove it"
        )


def check_output_folder(out: Path) -> None:
    """OUT must be new, empty, or a site gitarchive wrote, with no link where it writes."""
    mode = _mode(out)
    if mode is None:
        return
    if stat.S_ISLNK(mode):
        raise UsageError(f"{out} is a symbolic link; give a real folder for the site")
    if not stat.S_ISDIR(mode):
        raise UsageError(f"{out} exists and is not a folder")
    try:
        names = {path.name for path in out.iterdir()}
    except OSError as exc:
        raise disk_error(out, exc) from None
    marker = _mode(out / MARKER)
    if names and (marker is None or not stat.S_ISREG(marker)):
        _refuse_unless(out / MARKER, marker, folder=False)
        raise UsageError(
            f"{out} is not empty and was not written by `gitarchive site`; "
            "give a new or empty folder"
        )
    for name in FILES:
        _refuse_unless(out / name, _mode(out / name), folder=False)
    for folder in (PAGES, TRACK_PAGES):
        pages = out / folder
        _refuse_unless(pages, _mode(pages), folder=True)
        if folder in names:
            for page in sorted(pages.iterdir()):
                if page.suffix in PAGE_SUFFIXES:
                    _refuse_unless(page, _mode(page), folder=False)


def disk_error(path: Path, exc: OSError) -> ArchiveError:
    """An error of the disk under ``path`` as one line (full, read-only, not writable)."""
    reason = exc.strerror or type(exc).__name__
    if exc.errno == errno.EFBIG:
        reason += " (a file-size limit is set, or the disk is full)"
    return ArchiveError(f"cannot write the site at {path}: {reason}")


@contextlib.contextmanager
def _folder(out: Path, parts: Sequence[str], *, create: bool) -> Iterator[int]:
    """A descriptor of ``out/parts...``, each opened without following a link."""
    path = out
    descriptor = _open_folder(path, None)
    try:
        for part in parts:
            path = path / part
            if create:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(part, 0o755, dir_fd=descriptor)
            inner = _open_folder(path, (part, descriptor))
            os.close(descriptor)
            descriptor = inner
        yield descriptor
    finally:
        os.close(descriptor)


def _open_folder(path: Path, relative: tuple[str, int] | None) -> int:
    try:
        if relative is None:
            return os.open(path, _FOLDER_FLAGS)
        return os.open(relative[0], _FOLDER_FLAGS, dir_fd=relative[1])
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            _refuse_unless(path, _mode(path), folder=True)
        raise disk_error(path, exc) from None


def write_file(out: Path, relative: str, content: str) -> int:
    """Write ``content`` to ``out/relative`` through a temporary file and a rename.

    Returns the bytes written.
    """
    *parts, name = relative.split("/")
    return write_files(out, "/".join(parts), [(name, content)])


def write_files(out: Path, relative: str, files: Iterable[tuple[str, str]]) -> int:
    """Write each (name, content) of ``files`` into the folder ``out/relative`` ("": OUT),
    opened once, each through a temporary file and a rename. Returns the bytes written."""
    parts = relative.split("/") if relative else []
    written = 0
    target = out.joinpath(*parts)
    try:
        with _folder(out, parts, create=True) as folder:
            for name, content in files:
                target = out.joinpath(*parts, name)
                written += _write_at(folder, target, name, content.encode("utf-8"))
    except OSError as exc:
        raise disk_error(target, exc) from None
    return written


def _write_at(folder: int, target: Path, name: str, data: bytes) -> int:
    temporary = f".tmp-{secrets.token_hex(8)}-{name}"
    handle = os.open(temporary, _FILE_FLAGS, 0o644, dir_fd=folder)
    try:
        os.fchmod(handle, 0o644)  # whatever the umask: a site is for reading
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        _refuse_unless(target, _mode_at(folder, name), folder=False)
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder)
        raise
    return len(data)


def _mode_at(folder: int, name: str) -> int | None:
    try:
        return os.lstat(name, dir_fd=folder).st_mode
    except FileNotFoundError:
        return None


def remove_stale_pages(out: Path, kept: set[str], pages: str = PAGES) -> None:
    """Delete the pages and feeds in ``OUT/p`` (or ``OUT/<pages>``) no longer in the site
    (files only)."""
    if _mode(out / pages) is None:
        return
    try:
        with _folder(out, [pages], create=False) as folder:
            with os.scandir(folder) as entries:
                names = [entry.name for entry in entries]
            for name in names:
                stem, dot, suffix = name.rpartition(".")
                if not dot or f".{suffix}" not in PAGE_SUFFIXES or stem in kept:
                    continue
                mode = _mode_at(folder, name)
                if mode is not None and stat.S_ISREG(mode):
                    os.unlink(name, dir_fd=folder)
    except OSError as exc:
        raise disk_error(out / pages, exc) from None
