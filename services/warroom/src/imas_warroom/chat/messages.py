"""What warroom says in chat: the room header, its buttons and milestones (pure formatting).

Text that comes from outside (the incident's title, its service, people's names) is escaped
for the platform's markup (``imas_runtime.markup``); IMAS's own labels and links are not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from imas_contracts.incidents import IncidentSnapshot
from imas_runtime.markup import DISCORD_NO_MENTIONS, discord_text, slack_text
from imas_warroom.domain import SEVERITY_LABELS


def _as_is(text: str) -> str:
    return text


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
    # Chat ids of the people invited when the room opened: a Discord header mentions them.
    mentions: tuple[str, ...] = ()

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

    def lines(self, escape: Callable[[str], str] = _as_is) -> list[str]:
        i = self.incident
        lines = [
            f"Severity: {SEVERITY_LABELS.get(i.severity, i.severity)}",
            f"Status: {i.status}",
            f"Service: {escape(i.service.name)}",
            f"Lead: {escape(i.lead or 'unassigned')}",
            f"Incident: {self.incident_link}",
            f"LID: {self.lid_link}",
        ]
        if self.runbook_link:
            name = escape(self.runbook_name or "runbook")
            lines.append(f"Runbook: {name} {self.runbook_link}")
        return lines

    def text(self, escape: Callable[[str], str] = _as_is) -> str:
        return "\n".join([f"*{escape(self.title)}*", *self.lines(escape)])


def topic(incident: IncidentSnapshot) -> str:
    label = SEVERITY_LABELS.get(incident.severity, incident.severity)
    return f"{label} | {incident.service.name} | {incident.title}"[:250]


def slack_blocks(header: Header) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header.title[:150]}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "\n".join(header.lines(slack_text))},
        },
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
    # Invitees are mentioned, and only they may be pinged: the rest is escaped text.
    users = [u for u in header.mentions if u.isdigit()][:100]
    mentions = " ".join(f"<@{u}>" for u in users)
    content = f"{mentions}\n" if mentions else ""
    return {
        "content": (content + header.text(discord_text))[:2000],
        "components": components,
        "allowed_mentions": {**DISCORD_NO_MENTIONS, "users": users}
        if users
        else DISCORD_NO_MENTIONS,
    }
