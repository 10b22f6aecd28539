"""What other services tell incidents: pages sent, escalation steps, war rooms, documents and
runbook steps become timeline lines (and links on the incident).

Each consumer claims the event's id in the inbox in the transaction that records it, so a
redelivered or replayed event changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imas_contracts import new_event_id
from imas_contracts.escalation import EscalationStepFired
from imas_contracts.incidents import IncidentUpdated
from imas_contracts.notifier import (
    NotificationFailed,
    NotificationSent,
    NotificationsPlanned,
    recipient_label,
)
from imas_contracts.warroom import (
    DocumentCreated,
    DocumentEdited,
    IncidentEscalated,
    LidExported,
    LidExportFailed,
    ResponderAdded,
    RoleAssigned,
    RunbookStepExecuted,
    StatusUpdatePosted,
    SubscribersChanged,
    WarRoomCreated,
    WarRoomFailed,
    WarRoomNotOpened,
)
from imas_incidents import store
from imas_incidents.domain import parse_ref
from imas_incidents.models import inbox, outbox
from imas_incidents.orchestration.domain import UNDELIVERABLE
from imas_incidents.orchestration.usecases import OrchestrationUseCases
from imas_runtime.consumer import Delivery
from imas_runtime.logs import get_logger
from imas_runtime.outbox import claim, emit

log = get_logger(__name__)


ForeignEvent = (
    NotificationSent
    | NotificationFailed
    | NotificationsPlanned
    | WarRoomFailed
    | EscalationStepFired
    | WarRoomCreated
    | WarRoomNotOpened
    | DocumentCreated
    | LidExported
    | LidExportFailed
    | RunbookStepExecuted
    | IncidentEscalated
    | ResponderAdded
    | DocumentEdited
    | RoleAssigned
    | StatusUpdatePosted
    | SubscribersChanged
)
# How the war room service keys the notifications of a status update.
STATUS_UPDATE_KEY = "status-update:"
KIND_NAMES = {"confluence": "Confluence", "google_docs": "Google Docs"}
# The events that tell a new incident's orchestration something.
OBSERVED = (
    DocumentCreated,
    WarRoomCreated,
    WarRoomFailed,
    WarRoomNotOpened,
    LidExported,
    LidExportFailed,
    NotificationsPlanned,
    NotificationSent,
    NotificationFailed,
)


def describe(event: ForeignEvent) -> tuple[str, str, str | None] | None:
    """The timeline line of an event: (type, message, actor); None for the events that only
    tell the orchestration something (a plan, a room attempt that will be retried)."""
    match event:
        case NotificationsPlanned():
            return None
        case WarRoomFailed():
            if event.will_retry:
                return None
            what = "not opened" if event.operation == "open" else "not updated"
            return "WAR_ROOM_FAILED", f"War room {what} ({event.platform}): {event.error}", None
        case NotificationSent():
            who = recipient_label(event.recipient)
            if event.idempotency_key.startswith(STATUS_UPDATE_KEY):
                return (
                    "STATUS_UPDATE_SENT",
                    f"Status update sent to {who} via {event.channel}",
                    None,
                )
            return "ALERT_SENT", f"Page sent to {who} via {event.channel}", None
        case NotificationFailed():
            who = recipient_label(event.recipient)
            reason = event.error.removeprefix(UNDELIVERABLE)
            if reason != event.error:
                message = f"Page to {who} via {event.channel} not sent: {reason}"
            else:
                message = f"Page to {who} via {event.channel} failed: {event.error}"
            return "ALERT_FAILED", message, None
        case EscalationStepFired():
            # Numbered from 1 as policies show them; people by name, with the channels.
            label = "Reminder" if event.kind == "reminder" else f"Escalation step {event.step + 1}"
            if event.result == "held" and event.held_until is not None:
                until = f"{event.held_until.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
                message = f"{label} held: {event.window} until {until}; paging resumes then"
                return "ESCALATION", message, None
            if event.resumed:
                label += f" resumed after {event.window}"
            if event.requested_by:
                label += f" fired early (asked by {event.requested_by})"
            elif not event.resumed:
                label += " fired"
            who = ", ".join(event.names or [recipient_label(t) for t in event.targets])
            if event.result == "nobody" or not who:
                message = f"{label}: reached nobody (GET /api/v1/escalation/check/ says why)"
            else:
                via = f" via {', '.join(event.channels)}" if event.channels else ""
                message = f"{label}: paged {who}{via}"
                if event.unconfirmed:
                    message += " (incidents could not confirm it was still unacknowledged)"
            return "ESCALATION", message, event.requested_by or None
        case WarRoomCreated():
            return "WAR_ROOM_CREATED", f"War room {event.channel_name} created: {event.link}", None
        case WarRoomNotOpened():
            return "WAR_ROOM_NOT_OPENED", f"No war room: {event.reason}", None
        case DocumentCreated():
            return "DOCUMENT_CREATED", f"Incident document created: {event.link}", None
        case LidExported():
            where = f"{event.exporter} ({KIND_NAMES.get(event.kind, event.kind)})"
            verb = "created in" if event.created else "updated in"
            return (
                "DOCUMENT_EXPORTED",
                f"Incident document {verb} {where}: {event.link}",
                (event.actor),
            )
        case LidExportFailed():
            return (
                "DOCUMENT_EXPORT_FAILED",
                f"Incident document not exported to {event.exporter} after {event.attempts} "
                f"attempt(s): {event.error}",
                None,
            )
        case IncidentEscalated():
            how = "from chat" if event.source == "chat" else "by hand"
            where = f" to level {event.level}" if event.level is not None else ""
            via = f" via {', '.join(event.channels)}" if event.channels else ""
            message = f"Escalated {how}{where}: paging {', '.join(event.names)}{via}"
            return "ESCALATION", message, event.actor
        case ResponderAdded():
            return "WAR_ROOM_RESPONDER", f"{event.name} added to the war room", event.actor
        case RoleAssigned():
            if not event.name:
                return (
                    "ROLE_ASSIGNED",
                    f"{event.role.title()} unassigned (was {event.previous})",
                    event.actor,
                )
            was = f" (was {event.previous})" if event.previous else ""
            return "ROLE_ASSIGNED", f"{event.name} is {event.role}{was}", event.actor
        case StatusUpdatePosted():
            to = ", ".join(event.recipients) or "nobody follows the incident yet"
            return "STATUS_UPDATE", f"Status update to {to}: {event.message}", event.actor
        case SubscribersChanged():
            parts = []
            if event.added:
                parts.append(f"Status updates now go to {', '.join(event.added)}")
            if event.removed:
                parts.append(f"Status updates no longer go to {', '.join(event.removed)}")
            return "SUBSCRIBERS", "; ".join(parts), event.actor
        case DocumentEdited():
            sections = ", ".join(s.replace("_", " ") for s in event.sections)
            return "DOCUMENT_EDITED", f"Incident document edited: {sections}", event.actor or None
        case RunbookStepExecuted():
            note = f": {event.note}" if event.note else ""
            return (
                "RUNBOOK_STEP",
                f"Runbook step {event.step} '{event.title}' {event.outcome}{note}",
                event.actor,
            )
    raise AssertionError(f"unexpected event {event!r}")  # pragma: no cover


def _link(event: ForeignEvent) -> tuple[str, str] | None:
    if isinstance(event, WarRoomCreated):
        return "war_room_link", event.link
    if isinstance(event, DocumentCreated):
        return "lid_link", event.link
    if isinstance(event, LidExported) and event.primary:
        # The brief's workflow C: the incident's LID link is the document outside IMAS.
        return "lid_link", event.link
    return None


def _at(event: ForeignEvent) -> datetime:
    if isinstance(event, EscalationStepFired):
        return event.fired_at
    return event.occurred_at


class ForeignEventUseCases:
    """Records other services' events about incidents, once each, and what they tell of new
    incidents' orchestrations."""

    def __init__(
        self,
        engine: AsyncEngine,
        on_commit: Callable[[], None] = lambda: None,
        orchestrations: OrchestrationUseCases | None = None,
    ) -> None:
        self.engine = engine
        self._on_commit = on_commit
        self.orchestrations = orchestrations

    def handler(self, consumer: str) -> Callable[[ForeignEvent, Delivery], object]:
        async def handle(event: ForeignEvent, _: Delivery) -> None:
            await self.record(consumer, event)

        return handle

    async def record(self, consumer: str, event: ForeignEvent) -> None:
        """Add the event's timeline line (and link), fold it into the incident's
        orchestration; acked once committed. Safe to run twice: the inbox claim makes a replay
        a no-op. Events about unknown incidents are skipped."""
        line = describe(event)
        link = _link(event)
        async with self.engine.begin() as conn:
            if not await claim(conn, inbox, consumer, event.event_id):
                return
            if not await store.incident_exists(conn, event.incident_id):
                log.warning("event about an unknown incident", incident_id=event.incident_id)
                return
            if line is not None:
                kind, message, actor = line
                await store.add_timeline(
                    conn,
                    event.incident_id,
                    type=kind,
                    message=message,
                    source="system",
                    actor=actor,
                    at=_at(event),
                )
            if self.orchestrations is not None and isinstance(event, OBSERVED):
                await self.orchestrations.observe(conn, event.incident_id, event)
            if link is not None:
                await self._relink(conn, event, link)
        if link is not None:
            self._on_commit()

    async def _relink(
        self, conn: AsyncConnection, event: ForeignEvent, link: tuple[str, str]
    ) -> None:
        incident = await store.get_incident(conn, parse_ref(event.incident_id), for_update=True)
        assert incident is not None
        current = getattr(incident, link[0])
        if current == link[1] or (isinstance(event, DocumentCreated) and current):
            # IMAS's own LID page never replaces the outside document it was exported to,
            # whichever event came first.
            return
        updated = await store.update_incident(conn, incident.id, {link[0]: link[1]})
        await emit(
            conn,
            outbox,
            [
                IncidentUpdated(
                    event_id=new_event_id(),
                    occurred_at=event.occurred_at,
                    incident=updated,
                    changed=[link[0]],
                    source="system",
                )
            ],
        )
