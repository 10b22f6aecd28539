"""Messages owned by the notifier service: pages requested, sent and failed."""

from __future__ import annotations

from typing import Literal

from imas_contracts._base import Event, StreamSpec

Channel = Literal["slack", "discord", "teams", "sms", "email", "ntfy", "webhook", "log"]


class NotificationRequested(Event, frozen=True, kw_only=True, tag="notifications.requested.v1"):
    """Ask the notifier to page targets for an incident (sent by escalation at each step).

    ``idempotency_key`` is stable per (incident, step, target, channel): a page is never sent
    twice for the same key.
    """

    incident_id: str
    idempotency_key: str
    reason: Literal["triggered", "escalation", "reminder", "follow_up", "test", "handoff"] = (
        "escalation"
    )
    step: int | None = None
    person_ids: list[str] = []
    team_ids: list[str] = []
    channels: list[Channel] = []
    message: str = ""
    # Who the page is for, by name, as the provider should address it (``Alice Martin``).
    recipient_name: str = ""


class NotificationSent(Event, frozen=True, kw_only=True, tag="notifications.sent.v1"):
    """A page was handed to a provider and accepted by it."""

    incident_id: str
    delivery_id: str
    idempotency_key: str
    channel: Channel
    provider: str
    recipient: str
    attempts: int = 1


class NotificationFailed(Event, frozen=True, kw_only=True, tag="notifications.failed.v1"):
    """A page could not be delivered after its retries (or was refused for good)."""

    incident_id: str
    delivery_id: str
    idempotency_key: str
    channel: Channel
    provider: str
    recipient: str
    error: str
    attempts: int = 1


EVENTS: tuple[type[Event], ...] = (NotificationRequested, NotificationSent, NotificationFailed)

NOTIFICATIONS_STREAM = StreamSpec(
    name="NOTIFICATIONS",
    subjects=tuple(e.type_name() for e in EVENTS),
    description="Pages requested by escalation and their outcome",
)
