"""Where poison messages end: a consumer that gives up on a message republishes it here."""

from __future__ import annotations

from imas_contracts._base import Event, StreamSpec

DEADLETTER_PREFIX = "deadletter"


def deadletter_subject(consumer: str) -> str:
    """Subject a consumer's dead letters go to, e.g. ``deadletter.notifier--INCIDENTS``."""
    return f"{DEADLETTER_PREFIX}.{consumer}"


class DeadLettered(Event, frozen=True, kw_only=True, tag="deadletter.v1"):
    """A message a consumer could not process; kept with the reason for an operator to replay.

    Published on :func:`deadletter_subject`, not on its tag.
    """

    consumer: str
    stream: str
    subject: str
    stream_sequence: int
    deliveries: int
    reason: str
    payload: bytes
    headers: dict[str, str] = {}


DEADLETTER_STREAM = StreamSpec(
    name="DEADLETTER",
    subjects=(f"{DEADLETTER_PREFIX}.>",),
    description="Messages consumers gave up on, with the reason",
    max_age_seconds=30 * 24 * 3600,
)
