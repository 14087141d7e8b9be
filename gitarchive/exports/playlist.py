"""What one exported playlist holds, whichever format writes it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gitarchive.model import SPOTIFY_WEB

if TYPE_CHECKING:
    from datetime import date, datetime

    from gitarchive.model import Track

_KINDS = "(track|episode|artist|album)"
_WEB_RE = re.compile(rf"^{re.escape(SPOTIFY_WEB)}/{_KINDS}/([0-9A-Za-z]{{22}})\Z")
_URI_RE = re.compile(rf"^spotify:{_KINDS}:([0-9A-Za-z]{{22}})\Z")


@dataclass(frozen=True, slots=True)
class ExportedTrack:
    """A track; in a cumulative export also the day it was first seen and its removal day."""

    track: Track
    added: date | None = None
    removed: date | None = None


@dataclass(frozen=True, slots=True)
class ExportedPlaylist:
    """One version (``commit`` and ``date`` set) or the cumulative view (both None)."""

    id: str
    name: str
    description: str
    url: str
    tracks: tuple[ExportedTrack, ...]
    commit: str | None = None
    date: datetime | None = None

    @property
    def cumulative(self) -> bool:
        return self.commit is None


def uri_of(url: str | None) -> str:
    """``https://open.spotify.com/track/<id>`` as ``spotify:track:<id>``; "" for anything else."""
    match = _WEB_RE.match(url or "")
    return f"spotify:{match.group(1)}:{match.group(2)}" if match else ""


def url_of(uri: str, kind: str | None = None) -> str | None:
    """``spotify:track:<id>`` as its open.spotify.com URL (of ``kind`` if given); else None."""
    match = _URI_RE.match(uri.strip())
    if match is None or (kind is not None and match.group(1) != kind):
        return None
    return f"{SPOTIFY_WEB}/{match.group(1)}/{match.group(2)}"


def one_line(text: str) -> str:
    """Line-based formats (m3u8) cannot hold a line break inside a name."""
    return " ".join(text.split("\n")).replace("\r", " ")
