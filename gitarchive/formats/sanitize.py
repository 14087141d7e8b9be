"""The one rule set for text and numbers that enter the archive.

The Spotify client normalises API answers with these functions before a
Playlist exists, and the validator checks files with the same predicates, so
that whatever the client accepts, every writer renders and every reader and
the validator accept. Pure functions, no I/O.

Rules:

* names (playlist, track, album, artist, owner) are one line: control
  characters (C0 including tab, CR, LF; DEL; C1; the Unicode line and
  paragraph separators) become a space;
* a lone surrogate (JSON's ``\\ud800`` escape with no partner: no UTF-8 file can hold
  it) becomes U+FFFD in names and descriptions alike; a file holding one is malformed
  (:func:`gitarchive.formats.text.load_json`);
* descriptions may hold line breaks (the pretty page shows them as ``<br/>``):
  CRLF and CR become LF, every other control character a space;
* a playlist name is never empty: the caller's fallback (the previous name,
  which only sync knows, else the playlist id) stands in for a blank one;
* a duration is a whole number of milliseconds in ``0..MAX_DURATION_MS``:
  from the API, a null or negative one is clamped to 0 and a longer one to the
  maximum (the JSON snapshot, the pretty page's Length column and the
  validator all need a number; the client counts the clamped ones);
* a follower count is a whole number in ``0..MAX_COUNT``, anything else is unknown
  (None): from the API, and in every reader of committed files (validate reports it);
* a committed duration outside ``0..MAX_DURATION_MS`` reads as unknown (None);
* a link to Spotify is exactly ``https://open.spotify.com/<kind>/<id>`` (a 22-character
  id; a user id for ``user``): anything else (``javascript:``, another host, a query)
  is no link at all, from the API and in every reader; validate reports it.
"""

from __future__ import annotations

import re

#: Longer than any track or episode (Spotify's longest episodes run ~12 hours).
MAX_DURATION_MS = 48 * 3600 * 1000
#: More likes than people on Earth: a larger count is a bad value, not a popular playlist
#: (and stays far inside every integer type the index, JSON readers and pages use).
MAX_COUNT = 10**10

LINK_KINDS = ("track", "episode", "album", "show", "artist", "playlist", "user")
_LINK_RE = re.compile(
    r"https://open\.spotify\.com/(?:(?:track|episode|album|show|artist|playlist)/[0-9A-Za-z]{22}"
    r"|user/(?!\.\.?\Z)[0-9A-Za-z._~+-]{1,128})\Z"
)

_NAME_CONTROL = r"\x00-\x1f\x7f-\x9f\u2028\u2029"
_NAME_CONTROL_RE = re.compile(f"[{_NAME_CONTROL}]")
_DESCRIPTION_CONTROL_RE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_LINE_BREAK_RE = re.compile(r"\r\n?")
_LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def name_problem(text: str) -> str | None:
    """Why ``text`` may not be a name in the archive, or None if it may."""
    match = _NAME_CONTROL_RE.search(text)
    if match:
        return f"contains the control character U+{ord(match.group(0)):04X}"
    return None


def playlist_name_problem(text: str) -> str | None:
    """Like :func:`name_problem`, and a playlist's name is never blank."""
    if not text.strip():
        return "is blank"
    return name_problem(text)


def description_problem(text: str) -> str | None:
    match = _DESCRIPTION_CONTROL_RE.search(text.replace("\r\n", "\n"))
    if match:
        return f"contains the control character U+{ord(match.group(0)):04X}"
    return None


def duration_problem(value: object) -> str | None:
    """Why ``value`` may not be a track's ``duration_ms`` in the archive, or None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "is not a whole number"
    if not 0 <= value <= MAX_DURATION_MS:
        return f"is outside 0..{MAX_DURATION_MS} ms"
    return None


def clean_name(text: str) -> str:
    """A name on one line: every control character becomes a space."""
    return _NAME_CONTROL_RE.sub(" ", _LONE_SURROGATE_RE.sub("\ufffd", text))


def clean_playlist_name(text: str, fallback: str) -> str:
    """A one-line, non-blank playlist name; ``fallback`` (previous name or id) if blank."""
    name = clean_name(text)
    if name.strip():
        return name
    fallback = clean_name(fallback)
    if not fallback.strip():
        raise ValueError("the fallback for a blank playlist name must not be blank")
    return fallback


def clean_description(text: str) -> str:
    text = _LONE_SURROGATE_RE.sub("\ufffd", text)
    return _DESCRIPTION_CONTROL_RE.sub(" ", _LINE_BREAK_RE.sub("\n", text))


def clean_duration(value: int | None) -> int:
    """``value`` clamped into ``0..MAX_DURATION_MS``; null (unknown) becomes 0."""
    if value is None:
        return 0
    return min(max(0, value), MAX_DURATION_MS)


def count_problem(value: object) -> str | None:
    """Why ``value`` may not be a like count in the archive (None: unknown is fine)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return "is not a whole number"
    if not 0 <= value <= MAX_COUNT:
        return f"is outside 0..{MAX_COUNT:,}"
    return None


def clean_count(value: object) -> int | None:
    """A whole count in ``0..MAX_COUNT``, else None (unknown), e.g. ``followers.total``."""
    if value is None or count_problem(value) is not None:
        return None
    assert isinstance(value, int)
    return value


def read_duration(value: int | None) -> int | None:
    """A committed ``duration_ms`` as readers hand it on: out of bounds is unknown (None)."""
    if value is None or duration_problem(value) is not None:
        return None
    return value


def link_problem(url: str) -> str | None:
    """Why ``url`` may not be a Spotify link in the archive, or None if it may."""
    if _LINK_RE.match(url):
        return None
    return f"{url[:80]!r} is not an https://open.spotify.com/<kind>/<id> link"


def clean_link(url: str | None) -> str | None:
    """``url`` when it is a Spotify link of the grammar, else None (no link)."""
    if url and _LINK_RE.match(url):
        return url
    return None
