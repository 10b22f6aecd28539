"""The dashboard's live updates: one server-sent event per change that a page may show.

``GET /live/events`` (a signed-in session, any role) answers ``text/event-stream``, fed like the
API's stream (``/api/v1/events/stream``) by core NATS subscriptions, but with small frames made
for the pages rather than the incident itself:

* ``{"kind": "incident", "id": ..., "short_id": ...}`` for each incident lifecycle event
  (triggered, alert attached, acknowledged, ...): lists, counts and timelines may have changed;
* ``{"kind": "timeline", "id": ...}`` for the other services' events that the incidents service
  turns into timeline lines (pages sent or failed, escalation steps and escalations by hand,
  war rooms and their responders, incident roles, status updates and subscribers, documents
  written or exported, runbook steps): only that incident's timeline changes, moments later.

A first ``event: subscribed`` says the subscriptions are in place: from then on nothing is
missed. ``static/live.js`` turns each frame into a refresh of the page's live parts.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import get
from litestar.response import Stream

from imas_contracts import Event
from imas_contracts.escalation import EscalationStepFired
from imas_contracts.incidents import EVENTS as INCIDENT_EVENTS
from imas_contracts.incidents import IncidentAlertAttached, IncidentCommented
from imas_contracts.notifier import NotificationFailed, NotificationSent
from imas_contracts.warroom import (
    DocumentCreated,
    DocumentEdited,
    IncidentEscalated,
    LidExported,
    ResponderAdded,
    RoleAssigned,
    RunbookStepExecuted,
    StatusUpdatePosted,
    SubscribersChanged,
    WarRoomCreated,
)
from imas_gateway.auth.guard import PUBLIC, role
from imas_gateway.http.request import Request
from imas_gateway.http.streams import live_stream
from imas_gateway.ui.auth_pages import current

# Events recorded on an incident's timeline by the incidents service (see its usecases_events).
TIMELINE_EVENTS: tuple[type[Event], ...] = (
    NotificationSent,
    NotificationFailed,
    EscalationStepFired,
    WarRoomCreated,
    DocumentCreated,
    RunbookStepExecuted,
    IncidentEscalated,
    ResponderAdded,
    DocumentEdited,
    LidExported,
    RoleAssigned,
    StatusUpdatePosted,
    SubscribersChanged,
)


class LiveFrame(msgspec.Struct, kw_only=True, omit_defaults=True):
    kind: str
    id: str
    short_id: str = ""


def live_frame(event: Event) -> LiveFrame:
    """What a page needs to know of an event: which incident, and whether only its timeline."""
    if isinstance(event, IncidentAlertAttached):
        return LiveFrame(kind="incident", id=event.incident_id)
    if isinstance(event, IncidentCommented):
        # Only the incident's own timeline shows comments; its NOTE line is already written.
        return LiveFrame(kind="comment", id=event.incident_id, short_id=event.short_id)
    if isinstance(event, INCIDENT_EVENTS):
        incident = event.incident  # type: ignore[attr-defined]  # every other lifecycle event
        return LiveFrame(kind="incident", id=incident.id, short_id=incident.short_id)
    return LiveFrame(kind="timeline", id=event.incident_id)  # type: ignore[attr-defined]  # the stream's other events


_DECODERS: dict[str, msgspec.json.Decoder[Any]] = {
    cls.type_name(): msgspec.json.Decoder(cls) for cls in (*INCIDENT_EVENTS, *TIMELINE_EVENTS)
}
_encoder = msgspec.json.Encoder()


def _frame(event: Event) -> bytes:
    return b"data: " + _encoder.encode(live_frame(event)) + b"\n\n"


@get("/live/events", include_in_schema=False, opt=role(PUBLIC, streams=True))
async def live_events(request: Request) -> Stream:
    """Changes as they happen, for a signed-in session (strangers go to the login page), until
    the session ends (see ``imas_gateway.http.streams``)."""
    session = current(request)
    frames = await live_stream(
        request, session.principal(), _DECODERS, _frame, b"event: subscribed\ndata: {}\n\n"
    )
    return Stream(
        frames,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


LIVE_ROUTES = [live_events]
