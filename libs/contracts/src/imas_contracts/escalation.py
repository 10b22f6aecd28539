"""Messages owned by the escalation service: escalation runs and their steps."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from imas_contracts._base import Event, StreamSpec


class EscalationStarted(Event, frozen=True, kw_only=True, tag="escalation.started.v1"):
    """An incident's escalation policy started running."""

    incident_id: str
    run_id: str
    policy_id: str
    policy_name: str
    first_step_due_at: datetime | None = None


class EscalationStepFired(Event, frozen=True, kw_only=True, tag="escalation.step_fired.v1"):
    """A step came due while the incident was unacknowledged, and its targets were paged."""

    incident_id: str
    run_id: str
    step: int
    due_at: datetime
    fired_at: datetime
    targets: list[str] = []
    channels: list[str] = []


class EscalationStopped(Event, frozen=True, kw_only=True, tag="escalation.stopped.v1"):
    """The run ended: acknowledged, resolved, or the policy ran out of steps."""

    incident_id: str
    run_id: str
    reason: Literal["acknowledged", "resolved", "exhausted", "cancelled"]


EVENTS: tuple[type[Event], ...] = (EscalationStarted, EscalationStepFired, EscalationStopped)

ESCALATION_STREAM = StreamSpec(
    name="ESCALATION",
    subjects=tuple(e.type_name() for e in EVENTS),
    description="Escalation runs and the steps they fired",
)
