"""Whatever the Spotify client accepts must render, read back and validate.

``check_round_trip(playlist)`` renders a fetched playlist through every writer
(plain, pretty page, JSON snapshot, cumulative view, index, registry), reads
each file back with formats' readers, and runs the validator over the files.
Any exception or finding fails the caller's test.
"""

from __future__ import annotations

from datetime import date

from gitarchive import formats
from gitarchive.formats.sanitize import name_problem, playlist_name_problem
from gitarchive.history import update_cumulative
from gitarchive.model import Playlist
from gitarchive.validate import validate_files

GITHUB = "owner/repo"


def render_all(playlist: Playlist) -> dict[str, bytes]:
    playlist_id = playlist.id
    view = update_cumulative(None, playlist, date(2026, 12, 1))
    texts = {
        formats.registry_path(playlist_id): "",
        formats.plain_path(playlist_id): formats.render_plain(playlist),
        formats.pretty_path(playlist_id): formats.render_pretty(playlist, github=GITHUB),
        formats.json_path(playlist_id): formats.render_json(playlist),
        formats.cumulative_path(playlist_id): formats.render_cumulative(view, github=GITHUB),
        formats.INDEX_PATH: formats.render_index([(playlist_id, playlist.unique_name)]),
    }
    return {path: text.encode("utf-8") for path, text in texts.items()}


def check_round_trip(playlist: Playlist) -> None:
    """Raise AssertionError (or the reader's error) unless every file reads back and validates."""
    assert playlist_name_problem(playlist.original_name) is None, playlist.original_name[:80]
    for track in playlist.tracks:
        for text in (track.name, track.album.name, *(a.name for a in track.artists)):
            assert name_problem(text) is None, text[:80]
    files = render_all(playlist)
    playlist_id = playlist.id

    def text_of(path: str) -> str:
        return files[path].decode("utf-8")

    snapshot = formats.read_json(text_of(formats.json_path(playlist_id)), playlist_id)
    assert snapshot == playlist, "the JSON snapshot is not lossless"
    pretty = formats.read_pretty(text_of(formats.pretty_path(playlist_id)), playlist_id)
    assert len(pretty.tracks) == len(playlist.tracks)
    assert pretty.unique_name == playlist.unique_name
    assert [t.name for t in pretty.tracks] == [t.name for t in playlist.tracks]
    plain = formats.read_plain(text_of(formats.plain_path(playlist_id)), playlist_id)
    assert len(plain.tracks) == len(playlist.tracks)
    assert plain.unique_name == playlist.unique_name
    cumulative = formats.read_cumulative(text_of(formats.cumulative_path(playlist_id)), playlist_id)
    assert len(cumulative.tracks) == len({t.key for t in playlist.tracks})
    assert formats.read_index(text_of(formats.INDEX_PATH)) == [(playlist_id, playlist.unique_name)]
    findings = validate_files(files)
    assert findings == [], [str(f) for f in findings][:5]
