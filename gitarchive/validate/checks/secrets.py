"""GA050-GA053: anything that looks like a credential, in any checked file.

Not a format rule: secrets are searched in every file, inside or outside
``playlists/``, and messages never repeat the secret (only length and column).
"""

from __future__ import annotations

import re

from gitarchive.validate.findings import Finding

# Spotify ids are 22 base-62 characters and snapshot ids are standard base64 of
# "<time>,<hex>" (about 56-68 characters, no '-' or '_'): the patterns below are
# anchored on prefixes or lengths that neither can reach, so sync output is clean.
# Prefixed tokens: the regexes start with a literal so that re's prefix search makes
# each scan nearly free; the "not glued to a longer word" condition is checked in
# code, because a leading lookbehind would disable that search. This runs over
# every changed file on every push.
_PREFIXED_SECRETS: tuple[tuple[str, re.Pattern[str], str, str], ...] = (
    (
        "GA053",
        re.compile(r"gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,}"),
        "something that looks like a GitHub token",
        "_",
    ),
    (
        "GA051",
        re.compile(r"BQ[A-Za-z0-9_-]{100,}"),
        "something that looks like a Spotify access token (BQ...)",
        "_-",
    ),
    (
        "GA052",
        re.compile(r"AQ[A-Za-z0-9_-]{100,}"),
        "something that looks like a Spotify refresh token (AQ...)",
        "_-",
    ),
)
# Unprefixed: one scan for runs of base64url characters long enough to matter,
# classified in code: exactly 32 hex digits (with both digits and letters) is a
# client secret; 150+ characters using '-' or '_' is a bearer token (standard
# base64 snapshot ids use neither, Spotify ids are 22 characters).
_CANDIDATE_RUN = re.compile(r"[0-9A-Za-z_-]{32,}")
# Whether a text holds such a run at all, asked first: its characters mapped to "a" and all
# else to " " (bytes.translate), then one substring search. Pages are dense with 22-character
# ids that the run scan walks character by character (25 MB/s); the probe is ~15x faster, and
# nearly every archive file has no run at all.
_RUN_BYTES = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-")
_PROBE_TABLE = bytes(0x61 if byte in _RUN_BYTES else 0x20 for byte in range(256))
_PROBE_RUN = b"a" * 32
_ALNUM_SEGMENT = re.compile(r"[0-9A-Za-z]+")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_WHAT_HEX = "32 hex digits that look like a Spotify client secret"
_WHAT_BEARER = "a long base64url string that looks like an access token"


def _is_client_secret(text: str) -> bool:
    return (
        len(text) == 32
        and set(text) <= _HEX_DIGITS
        and any(c.isdigit() for c in text)
        and any(c.isalpha() for c in text)
    )


def check_secrets(path: str, text: str) -> list[Finding]:
    """Anything that looks like a credential; the message never repeats the secret."""
    hits: list[tuple[str, int, int, str]] = []  # rule, start, length, what
    for rule, pattern, what, extra in _PREFIXED_SECRETS:
        for match in pattern.finditer(text):
            before = text[match.start() - 1] if match.start() else " "
            if not (before.isalnum() or before in extra):
                hits.append((rule, match.start(), match.end() - match.start(), what))
    probe = text.encode("utf-8", "surrogatepass").translate(_PROBE_TABLE)
    for match in _CANDIDATE_RUN.finditer(text) if _PROBE_RUN in probe else ():
        run = match.group()
        before = text[match.start() - 1] if match.start() else " "
        if len(run) >= 150 and ("-" in run or "_" in run) and before not in "+/=":
            hits.append(("GA051", match.start(), len(run), _WHAT_BEARER))
        for segment in _ALNUM_SEGMENT.finditer(run):
            if _is_client_secret(segment.group()):
                hits.append(("GA050", match.start() + segment.start(), 32, _WHAT_HEX))
    findings: list[Finding] = []
    seen: set[tuple[str, int]] = set()
    for rule, position, length, what in sorted(hits, key=lambda hit: (hit[1], hit[0])):
        line_start = text.rfind("\n", 0, position) + 1
        line = text.count("\n", 0, line_start) + 1
        if (rule, line) in seen:
            continue
        seen.add((rule, line))
        findings.append(
            Finding(
                rule,
                path,
                line,
                f"{what} ({length} characters at column {position - line_start + 1}); "
                "remove it and revoke it if it was real",
            )
        )
    return findings
