"""Messages owned by the notifier service: pages requested, sent and failed."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

import msgspec

from imas_contracts._base import Event, Message, Request, StreamSpec

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

ProviderKind = Literal[
    "slack", "discord", "teams", "ovh", "twilio", "smtp", "ntfy", "webhook", "log"
]
DeliveryStatus = Literal["pending", "sending", "sent", "failed", "dead", "cancelled"]


class ProviderSpec(msgspec.Struct, frozen=True, kw_only=True):
    """A configured provider as the API shows it: ``secrets`` lists the names of the secrets
    that are set, never their values."""

    id: str
    name: str
    kind: ProviderKind
    config: dict[str, object] = {}
    secrets: list[str] = []
    enabled: bool = True
    updated_at: datetime | None = None


class ProviderView(Message, frozen=True, kw_only=True, tag="notifier.provider.v1"):
    provider: ProviderSpec


class ProviderList(Message, frozen=True, kw_only=True, tag="notifier.provider_list.v1"):
    providers: list[ProviderSpec] = []


class PutProvider(Request, frozen=True, kw_only=True, tag="notifier.provider.put.v1"):
    """Create (``id`` empty) or replace a provider. ``secrets`` are write-only: a secret left
    out keeps its stored value; an empty string removes it. Names are unique."""

    reply_type: ClassVar[type[Message]] = ProviderView
    id: str = ""
    name: str
    kind: ProviderKind
    config: dict[str, object] = {}
    secrets: dict[str, str] = {}
    enabled: bool = True


class ListProviders(Request, frozen=True, kw_only=True, tag="notifier.provider.list.v1"):
    reply_type: ClassVar[type[Message]] = ProviderList
    id: str = ""


class DeleteProvider(Request, frozen=True, kw_only=True, tag="notifier.provider.delete.v1"):
    reply_type: ClassVar[type[Message]] = ProviderView
    id: str


class ProviderTestResult(Message, frozen=True, kw_only=True, tag="notifier.provider_test.v1"):
    """What the provider answered to a test message (``ok`` false with the error)."""

    ok: bool
    detail: str = ""


class SendProviderTest(Request, frozen=True, kw_only=True, tag="notifier.provider.test.v1"):
    """Send a test message through a provider now, to ``recipient`` (an address the provider
    understands: a channel, a phone number, an e-mail address; its default when empty)."""

    reply_type: ClassVar[type[Message]] = ProviderTestResult
    id: str
    recipient: str = ""


class DeliveryView(msgspec.Struct, frozen=True, kw_only=True):
    """One page in the ledger."""

    id: str
    incident_id: str
    idempotency_key: str
    channel: str
    provider: str
    recipient: str
    address: str = ""
    status: DeliveryStatus
    attempts: int = 0
    last_error: str | None = None
    provider_response: str | None = None
    created_at: datetime
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None


class DeliveryList(Message, frozen=True, kw_only=True, tag="notifier.delivery_list.v1"):
    count: int
    results: list[DeliveryView] = []


class ListDeliveries(Request, frozen=True, kw_only=True, tag="notifier.deliveries.list.v1"):
    """Pages, newest first; narrowed to one incident (UUID) and/or a status."""

    reply_type: ClassVar[type[Message]] = DeliveryList
    incident_id: str = ""
    status: str = ""
    limit: int = 100
    offset: int = 0


# -- routing rules and people's notification rules ----------------------------------------------

RoutingTarget = Literal["team", "oncall", "scopes", "ticket"]


class RoutingRuleSpec(msgspec.Struct, frozen=True, kw_only=True):
    """Who hears of a new incident (``target``: the owner team's chat, its on-call person,
    each impacted scope's mandatory e-mails, the outbound ticket) over which ``channels``.

    A rule may be narrowed to a team (``team_id``), a ``severity`` and an impact scope
    (``scope_id``); empty matches anything. For each target the most specific matching rule
    wins; a stored rule wins over a built-in one (``default``) with the same match; a rule
    with no channels silences its target. ``responder`` (on-call rules only) is the person
    paged when escalation cannot say who is on call. The ``*_name`` fields are for reading."""

    id: str = ""
    target: RoutingTarget
    team_id: str = ""
    severity: str = ""
    scope_id: str = ""
    channels: list[str] = []
    responder: str = ""
    default: bool = False
    team_name: str = ""
    scope_name: str = ""
    responder_name: str = ""


class RoutingRuleView(Message, frozen=True, kw_only=True, tag="notifier.routing_rule.v1"):
    rule: RoutingRuleSpec


class RoutingRuleList(Message, frozen=True, kw_only=True, tag="notifier.routing_rule_list.v1"):
    """Stored rules, then the built-in defaults."""

    rules: list[RoutingRuleSpec] = []


class ListRoutingRules(Request, frozen=True, kw_only=True, tag="notifier.routing_rules.list.v1"):
    """Every routing rule (stored and default); ``id`` narrows to one (NotFound if none)."""

    reply_type: ClassVar[type[Message]] = RoutingRuleList
    id: str = ""


class PutRoutingRule(Request, frozen=True, kw_only=True, tag="notifier.routing_rules.put.v1"):
    """Create (``id`` empty) or replace a stored routing rule. Two stored rules may not have
    the same (target, team, severity, scope): ``conflict``. Ids are catalog ids."""

    reply_type: ClassVar[type[Message]] = RoutingRuleView
    id: str = ""
    target: RoutingTarget
    team_id: str = ""
    severity: str = ""
    scope_id: str = ""
    channels: list[str] = []
    responder: str = ""


class DeleteRoutingRule(Request, frozen=True, kw_only=True, tag="notifier.routing_rules.delete.v1"):
    """Delete a stored rule (built-in defaults cannot be deleted, only overridden)."""

    reply_type: ClassVar[type[Message]] = RoutingRuleView
    id: str


class NotificationRule(msgspec.Struct, frozen=True, kw_only=True):
    """Page a person over ``channel`` this many minutes after the incident opened (unless it
    was acknowledged first)."""

    channel: str
    delay_minutes: float = 0.0


class PersonNotificationRules(Message, frozen=True, kw_only=True, tag="notifier.person_rules.v1"):
    """A person's notification rules; ``custom`` false: none set, the person is paged over
    the routing rules' channels."""

    person_id: str
    rules: list[NotificationRule] = []
    custom: bool = False


class GetPersonRules(Request, frozen=True, kw_only=True, tag="notifier.person_rules.get.v1"):
    reply_type: ClassVar[type[Message]] = PersonNotificationRules
    person_id: str


class PutPersonRules(Request, frozen=True, kw_only=True, tag="notifier.person_rules.put.v1"):
    """Replace a person's notification rules (at least one; see ``DeletePersonRules``)."""

    reply_type: ClassVar[type[Message]] = PersonNotificationRules
    person_id: str
    rules: list[NotificationRule]


class DeletePersonRules(Request, frozen=True, kw_only=True, tag="notifier.person_rules.delete.v1"):
    """Drop a person's notification rules: back to the routing rules' channels."""

    reply_type: ClassVar[type[Message]] = PersonNotificationRules
    person_id: str


REQUESTS: tuple[type[Request], ...] = (
    PutProvider,
    ListProviders,
    DeleteProvider,
    SendProviderTest,
    ListDeliveries,
    ListRoutingRules,
    PutRoutingRule,
    DeleteRoutingRule,
    GetPersonRules,
    PutPersonRules,
    DeletePersonRules,
)

NOTIFICATIONS_STREAM = StreamSpec(
    name="NOTIFICATIONS",
    subjects=tuple(e.type_name() for e in EVENTS),
    description="Pages requested by escalation and their outcome",
)
