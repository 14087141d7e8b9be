"""Every name-keyed page the generated 2019 and 2021 clones hold reads through the page grammar.

The generator (tests/support/foreign_archive.py) writes the pages as those writers did,
with their quirks (bare seconds, unescaped ``|`` in titles, aliases); its Truth says what
each version was. Each version's pretty page gives that version's tracks with their ids,
links and lengths; each cumulative page lists the version's tracks as present.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pygit2
import pytest

from gitarchive.formats.cumulative import read_cumulative
from gitarchive.formats.pretty import read_pretty
from tests.support.foreign_archive import Shape, generate

if TYPE_CHECKING:
    from tests.support.foreign_model import Truth, Version


@pytest.fixture(scope="module", params=["2019", "2021"])
def clone(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Truth:
    layout = str(request.param)
    shape = Shape(playlists=6, commits=40, min_tracks=8, max_tracks=14, layout=layout)
    return generate(tmp_path_factory.mktemp("pages") / layout, shape)


def page_texts(truth: Truth, version: Version, folder: str) -> list[str]:
    repo = pygit2.Repository(str(truth.path))
    texts = []
    for path in version.paths:
        if path.startswith(f"playlists/{folder}/") and path.endswith(".md"):
            tree = repo.revparse_single(version.commit).peel(pygit2.Tree)
            if path in tree:  # else the commit deleted it (a rename moves both pages)
                blob = repo[tree[path].id]
                assert isinstance(blob, pygit2.Blob)
                texts.append(blob.data.decode("utf-8"))
    return texts


def test_each_version_s_pretty_page_gives_its_tracks_ids_links_and_lengths(clone: Truth) -> None:
    read = 0
    for playlist_id, versions in clone.versions.items():
        for version in versions:
            for text in page_texts(clone, version, "pretty"):
                playlist = read_pretty(text, playlist_id)
                assert playlist.unique_name == version.name
                assert playlist.description == version.description.rstrip("\n")
                assert [t.url for t in playlist.tracks] == [t.url for t in version.tracks]
                assert [t.name for t in playlist.tracks] == [t.title for t in version.tracks]
                assert [t.duration_ms for t in playlist.tracks] == [
                    t.duration_ms // 1000 * 1000 for t in version.tracks
                ]
                assert [tuple(a.url for a in t.artists) for t in playlist.tracks] == [
                    t.artist_urls for t in version.tracks
                ]
                assert [t.album.url for t in playlist.tracks] == [
                    t.album_url for t in version.tracks
                ]
                read += 1
    assert read > 0
    assert clone.quirks_of("bare_seconds") and clone.quirks_of("pipe_in_name")


def test_each_cumulative_page_lists_the_version_s_tracks_as_present(clone: Truth) -> None:
    for playlist_id, versions in clone.versions.items():
        for version in versions:
            for text in page_texts(clone, version, "cumulative"):
                view = read_cumulative(text, playlist_id)
                present = sorted(e.track.url or "" for e in view.tracks if e.removed is None)
                assert present == sorted(t.url for t in version.tracks)
                assert view.first_scraped <= version.date.date()
