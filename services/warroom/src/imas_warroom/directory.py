"""Who is who, asked of the services that own it (catalog: incidents; on-call: escalation).

Every lookup is best-effort with a short timeout: a war room opens even when nobody can be
found to invite, and a chat command still works for a person IMAS does not know.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from imas_contracts.catalog import CatalogEntries, ListCatalog, PersonEntry, TeamEntry
from imas_contracts.escalation import OnCallReply, WhoIsOnCall
from imas_contracts.incidents import IncidentSnapshot
from imas_runtime.bus import Bus
from imas_runtime.errors import ServiceError
from imas_runtime.logs import get_logger

log = get_logger(__name__)


class Directory:
    """People, teams and who is on call, with the people list cached for ``cache_seconds``."""

    def __init__(self, bus: Bus, *, timeout: float = 2.0, cache_seconds: float = 30.0) -> None:
        self.bus = bus
        self.timeout = timeout
        self.cache_seconds = cache_seconds
        self._people: tuple[float, list[PersonEntry]] | None = None

    async def people(self) -> list[PersonEntry]:
        now = time.monotonic()
        if self._people is not None and self._people[0] > now:
            return self._people[1]
        try:
            reply = await self.bus.request(
                ListCatalog(kind="person"), CatalogEntries, timeout=self.timeout
            )
        except ServiceError as exc:
            log.warning("people not available", error=exc.message)
            return self._people[1] if self._people else []
        self._people = (now + self.cache_seconds, list(reply.people))
        return self._people[1]

    async def person_for_chat_user(self, platform: str, user_id: str) -> PersonEntry | None:
        """The IMAS person whose ``chat_user_ids[platform]`` is ``user_id``."""
        return next(
            (p for p in await self.people() if p.chat_user_ids.get(platform) == user_id), None
        )

    async def team(self, ref: str) -> TeamEntry | None:
        try:
            reply = await self.bus.request(
                ListCatalog(kind="team", id=ref), CatalogEntries, timeout=self.timeout
            )
        except ServiceError:
            return None
        return reply.teams[0] if reply.teams else None

    async def on_call(self, team_id: str) -> list[str]:
        """Names of the people on call for the team now (first escalation level first)."""
        try:
            reply = await self.bus.request(
                WhoIsOnCall(team_id=team_id), OnCallReply, timeout=self.timeout
            )
        except ServiceError as exc:
            log.info("on-call not available", team_id=team_id, error=exc.message)
            return []
        refs = [t for level in reply.levels for t in level.targets]
        refs += [s.person for s in reply.schedules if s.person is not None]
        names: list[str] = []
        for ref in refs:
            if ref.name not in names:
                names.append(ref.name)
        return names

    async def invitees(self, platform: str, incident: IncidentSnapshot) -> list[str]:
        """Chat user ids of the lead and of the owner team's on-call, as far as known."""
        people = await self.people()
        wanted: list[PersonEntry] = []
        if incident.lead:
            lead = incident.lead
            wanted += [p for p in people if lead in (p.id, p.email, p.name)]
        if incident.team is not None:
            try:
                reply = await self.bus.request(
                    WhoIsOnCall(team_id=incident.team.id, severity=incident.severity),
                    OnCallReply,
                    timeout=self.timeout,
                )
            except ServiceError as exc:
                log.info("on-call not available", team=incident.team.name, error=exc.message)
            else:
                ids = {t.id for level in reply.levels[:1] for t in level.targets}
                ids |= {s.person.id for s in reply.schedules if s.person is not None}
                wanted += [p for p in people if p.id in ids]
        return _chat_ids(platform, wanted)


def _chat_ids(platform: str, people: Sequence[PersonEntry]) -> list[str]:
    ids: list[str] = []
    for person in people:
        chat_id = person.chat_user_ids.get(platform)
        if chat_id and chat_id not in ids:
            ids.append(chat_id)
    return ids
