"""The demo archive as tests share it (built once per run by conftest's ``demo_archive``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from gitarchive.demo import DemoResult


@dataclass(frozen=True)
class DemoArchive:
    path: Path
    result: DemoResult
