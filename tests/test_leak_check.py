"""The leak check every test runs under finds a secret wherever it hides."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pygit2

from tests.support.leaks import leaked

if TYPE_CHECKING:
    from pathlib import Path

SECRET = "fake-client-secret-0123456789abcdef"


def test_finds_a_secret_in_output() -> None:
    assert leaked({SECRET}, f"error: {SECRET}\n", _empty(), set())


def test_finds_a_secret_in_a_file_unless_allowed(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    token_file = tmp_path / "sub" / "token"
    token_file.write_text(SECRET)
    assert leaked({SECRET}, "", tmp_path, set()) == [f"{token_file}: {SECRET[:12]}…"]
    assert leaked({SECRET}, "", tmp_path, {token_file}) == []


def test_finds_a_secret_in_a_compressed_git_object(tmp_path: Path) -> None:
    repo = pygit2.init_repository(str(tmp_path / "repo.git"), bare=True)
    blob = repo.create_blob(f"name: {SECRET}\n".encode())
    places = leaked({SECRET}, "", tmp_path, set())
    assert places == [f"object {blob} in {tmp_path / 'repo.git'}"]


def test_a_link_out_of_the_folder_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text(SECRET)
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(outside / "secret")
    assert leaked({SECRET}, "", root, set()) == []


def _empty() -> Path:
    from pathlib import Path

    return Path("/nonexistent-leak-check-root")
