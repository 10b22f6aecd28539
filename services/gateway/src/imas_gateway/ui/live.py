"""The dashboard's live updates: one server-sent event per change that a page may show.

``GET /live/events`` (a signed-in session, any role) answers ``text/event-stream``, fed like the
API's stream (``/api/v1/events/stream``) by core NATS subscriptions, but with small frames made
for the pages rather than the incident itself:

* ``{"kind": "incident", "id": ..., "short_id": ...}`` for each incident lifecycle event
  (triggered, alert attached, acknowledged, ...): lists, counts and timelines may have changed;
* ``{"kind": "timeline", "id": ...}`` for the other services' events that the incidents service
  turns into timeline lines (pages sent or failed, escalation steps, war rooms, documents,
  runbook steps): only that incident's timeline changes, moments later.

A first ``event: subscribed`` says the subscriptions are in place: from then on nothing is
missed. ``static/live.js`` turns each frame into a refresh of the page's live parts.
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
from imas_contracts.escalation import EscalationStepFired
from imas_contracts.incidents import EVENTS as INCIDENT_EVENTS
from imas_contracts.incidents import IncidentAlertAttached, IncidentCommented
from imas_contracts.notifier import NotificationFailed, NotificationSent
from imas_contracts.warroom import DocumentCreated, RunbookStepExecuted, WarRoomCreated
from imas_gateway.events_routes import KEEP_ALIVE_SECONDS, STREAMING
from imas_gateway.ui.auth_pages import current

# Events recorded on an incident's timeline by the incidents service (see its usecases_events).
TIMELINE_EVENTS: tuple[type[Event], ...] = (
    NotificationSent,
    NotificationFailed,
    EscalationStepFired,
    WarRoomCreated,
    DocumentCreated,
    RunbookStepExecuted,
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
    return LiveFrame(kind="timeline", id=event.incident_id)  # type: ignore[attr-defined]


_DECODERS: dict[str, msgspec.json.Decoder[Any]] = {
    cls.type_name(): msgspec.json.Decoder(cls) for cls in (*INCIDENT_EVENTS, *TIMELINE_EVENTS)
}
_encoder = msgspec.json.Encoder()


async def _frames(request: Request[Any, Any, Any]) -> AsyncIterator[bytes]:
    nc = request.app.state.runtime.bus.nc
    queue: asyncio.Queue[Msg] = asyncio.Queue(maxsize=1000)

    async def deliver(msg: Msg) -> None:
        # A page too slow to keep up loses frames; it re-reads everything when it reconnects.
        if not queue.full():
            queue.put_nowait(msg)

    subscriptions = [await nc.subscribe(subject, cb=deliver) for subject in _DECODERS]
    try:
        # Once the server has our subscriptions, the page knows it misses nothing from now on.
        await nc.flush()
        yield b"event: subscribed\ndata: {}\n\n"
        while True:
            try:
                msg = await asyncio.wait_for(queue.get(), KEEP_ALIVE_SECONDS)
            except TimeoutError:
                yield b": keep-alive\n\n"
                continue
            try:
                event = _DECODERS[msg.subject].decode(msg.data)
            except msgspec.DecodeError:
                continue
            yield b"data: " + _encoder.encode(live_frame(event)) + b"\n\n"
    finally:
        for subscription in subscriptions:
            await subscription.unsubscribe()


@get("/live/events", include_in_schema=False, opt=STREAMING)
async def live_events(request: Request[Any, Any, Any]) -> Stream:
    """Changes as they happen, for a signed-in session (strangers go to the login page)."""
    current(request)
    return Stream(
        _frames(request),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


LIVE_ROUTES = [live_events]
