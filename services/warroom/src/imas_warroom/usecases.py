"""Use cases of the LID: what each consumed event changes, and the document's queries/edits.

Every consumed event is claimed in the inbox in the transaction of its effect, so replaying a
stream changes nothing; events of other streams may arrive before the incident's own (the
timeline is kept per incident, documents or not).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imas_contracts import Event, new_event_id
from imas_contracts.escalation import EscalationStarted, EscalationStepFired
from imas_contracts.incidents import (
    IncidentAcknowledged,
    IncidentAlertAttached,
    IncidentMitigated,
    IncidentReopened,
    IncidentResolved,
    IncidentSeverityChanged,
    IncidentSnapshot,
    IncidentTriggered,
    IncidentUpdated,
)
from imas_contracts.notifier import NotificationFailed, NotificationSent, recipient_label
from imas_contracts.warroom import (
    DocumentCreated,
    DocumentEdited,
    DocumentView,
    EditDocument,
    GetDocument,
    GetTemplate,
    PutTemplate,
    RunbookSpec,
    StepState,
    TemplateView,
    WarRoomNotOpened,
)
from imas_runtime.consumer import Delivery
from imas_runtime.errors import NotFound
from imas_runtime.outbox import claim, emit
from imas_warroom import domain, lid, store
from imas_warroom.domain import SEVERITY_LABELS, Item
from imas_warroom.export import store as store_exports
from imas_warroom.export.usecases import export_of
from imas_warroom.models import inbox, outbox
from imas_warroom.stakeholders import store as store_roles

LID_TEMPLATE = "lid"
Clock = Callable[[], datetime]
Matcher = Callable[[AsyncConnection, IncidentSnapshot], Awaitable["RunbookSpec | None"]]
# The incident's comments as timeline lines (asked of the incidents service, which owns them).
Comments = Callable[[str], Awaitable[list[Item]]]


async def _no_comments(_: str) -> list[Item]:
    return []


LifecycleEvent = (
    IncidentTriggered
    | IncidentAcknowledged
    | IncidentMitigated
    | IncidentResolved
    | IncidentReopened
    | IncidentUpdated
    | IncidentSeverityChanged
)
TRANSITIONS = {
    IncidentAcknowledged: "acknowledged",
    IncidentMitigated: "mitigated",
    IncidentResolved: "resolved",
    IncidentReopened: "reopened",
}


def _utcnow() -> datetime:
    return datetime.now(UTC)


class DocumentUseCases:
    """The LID of every incident, and the war room asked for SEV1/SEV2 (opened by the loop)."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        public_url: str,
        # The chat platform rooms are opened on; '' for none (no room is opened).
        platform: str,
        room_severities: frozenset[str],
        archive_after: float,
        on_commit: Callable[[], None] = lambda: None,
        clock: Clock = _utcnow,
        comments: Comments = _no_comments,
        roles: Sequence[str] = (),
    ) -> None:
        self.engine = engine
        # The incident roles in the order the LID lists their holders.
        self.roles = tuple(roles)
        self.public_url = public_url
        self.platform = platform
        self.comments = comments
        self.room_severities = room_severities
        self.archive_after = archive_after
        self._on_commit = on_commit
        self.clock = clock
        # Set by the runbook use cases: matching at trigger time (service, title, severity).
        self.match_runbook: Matcher | None = None

    async def _emit(self, conn: AsyncConnection, events: Sequence[Event]) -> None:
        if events:
            await emit(conn, outbox, events)

    # -- consumed events -------------------------------------------------------------------

    async def on_incident_event(
        self, event: LifecycleEvent | IncidentAlertAttached, delivery: Delivery
    ) -> None:
        """Create or refresh the LID, record the timeline line, ask for / update / schedule the
        archive of the war room. Safe to run twice (inbox); acks once committed."""
        consumer = "warroom--INCIDENTS"
        if isinstance(event, IncidentAlertAttached):
            message = f"Alert received ({event.alert_count} in all)"
            item = Item(
                key=event.event_id, at=event.occurred_at, kind="ALERT_RECEIVED", message=message
            )
            await self._record(item, event.incident_id, consumer, post=False)
            return
        async with self.engine.begin() as conn:
            if not await claim(conn, inbox, consumer, event.event_id):
                return
            incident = event.incident
            created = await self._upsert_document(conn, incident, event.occurred_at)
            line = self._incident_item(event)
            if line is not None:
                await store.add_item(conn, incident.id, line)
            await self._room_effects(conn, event, created is not None)
            if created is not None:
                await self._announce(conn, created)
        self._on_commit()

    async def _announce(self, conn: AsyncConnection, created: DocumentCreated) -> None:
        """Publish the new LID with what warroom does next for the incident: the room asked
        for, the exports planned (incidents waits for their outcomes before it writes the
        orchestration's summary)."""
        room = await store.get_room(conn, created.incident_id)
        planned = await store_exports.planned_exporters(conn, uuid.UUID(created.incident_id))
        requested = room is not None and room.status == "pending"
        announced = msgspec.structs.replace(created, room_requested=requested, exports=planned)
        await self._emit(conn, [announced])

    async def _upsert_document(
        self, conn: AsyncConnection, incident: IncidentSnapshot, at: datetime
    ) -> DocumentCreated | None:
        """The LID, created at the first event seen, its first exports planned; when just
        created, the event that says so (published once the room is asked for too)."""
        title = domain.document_title(incident)
        row = await store.find_document(conn, incident.id, for_update=True)
        if row is None:
            runbook = await self._match(conn, incident)
            created = await store.insert_document(
                conn, incident, title=title, at=at, runbook_id=runbook.id if runbook else None
            )
            if created is None:
                return None
            # Workflow C: the LID is copied outside IMAS as the incident opens.
            await store_exports.plan_exports(conn, created.incident_id, self.clock())
            return DocumentCreated(
                event_id=new_event_id(),
                occurred_at=self.clock(),
                incident_id=incident.id,
                document_id=str(created.id),
                title=title,
                link=domain.lid_link(self.public_url, incident.id),
                runbook_id=runbook.id if runbook else None,
                runbook_name=runbook.name if runbook else None,
                runbook_link=(
                    domain.runbook_link(self.public_url, incident.id) if runbook else None
                ),
            )
        if at >= row.snapshot_at:
            values = store.snapshot_values(incident, title, at)
            history = list(row.severity_history)
            if not history or history[-1]["severity"] != incident.severity:
                history.append({"severity": incident.severity, "at": at.isoformat()})
                values["severity_history"] = history
            await store.update_document(conn, row.id, **values)
        return None

    async def _match(self, conn: AsyncConnection, incident: IncidentSnapshot) -> RunbookSpec | None:
        if self.match_runbook is None:
            return None
        return await self.match_runbook(conn, incident)

    def _incident_item(self, event: LifecycleEvent) -> Item | None:
        at, key, incident = event.occurred_at, event.event_id, event.incident
        match event:
            case IncidentTriggered():
                msg = domain.status_message("triggered", incident, "")
                return Item(key=key, at=at, kind="STATUS_CHANGE", message=msg)
            case IncidentUpdated(changed=changed, actor=actor):
                message = domain.update_message(incident, changed)
                if not message:
                    return None
                return Item(key=key, at=at, kind="UPDATE", message=message, actor=actor)
            case IncidentSeverityChanged():
                return None  # the same change is told by incidents.updated
            case _:
                action = TRANSITIONS[type(event)]
                note = getattr(event, "note", "")
                actor = getattr(event, "actor", None)
                message = domain.status_message(action, incident, note)
                return Item(key=key, at=at, kind="STATUS_CHANGE", message=message, actor=actor)

    async def _room_effects(
        self, conn: AsyncConnection, event: LifecycleEvent, created: bool
    ) -> None:
        incident = event.incident
        room = await store.get_room(conn, incident.id)
        if room is None:
            if domain.wants_room(incident.severity, self.room_severities) and incident.status != (
                "RESOLVED"
            ):
                await self._ask_room(conn, incident)
            return
        if room.status not in ("pending", "open"):
            return
        values: dict[str, object] = {"header_dirty": True}
        action = TRANSITIONS.get(type(event))
        if action is not None:
            actor = getattr(event, "actor", None)
            note = getattr(event, "note", "")
            by = f" by {actor}" if actor else ""
            await store.add_post(
                conn,
                incident.id,
                f":bell: {action.capitalize()}{by}" + (f": {note}" if note else ""),
            )
        if isinstance(event, IncidentResolved):
            values["archive_due_at"] = event.occurred_at + timedelta(seconds=self.archive_after)
        elif isinstance(event, IncidentReopened):
            values["archive_due_at"] = None
        elif isinstance(event, IncidentUpdated):
            if "severity" in event.changed:
                label = SEVERITY_LABELS[incident.severity]
                await store.add_post(conn, incident.id, f":rotating_light: Severity is now {label}")
            if {"lead", "impacted_scopes"} & set(event.changed):
                values["invites_dirty"] = True  # the new lead, the new scopes' people
        await store.update_room(conn, room.incident_id, **values)

    async def _ask_room(self, conn: AsyncConnection, incident: IncidentSnapshot) -> None:
        """Ask the room loop for a room; with no chat platform, record that none is opened
        (the room row ``not_opened``, a LID line and ``warroom.not_opened``, once)."""
        attempt = 0
        name = domain.channel_name(incident.short_id, incident.service.name)
        while await store.channel_name_taken(conn, name):
            attempt += 1
            name = domain.channel_name(incident.short_id, incident.service.name, attempt)
        now = self.clock()
        if self.platform:
            await store.add_room(conn, incident.id, self.platform, name, now)
            return
        reason = domain.NO_CHAT_PLATFORM
        if not await store.add_room(
            conn, incident.id, "", name, now, status="not_opened", last_error=reason
        ):
            return
        line = Item(
            key=f"{incident.id}:no-room", at=now, kind="WAR_ROOM", message=f"No war room: {reason}"
        )
        await store.add_item(conn, incident.id, line)
        await self._emit(
            conn,
            [
                WarRoomNotOpened(
                    event_id=new_event_id(), occurred_at=now, incident_id=incident.id, reason=reason
                )
            ],
        )

    async def on_notification(
        self, event: NotificationSent | NotificationFailed, _: Delivery
    ) -> None:
        """A page sent or failed, as a LID timeline line. Safe to run twice; acks once saved."""
        who = recipient_label(event.recipient)
        if isinstance(event, NotificationSent):
            message = f"Paged {who} via {event.channel}"
            kind = "ALERT_SENT"
        else:
            reason = event.error.removeprefix("undeliverable: ")
            outcome = f"not sent: {reason}" if reason != event.error else f"failed: {event.error}"
            message = f"Page to {who} via {event.channel} {outcome}"
            kind = "ALERT_FAILED"
        item = Item(key=event.event_id, at=event.occurred_at, kind=kind, message=message)
        await self._record(item, event.incident_id, "warroom--NOTIFICATIONS", post=False)

    async def on_escalation(
        self, event: EscalationStarted | EscalationStepFired, _: Delivery
    ) -> None:
        """An escalation started or a step fired, as a LID line (and a room milestone)."""
        if isinstance(event, EscalationStarted):
            message = f"Escalation policy '{event.policy_name}' started"
            post = False
        else:
            who = ", ".join(event.names or [recipient_label(t) for t in event.targets]) or "nobody"
            label = "Reminder" if event.kind == "reminder" else f"Escalation step {event.step + 1}"
            if event.requested_by:
                label += " fired early"
            if event.resumed:
                label += f" (after {event.window})"
            message = f"{label}: paged {who}" if event.result == "paged" else f"{label}: {who}"
            if event.result == "held" and event.held_until is not None:
                message = f"{label} held: {event.window} until {event.held_until:%Y-%m-%d %H:%M %Z}"
            post = True
        item = Item(
            key=event.event_id,
            at=event.occurred_at,
            kind="ESCALATION",
            message=message,
            actor=getattr(event, "requested_by", "") or None,
        )
        await self._record(item, event.incident_id, "warroom--ESCALATION", post=post)

    async def _record(self, item: Item, incident_id: str, consumer: str, *, post: bool) -> None:
        async with self.engine.begin() as conn:
            if not await claim(conn, inbox, consumer, item.key):
                return
            await store.add_item(conn, incident_id, item)
            if post:
                room = await store.get_room(conn, incident_id)
                if room is not None and room.status in ("pending", "open"):
                    await store.add_post(conn, incident_id, item.message)
        self._on_commit()

    # -- queries and edits -------------------------------------------------------------------

    async def get_document(self, query: GetDocument) -> DocumentView:
        """The LID rendered now (Markdown; HTML too when asked). NotFound for unknown incidents."""
        async with self.engine.connect() as conn:
            row = await store.find_document(conn, query.incident)
            if row is None:
                raise NotFound(f"no incident document for {query.incident}")
            return await self._view(conn, row, html=query.html)

    async def render(self, ref: str) -> tuple[uuid.UUID, str, str]:
        """The incident's id, the LID's title and its Markdown now (for an export)."""
        doc = await self.get_document(GetDocument(incident=ref))
        return uuid.UUID(doc.incident_id), doc.title, doc.markdown

    async def edit_document(self, cmd: EditDocument) -> DocumentView:
        """Change root cause, resolution and/or action items; ``warroom.document_edited.v1``
        tells the incident's timeline which. Safe to run twice (a second run tells it
        again)."""
        async with self.engine.begin() as conn:
            row = await store.find_document(conn, cmd.incident, for_update=True)
            if row is None:
                raise NotFound(f"no incident document for {cmd.incident}")
            values: dict[str, object] = {}
            if cmd.root_cause is not None:
                values["root_cause"] = cmd.root_cause
            if cmd.resolution is not None:
                values["resolution"] = cmd.resolution
            if cmd.action_items is not None:
                values["action_items"] = store.action_items_json(cmd.action_items)
            if values:
                row = await store.update_document(conn, row.id, **values)
                edited = DocumentEdited(
                    event_id=new_event_id(),
                    occurred_at=self.clock(),
                    incident_id=str(row.incident_id),
                    sections=list(values),
                    actor=cmd.actor or "",
                )
                await self._emit(conn, [edited])
        if values:
            self._on_commit()
        async with self.engine.connect() as conn:
            return await self._view(conn, row, html=False)

    async def _view(self, conn: AsyncConnection, row: store.Record, *, html: bool) -> DocumentView:
        facts = await self.facts(conn, row, await self.comments(str(row.incident_id)))
        template = await self._template(conn)
        markdown = lid.render(template.body, facts)
        return DocumentView(
            document_id=str(row.id),
            incident_id=str(row.incident_id),
            short_id=row.short_id,
            title=row.title,
            markdown=markdown,
            html=lid.to_html(markdown, row.title) if html else "",
            html_body=lid.to_body_html(markdown) if html else "",
            root_cause=row.root_cause,
            resolution=row.resolution,
            action_items=store.action_items_of(row),
            created_at=row.created_at,
            updated_at=row.updated_at,
            exports=[export_of(e) for e in await store_exports.exports_of(conn, row.incident_id)],
        )

    async def facts(
        self, conn: AsyncConnection, row: store.Record, comments: Sequence[Item] = ()
    ) -> lid.Facts:
        """Everything the LID of ``row`` shows, read in one go (``comments`` join the
        timeline in time order)."""
        incident = store.incident_of(row)
        room = await store.get_room(conn, incident.id)
        runbook = await store.get_runbook(conn, str(row.runbook_id)) if row.runbook_id else None
        steps: list[StepState] = []
        if runbook is not None:
            known = await store.step_states(conn, row.incident_id, uuid.UUID(runbook.id))
            steps = list(domain.step_states(runbook, known))
        links: dict[str, str | None] = {
            "incident": domain.incident_link(self.public_url, incident),
            "lid": domain.lid_link(self.public_url, incident.id),
            "runbook": domain.runbook_link(self.public_url, incident.id) if runbook else None,
            "war_room": room.link if room is not None else None,
        }
        return lid.Facts(
            incident=incident,
            links=links,
            timeline=sorted(
                [*await store.list_items(conn, row.incident_id), *comments], key=lambda i: i.at
            ),
            severity_history=[
                (h["severity"], datetime.fromisoformat(h["at"])) for h in row.severity_history
            ],
            runbook=runbook,
            steps=steps,
            root_cause=row.root_cause,
            resolution=row.resolution,
            action_items=store.action_items_of(row),
            participants=[r["name"] for r in room.responders] if room is not None else [],
            roles=await self._held_roles(conn, incident.id),
        )

    async def _held_roles(self, conn: AsyncConnection, incident_id: str) -> list[tuple[str, str]]:
        held = await store_roles.role_holders(conn, incident_id)
        stored = [name for name, _ in await store_roles.load_role_definitions(conn)]
        configured = stored or list(self.roles)
        order = [*configured, *sorted(r for r in held if r not in configured)]
        return [(role, held[role].name) for role in order if role in held]

    async def _template(self, conn: AsyncConnection) -> TemplateView:
        row = await store.get_template(conn, LID_TEMPLATE)
        if row is None:
            return TemplateView(body=lid.DEFAULT_TEMPLATE)
        return TemplateView(
            body=row.body, default=False, updated_by=row.updated_by, updated_at=row.updated_at
        )

    async def get_template(self, _: GetTemplate) -> TemplateView:
        """The LID template in use."""
        async with self.engine.connect() as conn:
            return await self._template(conn)

    async def put_template(self, cmd: PutTemplate) -> TemplateView:
        """Replace the LID template after checking it renders; empty restores the default."""
        async with self.engine.begin() as conn:
            if not cmd.body.strip():
                await store.delete_template(conn, LID_TEMPLATE)
                return TemplateView(body=lid.DEFAULT_TEMPLATE)
            lid.check_template(cmd.body, lid.SAMPLE)
            await store.put_template(conn, LID_TEMPLATE, cmd.body, cmd.actor)
            return await self._template(conn)
