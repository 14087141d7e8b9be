"""Where an export is written: OUT is checked, then replaced in one rename.

OUT must be a regular file or absent (a folder OUT: a real folder or absent).
A symbolic link, a device node, a FIFO or a socket is refused and left as it
was: writing through them would change a file outside the export (as root, a
system device). The data goes to a new temporary file beside OUT, created with
O_EXCL, and is renamed onto it, so a reader sees the old file or the new one,
and a failed export (a full disk, a missing folder) leaves OUT untouched.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from gitarchive.errors import ExportError

if TYPE_CHECKING:
    from collections.abc import Iterator


def _mode(path: Path) -> int | None:
    """``path``'s own mode (a link's, not its target's); None when it does not exist."""
    try:
        return os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ExportError(f"cannot use {path}: {exc.strerror or exc}") from None


def _refuse_special(path: Path, mode: int, wanted: str) -> None:
    if stat.S_ISLNK(mode):
        raise ExportError(f"{path} is a symbolic link: an export writes only to a real {wanted}")
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        raise ExportError(
            f"{path} is a device, FIFO or socket, not a {wanted}: the export leaves it as it is"
        )


def check_file(path: Path, *, in_folder: bool = False) -> None:
    """Refuse an OUT file that is a link, a device or a folder, or whose folder is missing.

    ``in_folder``: ``path`` is one of the files of an OUT folder (several playlists), so a
    folder there is in the way of a playlist's file, not an OUT that should be a file name.
    """
    mode = _mode(path)
    if mode is not None:
        _refuse_special(path, mode, "file")
        if stat.S_ISDIR(mode) and in_folder:
            raise ExportError(
                f"{path} is a folder where a playlist's file is written: move it out of the way"
            )
        if stat.S_ISDIR(mode):
            raise ExportError(f"{path} is a folder: give a file name to write one playlist to")
    parent = path.parent
    if not parent.is_dir():
        raise ExportError(f"cannot write {path}: no such folder {parent}")


def prepare_folder(path: Path) -> None:
    """An OUT folder: made when absent; a link, a file or a device is refused."""
    mode = _mode(path)
    if mode is None:
        if not path.parent.is_dir():
            raise ExportError(f"cannot write {path}: no such folder {path.parent}")
        try:
            path.mkdir()
        except OSError as exc:
            raise ExportError(f"cannot create the folder {path}: {exc.strerror or exc}") from None
        return
    _refuse_special(path, mode, "folder")
    if not stat.S_ISDIR(mode):
        raise ExportError(
            f"{path} is a file: several playlists are written to a folder of <id> files"
        )


def _umask() -> int:
    # the only way to read it is to set it; nothing else runs meanwhile (one thread)
    current = os.umask(0)
    os.umask(current)
    return current


@contextlib.contextmanager
def staged(path: Path, *, in_folder: bool = False) -> Iterator[Path]:
    """A new temporary file beside ``path``, renamed onto it when the block ends cleanly.

    ``path`` is checked before and again just before the rename. The rename
    replaces a link or a file at ``path`` itself, never what a link points at.
    Any failure removes the temporary file and leaves ``path`` as it was. ``in_folder``:
    as :func:`check_file`'s.
    """
    check_file(path, in_folder=in_folder)
    try:
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
    os.close(handle)
    temporary = Path(name)
    try:
        temporary.chmod(0o666 & ~_umask())  # what a plain open() would have made
        yield temporary
        check_file(path, in_folder=in_folder)
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_file(path: Path, data: bytes, *, in_folder: bool = False) -> None:
    """``data`` as the whole of ``path``, replaced in one rename (``in_folder``: as
    :func:`check_file`'s)."""
    with staged(path, in_folder=in_folder) as temporary, temporary.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
