"""The plain file, ``playlists/plain/<id>``: diff-friendly, one line per track.

Layout (as spotify-playlist-archive writes it)::

    <name>
    <description>
    <blank line>
    Title -- Artist1, Artist2 -- Album      (one per track, sorted by line.lower())

A plain file carries no links, lengths or dates, and cannot say where one
artist ends and the next begins ("Earth, Wind & Fire" has a ", " in its name).
The reader therefore never splits artists: a track read from a plain file has
ONE Artist whose name is the whole artists text (none when it is empty). Its
``plain_line`` is the line as written, so ``Track.key`` (the case-folded plain
line for tracks without a URL) identifies it exactly as before, and a display
that joins artists with ", " shows the same text.

A line splits at its first and last " -- " (a title or album containing " -- "
is ambiguous; the line itself survives either way). Name, description and
track texts are written on one line each: line breaks in them are written as
spaces, and NUL as U+FFFD (the only places where the plain file is lossy beyond
the above).

What other writers produced is read as they wrote it: a file may end without
a final newline; the description line may be blank, and a description that
ends in a newline leaves a second blank line (read as that newline: a blank
line is never a track); a description written with its line breaks spans
several lines up to the blank one. Some files had the name and description
sorted in among the track lines by a merge (no header at the top): then the
lines containing " -- " are tracks and the other lines are the header's, but
which of them is the name the file cannot say. :func:`split_plain` reports such a header as
``name=None`` with its lines as candidates, and :func:`resolve_header` picks
the name from what the caller knows (the page of the same commit, or the
previous version), never from a track line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gitarchive.model import Album, Artist, Playlist, Track

SEPARATOR = " -- "
_LINE_BREAKS_RE = re.compile(r"\r\n|[\r\n]")


def one_line(text: str) -> str:
    """``text`` as a plain file holds it: line breaks become spaces, NUL becomes U+FFFD.

    A NUL would make git and ``gitarchive validate`` (GA005) take the file for binary.
    """
    if "\n" in text or "\r" in text:
        text = _LINE_BREAKS_RE.sub(" ", text)
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


def plain_line(track: Track) -> str:
    return one_line(track.plain_line)


def render_plain(playlist: Playlist) -> str:
    lines = sorted((plain_line(track) for track in playlist.tracks), key=sort_key)
    header = [one_line(playlist.unique_name), one_line(playlist.description), ""]
    return "\n".join(header + lines) + "\n"


def track_from_line(line: str) -> Track:
    first = line.find(SEPARATOR)
    if first < 0:
        return Track(name=line, artists=(), album=Album(name=""))
    last = line.rfind(SEPARATOR, first + len(SEPARATOR))
    if last < 0:
        # "Title -- Album" cannot be written by us; keep the text, no artists
        return Track(
            name=line[:first], artists=(), album=Album(name=line[first + len(SEPARATOR) :])
        )
    artists_text = line[first + len(SEPARATOR) : last]
    artists = (Artist(name=artists_text),) if artists_text else ()
    return Track(
        name=line[:first],
        artists=artists,
        album=Album(name=line[last + len(SEPARATOR) :]),
    )


def is_track_line(line: str) -> bool:
    """Whether a line has the shape sync writes: ``Title -- Artists -- Album``."""
    return line.count(SEPARATOR) >= 2


def sort_key(line: str) -> str:
    """The order of track lines in a plain file."""
    return line.lower()


@dataclass(frozen=True, slots=True)
class PlainDoc:
    """A plain file as written, line by line (line numbers are 1-based).

    ``lines`` excludes the empty string after a final newline; the header is
    lines 1-3 and the tracks start at line :data:`FIRST_TRACK_LINE`.
    """

    lines: list[str]
    final_newline: bool

    @property
    def tracks(self) -> list[str]:
        return self.lines[FIRST_TRACK_LINE - 1 :]

    @property
    def has_blank_separator(self) -> bool:
        return len(self.lines) >= 3 and self.lines[2] == ""


FIRST_TRACK_LINE = 4


def scan_plain(text: str) -> PlainDoc:
    """Any text as a plain file's lines; never fails."""
    lines = text.split("\n")
    final_newline = bool(lines) and lines[-1] == "" and text != ""
    if lines and lines[-1] == "":
        lines.pop()
    return PlainDoc(lines, final_newline)


@dataclass(frozen=True, slots=True)
class PlainParts:
    """A plain file's lines sorted into its header and its track lines.

    ``name`` is None when the header was sorted in among the tracks: then
    ``candidates`` are its lines in file order, and the description is unknown
    until :func:`resolve_header` knows the name.
    """

    name: str | None
    description: str
    candidates: tuple[str, ...]
    track_lines: list[str]


def split_plain(text: str) -> PlainParts:
    """Any text's header and track lines (CR before a line end dropped); never fails."""
    lines = scan_plain(text).lines
    if "\r" in text:  # else no line has one to drop (a pass over the lines saved)
        lines = [line.removesuffix("\r") for line in lines]
    if len(lines) >= 3 and lines[2] == "":
        # each blank line after the separator is a line break the description ended with
        breaks = next((i for i, line in enumerate(lines[3:]) if line), len(lines) - 3)
        description = lines[1] + "\n" * breaks
        return PlainParts(lines[0], description, (), list(filter(None, lines[3:])))
    if len(lines) <= 2 and all(SEPARATOR not in line for line in lines):
        name = lines[0] if lines else ""
        return PlainParts(name, lines[1] if len(lines) > 1 else "", (), [])
    first_track = next((i for i, line in enumerate(lines) if SEPARATOR in line), len(lines))
    header, rest = lines[:first_track], lines[first_track:]
    track_lines = [line for line in rest if line]
    if header and header[0] and "" in header and all(SEPARATOR in line for line in track_lines):
        # the header at the top, the description over several lines (or none), then
        # the blank separator line
        description = "\n".join(header[1:-1] if header[-1] == "" else header[1:])
        return PlainParts(header[0], description, (), track_lines)
    candidates = tuple(line for line in lines if line and SEPARATOR not in line)
    return PlainParts(None, "", candidates, [line for line in lines if SEPARATOR in line])


def resolve_header(parts: PlainParts, known: tuple[str, str] | None) -> tuple[str, str]:
    """The (name, description) of a plain file.

    ``known``: the (name, description) the caller believes for this version
    (the page of the same commit, else the previous version), used only when
    the file's header was sorted in among its tracks. Then the name is the known
    one (or, when a known description is one of two header lines, the other
    line) and the description is what is left; with nothing known, the first
    header line is the name, as the file lists it.
    """
    if parts.name is not None:
        return parts.name, parts.description
    candidates = list(parts.candidates)
    if known is None:
        return (candidates[0] if candidates else ""), "\n".join(candidates[1:])
    name, description = known
    if name not in candidates and description in candidates and len(candidates) == 2:
        candidates.remove(description)
        return candidates[0], description
    if name in candidates:
        candidates.remove(name)
    return name, "\n".join(candidates)


def read_plain(
    text: str,
    playlist_id: str,
    *,
    path: str | None = None,
    known: tuple[str, str] | None = None,
) -> Playlist:
    """Never fails: any text is some plain file (``path`` is accepted for symmetry).

    ``known``: see :func:`resolve_header`.
    """
    parts = split_plain(text)
    name, description = resolve_header(parts, known)
    return Playlist(
        id=playlist_id,
        original_name=name,
        unique_name=name,
        description=description,
        tracks=tuple(track_from_line(line) for line in parts.track_lines),
    )
