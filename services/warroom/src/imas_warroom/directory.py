"""Who is who, asked of the services that own it (catalog and comments: incidents; on-call
and escalation history: escalation).

Every lookup is best-effort with a short timeout: a war room opens even when nobody can be
found to invite, and a chat command still works for a person IMAS does not know.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from imas_contracts.catalog import CatalogEntries, ListCatalog, PersonEntry, TeamEntry
from imas_contracts.escalation import (
    EscalationHistory,
    GetHistory,
    ListSchedules,
    OnCallReply,
    ScheduleList,
    WhoIsOnCall,
)
from imas_contracts.incidents import CommentList, IncidentSnapshot, ListComments
from imas_runtime.bus import Bus
from imas_runtime.errors import ServiceError
from imas_runtime.logs import get_logger
from imas_warroom.domain import Item

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

    async def person(self, ref: str) -> PersonEntry | None:
        """A person by id, e-mail or name (ignoring case), from the cached list."""
        wanted = ref.strip().lower()
        for attempt in range(2):
            people = await self.people()
            found = next(
                (p for p in people if wanted in (p.id, p.email.lower(), p.name.lower())), None
            )
            if found is not None or attempt:
                return found
            self._people = None  # someone added since the list was read: read it again
        return None

    async def team(self, ref: str) -> TeamEntry | None:
        try:
            reply = await self.bus.request(
                ListCatalog(kind="team", id=ref), CatalogEntries, timeout=self.timeout
            )
        except ServiceError:
            return None
        return reply.teams[0] if reply.teams else None

    async def teams(self) -> list[TeamEntry]:
        try:
            reply = await self.bus.request(
                ListCatalog(kind="team"), CatalogEntries, timeout=self.timeout
            )
        except ServiceError as exc:
            log.info("teams not available", error=exc.message)
            return []
        return list(reply.teams)

    async def on_call_levels(self, team_id: str, severity: str | None = None) -> OnCallReply:
        """Who each level of the team's escalation policy pages now (ServiceError if unknown)."""
        return await self.bus.request(
            WhoIsOnCall(team_id=team_id, severity=severity),  # type: ignore[arg-type]  # an incident's
            OnCallReply,
            timeout=self.timeout,
        )

    async def escalation_history(self, incident_id: str) -> EscalationHistory | None:
        try:
            return await self.bus.request(
                GetHistory(incident_id=incident_id), EscalationHistory, timeout=self.timeout
            )
        except ServiceError as exc:
            log.info("escalation history not available", error=exc.message)
            return None

    async def comments(self, incident_id: str) -> list[Item]:
        """The incident's comments as LID timeline lines (none when incidents does not answer:
        the LID still renders)."""
        try:
            reply = await self.bus.request(
                ListComments(id=incident_id), CommentList, timeout=self.timeout
            )
        except ServiceError as exc:
            log.info("comments not available", incident_id=incident_id, error=exc.message)
            return []
        return [
            Item(
                key=f"comment:{c.id}",
                at=c.created_at,
                kind="NOTE",
                message=f"Comment: {c.body}",
                actor=c.author,
            )
            for c in reply.results
        ]

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
        """Chat user ids of the lead, of the owner team's on-call and of the impacted scopes'
        people and teams, as far as known."""
        people = await self.people()
        wanted: list[PersonEntry] = []
        if incident.lead:
            lead = incident.lead
            wanted += [p for p in people if lead in (p.id, p.email, p.name)]
        if incident.team is not None:
            try:
                reply = await self.on_call_levels(incident.team.id, incident.severity)
            except ServiceError as exc:
                log.info("on-call not available", team=incident.team.name, error=exc.message)
            else:
                ids = {person_id(t.id) for level in reply.levels[:1] for t in level.targets}
                ids |= {s.person.id for s in reply.schedules if s.person is not None}
                wanted += [p for p in people if p.id in ids]
        if incident.impacted_scopes:
            ids = await self._scope_people(incident)
            wanted += [p for p in people if p.id in ids or p.email.lower() in ids]
        return _chat_ids(platform, wanted)

    async def _scope_people(self, incident: IncidentSnapshot) -> set[str]:
        """Ids and e-mails of the people an incident's impacted scopes bring in: those the
        scope names among its mandatory e-mails, and the members of the teams it names there
        (or that bear its name): everyone in their on-call rotations."""
        emails: set[str] = set()
        for scope in incident.impacted_scopes:
            try:
                reply = await self.bus.request(
                    ListCatalog(kind="scope", id=scope.id), CatalogEntries, timeout=self.timeout
                )
            except ServiceError as exc:
                log.info("scope not available", scope=scope.name, error=exc.message)
                continue
            for entry in reply.scopes:
                emails |= {e.strip().lower() for e in entry.mandatory_emails}
        names = {s.name.strip().lower() for s in incident.impacted_scopes}
        teams = [
            t
            for t in await self.teams()
            if (t.email or "").strip().lower() in emails or t.name.strip().lower() in names
        ]
        found = set(emails)
        for team in teams:
            try:
                schedules = await self.bus.request(
                    ListSchedules(team_id=team.id), ScheduleList, timeout=self.timeout
                )
            except ServiceError as exc:
                log.info("schedules not available", team=team.name, error=exc.message)
                continue
            found |= {m for s in schedules.schedules for layer in s.layers for m in layer.members}
        return found


def person_id(target: str) -> str:
    """The person id of an escalation target (``person:<id>``, or a bare id)."""
    return target.removeprefix("person:")


def chat_id(platform: str, person: PersonEntry) -> str:
    """The person's user id on the chat platform; on the ``log`` platform (no chat at all,
    rooms are printed) their e-mail, so that who would be invited shows."""
    found = person.chat_user_ids.get(platform, "")
    return found or (person.email if platform == "log" else "")


def _chat_ids(platform: str, people: Sequence[PersonEntry]) -> list[str]:
    ids: list[str] = []
    for person in people:
        chat_id_ = chat_id(platform, person)
        if chat_id_ and chat_id_ not in ids:
            ids.append(chat_id_)
    return ids
