"""A file's bytes as text: the one decoding every reader of the archive starts from."""

from __future__ import annotations

from gitarchive.errors import FormatError


def decode(data: bytes, path: str | None = None) -> str:
    """A file's text: UTF-8 (a BOM is dropped); FormatError naming the file otherwise."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise FormatError(
            f"not UTF-8 text (byte {exc.start}: {data[exc.start : exc.start + 1]!r})", path=path
        ) from None
