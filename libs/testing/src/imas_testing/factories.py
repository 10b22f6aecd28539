"""Contract structs for tests, with every field the test is not about already filled in.

incident()                                   # SEV1 "Redis Cluster Down" on redis-prod
incident(severity="SEV4_LOW", team=None, at=T0)
lifecycle(IncidentAcknowledged, snapshot, at=T0)   # the event that carries it
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, TypeVar

from imas_contracts import new_event_id
from imas_contracts.incidents import (
    IncidentAcknowledged,
    IncidentMitigated,
    IncidentReopened,
    IncidentResolved,
    IncidentSeverityChanged,
    IncidentSnapshot,
    IncidentTriggered,
    IncidentUpdated,
    Ref,
)

TEAM = Ref(id="team-1", name="SRE Core")
SERVICE = Ref(id="svc", name="redis-prod")

Lifecycle = TypeVar(
    "Lifecycle",
    IncidentTriggered,
    IncidentAcknowledged,
    IncidentMitigated,
    IncidentResolved,
    IncidentReopened,
    IncidentUpdated,
    IncidentSeverityChanged,
)


def incident(*, at: datetime | None = None, **fields: Any) -> IncidentSnapshot:
    """A triggered SEV1 incident of the team SRE Core on the service redis-prod, detected and
    created ``at`` (now by default), a new id each time; ``fields`` replace any of that."""
    when = at or datetime.now(UTC)
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "short_id": "ABCD1234",
        "title": "Redis Cluster Down",
        "service": SERVICE,
        "team": TEAM,
        "severity": "SEV1_CRITICAL",
        "status": "TRIGGERED",
        "detected_at": when,
        "created_at": when,
    }
    return IncidentSnapshot(**{**values, **fields})


def lifecycle(
    kind: type[Lifecycle],
    snapshot: IncidentSnapshot,
    *,
    at: datetime | None = None,
    **fields: Any,
) -> Lifecycle:
    """The event ``kind`` about ``snapshot``, occurred ``at`` (now by default), with a new
    event id: two calls are two events, as a redelivery is not."""
    return kind(
        event_id=new_event_id(), occurred_at=at or datetime.now(UTC), incident=snapshot, **fields
    )
