"""Pure incident rules: identifiers, severities, KPIs. No I/O here."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

import msgspec

from imas_contracts import FieldError
from imas_contracts.incidents import SEVERITIES, IncidentSnapshot
from imas_runtime.errors import Invalid

OPEN_STATUSES: tuple[str, ...] = ("TRIGGERED", "ACKNOWLEDGED")
"""An alert attaches to an incident in one of these states; otherwise it opens a new one."""

CRITICAL_SEVERITIES: tuple[str, ...] = ("SEV1_CRITICAL", "SEV2_HIGH")

_SHORT_ID = re.compile(r"^(?:INC-)?([0-9A-F]{8})$", re.IGNORECASE)


def short_id(incident_id: uuid.UUID) -> str:
    """The first 8 hex characters of the UUID, upper case (shown as ``INC-XXXXXXXX``)."""
    return incident_id.hex[:8].upper()


@dataclass(frozen=True)
class IncidentRef:
    """How a user named an incident: a full UUID or a short id."""

    uuid: uuid.UUID | None = None
    short_id: str | None = None


def parse_ref(text: str) -> IncidentRef:
    """Accept a UUID, a short id, or ``INC-<short id>``; anything else is invalid."""
    text = text.strip()
    match = _SHORT_ID.match(text)
    if match:
        return IncidentRef(short_id=match.group(1).upper())
    try:
        return IncidentRef(uuid=uuid.UUID(text))
    except ValueError:
        raise Invalid.field(
            "id", "must be an incident UUID, a short id or INC-<short id>"
        ) from None


def seconds_between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max((end - start).total_seconds(), 0.0)


def with_kpis(incident: IncidentSnapshot) -> IncidentSnapshot:
    """MTTD = created - detected; MTTA = acknowledged - created; MTTR = resolved - created."""
    return msgspec.structs.replace(
        incident,
        mttd_seconds=seconds_between(incident.detected_at, incident.created_at),
        mtta_seconds=seconds_between(incident.created_at, incident.acknowledged_at),
        mttr_seconds=seconds_between(incident.created_at, incident.resolved_at),
    )


def validate_new_incident(title: str, service_name: str, severity: str) -> None:
    """Refuse what can never make an incident, naming each offending field."""
    errors: list[FieldError] = []
    if not title.strip():
        errors.append(FieldError(field="title", message="must not be empty"))
    if not service_name.strip():
        errors.append(FieldError(field="service_name", message="must not be empty"))
    if severity not in SEVERITIES:
        errors.append(
            FieldError(field="severity", message=f"must be one of {', '.join(SEVERITIES)}")
        )
    if errors:
        raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)


def attached_message(alert_source: str, alert_count: int) -> str:
    return f"Duplicate alert received from {alert_source} (occurrence {alert_count})"


def created_message(alert_source: str) -> str:
    return f"Incident created from {alert_source}"
