"""The site's HTML: an index page and one page per playlist, self-contained.

Each page inlines its stylesheet and script (so it works from ``file://`` and
under any sub-path, with nothing fetched at view time) and carries a Content
Security Policy that allows exactly those two by hash: even a name that
escaped escaping could not run a script. Names are hostile input: every text
goes through :func:`text`, every name sits in a ``<bdi>`` so that right-to-left
marks cannot reorder the page around it, and the embedded JSON escapes ``<``,
``>`` and ``&`` so that no ``</script>`` or ``<!--`` can close its tag.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from html import escape
from importlib import resources
from typing import TYPE_CHECKING, Any

from gitarchive.model import playlist_url
from gitarchive.site.svg import likes_chart, sparkline

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitarchive.site.data import Summary


# A longer cumulative table starts folded, and its rows are built when it is opened: building
# thousands of rows at load would be most of the time a long history's page takes to open.
OPEN_TABLE_ROWS = 400


def text(value: str) -> str:
    return escape(value, quote=True)


def embed_json(document: object) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>``, ``&`` literally."""
    raw = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return (
        raw.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


@cache
def _asset(name: str) -> str:
    return resources.files("gitarchive.site").joinpath("static", name).read_text(encoding="utf-8")


def _sha256(source: str) -> str:
    return base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")


@cache
def _head_assets() -> tuple[str, str, str]:
    """(style, script, policy): the inline assets and the CSP that admits exactly them."""
    style, script = _asset("site.css"), _asset("site.js")
    policy = (
        "default-src 'none'; img-src data:; "
        f"style-src 'sha256-{_sha256(style)}'; script-src 'sha256-{_sha256(script)}'; "
        "base-uri 'none'; form-action 'none'"
    )
    return style, script, policy


def _page(title: str, body: str, *, data: str | None = None) -> str:
    style, script, policy = _head_assets()
    data_tag = f'<script type="application/json" id="data">{data}</script>\n' if data else ""
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{text(title)}</title>\n<style>{style}</style>\n</head>\n<body>\n"
        f"{body}\n{data_tag}<script>{script}</script>\n</body>\n</html>\n"
    )


def standalone_page(title: str, body: str) -> str:
    """A page of the site with no embedded data (a track's page), with the same head."""
    return _page(title, body)


def playlist_href(playlist_id: str) -> str:
    """Where a playlist's page lives, relative to the index (ids are [0-9A-Za-z] only)."""
    return f"p/{playlist_id}.html"


def index_page(summaries: Sequence[Summary], *, title: str, generated: str) -> str:
    items = []
    for summary in summaries:
        likes = f"{summary.likes[-1][1]:,} likes" if summary.likes else "likes unknown"
        items.append(
            f'<li data-name="{text(summary.name)}">'
            f'<a class="name" href="{playlist_href(summary.id)}">'
            f"<bdi>{text(summary.name)}</bdi></a>"
            f"{sparkline(summary.likes)}"
            f'<span class="muted">{summary.tracks} tracks · {likes}</span>'
            f'<span class="muted">{summary.versions} versions · last change '
            f"{text(summary.last_change) or 'none'}</span></li>"
        )
    body = (
        f"<header><h1>{text(title)}</h1>"
        f'<p class="muted">{len(summaries)} playlists, rebuilt from the archive\'s git log '
        f"by gitarchive on {text(generated)}.</p></header>\n"
        '<input id="filter" type="search" placeholder="Filter playlists by name" '
        'aria-label="Filter playlists by name" autocomplete="off">\n'
        '<p class="muted" id="shown" aria-live="polite"></p>\n'
        f'<ul id="playlists">\n{chr(10).join(items)}\n</ul>\n'
    )
    return _page(title, body)


def _cumulative_table() -> str:
    """The table's head; the script fills its rows from the data (half the page's weight
    would otherwise be the same tracks twice, as data and as rows)."""
    headers = "".join(
        f'<th scope="col"><button type="button">{label}</button></th>'
        for label in ("Title", "Artists", "Album", "Added", "Removed")
    )
    return (
        f'<table id="cumulative" class="sortable"><thead><tr>{headers}</tr></thead>'
        "<tbody></tbody></table>"
    )


def playlist_page(document: dict[str, Any], *, name: str, description: str, generated: str) -> str:
    playlist_id = document["id"]
    github = document["github"]
    source = (
        f' · <a href="https://github.com/{text(github)}/commits/HEAD/playlists/plain/'
        f'{playlist_id}">history on GitHub</a>'
        if github
        else ""
    )
    body = f"""<nav><a href="../index.html">← All playlists</a></nav>
<header><h1><bdi>{text(name)}</bdi></h1>
<p class="desc"><bdi>{text(description)}</bdi></p>
<p class="muted"><a href="{playlist_url(playlist_id)}" rel="noopener noreferrer">Open on Spotify</a>
{source}</p></header>
<section id="viewer" aria-label="Versions">
<div class="controls">
<button type="button" id="prev" aria-label="Previous version">← Previous</button>
<input type="range" id="slider" min="0" max="0" value="0" aria-label="Version">
<button type="button" id="next" aria-label="Next version">Next →</button>
<span id="position" class="muted"></span></div>
<p class="meta"><span id="vdate"></span> · commit <a id="vcommit"></a> · <span id="vlikes"></span>
 · <span id="vsummary"></span></p>
<h2 id="vname" dir="auto"></h2><p class="desc" id="vdesc" dir="auto"></p>
<noscript><p>The version viewer needs JavaScript;
the likes and every track ever held are below.</p></noscript>
<ol id="tracks"></ol>
</section>
<section><h2>Likes over time</h2>
{likes_chart([(when, likes) for when, likes in document["likes"]], title=name)}
</section>
<details id="everything"{" open" if len(document["cumulative"]) <= OPEN_TABLE_ROWS else ""}>
<summary><h2>Every track ever held ({len(document["cumulative"]):,})</h2></summary>
<p class="muted">Added / removed dates as archived; * added before the archive began.
Click a column to sort.</p>
{_cumulative_table()}
</details>
<footer>Generated by gitarchive on {text(generated)} from the archive's git log.</footer>"""
    return _page(f"{name} — gitarchive", body, data=embed_json(document))
