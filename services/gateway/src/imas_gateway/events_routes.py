"""Live updates: incident changes as server-sent events, for any authenticated role.

``GET /api/v1/events/stream`` answers ``text/event-stream``. Each incident lifecycle event
becomes ``event: <type>`` (``incidents.triggered.v1``, ...) with the incident as the API shows
it in ``data``; ``incidents.alert_attached.v1`` carries only ``id`` and ``alert_count``,
``incidents.commented.v1`` the incident's ``id`` / ``short_id``, the ``comment`` and the ``change``
(added, edited, deleted).
A ``: keep-alive`` comment every 15 s keeps proxies from closing an idle stream.

Core NATS subscriptions, not a JetStream consumer: a live view wants what happens from now
on, and a reconnecting client re-reads the list for anything it missed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Request, get
from litestar.response import Stream
from nats.aio.msg import Msg

from imas_contracts._base import Event
from imas_contracts.incidents import EVENTS, IncidentAlertAttached, IncidentCommented
from imas_gateway.auth import role
from imas_gateway.domain import incident_json

KEEP_ALIVE_SECONDS = 15.0
# The walker in the role-matrix test must not wait for the end of a stream that never ends.
STREAMING = {"stream": True}
_DECODERS: dict[str, msgspec.json.Decoder[Any]] = {
    cls.type_name(): msgspec.json.Decoder(cls) for cls in EVENTS
}


def event_frame(event: Event) -> str:
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
        data = incident_json(event.incident)  # type: ignore[attr-defined]
    return f"event: {event.type_name()}\ndata: {msgspec.json.encode(data).decode()}\n\n"


async def _frames(request: Request[Any, Any, Any]) -> AsyncIterator[str]:
    nc = request.app.state.runtime.bus.nc
    queue: asyncio.Queue[Msg] = asyncio.Queue(maxsize=1000)

    async def deliver(msg: Msg) -> None:
        # A client too slow to keep up loses events rather than the gateway's memory.
        if not queue.full():
            queue.put_nowait(msg)

    subscriptions = [await nc.subscribe(subject, cb=deliver) for subject in _DECODERS]
    try:
        # Once the server has our subscriptions, tell the client it will miss nothing from now.
        await nc.flush()
        yield ": subscribed\n\n"
        while True:
            try:
                msg = await asyncio.wait_for(queue.get(), KEEP_ALIVE_SECONDS)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            try:
                event = _DECODERS[msg.subject].decode(msg.data)
            except msgspec.DecodeError:
                continue  # not a message this version understands; the stream goes on
            yield event_frame(event)
    finally:
        # Runs when the client disconnects (the generator is closed or cancelled).
        for subscription in subscriptions:
            await subscription.unsubscribe()


@get(
    "/api/v1/events/stream",
    summary="Incident changes as server-sent events",
    tags=["incidents"],
    opt={**role("viewer"), **STREAMING},
)
async def events_stream(request: Request[Any, Any, Any]) -> Stream:
    """Streams incident lifecycle events until the client goes away. Read-only."""
    return Stream(
        _frames(request),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


EVENTS_ROUTES = (events_stream,)
