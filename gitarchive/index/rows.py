"""The rows a fold writes for a version: its track changes as ids into ``tracks``.

A version's changes are stored as track ids (see db.SCHEMA), each distinct
track document once. The fold meets the same track objects version after
version (the readers intern them), so a track object's id is remembered by
the object: its document is made and looked up once, not at every change.
"""

from __future__ import annotations

from hashlib import blake2b
from typing import TYPE_CHECKING, Any

from gitarchive.index.stored import compact, json_value

if TYPE_CHECKING:
    import sqlite3

    from gitarchive.history import TrackDiff
    from gitarchive.history.delta import MovedTrack
    from gitarchive.model import Track
    from gitarchive.timeline import Entry

# track documents a fold remembers the id of; beyond, it looks them up in the file
TRACK_CACHE = 100_000


class TrackIds:
    """Each distinct track document's id in ``tracks``, inserted on first sight."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.ids: dict[str, int] = {}
        # id(track) -> (the track, kept so that its id stays its own; its row id)
        self.objects: dict[int, tuple[Track, int]] = {}
        # what a track's document is made of -> its row id: the same track read by
        # another reader (another playlist's, a fresh one) is another object
        self.fields: dict[tuple[object, ...], int] = {}
        last = connection.execute("SELECT max(id) FROM tracks").fetchone()[0]
        self.next = 1 if last is None else last + 1
        # an empty table (a new index) has nothing to find: no lookups
        self.lookup = last is not None

    def id_of(self, doc: dict[str, Any]) -> int:
        return self.id_of_text(compact(doc))

    def id_of_text(self, text: str) -> int:
        """The id of a track document given as stored (``compact``)."""
        found = self.ids.get(text)
        if found is not None:
            return found
        digest = int.from_bytes(blake2b(text.encode(), digest_size=8).digest(), signed=True)
        if self.lookup:
            for track_id, stored_doc in self.connection.execute(
                "SELECT id, doc FROM tracks WHERE hash = ?", (digest,)
            ):
                if stored_doc == text:
                    found = track_id
        if found is None:
            found = self.next
            self.next += 1
            self.connection.execute("INSERT INTO tracks VALUES (?, ?, ?)", (found, digest, text))
        if len(self.ids) >= TRACK_CACHE:
            self.ids.clear()
            self.lookup = True
        self.ids[text] = found
        return found

    def forget_objects(self) -> None:
        """Drop what is remembered per track object (the objects with it)."""
        self.objects.clear()

    def id_of_track(self, track: Track) -> int:
        """:meth:`id_of` the track's document, remembered per track object."""
        known = self.objects.get(id(track))
        if known is not None:
            return known[1]
        fields = (track.url, track.duration_ms, track.name, track.album.name, track.artists)
        found = self.fields.get(fields)
        if found is None:
            found = self.id_of_text(document_text(track))
            if len(self.fields) >= TRACK_CACHE:
                self.fields.clear()
            self.fields[fields] = found
        if len(self.objects) >= TRACK_CACHE:
            self.objects.clear()
        self.objects[id(track)] = (track, found)
        return found

    def changes(self, entry: Entry) -> str | None:
        """The version's track changes as stored (see db.SCHEMA), None when there are none."""
        if not (entry.added or entry.removed or entry.updated or entry.moved):
            return None  # most versions change no track
        id_of = self.id_of
        return _stored(
            [id_of(doc) for doc in entry.added],
            [id_of(doc) for doc in entry.removed],
            [[id_of(before), id_of(after)] for before, after in entry.updated],
            [[id_of(doc), old, new, n] for doc, old, new, n in entry.moved],
        )

    def track_changes(self, diff: TrackDiff, moved: tuple[MovedTrack, ...]) -> str | None:
        """:meth:`changes` of the entry whose tracks are ``diff`` and ``moved``."""
        if not (diff or moved):
            return None
        id_of = self.id_of_track
        return _stored(
            list(map(id_of, diff.added)),
            list(map(id_of, diff.removed)),
            [[id_of(update.before), id_of(update.after)] for update in diff.updated],
            [[id_of(track), old, new, n] for track, old, new, n in moved],
        )

    def stored(self, docs: ChangeDocs | None) -> str | None:
        """:meth:`track_changes` of a version given by its documents' text (what a fold
        worker sends back, :class:`DocumentsOnly`): numbered in the same order."""
        if docs is None:
            return None
        id_of = self.id_of_text
        added, removed, updated, moved = docs
        return _stored(
            list(map(id_of, added)),
            list(map(id_of, removed)),
            [[id_of(before), id_of(after)] for before, after in updated],
            [[id_of(text), old, new, n] for text, old, new, n in moved],
        )


# a version's added, removed, updated and moved track documents, each as stored text
ChangeDocs = tuple[list[str], list[str], list[list[str]], list[list[Any]]]


class DocumentsOnly(TrackIds):
    """Numbers nothing: a fold worker's changes go back to the one writer as their
    documents' text (:meth:`TrackIds.stored` numbers them there)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        super().__init__(connection)
        self.texts: dict[int, tuple[Track, str]] = {}

    def forget_objects(self) -> None:
        super().forget_objects()
        self.texts.clear()

    def text_of(self, track: Track) -> str:
        known = self.texts.get(id(track))
        if known is not None:
            return known[1]
        text = document_text(track)
        if len(self.texts) >= TRACK_CACHE:
            self.texts.clear()
        self.texts[id(track)] = (track, text)
        return text

    def track_changes(self, diff: TrackDiff, moved: tuple[MovedTrack, ...]) -> Any:
        if not (diff or moved):
            return None
        text_of = self.text_of
        docs: ChangeDocs = (
            list(map(text_of, diff.added)),
            list(map(text_of, diff.removed)),
            [[text_of(update.before), text_of(update.after)] for update in diff.updated],
            [[text_of(track), old, new, n] for track, old, new, n in moved],
        )
        return docs


def document_text(track: Track) -> str:
    """``compact(track_document(track))``, written directly: a fold makes the document of
    every track object its readers hand out (hundreds of thousands in a build), and the
    dict and the encoder's pass over it were most of that cost."""
    artists = ",".join([json_value(artist.name) for artist in track.artists])
    return (
        f'{{"id":{json_value(track.id)},"name":{json_value(track.name)},'
        f'"artists":[{artists}],"album":{json_value(track.album.name)},'
        f'"url":{json_value(track.url)},'
        f'"duration_ms":{json_value(track.duration_ms)}}}'
    )


def _stored(
    added: list[int], removed: list[int], updated: list[list[int]], moved: list[list[int]]
) -> str:
    """``compact([added, removed, updated, moved])``: lists of ints, written directly (a
    version's row is the fold's most frequent JSON)."""
    return "[[{}],[{}],[{}],[{}]]".format(
        ",".join(map(str, added)),
        ",".join(map(str, removed)),
        ",".join(f"[{before},{after}]" for before, after in updated),
        ",".join(f"[{','.join(map(str, move))}]" for move in moved),
    )
