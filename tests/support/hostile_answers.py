"""The hostile answers corpus: named cases the fake Spotify API serves.

Each :class:`HostileCase` sets up one playlist (id :data:`HOSTILE_ID` unless
given) on a :class:`FakeSpotify` whose answers are spoiled in one way, and
says what a correct client must make of it:

* ``expect="ok"``: a correct playlist of ``tracks`` tracks (``check`` may look
  closer), never an emptied or garbled one;
* ``expect="<ErrorClass>"``: a failed fetch of that gitarchive.errors class
  whose message contains ``reason`` (the playlist's files are then kept).

The client-level test is tests/test_hostile_answers.py; a sync-level test can
run the same cases end to end (``apply`` then ``gitarchive sync``): the
playlist's files must be byte-identical after a failed case, and a correct new
version after an ok case. Cases need a client with a short playlist budget
(a few seconds): the persistent ones end by exhausting it.

No gitarchive import here: expectations are class names, so the fake stays a
stand-alone server for benchmarks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

from tests.support.api import api_playlist, fake_id
from tests.support.fakespotify import Raw

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.support.fakespotify import FakeSpotify, Rewrite

HOSTILE_ID = fake_id("hostile")
TRACKS = 60  # two pages of 50: pagination is part of most cases
MAX_MS = 48 * 3600 * 1000  # gitarchive.formats.sanitize.MAX_DURATION_MS


@dataclass(frozen=True)
class HostileCase:
    name: str
    expect: str  # "ok" or the name of a gitarchive.errors class
    reason: str = ""  # a substring of the error message (failures)
    tracks: int | None = None  # ok: the number of tracks of the correct playlist
    data: Callable[[str], dict[str, Any]] = field(default=lambda pid: api_playlist(pid, TRACKS))
    rewrite: Callable[[], Rewrite] | None = None  # a fresh hook per setup (hooks keep counts)
    faults: tuple[dict[str, Any], ...] = ()  # fake.inject(**fault); "{id}" in match is the id
    entry_shape: str = "item"
    check: Callable[[Any], bool] | None = None  # ok: a closer look at the Playlist

    def apply(self, fake: FakeSpotify, playlist_id: str = HOSTILE_ID) -> str:
        """Serve this case's playlist on ``fake``; returns its id."""
        fake.add_playlist(
            self.data(playlist_id),
            entry_shape=self.entry_shape,
            rewrite=self.rewrite() if self.rewrite else None,
        )
        for fault in self.faults:
            options = dict(fault)
            options["match"] = options.get("match", "{id}").replace("{id}", playlist_id)
            fake.inject(**options)
        return playlist_id


# ---------------------------------------------------------------------- building blocks


def _always(what: str, raw: Raw, offset: int | None = None) -> Callable[[], Rewrite]:
    def make() -> Rewrite:
        def hook(kind: str, at: int, body: dict[str, Any]) -> dict[str, Any] | Raw:
            return raw if kind == what and (offset is None or at == offset) else body

        return hook

    return make


def _once(what: str, raw: Raw) -> Callable[[], Rewrite]:
    def make() -> Rewrite:
        spent = [False]

        def hook(kind: str, at: int, body: dict[str, Any]) -> dict[str, Any] | Raw:
            if kind == what and not spent[0]:
                spent[0] = True
                return raw
            return body

        return hook

    return make


def _edit(what: str, change: Callable[[dict[str, Any], int], None]) -> Callable[[], Rewrite]:
    def make() -> Rewrite:
        def hook(kind: str, at: int, body: dict[str, Any]) -> dict[str, Any] | Raw:
            if kind == what:
                body = json.loads(json.dumps(body))
                change(body, at)
            return body

        return hook

    return make


def _with_entries(change: Callable[[list[dict[str, Any]], str], None]) -> Callable[[str], Any]:
    def data(playlist_id: str) -> dict[str, Any]:
        playlist = api_playlist(playlist_id, TRACKS)
        change(playlist["items"]["items"], playlist_id)
        return playlist

    return data


