"""Keeping a rotated refresh token in the file that ``GITARCHIVE_REFRESH_TOKEN_FILE`` names.

Spotify may answer a refresh with a new refresh token, and the old one may stop
working. The session stores it the moment it arrives, whichever command
refreshed (sync, doctor, add --mine), so that none can use one up unseen; the
token itself is never printed (CI logs are often public).

The file is written whole or not at all, with mode 0600 whatever it had before:
a temporary file created 0600 in the same folder, then renamed over the old one.
A symbolic link there is refused (:func:`check_token_file`): writing through it
would put a secret wherever the link points, and replacing it would silently
break the link the user made. The check runs when the credentials are read, so
a bad setting stops the command before any token is used up.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gitarchive.errors import SettingsError

ENV_TOKEN_FILE = "GITARCHIVE_REFRESH_TOKEN_FILE"
_UPDATE = "update SPOTIFY_REFRESH_TOKEN (in GitHub Actions: the repository's secret)"


@dataclass(frozen=True, slots=True)
class TokenRotation:
    """Spotify rotated the refresh token: where it was stored, or why it could not be."""

    stored_in: str | None
    error: str | None = None

    def notice(self) -> str:
        """What the user must do now, in one line (never the token)."""
        head = "Spotify issued a new refresh token and the stored one may stop working; "
        if self.stored_in is not None:
            return head + f"it was written to {self.stored_in} (mode 0600): {_UPDATE} from it"
        if self.error is not None:
            return head + (
                f"it could not be stored ({self.error}): run `gitarchive login` again and {_UPDATE}"
            )
        return head + (
            f"set {ENV_TOKEN_FILE} to have gitarchive write it to a file, or run "
            f"`gitarchive login` again, and {_UPDATE}"
        )


def check_token_file(path: str) -> None:
    """SettingsError unless ``path`` can take a token: a regular file or none, in a folder."""
    where = f"{ENV_TOKEN_FILE}={path}"
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise SettingsError(f"{where}: cannot be read ({exc.strerror})") from None
    if mode is not None and stat.S_ISLNK(mode):
        raise SettingsError(
            f"{where} is a symbolic link: gitarchive writes the refresh token only to a "
            "regular file, never through a link; set it to the file itself"
        )
    if mode is not None and not stat.S_ISREG(mode):
        raise SettingsError(f"{where} is not a regular file")
    if not Path(path).parent.is_dir():
        raise SettingsError(f"{where}: its folder does not exist")


def write_token_file(path: str, token: str) -> None:
    """Replace ``path`` by a 0600 file holding ``token`` (OSError, SettingsError)."""
    check_token_file(path)
    target = Path(path)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(token + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        Path(temporary).replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise


def keep_rotated_token(token: str, path: str | None) -> TokenRotation:
    """Store ``token`` in ``path`` if one was named; what happened, for the notice."""
    if not path:
        return TokenRotation(stored_in=None)
    try:
        write_token_file(path, token)
    except SettingsError as exc:
        return TokenRotation(stored_in=None, error=str(exc))
    except OSError as exc:
        return TokenRotation(stored_in=None, error=f"{path}: {exc.strerror or exc}")
    return TokenRotation(stored_in=path)
