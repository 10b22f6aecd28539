"""Dead letters become an incident: ``ingest--DEADLETTER`` reads every consumer's dead letters
and raises, for each, one alert through ingest like any monitoring alert (IMAS's ``custom``
format on ``alerts.raw.custom``). Its dedup key names the consumer, so each consumer that gives
up on messages has one open incident on the ``imas`` service, whose alert count is the number
of its dead letters (the way failing pages raise "Pages are failing").

A dead letter of such an alert raises nothing more (it is logged): a broken alert path cannot
feed an endless loop of alerts.
"""

from __future__ import annotations

import uuid

import msgspec

from imas_contracts.alert_payloads import CustomAlert
from imas_contracts.deadletter import DEADLETTER_STREAM, DeadLettered
from imas_contracts.ingest import AlertReceived, raw_alert_subject
from imas_runtime.bus import MSG_ID_HEADER, Bus, encode
from imas_runtime.consumer import Delivery
from imas_runtime.logs import get_logger
from imas_runtime.telemetry import inject_headers

log = get_logger(__name__)

DURABLE = f"ingest--{DEADLETTER_STREAM.name}"
# The dedup key of the alert a dead letter raises: one incident per consumer.
DEAD_LETTERS_KEY = "imas:dead-letters:"
# Marks the raw alerts raised here; a dead letter carrying it raises nothing more.
ORIGIN_HEADER = "Imas-Origin"
ORIGIN = "dead-letters"
SOURCE = "custom"


def dead_letter_alert(service: str, letter: DeadLettered) -> CustomAlert:
    """The alert (IMAS's generic format) saying ``letter.consumer`` gave up on a message."""
    return CustomAlert(
        title=f"Messages dead-lettered by {letter.consumer}",
        severity="SEV2",
        service=service,
        dedup_key=f"{DEAD_LETTERS_KEY}{letter.consumer}",
        description=(
            f"{letter.consumer} gave up on a message of {letter.stream} ({letter.subject}, "
            f"stream sequence {letter.stream_sequence}) after {letter.deliveries} "
            f"delivery(ies): {letter.reason[:500]}\n\n"
            "What it did not do (a page, an escalation, a document…) is not done. The message "
            f"is kept in the {DEADLETTER_STREAM.name} stream on deadletter.{letter.consumer} "
            "with the reason; fix the cause, then publish its payload again on its subject. "
            "This incident's alert count is the number of dead letters."
        ),
        labels={
            "origin": "imas-dead-letters",
            "consumer": letter.consumer,
            "stream": letter.stream,
        },
    )


class DeadLetterAlerts:
    """Raises the alert of each dead letter."""

    def __init__(self, bus: Bus, *, service: str) -> None:
        self.bus = bus
        self.service = service

    async def on_dead_letter(self, letter: DeadLettered, delivery: Delivery) -> None:
        """Publish the dead letter's alert, then ack. Safe to run twice: the alert's event id
        is derived from the dead letter's, and JetStream drops the second publish."""
        if letter.consumer == DURABLE or letter.headers.get(ORIGIN_HEADER) == ORIGIN:
            log.error(
                "the alert of a dead letter was dead-lettered; not raising another",
                consumer=letter.consumer,
                reason=letter.reason,
            )
            return
        event = AlertReceived(
            event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"imas:dead-letter:{letter.event_id}").hex,
            occurred_at=letter.occurred_at,
            source=SOURCE,
            payload=msgspec.json.encode([dead_letter_alert(self.service, letter)]),
        )
        headers = inject_headers({MSG_ID_HEADER: event.event_id, ORIGIN_HEADER: ORIGIN})
        await self.bus.js.publish(raw_alert_subject(SOURCE), encode(event), headers=headers)