def _with_meta(change: Callable[[dict[str, Any]], None]) -> Callable[[str], Any]:
    def data(playlist_id: str) -> dict[str, Any]:
        playlist = api_playlist(playlist_id, TRACKS)
        change(playlist)
        return playlist

    return data


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Set a dotted path in the metadata (``owner.display_name``)."""

    def change(node: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for key in parents:
            node = node[key]
        node[last] = value

    return change


def _entry_set(index: int, path: str, value: Any) -> Callable[[list[Any], str], None]:
    """Set a dotted path inside entry ``index`` (``item.album.name``); "" replaces it."""

    def change(entries: list[Any], _playlist_id: str) -> None:
        if not path:
            entries[index] = value
            return
        node = entries[index]
        *parents, last = path.split(".")
        for key in parents:
            node = node[key] if not key.isdigit() else node[int(key)]
        if last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value

    return change


HTML = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
HTML_200 = Raw(200, HTML, content_type="text/html")
HTML_502 = Raw(502, HTML, content_type="text/html")
INVALID_JSON = Raw(200, b'{"items": [{"added_at": nope}')
TRUNCATED = Raw(200, b'{"href": "x", "items": [{"added_at": "2026-01-02T03:04:05Z", "is')


def _names(playlist: Any) -> list[str]:
    names = [playlist.original_name, playlist.description, playlist.owner.name]
    for track in playlist.tracks:
        names += [track.name, track.album.name, *(a.name for a in track.artists)]
    return names


def _one_line(playlist: Any) -> bool:
    return not any(c in text for text in _names(playlist) for c in "\n\r\t\x00\x1b\x85")


def _http_date(seconds: float) -> str:
    return format_datetime(datetime.now(UTC) + timedelta(seconds=seconds), usegmt=True)


# ---------------------------------------------------------------------- the corpus

_BODIES = [
    HostileCase(
        "invalid_json_always",
        "RetriesExhausted",
        "invalid JSON",
        rewrite=_always("page", INVALID_JSON),
    ),
    HostileCase("invalid_json_once", "ok", tracks=TRACKS, rewrite=_once("page", INVALID_JSON)),
    HostileCase(
        "truncated_body_always",
        "RetriesExhausted",
        "invalid JSON",
        rewrite=_always("meta", TRUNCATED),
    ),
    HostileCase("truncated_body_once", "ok", tracks=TRACKS, rewrite=_once("meta", TRUNCATED)),
    HostileCase(
        "short_body_once", "ok", tracks=TRACKS, faults=({"kind": "short", "match": "{id}/items"},)
    ),
    HostileCase(
        "html_200_always", "RetriesExhausted", "text/html", rewrite=_always("page", HTML_200)
    ),
    HostileCase("html_200_once", "ok", tracks=TRACKS, rewrite=_once("page", HTML_200)),
    HostileCase(
        "html_502_always",
        "RetriesExhausted",
        "HTTP 502",
        rewrite=_always("page", HTML_502, offset=50),
    ),
    HostileCase("html_502_once", "ok", tracks=TRACKS, rewrite=_once("meta", HTML_502)),
    HostileCase("empty_body_once", "ok", tracks=TRACKS, faults=({"kind": "empty"},)),
    HostileCase(
        "bad_request_400",
        "BadRequest",
        "bug in gitarchive",
        faults=({"kind": "status", "status": 400, "match": "{id}/items"},),
    ),
    HostileCase(
        "meta_empty_object",
        "InvalidResponse",
        "playlist.id",
        rewrite=_edit("meta", lambda body, _at: body.clear()),
    ),
    HostileCase(
        "meta_of_another_playlist",
        "InvalidResponse",
        "the answer is for playlist",
        rewrite=_edit("meta", lambda body, _at: body.update(id="B" * 22)),
    ),
]

# Wrong types in every field the client reads: a typed failure, or (where the field is
# only a fallback the client need not read) a correct playlist.
_META_TYPES = [
    ("name", 5),
    ("name", ["x"]),
    ("description", []),
    ("snapshot_id", 7),
    ("followers", "many"),
    ("followers.total", "1"),
    ("owner", "spotify"),
    ("owner.display_name", 3),
    ("owner.id", 4),
]
_ENTRY_TYPES = [
    ("", "an entry"),
    ("added_at", 123),
    ("added_at", "yesterday"),
    ("is_local", "no"),
    ("item", "a track"),
    ("item.name", 1),
    ("item.id", 5),
    ("item.duration_ms", "3:20"),
    ("item.duration_ms", 3.5),
    ("item.album", []),
    ("item.album.name", 1),
    ("item.artists", {}),
    ("item.artists.0", "x"),
    ("item.artists.0.name", 1),
    ("item.type", 1),
    ("item.album.id", ["id"]),
]
_TYPES = (
    [
        HostileCase(
            f"wrong_type_meta_{path.replace('.', '_')}_{type(value).__name__}",
            "InvalidResponse",
            f"playlist.{path}",
            data=_with_meta(_set(path, value)),
        )
        for path, value in _META_TYPES
    ]
    + [
        HostileCase(
            f"wrong_type_entry_{path.replace('.', '_') or 'whole'}_{type(value).__name__}",
            "InvalidResponse",
            f"items[55]{'.' + path if path else ''}".replace(".0", "[0]"),
            data=_with_entries(_entry_set(55, path, value)),
        )
        for path, value in _ENTRY_TYPES
    ]
    + [
        HostileCase(
            "wrong_type_meta_id_int",
            "InvalidResponse",
            "playlist.id",
            rewrite=_edit("meta", lambda body, _at: body.update(id=12345)),
        ),
        HostileCase(
            "wrong_type_page_total",
            "InvalidResponse",
            "total should be a count",
            rewrite=_edit("page", lambda body, _at: body.update(total="60")),
        ),
        HostileCase(
            "wrong_type_page_items",
            "InvalidResponse",
            "items should be a list",
            rewrite=_edit("page", lambda body, _at: body.update(items={})),
        ),
        HostileCase(
            "wrong_type_page_next",
            "InvalidResponse",
            "next should be a URL",
            rewrite=_edit("page", lambda body, _at: body.update(next=50)),
        ),
        HostileCase(
            "wrong_type_external_url_unused",
            "ok",
            tracks=TRACKS,
            data=_with_entries(_entry_set(3, "item.external_urls", "x")),
        ),
    ]
)


def _page_next(target: int) -> Callable[[dict[str, Any], int], None]:
    def change(body: dict[str, Any], at: int) -> None:
        if at == 50:
            body["next"] = f"http://x/v1/playlists/p/items?offset={target}&limit=50"

    return change


def _empty_at(offset: int) -> Callable[[dict[str, Any], int], None]:
    def change(body: dict[str, Any], at: int) -> None:
        if at == offset:
            body["items"] = []

    return change


def _total(value: int, at_offset: int | None = None) -> Callable[[dict[str, Any], int], None]:
    def change(body: dict[str, Any], at: int) -> None:
        if at_offset is None or at == at_offset:
            body["total"] = value

    return change


def _ignore_offset(body: dict[str, Any], at: int) -> None:
    # A server that answers every offset as if it were the first page: same `next`.
    body["next"] = "http://x/v1/playlists/p/items?offset=50&limit=50"


_PAGES = [
    HostileCase(
        "total_larger_than_served",
        "IncompleteResponse",
        "expected 30",
        rewrite=_edit("page", _total(80)),
    ),
    HostileCase(
        "total_smaller_than_served",
        "IncompleteResponse",
        "more than",
        rewrite=_edit("page", _total(40)),
    ),
    HostileCase(
        "total_changes_between_pages",
        "IncompleteResponse",
        "edited while read",
        rewrite=_edit("page", _total(61, at_offset=50)),
    ),
    HostileCase(
        "total_beyond_playlist_limit",
        "IncompleteResponse",
        "10,000",
        rewrite=_edit("page", _total(99_999)),
    ),
    HostileCase(
        "next_loops_back_to_start",
        "IncompleteResponse",
        "a loop",
        rewrite=_edit("page", _page_next(0)),
    ),
    HostileCase(
        "next_skips_ahead",
        "IncompleteResponse",
        "points to offset 70",
        rewrite=_edit("page", _page_next(70)),
    ),
    HostileCase(
        "next_points_into_its_own_page",
        "IncompleteResponse",
        "a loop",
        rewrite=_edit("page", _page_next(55)),
    ),
    HostileCase(
        "empty_page_before_total",
        "IncompleteResponse",
        "is empty",
        rewrite=_edit("page", _empty_at(50)),
    ),
    HostileCase(
        "offset_ignored", "IncompleteResponse", "a loop", rewrite=_edit("page", _ignore_offset)
    ),
    HostileCase("empty_playlist", "ok", tracks=0, data=lambda pid: api_playlist(pid, 0)),
]


def _duplicates(entries: list[Any], playlist_id: str) -> None:
    entries[30:] = [json.loads(json.dumps(e)) for e in entries[:30]]


def _nulls(count: int) -> Callable[[list[Any], str], None]:
    def change(entries: list[Any], _pid: str) -> None:
        for entry in entries[:count]:
            entry["item"] = None

    return change


def _episodes(entries: list[Any], _pid: str) -> None:
    for index, entry in enumerate(entries[:5]):
        item = entry["item"]
        item.update(type="episode", id=fake_id("episode", index), album=None, artists=None)
        item["show"] = {"id": fake_id("show"), "name": "A Show", "publisher": "Pod Co"}


def _locals(entries: list[Any], _pid: str) -> None:
    for entry in entries[:5]:
        entry["is_local"] = True
        entry["item"].update(id=None, is_local=True, external_urls={})
        entry["item"]["album"].update(id=None, external_urls={})


def _bare(entries: list[Any], _pid: str) -> None:
    for entry in entries[:5]:
        entry["item"].pop("album")
        entry["item"].pop("artists")


def _names_set(value: str) -> Callable[[list[Any], str], None]:
    def change(entries: list[Any], _pid: str) -> None:
        for entry in entries[:3]:
            entry["item"]["name"] = value
            entry["item"]["album"]["name"] = value
            entry["item"]["artists"][0]["name"] = value

    return change


def _durations(entries: list[Any], _pid: str) -> None:
    for entry, value in zip(entries, [-5000, None, 10**15, 2**63], strict=False):
        entry["item"]["duration_ms"] = value


JAVASCRIPT = "javascript:alert(document.cookie)"


def _bad_links(entries: list[Any], _pid: str) -> None:
    """Entry 2's track, album and first artist: an invalid id and a javascript: link."""
    item = entries[2]["item"]
    for node in (item, item["album"], item["artists"][0]):
        node["id"] = "not an id"
        node["external_urls"] = {"spotify": JAVASCRIPT}
    entries[3]["item"]["id"] = "not an id either"  # and another host, with a query
    entries[3]["item"]["external_urls"] = {"spotify": "https://evil.invalid/track/x?y=1"}


