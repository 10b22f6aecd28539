"""Incident roles and stakeholders: who is commander, scribe, communications (the roles are
configured through the API, else by ``WARROOM_INCIDENT_ROLES``), who follows the incident,
and the status updates sent to them.

Someone given a role is invited to the incident's war room (as a responder added by hand).
A status update is handed to the notifier with the documented ``notifications.requested.v1``
(reason ``status_update``): people by e-mail, teams in their chat channel, e-mail lists and
Slack channels at their address. Each change is a LID line and an event the incident's
timeline records.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imas_contracts import Event, new_event_id, utcnow
from imas_contracts.incidents import GetIncident, IncidentSnapshot, IncidentView
from imas_contracts.notifier import Destination, NotificationRequested
from imas_contracts.warroom import (
    AssignRole,
    GetIncidentRoles,
    GetRoleDefinitions,
    IncidentRoles,
    IncidentSubscribers,
    ListSubscribers,
    PostStatusUpdate,
    PutRoleDefinitions,
    RoleAssigned,
    RoleDefinition,
    RoleDefinitions,
    RoleHolder,
    StatusUpdatePosted,
    StatusUpdateSent,
    Subscribe,
    Subscriber,
    SubscribersChanged,
    Unsubscribe,
)
from imas_runtime.bus import Bus
from imas_runtime.errors import Invalid
from imas_runtime.outbox import emit
from imas_warroom import domain, lid, store
from imas_warroom.directory import Directory, chat_id
from imas_warroom.domain import Item
from imas_warroom.models import outbox
from imas_warroom.stakeholders import store as roles_store

DEFAULT_ROLES = ("commander", "scribe", "communications")
# The longest status update: an SMS-sized summary is the usual, an e-mail may say more.
MAX_UPDATE = 4000
# Each status update goes to every subscriber: their number is bounded.
MAX_SUBSCRIBERS = 100
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MAX_EMAIL = 254  # the longest address SMTP carries (RFC 5321)
_SLACK_CHANNEL = re.compile(r"^#?[a-z0-9_-]{1,80}$|^[CG][A-Z0-9]{6,20}$")


def role_names(configured: str) -> tuple[str, ...]:
    """``commander, Scribe ,communications`` → the role names, lower case, each once."""
    names = [n.strip().lower() for n in configured.split(",") if n.strip()]
    return tuple(dict.fromkeys(names)) or DEFAULT_ROLES


class Stakeholders:
    """Assigns incident roles, keeps subscribers, sends status updates."""

    def __init__(
        self,
        engine: AsyncEngine,
        bus: Bus,
        directory: Directory,
        *,
        roles: Sequence[str] = DEFAULT_ROLES,
        public_url: str = "http://localhost:8000",
        timeout: float = 10.0,
        on_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self.engine = engine
        self.bus = bus
        self.directory = directory
        self.roles = tuple(roles)
        self.public_url = public_url
        self.timeout = timeout
        self._on_commit = on_commit

    async def incident(self, ref: str) -> IncidentSnapshot:
        """The incident (NotFound, or Unavailable when the incidents service is silent)."""
        view = await self.bus.request(GetIncident(id=ref), IncidentView, timeout=self.timeout)
        return view.incident

    # -- roles ------------------------------------------------------------------------------------

    async def get_roles(self, query: GetIncidentRoles) -> IncidentRoles:
        """Every configured role and its holder. Read-only."""
        incident = await self.incident(query.incident)
        async with self.engine.connect() as conn:
            return await self._roles(conn, incident)

    async def assign_role(self, cmd: AssignRole) -> IncidentRoles:
        """Give a role to someone (invited to the war room), or take it back. Safe to repeat:
        the same holder again records nothing."""
        role = cmd.role.strip().lower()
        configured = await self.role_names()
        if role not in configured:
            raise Invalid.field("role", f"must be one of {', '.join(configured)}")
        incident = await self.incident(cmd.incident)
        person = None
        if cmd.person.strip():
            person = await self.directory.person(cmd.person)
            if person is None:
                raise Invalid.field("person", f"no person '{cmd.person}' in the catalog")
        now = utcnow()
        async with self.engine.begin() as conn:
            held = (await roles_store.role_holders(conn, incident.id)).get(role)
            if (held.person_id if held else "") == (person.id if person else ""):
                return await self._roles(conn, incident)
            previous = held.name if held else ""
            if person is None:
                await roles_store.clear_role(conn, incident.id, role)
                line = f"{role.title()} unassigned (was {previous})"
            else:
                await roles_store.set_role(
                    conn, incident.id, role, person.id, person.name, cmd.actor, now
                )
                line = f"{person.name} is {role}" + (f" (was {previous})" if previous else "")
                room = await store.get_room(conn, incident.id)
                user = chat_id(room.platform, person) if room is not None else ""
                if user and room is not None and room.status in ("pending", "open"):
                    # Invited (and mentioned) by the room loop, as someone added by hand.
                    await store.add_responder(conn, incident.id, person.id, person.name, user)
            await self._record(conn, incident, "ROLE_ASSIGNED", line, cmd.actor)
            event = RoleAssigned(
                event_id=new_event_id(),
                occurred_at=now,
                incident_id=incident.id,
                role=role,
                person_id=person.id if person else "",
                name=person.name if person else "",
                previous=previous,
                actor=cmd.actor,
                source=cmd.source,
            )
            await emit(conn, outbox, [event])
            answer = await self._roles(conn, incident)
        self._on_commit()
        return answer

    async def _roles(self, conn: AsyncConnection, incident: IncidentSnapshot) -> IncidentRoles:
        held = await roles_store.role_holders(conn, incident.id)
        configured = await self.role_names(conn)
        # Roles no longer configured but still held are shown after the configured ones.
        names = [*configured, *sorted(r for r in held if r not in configured)]
        return IncidentRoles(
            incident_id=incident.id,
            short_id=incident.short_id,
            roles=[_holder(name, held.get(name)) for name in names],
        )

    # -- the roles themselves ---------------------------------------------------------------------

    async def role_names(self, conn: AsyncConnection | None = None) -> tuple[str, ...]:
        """The configured roles' names, in order: those stored through the API, else the
        service's setting."""
        return tuple(r.name for r in (await self._definitions(conn)).roles)

    async def _definitions(self, conn: AsyncConnection | None = None) -> RoleDefinitions:
        if conn is None:
            async with self.engine.connect() as own:
                return await self._definitions(own)
        stored = await roles_store.load_role_definitions(conn)
        if not stored:
            return RoleDefinitions(roles=[RoleDefinition(name=n) for n in self.roles])
        return RoleDefinitions(
            roles=[RoleDefinition(name=n, description=d) for n, d in stored], custom=True
        )

    async def get_role_definitions(self, _: GetRoleDefinitions) -> RoleDefinitions:
        """The roles every incident can have. Read-only."""
        return await self._definitions()

    async def put_role_definitions(self, cmd: PutRoleDefinitions) -> RoleDefinitions:
        """Replace the roles (none: back to the setting). Roles held by incidents stay held.
        Safe to repeat."""
        roles = domain.role_definitions([(r.name, r.description) for r in cmd.roles])
        async with self.engine.begin() as conn:
            await roles_store.replace_role_definitions(conn, roles)
            return await self._definitions(conn)

    # -- subscribers ------------------------------------------------------------------------------

    async def list_subscribers(self, query: ListSubscribers) -> IncidentSubscribers:
        """Who the incident's status updates go to. Read-only."""
        incident = await self.incident(query.incident)
        async with self.engine.connect() as conn:
            return await self._subscribers(conn, incident)

    async def subscribe(self, cmd: Subscribe) -> IncidentSubscribers:
        """Add a subscriber (at most :data:`MAX_SUBSCRIBERS` an incident). Safe to repeat:
        listed once, told once."""
        incident = await self.incident(cmd.incident)
        kind, ref, name = await self._resolve(cmd.kind, cmd.ref)
        async with self.engine.begin() as conn:
            rows = await roles_store.list_subscribers(conn, incident.id)
            if len(rows) >= MAX_SUBSCRIBERS and (kind, ref) not in {(r.kind, r.ref) for r in rows}:
                raise Invalid.field(
                    kind, f"an incident has at most {MAX_SUBSCRIBERS} subscribers: remove one"
                )
            if await roles_store.add_subscriber(conn, incident.id, kind, ref, name, cmd.actor):
                await self._changed(conn, incident, cmd.actor, added=[name])
            answer = await self._subscribers(conn, incident)
        self._on_commit()
        return answer

    async def unsubscribe(self, cmd: Unsubscribe) -> IncidentSubscribers:
        """Remove a subscriber (by id, or the person who stops following). Safe to repeat."""
        incident = await self.incident(cmd.incident)
        person_id = ""
        if cmd.person:
            person = await self.directory.person(cmd.person)
            if person is None:
                raise Invalid.field("person", f"no person '{cmd.person}' in the catalog")
            person_id = person.id
        elif not cmd.id:
            raise Invalid.field("id", "name the subscriber to remove")
        async with self.engine.begin() as conn:
            removed = await roles_store.remove_subscriber(
                conn, incident.id, id=cmd.id, kind="person", ref=person_id
            )
            if removed is not None:
                await self._changed(conn, incident, cmd.actor, removed=[removed.name])
            answer = await self._subscribers(conn, incident)
        self._on_commit()
        return answer

    async def _resolve(self, kind: str, ref: str) -> tuple[str, str, str]:
        """(kind, ref, name) of a subscriber: people and teams by catalog id, addresses as
        written (an e-mail address lower case)."""
        ref = ref.strip()
        if kind == "person":
            person = await self.directory.person(ref)
            if person is None:
                raise Invalid.field("person", f"no person '{ref}' in the catalog")
            return kind, person.id, person.name
        if kind == "team":
            team = await self.directory.team(ref)
            if team is None:
                raise Invalid.field("team", f"no team '{ref}' in the catalog")
            return kind, team.id, team.name
        if kind == "email":
            if len(ref) > _MAX_EMAIL or not ref.isprintable() or not _EMAIL.match(ref):
                raise Invalid.field("email", f"'{ref}' is not an e-mail address")
            return kind, ref.lower(), ref.lower()
        if kind == "slack":
            if not _SLACK_CHANNEL.match(ref):
                raise Invalid.field("slack", f"'{ref}' is not a Slack channel (#name or id)")
            channel = ref if ref.startswith("#") or ref[:1].isupper() else f"#{ref}"
            return kind, channel, f"Slack {channel}"
        raise Invalid.field("kind", "must be one of person, team, email, slack")

    async def _subscribers(
        self, conn: AsyncConnection, incident: IncidentSnapshot
    ) -> IncidentSubscribers:
        rows = await roles_store.list_subscribers(conn, incident.id)
        return IncidentSubscribers(
            incident_id=incident.id,
            short_id=incident.short_id,
            subscribers=[
                Subscriber(
                    id=str(r.id),
                    kind=r.kind,
                    ref=r.ref,
                    name=r.name,
                    added_by=r.added_by,
                    added_at=r.added_at,
                )
                for r in rows
            ],
        )

    async def _changed(
        self,
        conn: AsyncConnection,
        incident: IncidentSnapshot,
        actor: str,
        *,
        added: Sequence[str] = (),
        removed: Sequence[str] = (),
    ) -> None:
        event = SubscribersChanged(
            event_id=new_event_id(),
            occurred_at=utcnow(),
            incident_id=incident.id,
            added=list(added),
            removed=list(removed),
            actor=actor,
        )
        await emit(conn, outbox, [event])

    # -- status updates ---------------------------------------------------------------------------

    async def post_update(self, cmd: PostStatusUpdate) -> StatusUpdateSent:
        """Send a status update to the subscribers; a LID line, a room post and
        ``warroom.status_update_posted.v1``. Not safe to repeat: each call sends."""
        text = cmd.message.strip()
        if not text:
            raise Invalid.field("message", "must not be empty")
        if len(text) > MAX_UPDATE:
            raise Invalid.field("message", f"at most {MAX_UPDATE} characters")
        incident = await self.incident(cmd.incident)
        key = f"status-update:{incident.id}:{new_event_id()}"
        now = utcnow()
        async with self.engine.begin() as conn:
            rows = await roles_store.list_subscribers(conn, incident.id)
            recipients = [r.name for r in rows]
            events: list[Event] = [
                *_requests(incident, rows, key, self._message(incident, text)),
                StatusUpdatePosted(
                    event_id=new_event_id(),
                    occurred_at=now,
                    incident_id=incident.id,
                    message=text,
                    actor=cmd.actor,
                    recipients=recipients,
                    source=cmd.source,
                ),
            ]
            await self._record(conn, incident, "STATUS_UPDATE", lid.UPDATE_PREFIX + text, cmd.actor)
            await emit(conn, outbox, events)
        self._on_commit()
        return StatusUpdateSent(
            incident_id=incident.id,
            short_id=incident.short_id,
            message=text,
            recipients=recipients,
        )

    def _message(self, incident: IncidentSnapshot, text: str) -> str:
        """The update as subscribers read it: a subject line, the text, the incident's link."""
        severity = domain.SEVERITY_LABELS.get(incident.severity, incident.severity)
        return (
            f"INC-{incident.short_id} status update: {incident.title} ({severity}, "
            f"{incident.status})\n\n{text}\n\n"
            f"{domain.incident_link(self.public_url, incident)}"
        )

    async def _record(
        self, conn: AsyncConnection, incident: IncidentSnapshot, kind: str, line: str, actor: str
    ) -> None:
        """A LID line, and the same said in the war room when it has one."""
        item = Item(key=new_event_id(), at=utcnow(), kind=kind, message=line, actor=actor)
        await store.add_item(conn, incident.id, item)
        room = await store.get_room(conn, incident.id)
        if room is not None and room.status in ("pending", "open"):
            await store.add_post(conn, incident.id, f"{line} (by {actor})")


