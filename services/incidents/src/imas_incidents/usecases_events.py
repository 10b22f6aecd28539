"""What other services tell incidents: pages sent, escalation steps, war rooms, documents and
runbook steps become timeline lines (and links on the incident).

Each consumer claims the event's id in the inbox in the transaction that records it, so a
redelivered or replayed event changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from imas_contracts import new_event_id
from imas_contracts.escalation import EscalationStepFired
from imas_contracts.incidents import IncidentUpdated
from imas_contracts.notifier import NotificationFailed, NotificationSent
from imas_contracts.warroom import DocumentCreated, RunbookStepExecuted, WarRoomCreated
from imas_incidents import store
from imas_incidents.domain import parse_ref
from imas_incidents.models import inbox
from imas_incidents.usecases import emit
from imas_runtime.consumer import Delivery
from imas_runtime.logs import get_logger
from imas_runtime.outbox import claim

log = get_logger(__name__)

ForeignEvent = (
    NotificationSent
    | NotificationFailed
    | EscalationStepFired
    | WarRoomCreated
    | DocumentCreated
    | RunbookStepExecuted
)


def describe(event: ForeignEvent) -> tuple[str, str, str | None]:
    """The timeline line of an event: (type, message, actor)."""
    match event:
        case NotificationSent():
            return "ALERT_SENT", f"Page sent to {event.recipient} via {event.channel}", None
        case NotificationFailed():
            return (
                "ALERT_FAILED",
                f"Page to {event.recipient} via {event.channel} failed: {event.error}",
                None,
            )
        case EscalationStepFired():
            targets = ", ".join(event.targets) or "nobody"
            return "ESCALATION", f"Escalation step {event.step} fired: paged {targets}", None
        case WarRoomCreated():
            return "WAR_ROOM_CREATED", f"War room {event.channel_name} created: {event.link}", None
        case DocumentCreated():
            return "DOCUMENT_CREATED", f"Incident document created: {event.link}", None
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
    return None


def _at(event: ForeignEvent) -> datetime:
    if isinstance(event, EscalationStepFired):
        return event.fired_at
    return event.occurred_at


class ForeignEventUseCases:
    """Records other services' events about incidents, once each."""

    def __init__(self, engine: AsyncEngine, on_commit: Callable[[], None] = lambda: None) -> None:
        self.engine = engine
        self._on_commit = on_commit

    def handler(self, consumer: str) -> Callable[[ForeignEvent, Delivery], object]:
        async def handle(event: ForeignEvent, _: Delivery) -> None:
            await self.record(consumer, event)

        return handle

    async def record(self, consumer: str, event: ForeignEvent) -> None:
        """Add the event's timeline line (and link); acked once committed. Safe to run twice:
        the inbox claim makes a replay a no-op. Events about unknown incidents are skipped."""
        kind, message, actor = describe(event)
        link = _link(event)
        async with self.engine.begin() as conn:
            if not await claim(conn, inbox, consumer, event.event_id):
                return
            if not await store.incident_exists(conn, event.incident_id):
                log.warning("event about an unknown incident", incident_id=event.incident_id)
                return
            await store.add_timeline(
                conn,
                event.incident_id,
                type=kind,
                message=message,
                source="system",
                actor=actor,
                at=_at(event),
            )
            if link is None:
                return
            incident = await store.get_incident(conn, parse_ref(event.incident_id), for_update=True)
            assert incident is not None
            if getattr(incident, link[0]) == link[1]:
                return
            updated = await store.update_incident(conn, incident.id, {link[0]: link[1]})
            await emit(
                conn,
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
        if link is not None:
            self._on_commit()
