"""Pure paging rules: message content, idempotency keys, provider choice and retry policy."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
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
    "voice": ("twilio",),
}
CHAT_CHANNELS = ("slack", "discord", "teams")
# The chat channel of a page when no chat platform is configured: the brief's (it is then
# undeliverable, and says why).
DEFAULT_CHAT = "slack"
# Channels that need no address of the person paged (the provider's own destination).
UNADDRESSED = ("log", "webhook")
# How the reason of an undeliverable page names what is missing.
CHANNEL_PROVIDERS = {
    "slack": "no Slack provider is configured",
    "discord": "no Discord provider is configured",
    "teams": "no Teams provider is configured",
    "sms": "no SMS provider (OVH or Twilio) is configured",
    "email": "no e-mail (SMTP) provider is configured",
    "ntfy": "no ntfy provider is configured",
    "webhook": "no webhook provider is configured",
    "log": "no log provider is configured",
    "voice": "no voice provider (Twilio) is configured",
}
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
    # Whom it is for: ``person``, ``team``, or another target (scope e-mails, the ticket).
    target: str = ""
    # Why it cannot be delivered (no provider serves its channel, its recipient has no
    # address for it); empty when it can be.
    undeliverable: str = ""
    # The service whose maintenance holds it back (the incident's, for the pages routing
    # makes of a new incident); "" for pages no maintenance holds here (escalation holds
    # its own steps; follow-ups and status updates are not pages).
    service_id: str = ""
    # Held back until then by that maintenance (the incident opened during it).
    held_until: datetime | None = None


def held_by_maintenance(
    pages: list[Page], service_id: str, held_until: datetime | None, now: datetime
) -> list[Page]:
    """The pages routing made of a new incident, held by its service's maintenance: each
    knows its service (a maintenance that begins later holds it when it comes due), and
    when the incident opened during one (``held_until`` later than ``now``) each is held
    back until its end, later ones keeping their spacing (a person's rules)."""
    hold = (held_until - now).total_seconds() if held_until is not None else 0.0
    if hold <= 0:
        return [replace(p, service_id=service_id) for p in pages]
    return [
        replace(
            p,
            service_id=service_id,
            held_until=held_until,
            delay_seconds=p.delay_seconds + hold,
        )
        for p in pages
    ]


def maintenance_windows(services: Mapping[str, Any]) -> dict[str, tuple[datetime | None, datetime]]:
    """The maintenance, running or planned, of each service of the catalog projection that
    has one (by id): its start (None: begun) and its end."""
    found: dict[str, tuple[datetime | None, datetime]] = {}
    for id_, entity in services.items():
        until, since = entity.data.get("maintenance_until"), entity.data.get("maintenance_since")
        if not isinstance(until, str) or not until:
            continue
        try:
            begins = datetime.fromisoformat(since) if isinstance(since, str) and since else None
            found[id_] = (begins, datetime.fromisoformat(until))
        except ValueError:
            continue
    return found


def person_of(recipient: str) -> str | None:
    """``Alice (person:<id>)`` → ``<id>``; None for a recipient that is not a person."""
    if recipient.endswith(")") and "(person:" in recipient:
        return recipient.rsplit("(person:", 1)[1][:-1]
    return None


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
    """The provider name for ``channel`` among ``configured`` (kind → name); else the ``log``
    provider when an operator configured one (it prints what nothing else serves); else ''
    (no provider: the page is undeliverable)."""
    for kind in CHANNEL_KINDS.get(channel, ()):
        if kind in configured:
            return configured[kind]
    return configured.get("log", "")


def chat_channel(configured: Mapping[str, str]) -> str:
    """The chat platform teams are paged on: the first of Slack, Discord, Teams configured;
    else ``log`` when a log provider is, else Slack (the brief's, undeliverable)."""
    found = next((c for c in CHAT_CHANNELS if c in configured), "")
    return found or ("log" if "log" in configured else DEFAULT_CHAT)


def resolve_channel(channel: str, configured: Mapping[str, str]) -> str:
    """The channel a page goes out on: ``chat``, or a chat platform the deployment lacks,
    is the chat platform it has (:func:`chat_channel`)."""
    if channel == "chat" or (channel in CHAT_CHANNELS and channel not in configured):
        return chat_channel(configured)
    return channel


def undeliverable_reason(page: Page) -> str:
    """Why ``page`` cannot be delivered, or '' when it can: no provider serves its channel,
    or its recipient has no address for it."""
    if not page.provider:
        return CHANNEL_PROVIDERS.get(page.channel, f"no provider serves {page.channel}")
    # A page to a person needs their address: a provider's default destination (Slack's
    # default_channel, SMTP's ``to``) is for a team's pages, never a person's.
    if page.target == "person" and page.channel not in UNADDRESSED and not page.address:
        return f"{page.recipient} has no {page.channel} address in the catalog"
    return ""


def settle(pages: list[Page]) -> list[Page]:
    """The pages with the reason each one that cannot be delivered carries (see
    :func:`undeliverable_reason`)."""
    return [replace(p, undeliverable=p.undeliverable or undeliverable_reason(p)) for p in pages]


def pages_for_request(
    request: NotificationRequested,
    addresses: Mapping[tuple[str, str, str], str] | None = None,
    names: Mapping[tuple[str, str], str] | None = None,
) -> list[Page]:
    """One page per (target, channel) of an escalation's request. A request naming one target
    and one channel keeps its own key; otherwise each page's key extends it with the target
    and channel. ``addresses`` maps (kind, id, channel) to where the channel reaches it;
    ``names`` (kind, id) to the target's name, for requests that do not name their target."""
    targets = [("person", p) for p in request.person_ids] + [("team", t) for t in request.team_ids]
    single = len(targets) * len(request.channels) == 1 and not request.destinations
    # A status update is no page: no acknowledge link or button, no follow-up.
    kind = "update" if request.reason == "status_update" else "page"
    content = {"incident_id": request.incident_id, "text": request.message}
    pages = [
        Page(
            idempotency_key=f"{request.idempotency_key}:{d.channel}:{d.address}",
            channel=d.channel,
            provider="",
            recipient=d.address,
            message=request.message,
            address=d.address,
            content=content,
            kind=kind,
            target="address",
        )
        for d in request.destinations
    ]
    for target_kind, target in targets:
        label = f"{target_kind}:{target}"
        name = request.recipient_name or (names or {}).get((target_kind, target), "")
        recipient = f"{name} ({label})" if name else label
        for channel in request.channels:
            key = request.idempotency_key
            pages.append(
                Page(
                    idempotency_key=key if single else f"{key}:{label}:{channel}",
                    channel=channel,
                    provider="",
                    recipient=recipient,
                    message=request.message,
                    address=(addresses or {}).get((target_kind, target, channel), ""),
                    content=content,
                    kind=kind,
                    target=target_kind,
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
    unanswered: int = 0,
    max_unanswered: int = 2,
    base: float = 1.0,
    rng: Any = random,
) -> Outcome:
    """5xx and timeouts are retried with backoff; a 429 waits at least its Retry-After; other
    4xx are refused for good (``failed``); the last attempt ends ``dead``.

    ``unanswered`` counts the attempts whose outcome is unknown, this one included (no answer
    before the deadline, a sender lost in mid-send): each may have reached the receiver, so
    once ``max_unanswered`` of them were made the page is given up (``dead``) rather than sent
    again. A receiver thus gets at most ``max_unanswered`` copies of a page it accepted."""
    if not retryable:
        return Outcome("failed")
    if attempts >= max_attempts or unanswered >= max_unanswered:
        return Outcome("dead")
    delay = retry_delay(attempts, base, rng=rng)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return Outcome("retry", delay)


def bundle_text(messages: list[str]) -> str:
    """Several pages due at once to one phone become one message."""
    if len(messages) == 1:
        return messages[0]
    firsts = [m.splitlines()[0] if m else "" for m in messages]
    return f"{len(messages)} pages:\n" + "\n".join(firsts)


# -- the internal alert on failing pages ---------------------------------------------------------

# The dedup key of the alert a page given up raises: one per (channel, provider), so a storm of
# failing pages opens one incident and every later one attaches to it while it is open.
FAILING_PAGES_KEY = "imas:pages-failing:"
# The provider of that key for pages that could not be delivered at all (one incident per
# channel, whatever the reason).
NO_PROVIDER = "none"


def public_reason(error: str) -> str:
    """What anyone who reads the incident may see of a failed page: the kind of failure, the
    part before the first ``": "`` ("HTTP 503", "timeout", "smtp", "slack"), never what
    followed, which may echo an internal host, a vendor's message or part of a URL (admins
    read it, cut short, in the delivery ledger)."""
    return error.partition(": ")[0][:80]


def failing_pages_alert(
    service: str, channel: str, provider: str, recipient: str, error: str, attempts: int
) -> CustomAlert:
    """The alert (IMAS's generic alert format) saying pages over ``provider`` do not arrive.

    Its labels (``origin``, ``channel``, ``provider``) are what alert rules and silences
    match. The recipient is named, never its address."""
    return _pages_alert(
        service,
        channel,
        provider,
        f"Pages are failing: {channel} via {provider}",
        f"A page to {recipient} over {channel} (provider {provider}) was given up after "
        f"{attempts} attempt(s). Last error: {public_reason(error)}.\n\n"
        "Check the provider's configuration and status; the delivery ledger "
        "(GET /api/v1/deliveries/?status=dead) lists the pages that did not arrive, with "
        "what the provider answered (admins).",
    )


def undeliverable_pages_alert(
    service: str, channel: str, recipient: str, reason: str
) -> CustomAlert:
    """The alert a page that cannot be delivered raises: one incident per channel (its dedup
    key names the provider ``none``), later ones attaching to it while it is open."""
    return _pages_alert(
        service,
        channel,
        NO_PROVIDER,
        f"Pages cannot be delivered: {channel}",
        f"A page to {recipient} over {channel} was not sent: {reason[:500]}.\n\n"
        "Configure a provider for the channel (/api/v1/notification-providers/) or the "
        "recipient's address in the catalog; the delivery ledger "
        "(GET /api/v1/deliveries/?status=undeliverable) lists the pages that were not "
        "sent, and GET /api/v1/escalation/check/ what else would not reach anyone.",
    )


def _pages_alert(
    service: str, channel: str, provider: str, title: str, description: str
) -> CustomAlert:
    """One incident per (channel, provider): its dedup key, and the labels rules match."""
    return CustomAlert(
        title=title,
        severity="SEV2",
        service=service,
        dedup_key=f"{FAILING_PAGES_KEY}{channel}:{provider}",
        description=description,
        labels={"origin": "imas-notifier", "channel": channel, "provider": provider},
    )


def failing_provider(dedup_key: str) -> tuple[str, str] | None:
    """(channel, provider) of an incident opened by :func:`failing_pages_alert`, else None."""
    if not dedup_key.startswith(FAILING_PAGES_KEY):
        return None
    channel, _, provider = dedup_key.removeprefix(FAILING_PAGES_KEY).partition(":")
    return (channel, provider) if provider else None


def avoid_provider(pages: list[Page], provider: str, configured: Mapping[str, str]) -> list[Page]:
    """The pages of an incident about ``provider`` failing are not sent through it: they go
    to the log provider when one is configured, else they are undeliverable, saying why."""
    log = configured.get("log", "")
    return [
        p
        if p.provider != provider
        else replace(p, provider=log, channel="log")
        if log and log != provider
        else replace(
            p,
            undeliverable=f"this incident is about {provider} failing: not paged through it",
        )
        for p in pages
    ]
