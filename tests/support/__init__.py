"""What tests share: the git CLI as an oracle, the CLI in-process, repositories built
commit by commit, and playlists in the two shapes tests need (Spotify API JSON for the
fake server, model objects for everything after parsing)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
SEED_ID = "37i9dQZF1DX5LEXW9eXA0n"
