"""``doctor``'s core: what the configured access can read of each registered playlist.

:func:`diagnose` checks the credentials (a token can be had; whose it is) and
probes every playlist (:mod:`.probe`), then groups the refusals by cause with
:func:`.access.group_by_cause`, the same grouping sync's report uses.
No printing here: the CLI renders :class:`DoctorResult` as text or JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gitarchive.errors import AuthError, QuotaExceeded
from gitarchive.spotify import access
from gitarchive.spotify.probe import probe_playlists
from gitarchive.spotify.user import current_user

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitarchive.spotify.session import Session


@dataclass(slots=True)
class DoctorResult:
    grant: str  # "refresh_token" (a user's token) or "client_credentials" (no user)
    user: access.SpotifyUser | None = None
    credentials_error: str | None = None  # AuthError or QuotaExceeded: nothing was probed
    reports: dict[str, access.AccessReport] = field(default_factory=dict)

    @property
    def groups(self) -> list[access.CauseGroup]:
        return access.group_by_cause({i: r.cause for i, r in self.reports.items()})

    @property
    def exit_code(self) -> int:
        """0 when the credentials work and every playlist's entries can be read."""
        if self.credentials_error is not None:
            return 1
        return int(any(r.level != access.ENTRIES for r in self.reports.values()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "grant": self.grant,
            "user": None
            if self.user is None
            else {"id": self.user.id, "display_name": self.user.display_name},
            "credentials_error": self.credentials_error,
            "playlists": [report.to_dict() for report in self.reports.values()],
            "causes": [group.to_dict() for group in self.groups],
            "exit_code": self.exit_code,
        }


async def diagnose(session: Session, ids: Sequence[str]) -> DoctorResult:
    """Probe the credentials, then each playlist of ``ids`` (use inside ``async with``).

    An unreachable host is raised (:class:`~gitarchive.errors.Unreachable`): it says
    nothing about the credentials or the playlists.
    """
    result = DoctorResult(grant="refresh_token" if session.has_user else "client_credentials")
    try:
        if session.has_user:
            result.user = await current_user(session)
        else:
            await session.check_token()
        result.reports = await probe_playlists(session, ids)
    except (AuthError, QuotaExceeded) as exc:
        result.credentials_error = str(exc)
    return result
