"""The history package's names, each loaded from its module on first use."""

from __future__ import annotations

import importlib

import gitarchive.history as history


def test_every_exported_name_is_its_modules_own() -> None:
    assert sorted(history.__all__) == sorted(history._HOMES)
    for name, home in history._HOMES.items():
        assert getattr(history, name) is getattr(importlib.import_module(home), name)
    assert set(history.__all__) <= set(dir(history))
