"""What warroom says in chat: the room header, its buttons and milestones (pure formatting)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from imas_contracts.incidents import IncidentSnapshot
from imas_warroom.domain import SEVERITY_LABELS

ACK = "incident_ack"
RESOLVE = "incident_resolve"


@dataclass(frozen=True)
class Header:
    """The pinned message of a war room."""

    incident: IncidentSnapshot
    incident_link: str
    lid_link: str
    runbook_link: str | None = None
    runbook_name: str | None = None

    @property
    def title(self) -> str:
        return f"INC-{self.incident.short_id} - {self.incident.title}"

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(action id, label) of the buttons the current status allows."""
        status = self.incident.status
        if status == "RESOLVED":
            return []
        if status == "TRIGGERED":
            return [(ACK, "Acknowledge"), (RESOLVE, "Resolve")]
        return [(RESOLVE, "Resolve")]

    def lines(self) -> list[str]:
        i = self.incident
        lines = [
            f"Severity: {SEVERITY_LABELS.get(i.severity, i.severity)}",
            f"Status: {i.status}",
            f"Service: {i.service.name}",
            f"Lead: {i.lead or 'unassigned'}",
            f"Incident: {self.incident_link}",
            f"LID: {self.lid_link}",
        ]
        if self.runbook_link:
            lines.append(f"Runbook: {self.runbook_name or 'runbook'} {self.runbook_link}")
        return lines

    def text(self) -> str:
        return "\n".join([f"*{self.title}*", *self.lines()])


def topic(incident: IncidentSnapshot) -> str:
    label = SEVERITY_LABELS.get(incident.severity, incident.severity)
    return f"{label} | {incident.service.name} | {incident.title}"[:250]


def slack_blocks(header: Header) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header.title[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(header.lines())}},
    ]
    if header.buttons:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": action,
                        "text": {"type": "plain_text", "text": label},
                        "value": header.incident.id,
                        **({"style": "primary"} if action == ACK else {}),
                    }
                    for action, label in header.buttons
                ],
            }
        )
    return blocks


def discord_message(header: Header) -> dict[str, Any]:
    components: list[dict[str, Any]] = []
    if header.buttons:
        components.append(
            {
                "type": 1,
                "components": [
                    {
                        "type": 2,
                        "style": 1 if action == ACK else 4,
                        "label": label,
                        "custom_id": f"{action}:{header.incident.id}",
                    }
                    for action, label in header.buttons
                ],
            }
        )
    return {
        "content": header.text()[:2000],
        "components": components,
    }
