"""Pure paging rules: message content, idempotency keys, provider choice and retry policy."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from imas_contracts.alert_payloads import CustomAlert
from imas_contracts.incidents import IncidentSnapshot
from imas_contracts.notifier import NotificationRequested

SEVERITY_LABELS = {
    "SEV1_CRITICAL": "SEV1",
    "SEV2_HIGH": "SEV2",
    "SEV3_MEDIUM": "SEV3",
    "SEV4_LOW": "SEV4",
}
# Which provider kinds can carry a channel, in order of preference.
CHANNEL_KINDS: dict[str, tuple[str, ...]] = {
    "slack": ("slack",),
    "discord": ("discord",),
    "teams": ("teams",),
    "sms": ("ovh", "twilio"),
    "email": ("smtp",),
    "ntfy": ("ntfy",),
    "webhook": ("webhook",),
    "log": ("log",),
}
CHAT_CHANNELS = ("slack", "discord", "teams")
ACK_ACTION = "incident_ack"  # the action id warroom's chat endpoint understands


@dataclass(frozen=True)
class Page:
    """One message to one recipient over one channel.

    ``recipient`` names who it is for (shown in the timeline), ``address`` is where the
    provider sends it; ``delay_seconds`` holds a page back (a person's delayed rule)."""

    idempotency_key: str
    channel: str
    provider: str
    recipient: str
    message: str
    address: str = ""
    content: Mapping[str, Any] = field(default_factory=dict)
    delay_seconds: float = 0.0
    kind: str = "page"


def incident_content(
    incident: IncidentSnapshot, public_url: str, runbook_url: str | None = None
) -> dict[str, Any]:
    """What every channel shows: ``[SEV1] title``, service, severity, status and links."""
    label = SEVERITY_LABELS.get(incident.severity, incident.severity)
    links = {"Incident": f"{public_url.rstrip('/')}/incidents/{incident.id}"}
    if incident.lid_link:
        links["LID"] = incident.lid_link
    if incident.war_room_link:
        links["War room"] = incident.war_room_link
    if runbook_url:
        links["Runbook"] = runbook_url
    return {
        "incident_id": incident.id,
        "title": f"[{label}] {incident.title}",
        "severity": incident.severity,
        "fields": {
            "Service": incident.service.name,
            "Severity": incident.severity,
            "Status": incident.status,
        },
        "links": links,
        "ack": incident.status == "TRIGGERED",
    }


def content_text(content: Mapping[str, Any]) -> str:
    """The plain-text rendering (SMS, log, e-mail text part)."""
    lines = [str(content.get("title", ""))]
    fields = content.get("fields", {})
    if fields:
        lines.append(" · ".join(f"{k}: {v}" for k, v in fields.items()))
    lines += [f"{name}: {url}" for name, url in content.get("links", {}).items()]
    return "\n".join(line for line in lines if line)


def page_text(incident: IncidentSnapshot, public_url: str) -> str:
    """``[SEV1] Redis Cluster Down`` with service, severity, status and the incident link."""
    return content_text(incident_content(incident, public_url))


def idempotency_key(incident_id: str, step: str, recipient: str, channel: str) -> str:
    """Stable per (incident, step, recipient, channel): the same page is never sent twice."""
    return f"{incident_id}:{step}:{recipient}:{channel}"


def escalation_step0_key(incident_id: str, team_id: str) -> str:
    """The key escalation's default step 0 (the team's Slack at minute 0) uses: the triggered
    page of the team channel takes it, so the team is paged once when both fire."""
    return f"esc:{incident_id}:step0:0:team:{team_id}:slack"


def choose_provider(channel: str, configured: Mapping[str, str]) -> str:
    """The provider name for ``channel`` among ``configured`` (kind → name), else ``log``."""
    for kind in CHANNEL_KINDS.get(channel, ()):
        if kind in configured:
            return configured[kind]
    return "log"


def chat_channel(configured: Mapping[str, str]) -> str:
    """The chat platform teams are paged on: the first of Slack, Discord, Teams configured."""
    return next((c for c in CHAT_CHANNELS if c in configured), "log")


def pages_for_request(
    request: NotificationRequested,
    addresses: Mapping[tuple[str, str, str], str] | None = None,
) -> list[Page]:
    """One page per (target, channel) of an escalation's request. A request naming one target
    and one channel keeps its own key; otherwise each page's key extends it with the target
    and channel. ``addresses`` maps (kind, id, channel) to where the channel reaches it."""
    targets = [("person", p) for p in request.person_ids] + [("team", t) for t in request.team_ids]
    single = len(targets) * len(request.channels) == 1
    pages = []
    for kind, target in targets:
        label = f"{kind}:{target}"
        recipient = f"{request.recipient_name} ({label})" if request.recipient_name else label
        for channel in request.channels:
            key = request.idempotency_key
            pages.append(
                Page(
                    idempotency_key=key if single else f"{key}:{label}:{channel}",
                    channel=channel,
                    provider="log",
                    recipient=recipient,
                    message=request.message,
                    address=(addresses or {}).get((kind, target, channel), ""),
                    content={"incident_id": request.incident_id, "text": request.message},
                )
            )
    return pages


# -- delivery outcomes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What to do after an attempt: ``sent``; retry after ``retry_in`` seconds; or give up
    (``final`` status failed or dead)."""

    status: str  # sent | retry | failed | dead
    retry_in: float | None = None


def retry_delay(attempt: int, base: float = 1.0, cap: float = 300.0, rng: Any = random) -> float:
    """Seconds before attempt ``attempt + 1``: exponential from ``base`` with full jitter in
    its upper half (so a burst of failures does not retry in lockstep), capped at ``cap``."""
    ceiling = min(base * 2 ** max(attempt - 1, 0), cap)
    return float(ceiling / 2 + rng.random() * ceiling / 2)


def after_failure(
    attempts: int,
    max_attempts: int,
    *,
    retryable: bool,
    retry_after: float | None,
    base: float = 1.0,
    rng: Any = random,
) -> Outcome:
    """5xx and timeouts are retried with backoff; a 429 waits at least its Retry-After; other
    4xx are refused for good (``failed``); the last attempt ends ``dead``."""
    if not retryable:
        return Outcome("failed")
    if attempts >= max_attempts:
        return Outcome("dead")
    delay = retry_delay(attempts, base, rng=rng)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return Outcome("retry", delay)


def bundle_text(messages: list[str]) -> str:
    """Several pages to one phone within the rate window become one message."""
    if len(messages) == 1:
        return messages[0]
    firsts = [m.splitlines()[0] if m else "" for m in messages]
    return f"{len(messages)} pages:\n" + "\n".join(firsts)


# -- the internal alert on failing pages ---------------------------------------------------------

# The dedup key of the alert a page given up raises: one per (channel, provider), so a storm of
# failing pages opens one incident and every later one attaches to it while it is open.
FAILING_PAGES_KEY = "imas:pages-failing:"


def failing_pages_alert(
    service: str, channel: str, provider: str, recipient: str, error: str, attempts: int
) -> CustomAlert:
    """The alert (IMAS's generic alert format) saying pages over ``provider`` do not arrive.

    Its labels (``origin``, ``channel``, ``provider``) are what alert rules and silences
    match. The recipient is named, never its address."""
    return CustomAlert(
        title=f"Pages are failing: {channel} via {provider}",
        severity="SEV2",
        service=service,
        dedup_key=f"{FAILING_PAGES_KEY}{channel}:{provider}",
        description=(
            f"A page to {recipient} over {channel} (provider {provider}) was given up after "
            f"{attempts} attempt(s). Last error: {error[:500]}\n\n"
            "Check the provider's configuration and status; the delivery ledger "
            "(GET /api/v1/deliveries/?status=dead) lists the pages that did not arrive."
        ),
        labels={"origin": "imas-notifier", "channel": channel, "provider": provider},
    )


def failing_provider(dedup_key: str) -> tuple[str, str] | None:
    """(channel, provider) of an incident opened by :func:`failing_pages_alert`, else None."""
    if not dedup_key.startswith(FAILING_PAGES_KEY):
        return None
    channel, _, provider = dedup_key.removeprefix(FAILING_PAGES_KEY).partition(":")
    return (channel, provider) if provider else None


def avoid_provider(pages: list[Page], provider: str) -> list[Page]:
    """The pages of an incident about ``provider`` failing go to the log instead of it."""
    return [
        p if p.provider != provider else replace(p, provider="log", channel="log") for p in pages
    ]
