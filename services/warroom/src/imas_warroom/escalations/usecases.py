"""Escalating an incident by hand, and adding responders to its war room: what the dashboard,
the API and chat's ``/incident escalate`` ask.

The escalation service fires its policy's steps on time by itself. Escalating to the next
level asks it to fire its run's next step now (``escalation.escalate_now``: the run goes on
from there, and its event tells the LID, the room and the timeline who asked). When there is
no run left to move (the incident was acknowledged, or every step fired), and for people or a
team someone chose, the pages are asked for from here with the documented
``notifications.requested.v1``, each escalation a LID line, a room post and
``warroom.incident_escalated.v1`` (the incident's timeline).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from imas_contracts import new_event_id, utcnow
from imas_contracts.escalation import EscalatedNow, EscalateNow, OnCallLevel
from imas_contracts.incidents import GetIncident, IncidentSnapshot, IncidentView
from imas_contracts.notifier import (
    GetPersonRules,
    NotificationRequested,
    PersonNotificationRules,
)
from imas_contracts.warroom import (
    AddResponder,
    EscalateIncident,
    EscalationSent,
    IncidentEscalated,
    ResponderAdded,
    RoomResponders,
)
from imas_runtime.bus import Bus
from imas_runtime.errors import Conflict, Invalid, ServiceError, Unavailable
from imas_runtime.outbox import emit
from imas_warroom import domain, store
from imas_warroom.directory import Directory, chat_id
from imas_warroom.domain import SEVERITY_LABELS, Item
from imas_warroom.models import outbox

# A person chosen by hand without notification rules of their own is reached as the brief's
# ladder reaches people: by text message and e-mail.
PERSON_CHANNELS = ["sms", "email"]
# A team chosen by hand is paged in its chat channel (the configured chat provider's).
TEAM_CHANNELS = ["slack"]


@dataclass(frozen=True)
class Target:
    """Someone to page: ``kind`` person or team, with their id and name."""

    kind: str
    id: str
    name: str


class Escalations:
    """Pages an incident's next level, or chosen people, now; adds people to its war room."""

    def __init__(
        self,
        engine: AsyncEngine,
        bus: Bus,
        directory: Directory,
        *,
        platform: str = "",
        timeout: float = 10.0,
        on_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self.engine = engine
        self.bus = bus
        self.directory = directory
        self.platform = platform
        self.timeout = timeout
        self._on_commit = on_commit

    async def incident(self, ref: str) -> IncidentSnapshot:
        """The incident (NotFound, or Unavailable when the incidents service is silent)."""
        view = await self.bus.request(GetIncident(id=ref), IncidentView, timeout=self.timeout)
        return view.incident

    async def escalate(self, cmd: EscalateIncident) -> EscalationSent:
        """Page the next level of the team's policy, or ``cmd.person`` / ``cmd.team``, now.
        Not safe to repeat: each call pages (the next level moves on each time)."""
        incident = await self.incident(cmd.incident)
        label = f"INC-{incident.short_id}"
        if incident.status == "RESOLVED":
            raise Conflict(f"{label} is resolved: there is nobody to escalate to")
        if cmd.person or cmd.team:
            target = await self._chosen(cmd)
            channels = await self._channels(target)
            key = f"hand-escalation:{incident.id}:{new_event_id()}"
            return await self._page(cmd, incident, None, [target], channels, key)
        fired = await self._step_now(incident, cmd.actor)
        if fired is not None:
            return fired
        level = await self._next_level(incident)
        targets = [_target(t.id, t.name) for t in level.targets]
        key = f"chat-escalation:{incident.id}:{level.step}"
        channels = list(level.channels) or TEAM_CHANNELS
        return await self._page(cmd, incident, level.step, targets, channels, key)

    async def _step_now(self, incident: IncidentSnapshot, actor: str) -> EscalationSent | None:
        """The escalation service fires its run's next step now: the run goes on from there,
        so that step is not paged again when due. None when the incident has no active run
        (acknowledged, mitigated, or past its last step): nothing is due any more, and the
        level after the last one paged is paged from here."""
        try:
            fired = await self.bus.request(
                EscalateNow(incident_id=incident.id, actor=actor),
                EscalatedNow,
                timeout=self.timeout,
            )
        except ServiceError as exc:
            if exc.code in ("not_found", "conflict"):
                return None
            raise
        # Who that step pages now, to say so; the step's own event tells the timeline.
        level = None
        if incident.team is not None:
            try:
                levels = await self.directory.on_call_levels(incident.team.id, incident.severity)
            except ServiceError:
                levels = None
            found = [lv for lv in levels.levels if lv.step == fired.step] if levels else []
            level = found[0] if found else None
        return EscalationSent(
            incident_id=incident.id,
            short_id=incident.short_id,
            level=fired.step + 1,
            names=[t.name for t in level.targets] if level else [],
            channels=list(level.channels) if level else [],
        )

    async def _next_level(self, incident: IncidentSnapshot) -> OnCallLevel:
        label = f"INC-{incident.short_id}"
        if incident.team is None:
            raise Conflict(f"{label} has no owner team, so no escalation policy to follow")
        try:
            on_call = await self.directory.on_call_levels(incident.team.id, incident.severity)
        except ServiceError as exc:
            raise Unavailable(f"the escalation service does not answer ({exc.message})") from exc
        history = await self.directory.escalation_history(incident.id)
        entries = history.entries if history is not None else []
        latest_run = max((e.run for e in entries), default=1)  # a reopen starts a new run
        fired = [e.step for e in entries if e.run == latest_run and e.kind == "step" and e.fired_at]
        async with self.engine.connect() as conn:
            fired += await store.escalation_levels_paged(conn, incident.id)
        number = domain.next_escalation_level([lv.step for lv in on_call.levels], fired)
        if number is None:
            raise Conflict(
                f"{label} already reached the last escalation level of {incident.team.name}"
            )
        level = next(lv for lv in on_call.levels if lv.step == number)
        if not level.targets:
            team = incident.team.name
            raise Conflict(f"level {number + 1} of {team}'s policy reaches nobody now")
        return level

    async def _chosen(self, cmd: EscalateIncident) -> Target:
        if cmd.person:
            person = await self.directory.person(cmd.person)
            if person is None:
                raise Invalid.field("person", f"no person '{cmd.person}' in the catalog")
            return Target("person", person.id, person.name)
        team = await self.directory.team(cmd.team)
        if team is None:
            raise Invalid.field("team", f"no team '{cmd.team}' in the catalog")
        return Target("team", team.id, team.name)

    async def _channels(self, target: Target) -> list[str]:
        """A person's first notification rules' channels (those with the shortest delay),
        else :data:`PERSON_CHANNELS`; a team's chat channel."""
        if target.kind == "team":
            return TEAM_CHANNELS
        try:
            found = await self.bus.request(
                GetPersonRules(person_id=target.id), PersonNotificationRules, timeout=self.timeout
            )
        except ServiceError:
            return PERSON_CHANNELS
        if not found.custom or not found.rules:
            return PERSON_CHANNELS
        first = min(r.delay_minutes for r in found.rules)
        return [r.channel for r in found.rules if r.delay_minutes == first]

    async def _page(
        self,
        cmd: EscalateIncident,
        incident: IncidentSnapshot,
        level: int | None,
        targets: list[Target],
        channels: list[str],
        key: str,
    ) -> EscalationSent:
        names = ", ".join(t.name for t in targets)
        how = "from chat" if cmd.source == "chat" else "by hand"
        where = f" to level {level + 1}" if level is not None else ""
        message = f"Escalated {how}{where}: paging {names}"
        now = utcnow()
        event = IncidentEscalated(
            event_id=new_event_id(),
            occurred_at=now,
            incident_id=incident.id,
            actor=cmd.actor,
            level=None if level is None else level + 1,
            names=[t.name for t in targets],
            channels=channels,
            source=cmd.source,
        )
        pages = _pages(incident, level, targets, channels, cmd.actor, key)
        async with self.engine.begin() as conn:
            item = Item(key=key, at=now, kind="ESCALATION", message=message, actor=cmd.actor)
            await store.add_item(conn, incident.id, item)
            await emit(conn, outbox, [*pages, event])
            room = await store.get_room(conn, incident.id)
            if room is not None and room.status in ("pending", "open"):
                await store.add_post(conn, incident.id, f":arrow_up: {message} (by {cmd.actor})")
        self._on_commit()
        return EscalationSent(
            incident_id=incident.id,
            short_id=incident.short_id,
            level=event.level,
            names=event.names,
            channels=channels,
        )

    async def add_responder(self, cmd: AddResponder) -> RoomResponders:
        """Add a person to the incident's war room: the room loop invites them and mentions
        them there; a LID line and ``warroom.responder_added.v1`` say who added whom. Safe to
        repeat: someone already added is added once (and nothing is published again)."""
        incident = await self.incident(cmd.incident)
        person = await self.directory.person(cmd.person)
        if person is None:
            raise Invalid.field("person", f"no person '{cmd.person}' in the catalog")
        label = f"INC-{incident.short_id}"
        async with self.engine.begin() as conn:
            room = await store.get_room(conn, incident.id)
            if room is None or room.status not in ("pending", "open"):
                raise Conflict(_no_room(label, room))
            user = chat_id(room.platform, person)
            if not user:
                raise Invalid.field(
                    "person",
                    f"{person.name} has no {room.platform} user id in the catalog "
                    f"(chat_user_ids.{room.platform}): the room cannot invite them",
                )
            if await store.add_responder(conn, incident.id, person.id, person.name, user):
                now = utcnow()
                line = f"{person.name} added to the war room"
                item = Item(
                    key=new_event_id(), at=now, kind="WAR_ROOM", message=line, actor=cmd.actor
                )
                await store.add_item(conn, incident.id, item)
                added = ResponderAdded(
                    event_id=new_event_id(),
                    occurred_at=now,
                    incident_id=incident.id,
                    person_id=person.id,
                    name=person.name,
                    actor=cmd.actor,
                )
                await emit(conn, outbox, [added])
            room = await store.get_room(conn, incident.id)
            assert room is not None  # found above, and rooms are never deleted
        self._on_commit()
        return RoomResponders(
            incident_id=incident.id,
            responders=[r["name"] for r in room.responders],
            link=room.link or "",
        )


def _no_room(label: str, room: object) -> str:
    if room is None:
        return f"{label} has no war room (rooms open for SEV1 and SEV2 incidents)"
    return f"{label} has no open war room"


def _target(ref: str, name: str) -> Target:
    """An escalation level's target: ``person:<id>``, ``team:<id>`` or a bare person id."""
    kind, _, target_id = ref.rpartition(":")
    return Target(kind or "person", target_id, name)


def _pages(
    incident: IncidentSnapshot,
    level: int | None,
    targets: list[Target],
    channels: list[str],
    actor: str,
    key: str,
) -> list[NotificationRequested]:
    """One page per target and channel, as escalation's own steps send them."""
    severity = SEVERITY_LABELS.get(incident.severity, incident.severity)
    return [
        NotificationRequested(
            event_id=new_event_id(),
            occurred_at=utcnow(),
            incident_id=incident.id,
            idempotency_key=f"{key}:{target.kind}:{target.id}:{channel}",
            reason="escalation",
            step=level,
            person_ids=[target.id] if target.kind == "person" else [],
            team_ids=[target.id] if target.kind == "team" else [],
            channels=[channel],  # type: ignore[list-item]  # a contact method's channel
            message=f"INC-{incident.short_id} escalated by {actor}: {incident.title} ({severity})",
            recipient_name=target.name,
        )
        for target in targets
        for channel in channels
    ]


__all__ = ["Escalations"]
