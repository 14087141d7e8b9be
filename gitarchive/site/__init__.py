"""The static site: the archive's timelines, likes and cumulative views as web pages.

Pure page, data and SVG builders over the versions that :mod:`gitarchive.versions`
reads from the log (the engine ``gitarchive history`` uses). No typer, rich or
pygit2 here; the ``site`` command lives in ``gitarchive.cli.site``.
"""

from __future__ import annotations

from gitarchive.site.build import SiteResult, build_site

__all__ = ["SiteResult", "build_site"]