def _no_bad_links(p: Any) -> bool:
    two, three = p.tracks[2], p.tracks[3]
    return (two.url, two.album.url, two.artists[0].url, three.url) == (None, None, None, None)


CONTROL = "Line\nbreak\rreturn\ttab\x00nul\x1besc\x85nel\u2028sep"
LONG = "Ж" * 10_000
# Text a terminal must print literally: rich markup, an emoji code, a hyperlink tag.
MARKUP = ":x: [bold red]Loud[/bold red] [link=https://evil.invalid]click[/link]"

_ENTRIES = [
    HostileCase(
        "duplicate_entries",
        "ok",
        tracks=TRACKS,
        data=_with_entries(_duplicates),
        check=lambda p: len({t.url for t in p.tracks}) == 30,
    ),
    HostileCase("null_items", "ok", tracks=TRACKS - 10, data=_with_entries(_nulls(10))),
    HostileCase(
        "all_items_null",
        "IncompleteResponse",
        "none is a track",
        data=_with_entries(_nulls(TRACKS)),
    ),
    HostileCase(
        "episodes",
        "ok",
        tracks=TRACKS,
        data=_with_entries(_episodes),
        check=lambda p: p.tracks[0].url.startswith("https://open.spotify.com/episode/"),
    ),
    HostileCase(
        "local_files",
        "ok",
        tracks=TRACKS,
        data=_with_entries(_locals),
        check=lambda p: p.tracks[0].url is None,
    ),
    HostileCase(
        "entries_without_album_or_artists",
        "ok",
        tracks=TRACKS,
        data=_with_entries(_bare),
        check=lambda p: p.tracks[0].artists == () and p.tracks[0].album.name == "",
    ),
    HostileCase("entries_with_track_key_only", "ok", tracks=TRACKS, entry_shape="track"),
    HostileCase("entries_with_item_and_track", "ok", tracks=TRACKS, entry_shape="both"),
    HostileCase(
        "entries_with_neither_key",
        "IncompleteResponse",
        "neither `item` nor `track`",
        entry_shape="neither",
    ),
    HostileCase(
        "names_10000_characters",
        "ok",
        tracks=TRACKS,
        data=_with_entries(_names_set(LONG)),
        check=lambda p: p.tracks[0].name == LONG,
    ),
    HostileCase(
        "names_with_control_characters",
        "ok",
        tracks=TRACKS,
        data=_with_entries(_names_set(CONTROL)),
        check=_one_line,
    ),
    HostileCase(
        "playlist_name_with_control_characters",
        "ok",
        tracks=TRACKS,
        data=_with_meta(_set("name", "Two\nlines\r\x00")),
        check=_one_line,
    ),
    HostileCase(
        "names_with_rich_markup_and_emoji_codes",
        "ok",
        tracks=TRACKS,
        data=_with_entries(_names_set(MARKUP)),
        check=lambda p: p.tracks[0].name == MARKUP,
    ),
    HostileCase(
        "playlist_name_with_rich_markup_and_emoji_codes",
        "ok",
        tracks=TRACKS,
        data=_with_meta(_set("name", MARKUP)),
        check=lambda p: p.original_name == MARKUP,
    ),
    HostileCase(
        "playlist_name_blank",
        "ok",
        tracks=TRACKS,
        data=_with_meta(_set("name", " \n")),
        check=lambda p: p.original_name == p.id,
    ),
    HostileCase(
        "playlist_name_10000_characters", "ok", tracks=TRACKS, data=_with_meta(_set("name", LONG))
    ),
    HostileCase(
        "durations_negative_null_huge",
        "ok",
        tracks=TRACKS,
        data=_with_entries(_durations),
        check=lambda p: [t.duration_ms for t in p.tracks[:4]] == [0, 0, MAX_MS, MAX_MS],
    ),
    HostileCase(
        "followers_negative",
        "ok",
        tracks=TRACKS,
        data=_with_meta(_set("followers.total", -1)),
        check=lambda p: p.num_followers is None,
    ),
    HostileCase(
        "followers_beyond_any_integer_column",
        "ok",
        tracks=TRACKS,
        data=_with_meta(_set("followers.total", 10**30)),
        check=lambda p: p.num_followers is None,
    ),
    HostileCase(
        "links_javascript_or_another_host_with_invalid_ids",
        "ok",
        tracks=TRACKS,
        data=_with_entries(_bad_links),
        check=_no_bad_links,
    ),
    HostileCase(
        "owner_id_that_is_no_link",
        "ok",
        tracks=TRACKS,
        data=_with_meta(
            _set(
                "owner",
                {
                    "id": "x) [click](javascript:alert(1)",
                    "display_name": "Owner",
                    "external_urls": {"spotify": JAVASCRIPT},
                },
            )
        ),
        check=lambda p: p.owner.url == "",
    ),
    HostileCase(
        "followers_missing",
        "ok",
        tracks=TRACKS,
        data=_with_meta(lambda meta: meta.pop("followers")),
    ),
]


