"""Whose token is this (``GET /me``): the user the readers of a user's library build on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitarchive.errors import InvalidResponse
from gitarchive.formats.sanitize import clean_name
from gitarchive.spotify import access

if TYPE_CHECKING:
    from gitarchive.spotify.session import Session


async def current_user(session: Session) -> access.SpotifyUser | None:
    """The token's user; None for a client-credentials token (no request made)."""
    if not session.has_user:
        return None
    data = await session.get_json("/me", {}, deadline=session.budget_deadline())
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"]:
        raise InvalidResponse("Spotify sent invalid data: /me has no user id")
    display = data.get("display_name")
    return access.SpotifyUser(
        id=data["id"], display_name=clean_name(display) if isinstance(display, str) else ""
    )
