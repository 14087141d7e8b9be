"""gitarchive.toml values a hostile or careless hand could write: each must be refused on load.

Every entry is one TOML line and the key it sets. A settings value reaches commit
headers (the identity), every page's githistory link (the branch and github slug)
and the workflow files, so each kind of break-out is here once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HostileSetting:
    key: str
    line: str  # the TOML line, as written into gitarchive.toml
    why: str


ZERO = "0" * 40

HOSTILE_SETTINGS = (
    HostileSetting("author_name", f'author_name = "Bot\\nparent {ZERO}"', "forged header line"),
    HostileSetting("author_name", 'author_name = "Bot\\r"', "carriage return"),
    HostileSetting("author_name", 'author_name = "Bot\\u0000x"', "NUL ends the C string"),
    HostileSetting("author_name", 'author_name = "Bot <evil@x.invalid>"', "a second email"),
    HostileSetting("author_name", 'author_name = "  "', "blank"),
    HostileSetting("author_name", f'author_name = "{"x" * 201}"', "unbounded length"),
    HostileSetting(
        "author_email", 'author_email = "bot@x.invalid\\ncommitter E <e@x> 0 +0000"', "newline"
    ),
    HostileSetting("author_email", 'author_email = "bot>@x.invalid"', "ends the email early"),
    HostileSetting("author_email", 'author_email = "bot @x.invalid"', "space"),
    HostileSetting("author_email", 'author_email = "\\u001b[31m@x"', "terminal escape"),
    HostileSetting(
        "branch", 'branch = "main)[click](https://evil.invalid"', "a markdown link in pages"
    ),
    HostileSetting("branch", 'branch = "x)(https://evil.invalid"', "ends the page's link"),
    HostileSetting("branch", 'branch = "<script>"', "html in the link"),
    HostileSetting("branch", 'branch = "main\\n"', "newline"),
    HostileSetting("branch", 'branch = "../main"', "parent folder"),
    HostileSetting("branch", 'branch = "main.lock"', "git lock file name"),
    HostileSetting("branch", 'branch = "-f"', "an option"),
    HostileSetting("branch", 'branch = "a b"', "space"),
    HostileSetting("branch", 'branch = ""', "empty"),
    HostileSetting("branch", 'branch = "HEAD"', "not a branch"),
    HostileSetting("branch", 'branch = "a//b"', "empty part"),
    HostileSetting("branch", 'branch = "a@{1}"', "reflog syntax"),
    HostileSetting("github", 'github = "a/b)[x](https://evil.invalid"', "a markdown link"),
    HostileSetting("github", 'github = "a/b\\n"', "newline"),
    HostileSetting("market", 'market = "DE\\n"', "newline"),
    HostileSetting("likes_every", 'likes_every = "weekly\\n"', "newline"),
    HostileSetting("concurrency", "concurrency = 100000", "unbounded"),
    HostileSetting("max_drop", "max_drop = nan", "not a number"),
)

# A playlist table named by an id with a line break after it: `$` matches before a final
# newline, so an anchored pattern with re.match let it through.
HOSTILE_TABLES = (
    HostileSetting("playlists", '[playlists."0123456789abcdefABCDEF\\n"]\nmax_drop = 0.1', "id"),
)