def _rate(after: str, times: int | None = 1) -> tuple[dict[str, Any], ...]:
    body = b'{"error": {"status": 429, "message": "API rate limit exceeded"}}'
    return (
        {
            "kind": "raw",
            "status": 429,
            "body": body,
            "headers": {"Retry-After": after},
            "match": "{id}/items",
            "times": times,
        },
    )


_RATES = [
    HostileCase("retry_after_huge", "RetriesExhausted", "HTTP 429", faults=_rate("999999")),
    HostileCase("retry_after_negative", "ok", tracks=TRACKS, faults=_rate("-30")),
    HostileCase("retry_after_garbage", "ok", tracks=TRACKS, faults=_rate("soon, maybe")),
    HostileCase("retry_after_http_date", "ok", tracks=TRACKS, faults=_rate(_http_date(0.3))),
    HostileCase(
        "retry_after_missing",
        "ok",
        tracks=TRACKS,
        faults=({"kind": "raw", "status": 429, "body": b"", "match": "{id}/items"},),
    ),
    HostileCase("endless_429", "RetriesExhausted", "429", faults=_rate("0", times=None)),
    HostileCase(
        "quota_exceeded",
        "QuotaExceeded",
        "QUOTA_EXCEEDED",
        faults=({"kind": "quota", "match": "{id}/items"},),
    ),
    HostileCase(
        "server_5xx_endless",
        "RetriesExhausted",
        "HTTP 503",
        faults=({"kind": "status", "status": 503, "times": None},),
    ),
]

HOSTILE_CASES: dict[str, HostileCase] = {
    case.name: case for case in [*_BODIES, *_TYPES, *_PAGES, *_ENTRIES, *_RATES]
}
assert len(HOSTILE_CASES) == len(_BODIES) + len(_TYPES) + len(_PAGES) + len(_ENTRIES) + len(
    _RATES
), "hostile case names must be unique"
