"""The offline demo: a real archive built from snapshots shipped inside the package.

``gitarchive/demo_data/`` holds a few playlists, each as a base track list plus
dated changes (tracks added, removed, re-added, albums renamed, likes moving, a
stretch of days on which the playlist answers 404). :class:`DemoTransport`
serves them in the shape of the Spotify Web API (2026) as they stood on a given
day, so the real :class:`gitarchive.spotify.SpotifyClient` fetches them, and
:func:`build_demo` runs the real sync once per day. The archive it makes is
therefore exactly what scheduled syncs would have made.

The shipped files (edit them by hand; tests/test_demo.py derives every
expectation from them):

``demo.json``
    ``first_day``, ``days`` (one sync a day), ``sync_time`` ("HH:MM" UTC) and
    ``playlists`` (ids, in registry order).
``<id>.json``
    ``name``, ``description`` (HTML-escaped, as the API sends it), ``owner``
    ``{id, display_name}``, ``followers`` on the first day, ``tracks`` (a
    catalog: track id → ``{name, artists: [[name, id]], album: [name, id],
    duration_ms, added_at}``), ``base`` (track ids on the first day, in order)
    and ``changes``: one object per date with any of ``add`` (ids appended,
    stamped added 47 minutes before that day's sync), ``remove`` (ids),
    ``album`` ({track id: new album name}), ``order`` (ids: the new order),
    ``name``, ``description``, ``followers``, and ``unavailable`` (true: 404
    from that day on; false: back again).
"""

from __future__ import annotations

from gitarchive.demo.api import (
    DEMO_ACCOUNTS_URL,
    DEMO_API_URL,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DemoTransport,
)
from gitarchive.demo.build import (
    DEFAULT_DEMO_FOLDER,
    DEMO_AUTHOR_EMAIL,
    DEMO_AUTHOR_NAME,
    DemoResult,
    build_demo,
    check_demo_target,
    display_path,
    summary_lines,
)
from gitarchive.demo.data import (
    DemoData,
    DemoPlaylist,
    DemoState,
    DemoTrack,
    expected_playlist,
    load_demo_data,
)

__all__ = [
    "DEFAULT_DEMO_FOLDER",
    "DEMO_ACCOUNTS_URL",
    "DEMO_API_URL",
    "DEMO_AUTHOR_EMAIL",
    "DEMO_AUTHOR_NAME",
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DemoData",
    "DemoPlaylist",
    "DemoResult",
    "DemoState",
    "DemoTrack",
    "DemoTransport",
    "build_demo",
    "check_demo_target",
    "display_path",
    "expected_playlist",
    "load_demo_data",
    "summary_lines",
]
