"""Pure paging rules: who gets paged for an incident, with what message, under which key."""

from __future__ import annotations

from dataclasses import dataclass

from imas_contracts.incidents import IncidentSnapshot
from imas_contracts.notifier import Channel, NotificationRequested

SEVERITY_LABELS = {
    "SEV1_CRITICAL": "SEV1",
    "SEV2_HIGH": "SEV2",
    "SEV3_MEDIUM": "SEV3",
    "SEV4_LOW": "SEV4",
}


@dataclass(frozen=True)
class Page:
    """One message to one recipient over one channel."""

    idempotency_key: str
    channel: Channel
    provider: str
    recipient: str
    message: str


def page_text(incident: IncidentSnapshot, public_url: str) -> str:
    """``[SEV1] Redis Cluster Down`` with service, severity, status and the incident link."""
    label = SEVERITY_LABELS.get(incident.severity, incident.severity)
    lines = [
        f"[{label}] {incident.title}",
        f"Service: {incident.service.name}",
        f"Severity: {incident.severity} · Status: {incident.status}",
        f"Incident: {public_url.rstrip('/')}/incidents/{incident.id}",
    ]
    if incident.lid_link:
        lines.append(f"LID: {incident.lid_link}")
    if incident.war_room_link:
        lines.append(f"War room: {incident.war_room_link}")
    return "\n".join(lines)


def idempotency_key(incident_id: str, step: str, recipient: str, channel: str) -> str:
    """Stable per (incident, step, recipient, channel): the same page is never sent twice."""
    return f"{incident_id}:{step}:{recipient}:{channel}"


def pages_for_triggered(incident: IncidentSnapshot, public_url: str) -> list[Page]:
    """Who hears about a new incident: the owner team's channel (through the log provider
    until chat providers are configured), or the incident commanders when no team owns it."""
    recipient = f"team:{incident.team.name}" if incident.team else "incident-commanders"
    return [
        Page(
            idempotency_key=idempotency_key(incident.id, "triggered", recipient, "log"),
            channel="log",
            provider="log",
            recipient=recipient,
            message=page_text(incident, public_url),
        )
    ]


def pages_for_request(request: NotificationRequested) -> list[Page]:
    """One page per (target, channel) of an escalation's request, through the log provider
    until real providers are configured. A request naming one target and one channel keeps
    its own key; otherwise each page's key extends it with the target and channel."""
    targets = [("person", p) for p in request.person_ids] + [("team", t) for t in request.team_ids]
    single = len(targets) * len(request.channels) == 1
    pages = []
    for kind, target in targets:
        address = f"{kind}:{target}"
        recipient = f"{request.recipient_name} ({address})" if request.recipient_name else address
        for channel in request.channels:
            key = request.idempotency_key
            pages.append(
                Page(
                    idempotency_key=key if single else f"{key}:{address}:{channel}",
                    channel=channel,
                    provider="log",
                    recipient=recipient,
                    message=request.message,
                )
            )
    return pages


def retry_delay(attempt: int) -> float:
    """Seconds before attempt ``attempt + 1``: 1, 2, 4 … capped at 60."""
    return float(min(2 ** max(attempt - 1, 0), 60))
