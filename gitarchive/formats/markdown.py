"""Markdown escaping for the pages, and reading them back with markdown-it-py.

Escaping follows spotify-playlist-archive's pages (the seed page is the
reference): ``\\ # ( ) [ ] - * _ ` | ~`` are backslash-escaped, ``.`` is
escaped when a space follows it (``Feat. Moon`` -> ``Feat\\. Moon``, while
``Feat.Heize`` and ``Ver.)`` stay as they are), and a newline becomes
``<br/>``. So that every text reads back exactly as it was, a few more cases
are escaped that the seed never meets:

- ``<`` (so a literal ``<br/>`` or ``<b>`` in a name is text, not HTML);
- ``&`` when it would start a character reference (``&amp;`` stays literal);
- ``+``, ``>`` and ``1.`` at the very start of a text (a line that starts with
  an owner's name must not become a list or a quote);
- ``,`` in artist names that have no link (the reader splits link-less
  artists on ", ");
- whitespace at either end of a text, and tab, CR and FF anywhere, as numeric
  character references (``&#32;``), since markdown trims cells and lines.

What markdown cannot hold at all is normalised by :func:`markdown_safe`, on
render, and documented in docs/formats.md: control characters other than tab,
LF, FF and CR (and lone surrogates) become U+FFFD. An artist without a link
and with an empty name shows nothing and is left out.

The reader parses with markdown-it-py (CommonMark + GFM tables), keeping
backslash escapes and character references as separate tokens so that an
escaped ``\\,`` is never mistaken for a separator.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

# Characters markdown could read as syntax anywhere in a line.
_ALWAYS = r"\\#()\[\]\-*_`|~<"
_SPECIAL_RE = re.compile(rf"[{_ALWAYS}]|\.(?= )|&(?=#?[0-9A-Za-z]+;)|\n|[\t\r\x0c]")
_SPECIAL_WITH_COMMA_RE = re.compile(rf"[{_ALWAYS},]|\.(?= )|&(?=#?[0-9A-Za-z]+;)|\n|[\t\r\x0c]")
# Characters markdown-it turns into U+FFFD however they are written (raw or as &#N;).
_UNREPRESENTABLE_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LEADING_ORDERED_RE = re.compile(r"^\d{1,9}\.$")
_BR_RE = re.compile(r"^<br\s*/?>$", re.IGNORECASE)


def markdown_safe(text: str) -> str:
    """``text`` as a page can hold it: unrepresentable characters become U+FFFD."""
    return _UNREPRESENTABLE_RE.sub("\ufffd", text)


def _escape_char(match: re.Match[str]) -> str:
    char = match.group(0)
    if char == "\n":
        return "<br/>"
    if char in "\t\r\x0c":
        return f"&#{ord(char)};"
    return "\\" + char


# Anything escape() could change: a text without these (and without whitespace at its
# ends) is its own escape. Most names are such texts, and every page escapes hundreds.
_ATTENTION_RE = re.compile(
    rf"[{_ALWAYS}.&\n\t\r\x0c+>\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff]"
)
_ATTENTION_WITH_COMMA_RE = re.compile(_ATTENTION_RE.pattern[:-1] + ",]")


def escape(text: str, *, commas: bool = False) -> str:
    """Escape ``text`` for a page so that the reader gets exactly ``text`` back."""
    if not text:
        return ""
    attention = _ATTENTION_WITH_COMMA_RE if commas else _ATTENTION_RE
    if attention.search(text) is None and not text[0].isspace() and not text[-1].isspace():
        return text
    return escape_slow(text, commas=commas)


def escape_slow(text: str, *, commas: bool = False) -> str:
    """:func:`escape` without its shortcut (tests compare the two)."""
    text = markdown_safe(text)
    if not text:
        return ""
    pattern = _SPECIAL_WITH_COMMA_RE if commas else _SPECIAL_RE
    # most names need nothing escaped: a page holds thousands of them
    if (
        not text[0].isspace()
        and not text[-1].isspace()
        and text[0] not in "+>"
        and pattern.search(text) is None
        and _LEADING_ORDERED_RE.match(text) is None
    ):
        return text
    start = 0
    end = len(text)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    middle = text[start:end]
    body = pattern.sub(_escape_char, middle)
    if middle[:1] in ("+", ">"):
        body = "\\" + body
    elif _LEADING_ORDERED_RE.match(middle):
        body = middle[:-1] + "\\."
    head = "".join(_reference(char) for char in text[:start])
    tail = "".join(_reference(char) for char in text[end:])
    return head + body + tail


def _reference(char: str) -> str:
    return "<br/>" if char == "\n" else f"&#{ord(char)};"


def link(text: str, url: str | None, *, commas: bool = False) -> str:
    """``[text](url)``, or the escaped text alone when there is no URL."""
    if not url:
        return escape(text, commas=commas)
    return f"[{escape(text)}]({url})"


def code_span(text: str) -> str:
    """An inline code span holding ``text`` (fence longer than any backtick run).

    A code span reads line breaks as spaces, so they are written as spaces.
    """
    text = markdown_safe(re.sub(r"\r\n|[\r\n]", " ", text))
    if not text:
        return "``"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    # one space each side is stripped by the reader, unless the text is all spaces
    needs_pad = (text[0] in "` " or text[-1] in "` ") and text.strip(" ")
    padded = f" {text} " if needs_pad else text
    return f"{fence}{padded}{fence}"


# Inline runs parsed before, by their source text. Consecutive versions of a
# page share almost all of their rows, and an artist's link repeats within a
# page, so a history walk over markdown-only versions parses each cell once.
# The cached token lists are shared: readers must never mutate them.
_INLINE_CACHE: dict[str, list[Token]] = {}
_INLINE_CACHE_LIMIT = 20_000


def _cached_inline(state: StateCore) -> None:
    for token in state.tokens:
        if token.type != "inline":
            continue
        children = _INLINE_CACHE.get(token.content)
        if children is None:
            children = []
            state.md.inline.parse(token.content, state.md, state.env, children)
            if len(_INLINE_CACHE) >= _INLINE_CACHE_LIMIT:
                _INLINE_CACHE.clear()
            _INLINE_CACHE[token.content] = children
        token.children = children


@functools.cache
def parser() -> MarkdownIt:
    """The one reader of pages, built on first use: rendering never needs markdown-it."""
    # lazy: markdown-it costs 27 ms at import (python -X importtime, min of 9, load 9 on
    # 2 cores), and a sync or a read served by the change index never parses a page
    from markdown_it import MarkdownIt

    # Emphasis is not read: our pages escape * and _, and the oldest
    # spotify-playlist-archive pages did not, where "a_b_c" is a name, not markup.
    # Link reference definitions are not read either, so an inline run's tokens
    # depend on its text alone (which the cache above relies on).
    md = MarkdownIt("commonmark").enable("table").disable(["text_join", "emphasis", "reference"])
    md.core.ruler.at("inline", _cached_inline)
    # Read links exactly as written: no percent-encoding, no scheme filter.
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


def parse(text: str) -> list[Token]:
    return parser().parse(text)


def token_text(token: Token) -> str:
    """The text one inline token stands for."""
    if token.type in ("text", "text_special"):
        return token.content
    if token.type == "html_inline":
        return "\n" if _BR_RE.match(token.content) else token.content
    if token.type in ("softbreak", "hardbreak"):
        return "\n"
    if token.type == "code_inline":
        return token.markup + token.content + token.markup
    if token.type == "image":
        return "".join(token_text(child) for child in token.children or ())
    return ""


def inline_text(children: Sequence[Token]) -> str:
    return "".join(token_text(child) for child in children)


@dataclass(frozen=True, slots=True)
class Linked:
    """A text with its link, as a cell or a heading shows it."""

    text: str
    url: str | None


def linked_text(children: Sequence[Token]) -> Linked:
    """The text of an inline run and the URL of its (first) link, if any."""
    url: str | None = None
    for child in children:
        if child.type == "link_open" and url is None:
            href = child.attrGet("href")
            url = str(href) if href is not None else None
    return Linked(inline_text(children), url or None)


def linked_list(children: Sequence[Token]) -> list[Linked]:
    """Items separated by ", ": links, or link-less texts whose commas are escaped."""
    items: list[tuple[list[str], str | None]] = [([], None)]
    in_link = False
    for child in children:
        parts, url = items[-1]
        if child.type == "link_open":
            in_link = True
            if url is None:
                href = child.attrGet("href")
                items[-1] = (parts, str(href) if href else None)
        elif child.type == "link_close":
            in_link = False
        elif child.type == "text" and not in_link:
            pieces = child.content.split(", ")
            parts.append(pieces[0])
            for piece in pieces[1:]:
                items.append(([piece], None))
        else:
            parts.append(token_text(child))
    result = [Linked("".join(parts), url) for parts, url in items]
    if len(result) == 1 and not result[0].text and result[0].url is None:
        return []
    return result
