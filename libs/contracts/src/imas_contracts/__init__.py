"""IMAS contracts: every subject, stream and message, defined once.

A message's msgspec tag is its subject and version (``incidents.triggered.v1``). Events carry
``event_id`` and ``occurred_at``; requests name their reply type. Evolve by adding fields with
defaults, or by publishing a new ``.v2`` beside the old one.
"""

from imas_contracts import deadletter, escalation, gateway, incidents, ingest, notifier, warroom
from imas_contracts._base import (
    ErrorReply,
    Event,
    FieldError,
    Message,
    Request,
    StreamSpec,
    new_event_id,
    utcnow,
)

STREAMS: tuple[StreamSpec, ...] = (
    incidents.INCIDENTS_STREAM,
    incidents.CATALOG_STREAM,
    ingest.ALERTS_STREAM,
    notifier.NOTIFICATIONS_STREAM,
    escalation.ESCALATION_STREAM,
    warroom.WARROOM_STREAM,
    deadletter.DEADLETTER_STREAM,
)

EVENTS: tuple[type[Event], ...] = (
    *incidents.EVENTS,
    *incidents.CATALOG_EVENTS,
    *ingest.EVENTS,
    *notifier.EVENTS,
    *escalation.EVENTS,
    *warroom.EVENTS,
    *gateway.EVENTS,
    deadletter.DeadLettered,
)

REQUESTS: tuple[type[Request], ...] = (
    *incidents.REQUESTS,
    *ingest.REQUESTS,
    *escalation.REQUESTS,
    *warroom.REQUESTS,
    *notifier.REQUESTS,
)

REPLIES: tuple[type[Message], ...] = (
    *(r.reply_type for r in REQUESTS),
    incidents.IncidentView,
    ErrorReply,
)


def all_messages() -> tuple[type[Message], ...]:
    """Every message struct, each once, in a stable order."""
    seen: dict[str, type[Message]] = {}
    for cls in (*EVENTS, *REQUESTS, *REPLIES):
        seen.setdefault(cls.type_name(), cls)
    return tuple(seen[k] for k in sorted(seen))


__all__ = [
    "EVENTS",
    "REPLIES",
    "REQUESTS",
    "STREAMS",
    "ErrorReply",
    "Event",
    "FieldError",
    "Message",
    "Request",
    "StreamSpec",
    "all_messages",
    "deadletter",
    "escalation",
    "gateway",
    "incidents",
    "ingest",
    "new_event_id",
    "notifier",
    "utcnow",
]
