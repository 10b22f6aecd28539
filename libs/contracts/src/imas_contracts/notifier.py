"""Messages owned by the notifier service: pages requested, sent and failed."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

import msgspec

from imas_contracts._base import Event, Message, Request, StreamSpec

# ``voice``: a phone call (Twilio's Voice API) that reads the page and takes a key press.
Channel = Literal["slack", "discord", "teams", "sms", "email", "ntfy", "webhook", "log", "voice"]


class Destination(msgspec.Struct, frozen=True, kw_only=True):
    """An address outside the catalog that a request reaches over ``channel``: an e-mail
    address (a list), a Slack channel (``#status`` or its id)."""

    channel: Channel
    address: str


class NotificationRequested(Event, frozen=True, kw_only=True, tag="notifications.requested.v1"):
    """Ask the notifier to page targets for an incident (sent by escalation at each step).

    ``idempotency_key`` is stable per (incident, step, target, channel): a page is never sent
    twice for the same key.
    """

    incident_id: str
    idempotency_key: str
    reason: Literal[
        "triggered", "escalation", "reminder", "follow_up", "test", "handoff", "status_update"
    ] = "escalation"
    step: int | None = None
    person_ids: list[str] = []
    team_ids: list[str] = []
    channels: list[Channel] = []
    message: str = ""
    # Who the page is for, by name, as the provider should address it (``Alice Martin``).
    recipient_name: str = ""
    # Addresses outside the catalog, each over its own channel (a status update's e-mail
    # lists and Slack channels).
    destinations: list[Destination] = []


def recipient_label(recipient: str) -> str:
    """How a page's ``recipient`` reads to people. The notifier writes ``Alice Martin
    (person:<id>)`` for a person, ``team:SRE Core`` or ``SRE Core (team:<id>)`` for a team's
    channel and the address itself for an e-mail: the id in brackets is for machines (``Alice
    Martin``), a team is named as such (``team SRE Core``)."""
    name, bracket, tail = recipient.rpartition(" (")
    if bracket and tail.endswith(")") and ":" in tail:
        recipient = f"team:{name}" if tail.startswith("team:") else name
    kind, colon, rest = recipient.partition(":")
    if colon and kind in ("team", "person") and rest:
        return f"{kind} {rest}"
    return recipient


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
    """A page could not be delivered after its retries (or was refused for good), or could
    not be sent at all: ``error`` then starts with ``undeliverable:`` and says why (no provider
    serves its channel, its recipient has no address for it)."""

    incident_id: str
    delivery_id: str
    idempotency_key: str
    channel: Channel
    provider: str
    recipient: str
    error: str
    attempts: int = 1


class PlannedPage(msgspec.Struct, frozen=True, kw_only=True):
    """A page routed for a new incident, due now."""

    idempotency_key: str
    channel: Channel
    recipient: str


class NotificationsPlanned(Event, frozen=True, kw_only=True, tag="notifications.planned.v1"):
    """The pages a new incident gets now, routed when it opened (pages held back by a person's
    rules are not in it). Each ends as ``notifications.sent`` or ``notifications.failed``
    under its idempotency key: incidents tells from them when paging is done."""

    incident_id: str
    pages: list[PlannedPage] = []


EVENTS: tuple[type[Event], ...] = (
    NotificationRequested,
    NotificationSent,
    NotificationFailed,
    NotificationsPlanned,
)


# -- what the configuration would not deliver (imas check) --------------------------------------


class ConfigProblem(msgspec.Struct, frozen=True, kw_only=True):
    """Something the configuration would not deliver, as ``imas check`` reports it.

    ``kind``: ``policy_reaches_nobody`` (an escalation step), ``channel_without_provider`` (a
    step or routing rule pages a channel no provider serves), ``person_without_address`` (a
    person paged on a channel has no address for it), ``schedule_gap``, ``schedule_invalid``,
    ``check_incomplete`` (a service did not answer). ``team_id`` / ``team`` name the team,
    ``step`` the policy step or routing rule, ``channel`` the channel; ``subject`` is the id it
    is about (a policy, a schedule, a person, a channel) and ``message`` says it in words."""

    kind: str
    subject: str
    message: str
    team_id: str = ""
    team: str = ""
    step: str = ""
    channel: str = ""


class StepPage(msgspec.Struct, frozen=True, kw_only=True):
    """A page an escalation step of ``team_id`` would send, to a ``person`` or a ``team``
    (``target``, ``id``, ``name``) over ``channel``; ``step`` names the step."""

    team_id: str
    step: str
    channel: str
    target: Literal["person", "team"]
    id: str
    name: str = ""


class DeliveryCheck(Message, frozen=True, kw_only=True, tag="notifier.check.reply.v1"):
    problems: list[ConfigProblem] = []


class CheckDelivery(Request, frozen=True, kw_only=True, tag="notifier.check.v1"):
    """Which of ``pages``, and of the pages the routing rules would send for ``team_ids``,
    could not be delivered: channels no provider serves, people without an address for their
    channel. ``on_call`` names, per team, the people its schedules may put on call (routing
    pages them, at SEV1 by default). Read only."""

    reply_type: ClassVar[type[Message]] = DeliveryCheck
    pages: list[StepPage] = []
    team_ids: list[str] = []
    on_call: dict[str, list[str]] = {}


ProviderKind = Literal[
    "slack", "discord", "teams", "ovh", "twilio", "smtp", "ntfy", "webhook", "log"
]
DeliveryStatus = Literal[
    "pending", "sending", "sent", "failed", "dead", "cancelled", "undeliverable"
]


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
    """One page in the ledger. Only a provider an operator configured makes it ``sent``;
    ``undeliverable`` pages were never sent (``last_error`` says why, ``provider`` is empty
    when no provider serves the channel)."""

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


# -- answering a page where it arrived (docs/acknowledge-anywhere.md) -----------------------------

# How an answer to a page comes in: an SMS reply through Twilio's inbound webhook or read from
# OVH's API, a key pressed in a Twilio call, or a signed link (an e-mail's, an ntfy button's).
PageActionVia = Literal["twilio_sms", "ovh_sms", "twilio_voice", "link"]
PageVerb = Literal["acknowledge", "resolve", "escalate"]


class PageActionCheck(Message, frozen=True, kw_only=True, tag="notifier.page_action.check.v1"):
    """What an answer to a page asks, once its signature, code or link were verified.

    ``status`` 200: it names a live page action (``action_id``) and a ``verb``, for the person
    the page went to. Otherwise the HTTP status the caller gets and, in ``message``, why in
    words the person understands: 400 unreadable (``field`` names what), 403 a signature
    that does not verify, 404 no such page or code, 410 expired, 429 too many wrong codes from
    that number. ``used`` lists the verbs already carried out with this page action."""

    status: int
    message: str = ""
    field: str = ""
    action_id: str = ""
    verb: PageVerb | None = None
    channel: str = ""
    incident_id: str = ""
    incident_label: str = ""
    person_id: str = ""
    person_name: str = ""
    person_email: str = ""
    expires_at: datetime | None = None
    used: list[str] = []


class CheckPageAction(Request, frozen=True, kw_only=True, tag="notifier.page_actions.check.v1"):
    """Verify an answer to a page, as the gateway received it, and say what it asks.

    ``twilio_sms`` / ``twilio_voice``: ``url`` is the full URL Twilio called and ``params``
    its form fields, ``signature`` its ``X-Twilio-Signature``; ``link``: ``token`` is the
    link's signed token (OVH's replies are read from OVH's API by the notifier itself, and
    checked as :class:`TakeSmsReplies` takes them). Changes nothing, except that a wrong SMS
    code counts against the number it came from (attempts are bounded): safe to repeat."""

    reply_type: ClassVar[type[Message]] = PageActionCheck
    via: PageActionVia
    url: str = ""
    params: dict[str, str] = {}
    signature: str = ""
    token: str = ""


class PageActionDone(Message, frozen=True, kw_only=True, tag="notifier.page_action.done.v1"):
    """The outcome of a page action: ``status`` 200 done, 409 already done with this page
    (or refused by the incident's state), 410 expired, 502 the owning service did not
    answer (nothing was done; the person may try again); ``message`` says it in words."""

    status: int
    message: str
    incident_id: str = ""
    incident_status: str = ""


class PerformPageAction(Request, frozen=True, kw_only=True, tag="notifier.page_actions.perform.v1"):
    """Carry out a page action checked with :class:`CheckPageAction` (the caller has checked
    that the role of the person paged allows ``verb``): acknowledge or resolve the incident,
    or fire its next escalation step, attributed to the person the page went to, with the
    channel as the source. Single use per (page action, verb), enforced in PostgreSQL: a
    second call answers 409 and changes nothing, so it is safe to repeat."""

    reply_type: ClassVar[type[Message]] = PageActionDone
    action_id: str
    verb: PageVerb
    via: PageActionVia
    # The IMAS user the person paged is (``user:<id>``), as the gateway found them.
    actor_id: str = ""


class SmsReply(msgspec.Struct, frozen=True, kw_only=True):
    """An SMS a person sent back, as the provider that holds it until it is read (OVH) had
    it: ``provider`` the provider's name, ``id`` the vendor's id of the message, and what
    it asks once checked as an answer to a page (``check``, as for a Twilio reply)."""

    provider: str
    id: str
    sender: str
    message: str
    check: PageActionCheck


class SmsReplies(Message, frozen=True, kw_only=True, tag="notifier.sms_replies.v1"):
    """The SMS replies waiting at the providers; ``failed`` names each provider that could not
    be read, and why."""

    replies: list[SmsReply] = []
    failed: dict[str, str] = {}


class TakeSmsReplies(Request, frozen=True, kw_only=True, tag="notifier.sms_replies.take.v1"):
    """Read the SMS replies that wait at the providers that keep them until they are read
    (OVH's incoming messages), at most ``limit``, each checked as an answer to a page (a
    wrong code counts against its number). A reply stays at the provider until
    :class:`AnswerSmsReply`: one taken by a gateway that stopped is taken again."""

    reply_type: ClassVar[type[Message]] = SmsReplies
    limit: int = 20


class SmsReplyAnswered(Message, frozen=True, kw_only=True, tag="notifier.sms_reply.answered.v1"):
    """``sent``: the answer reached the provider for the person; the reply was then deleted
    at the provider (``deleted``), so that it is handled once."""

    sent: bool
    deleted: bool


class AnswerSmsReply(Request, frozen=True, kw_only=True, tag="notifier.sms_replies.answer.v1"):
    """Delete reply ``id`` at ``provider``, then tell the person who sent it (from the number
    ``to``) what was done (``answer``, an SMS back through that provider); nobody is told
    while the provider refuses to delete it (``unavailable``)."""

    reply_type: ClassVar[type[Message]] = SmsReplyAnswered
    provider: str
    id: str
    to: str
    answer: str


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
    CheckDelivery,
    CheckPageAction,
    PerformPageAction,
    TakeSmsReplies,
    AnswerSmsReply,
)

NOTIFICATIONS_STREAM = StreamSpec(
    name="NOTIFICATIONS",
    subjects=tuple(e.type_name() for e in EVENTS),
    description="Pages requested by escalation and their outcome",
)
