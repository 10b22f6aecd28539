"""Recording incidents that are over with the times they had (see
:class:`~imas_contracts.incidents.RecordPastIncidents`): the demo's history, so that a
newcomer's analytics show something, or an import from another tool."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from itertools import pairwise

from sqlalchemy.ext.asyncio import AsyncEngine

from imas_contracts.incidents import (
    PastIncident,
    PastIncidentsRecorded,
    RecordPastIncidents,
)
from imas_incidents import domain, store
from imas_incidents.past import store as past
from imas_runtime.errors import Invalid

IMPORTED_TAG = "imported"
MAX_AT_ONCE = 500


def dedup_key(incident: PastIncident) -> str:
    return f"imported:{incident.key}"


def check(incident: PastIncident, index: int, now: datetime) -> None:
    """``Invalid`` naming the field when the incident cannot be recorded as it is."""
    where = f"incidents[{index}]"
    domain.validate_new_incident(incident.title, incident.service_name, incident.severity)
    if not incident.key.strip():
        raise Invalid.field(f"{where}.key", "must not be empty")
    times = [
        ("detected_at", incident.detected_at),
        ("created_at", incident.created_at),
        ("acknowledged_at", incident.acknowledged_at),
        ("resolved_at", incident.resolved_at),
    ]
    for name, at in times:
        if at.tzinfo is None:
            raise Invalid.field(f"{where}.{name}", "must have a time zone offset")
    for (before, earlier), (name, later) in pairwise(times):
        if later < earlier:
            raise Invalid.field(f"{where}.{name}", f"must not be before {before}")
    if incident.resolved_at > now:
        raise Invalid.field(f"{where}.resolved_at", "must be in the past")


class PastIncidentUseCases:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def record(self, cmd: RecordPastIncidents) -> PastIncidentsRecorded:
        """Record each incident of ``cmd`` whose key is new, RESOLVED, with its timeline at
        its own times, in one transaction; no event goes to the outbox (nobody is paged, no
        escalation starts). Safe to run twice: keys recorded already are counted as
        ``existing`` and left as they are."""
        if len(cmd.incidents) > MAX_AT_ONCE:
            raise Invalid.field("incidents", f"at most {MAX_AT_ONCE} at once")
        now = datetime.now(UTC)
        for index, incident in enumerate(cmd.incidents):
            check(incident, index, now)
        recorded = 0
        async with self.engine.begin() as conn:
            await past.lock(conn)
            existing = await past.recorded(conn, [dedup_key(i) for i in cmd.incidents])
            for index, incident in enumerate(cmd.incidents):
                key = dedup_key(incident)
                if key in existing:
                    continue
                service = await store.find_service(conn, incident.service_name)
                if service is None:
                    raise Invalid.field(
                        f"incidents[{index}].service_name",
                        f"unknown service '{incident.service_name}'",
                    )
                incident_id = uuid.uuid4()
                await past.insert(
                    conn,
                    {
                        "id": incident_id,
                        "short_id": domain.short_id(incident_id),
                        "title": incident.title.strip(),
                        "description": incident.description,
                        "service_id": service.id,
                        "service_name": service.name,
                        "team_id": service.team_id,
                        "team_name": service.team_name,
                        "severity": incident.severity,
                        "status": "RESOLVED",
                        "dedup_key": key,
                        "lead": incident.lead,
                        "tags": [IMPORTED_TAG],
                        "detected_at": incident.detected_at,
                        "created_at": incident.created_at,
                        "acknowledged_at": incident.acknowledged_at,
                        "resolved_at": incident.resolved_at,
                        "updated_at": now,
                    },
                )
                lines = [
                    (
                        incident.created_at,
                        "STATUS_CHANGE",
                        "Incident imported: recorded once it was over",
                        None,
                    ),
                    (
                        incident.acknowledged_at,
                        "STATUS_CHANGE",
                        domain.transition_message("acknowledge", "TRIGGERED", "ACKNOWLEDGED", ""),
                        incident.acknowledged_by,
                    ),
                    (
                        incident.resolved_at,
                        "STATUS_CHANGE",
                        domain.transition_message("resolve", "ACKNOWLEDGED", "RESOLVED", ""),
                        incident.resolved_by,
                    ),
                ]
                if incident.lead:
                    lead = f"Lead assigned to {incident.lead}"
                    lines.insert(2, (incident.acknowledged_at, "LEAD_ASSIGNED", lead, None))
                for at, kind, message, actor in lines:
                    await store.add_timeline(
                        conn,
                        str(incident_id),
                        type=kind,
                        message=message,
                        source="system",
                        actor=actor,
                        at=at,
                    )
                existing.add(key)
                recorded += 1
        return PastIncidentsRecorded(recorded=recorded, existing=len(cmd.incidents) - recorded)
