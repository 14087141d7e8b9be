"""Rendering exported playlists in a format and putting the files in place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gitarchive.exports import document, exportify, m3u, target, xspf

if TYPE_CHECKING:
    from pathlib import Path

    from gitarchive.exports.playlist import ExportedPlaylist

Renderer = Callable[["ExportedPlaylist"], tuple[bytes, int]]
RENDERERS: dict[str, Renderer] = {
    "csv": exportify.render,
    "m3u8": m3u.render,
    "xspf": xspf.render,
    "json": document.render,
}


@dataclass(frozen=True, slots=True)
class Written:
    path: Path
    playlists: int
    tracks: int
    left_out: int  # tracks the format could not hold (m3u8: no URL)


def write(kind: str, playlists: list[ExportedPlaylist], out: Path, *, one_file: bool) -> Written:
    """``out`` itself (``one_file``: exactly one playlist) or ``out/<id>.<kind>`` per playlist.

    Every file is rendered and every target checked before any is written, so a rendering
    error or a refused target (a folder in the way of one file) writes nothing.
    """
    render = RENDERERS[kind]
    rendered = [(playlist, *render(playlist)) for playlist in playlists]
    if one_file:
        target.write_file(out, rendered[0][1])
    else:
        target.prepare_folder(out)
        paths = [out / f"{playlist.id}.{kind}" for playlist, _, _ in rendered]
        for path in paths:
            target.check_file(path, in_folder=True)
        for path, (_, data, _) in zip(paths, rendered, strict=True):
            target.write_file(path, data, in_folder=True)
    return Written(
        path=out,
        playlists=len(rendered),
        tracks=sum(len(playlist.tracks) for playlist in playlists),
        left_out=sum(left for _, _, left in rendered),
    )
