"""Live updates: incident changes as server-sent events, for any authenticated role.

``GET /api/v1/events/stream`` answers ``text/event-stream``. Each incident lifecycle event
becomes ``event: <type>`` (``incidents.triggered.v1``, ...) with the incident as the API shows
it in ``data``; ``incidents.alert_attached.v1`` carries only ``id`` and ``alert_count``,
``incidents.commented.v1`` the incident's ``id`` / ``short_id``, the ``comment`` and the ``change``
(added, edited, deleted).
A ``: keep-alive`` comment every 15 s keeps proxies from closing an idle stream.

Core NATS subscriptions, not a JetStream consumer: a live view wants what happens from now
on, and a reconnecting client re-reads the list for anything it missed. Each identity holds a
limited number of streams open, and a stream ends once its token stops working (see
``imas_gateway.http.streams``).
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import get
from litestar.response import Stream

from imas_contracts import Event
from imas_contracts.incidents import EVENTS, IncidentAlertAttached, IncidentCommented
from imas_gateway.auth.guard import Role, authenticate, role
from imas_gateway.domain import incident_json
from imas_gateway.http.request import Request
from imas_gateway.http.streams import live_stream

_DECODERS: dict[str, msgspec.json.Decoder[Any]] = {
    cls.type_name(): msgspec.json.Decoder(cls) for cls in EVENTS
}


def event_frame(event: Event) -> bytes:
    """One server-sent event: the event's type and the incident as the API shows it."""
    if isinstance(event, IncidentAlertAttached):
        data: dict[str, object] = {"id": event.incident_id, "alert_count": event.alert_count}
    elif isinstance(event, IncidentCommented):
        data = {
            "id": event.incident_id,
            "short_id": event.short_id,
            "change": event.change,
            "comment": msgspec.to_builtins(event.comment),
        }
    else:
        data = incident_json(event.incident)  # type: ignore[attr-defined]  # lifecycle events
    return f"event: {event.type_name()}\ndata: ".encode() + msgspec.json.encode(data) + b"\n\n"


@get(
    "/api/v1/events/stream",
    summary="Incident changes as server-sent events",
    tags=["incidents"],
    opt=role(Role.VIEWER, streams=True),
)
async def events_stream(request: Request) -> Stream:
    """Streams incident lifecycle events until the client goes away, or its token stops
    working. Read-only. 429 when the caller already holds ``GATEWAY_STREAMS_PER_IDENTITY``
    streams open."""
    frames = await live_stream(
        request, await authenticate(request), _DECODERS, event_frame, b": subscribed\n\n"
    )
    return Stream(
        frames,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