def _holder(role: str, row: Any) -> RoleHolder:
    if row is None:
        return RoleHolder(role=role)
    return RoleHolder(
        role=role,
        person_id=row.person_id,
        name=row.name,
        assigned_by=row.assigned_by,
        assigned_at=row.assigned_at,
    )


def _requests(
    incident: IncidentSnapshot, rows: Sequence[Any], key: str, message: str
) -> list[NotificationRequested]:
    """What the notifier is asked: people by e-mail, teams in their chat channel, addresses
    over their own channel."""
    people = [r.ref for r in rows if r.kind == "person"]
    teams = [r.ref for r in rows if r.kind == "team"]
    destinations = [
        Destination(channel="email" if r.kind == "email" else "slack", address=r.ref)
        for r in rows
        if r.kind in ("email", "slack")
    ]
    asks: list[tuple[str, dict[str, Any]]] = []
    if people:
        asks.append(("people", {"person_ids": people, "channels": ["email"]}))
    if teams:
        asks.append(("teams", {"team_ids": teams, "channels": ["slack"]}))
    if destinations:
        asks.append(("addresses", {"destinations": destinations}))
    return [
        NotificationRequested(
            event_id=new_event_id(),
            occurred_at=utcnow(),
            incident_id=incident.id,
            idempotency_key=f"{key}:{part}",
            reason="status_update",
            message=message,
            **fields,
        )
        for part, fields in asks
    ]


__all__ = ["DEFAULT_ROLES", "Stakeholders", "role_names"]
