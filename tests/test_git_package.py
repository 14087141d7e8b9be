"""gitarchive.git's names, imported from their submodules on first use."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from gitarchive import git


def _homes_as_python_reads_them() -> dict[str, str]:
    source = Path(git.__file__).read_text(encoding="utf-8")
    block = next(node for node in ast.parse(source).body if isinstance(node, ast.If))
    return {
        alias.name: f"gitarchive.git.{statement.module}"
        for statement in block.body
        if isinstance(statement, ast.ImportFrom) and statement.module
        for alias in statement.names
    }


def test_the_package_reads_its_names_as_python_reads_the_import_block() -> None:
    expected = _homes_as_python_reads_them()
    assert len(expected) > 50  # the block itself was found
    assert git._homes() == expected


def test_every_listed_name_is_its_submodule_s_object() -> None:
    for name, home in git._homes().items():
        assert getattr(git, name) is getattr(importlib.import_module(home), name), name
