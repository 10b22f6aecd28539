"""Messages owned by the ingest service: raw and normalised alerts, and alert submission."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

import msgspec

from imas_contracts._base import Event, Message, Request, StreamSpec
from imas_contracts.incidents import IncidentSnapshot, Severity

RAW_ALERT_SUBJECT_PREFIX = "alerts.raw"


def raw_alert_subject(source: str) -> str:
    """Subject a webhook's raw payload is written to, e.g. ``alerts.raw.alertmanager``."""
    return f"{RAW_ALERT_SUBJECT_PREFIX}.{source}"


class AlertReceived(Event, frozen=True, kw_only=True, tag="alerts.raw.v1"):
    """A monitoring tool's payload as it arrived, before normalisation.

    Published on ``alerts.raw.<source>`` (see :func:`raw_alert_subject`) so that consumers can
    filter by source; it is the one event whose subject is not its tag.
    """

    source: str
    integration_id: str | None = None
    payload: bytes
    content_type: str = "application/json"
    # The dedup key the gateway answered to the sender (PagerDuty events without one get one).
    dedup_key: str = ""


class NormalisedAlert(msgspec.Struct, frozen=True, kw_only=True):
    """An alert in IMAS terms, whatever tool sent it."""

    source: str
    title: str
    description: str = ""
    service_name: str
    severity: Severity
    status: str = "firing"
    dedup_key: str = ""
    fingerprint: str
    detected_at: datetime | None = None
    labels: dict[str, str] = {}
    links: list[str] = []


class AlertNormalised(Event, frozen=True, kw_only=True, tag="alerts.normalised.v1"):
    """An alert was normalised and handed to incidents; ``incident_id`` is where it went."""

    alert: NormalisedAlert
    incident_id: str | None = None
    created_incident: bool = False


class SubmitAlertReply(Message, frozen=True, kw_only=True, tag="ingest.submit.reply.v1"):
    """Whether the alert opened an incident (``created``) and the incident it belongs to;
    ``held_until`` / ``held_by`` as in ``OpenOrAttachReply`` (its paging held by a window)."""

    created: bool
    alert_id: str
    incident: IncidentSnapshot
    held_until: datetime | None = None
    held_by: str = ""


class SubmitAlert(Request, frozen=True, kw_only=True, tag="ingest.submit.v1"):
    """Submit one alert synchronously (the API's ``POST /api/v1/incidents/``)."""

    reply_type: ClassVar[type[Message]] = SubmitAlertReply

    title: str
    description: str = ""
    service_name: str
    severity: Severity
    dedup_key: str = ""
    detected_at: datetime | None = None
    source: str = "api"
    actor: str | None = None
    tags: list[str] = []
    impacted_scopes: list[str] = []
    # Who submits it (see ``imas_contracts.incidents.ACTOR_ID``).
    actor_id: str = ""


# -- integrations: each alert source with its own secret ------------------------------------------

SOURCES: tuple[str, ...] = (
    "pagerduty",
    "alertmanager",
    "grafana",
    "datadog",
    "sentry",
    "custom",
    "heartbeat",
)
HeartbeatStatus = Literal["new", "up", "down"]

OUTCOMES: tuple[str, ...] = (
    "created",
    "attached",
    "suppressed",
    "resolved",
    "flapping",
    "ignored",
    "acknowledged",
)


class Heartbeat(msgspec.Struct, frozen=True, kw_only=True):
    """What a ``heartbeat`` integration watches: a job that pings at least every ``interval``
    seconds, ``grace`` seconds more allowed. ``new`` until its first ping, ``up`` while pings
    come in time, ``down`` from the missed deadline (``due_at``) until the next ping."""

    interval: float
    grace: float = 0.0
    status: HeartbeatStatus = "new"
    last_ping_at: datetime | None = None
    # When the next ping must have come (the last ping + interval + grace); None while new.
    due_at: datetime | None = None


class Integration(msgspec.Struct, frozen=True, kw_only=True):
    """An alert source: its type, the service its alerts go to (unless a rule says otherwise).

    ``secret`` (the token, or the PagerDuty routing key, or the HMAC key) is only ever filled in
    the answer to its creation; it is stored encrypted and never shown again.
    """

    id: str
    name: str
    type: str
    service: str = ""
    webhook_path: str
    created_at: datetime
    secret: str | None = None
    # Its own webhook rate limit: alerts per second, and how many may come at once (None:
    # the gateway's default limit).
    rate_limit: float | None = None
    rate_burst: int | None = None
    # A heartbeat integration's watch (None for every other type).
    heartbeat: Heartbeat | None = None


class IntegrationReply(Message, frozen=True, kw_only=True, tag="ingest.integration.v1"):
    """One integration."""

    integration: Integration


class IntegrationList(Message, frozen=True, kw_only=True, tag="ingest.integration_list.v1"):
    """Every integration, newest first (secrets never included)."""

    integrations: list[Integration] = []


class CreateIntegration(Request, frozen=True, kw_only=True, tag="ingest.integrations.create.v1"):
    """Create an integration; the reply shows its secret, once. ``kind`` is one of SOURCES
    (``type`` in the public API; the name ``type`` is taken by the message tag)."""

    reply_type: ClassVar[type[Message]] = IntegrationReply

    name: str
    kind: str
    service: str = ""
    rate_limit: float | None = None
    rate_burst: int | None = None
    # Sentry only: the Client Secret Sentry made for its integration, which signs its
    # webhooks (empty: IMAS makes a secret).
    secret: str = ""
    # Heartbeat only: the longest time between two pings, and the slack allowed past it
    # (seconds).
    interval: float | None = None
    grace: float | None = None


class UpdateIntegration(Request, frozen=True, kw_only=True, tag="ingest.integrations.update.v1"):
    """Rename an integration, change its service or (Sentry) its secret, or set its rate
    limit: ``None`` keeps the name, service or secret; with ``set_rate_limit``, ``rate_limit``
    and ``rate_burst`` replace the limit (``rate_limit`` None removes it)."""

    reply_type: ClassVar[type[Message]] = IntegrationReply

    id: str
    name: str | None = None
    service: str | None = None
    set_rate_limit: bool = False
    rate_limit: float | None = None
    rate_burst: int | None = None
    # Sentry only: replace the secret by the Client Secret Sentry shows (None keeps it).
    secret: str | None = None
    # Heartbeat only: a new interval or grace (None keeps it); the deadline moves at once.
    interval: float | None = None
    grace: float | None = None


class ListIntegrations(Request, frozen=True, kw_only=True, tag="ingest.integrations.list.v1"):
    """List integrations."""

    reply_type: ClassVar[type[Message]] = IntegrationList


class DeleteIntegration(Request, frozen=True, kw_only=True, tag="ingest.integrations.delete.v1"):
    """Delete an integration: its secret stops working at once (gateway caches: seconds)."""

    reply_type: ClassVar[type[Message]] = IntegrationReply

    id: str


class PingHeartbeat(Request, frozen=True, kw_only=True, tag="ingest.heartbeats.ping.v1"):
    """A heartbeat integration's job reports in: its deadline moves to now + interval +
    grace, and a heartbeat that was ``down`` is ``up`` again (the incident its miss opened is
    resolved). Answers the integration once that is committed; safe to repeat."""

    reply_type: ClassVar[type[Message]] = IntegrationReply

    integration_id: str


class AuthenticateWebhook(
    Request, frozen=True, kw_only=True, tag="ingest.integrations.authenticate.v1"
):
    """Check a webhook's credentials: a ``token`` (URL, header or PagerDuty routing key), or
    an HMAC ``signature`` over ``body`` for ``integration_id`` (Sentry, signed custom hooks).

    Answers the integration, or an ``ErrorReply`` with code ``unauthorized``.
    """

    reply_type: ClassVar[type[Message]] = IntegrationReply

    source: str
    token: str = ""
    integration_id: str = ""
    signature: str = ""
    timestamp: str = ""
    body: bytes = b""


# -- alert rules and silences -----------------------------------------------------------------

MatchOp = Literal["=", "!=", "=~", "!~"]


class Matcher(msgspec.Struct, frozen=True, kw_only=True):
    """``label op value``, as Alertmanager writes them; regexes match the whole value."""

    label: str
    op: MatchOp = "="
    value: str


class AlertRule(msgspec.Struct, frozen=True, kw_only=True):
    """The first rule (by ``position``) whose matchers all match decides for an alert.

    ``service``: target service ("" keeps the default); ``severity_label`` and
    ``severity_map``: label value → SEVn; ``dedup_template``: ``{label}`` placeholders plus
    ``{name}``, ``{source}``; ``auto_create`` false records the alert as ignored.
    """

    id: str = ""
    name: str
    position: int = 100
    source: str = ""
    alert_name: str = ""
    matchers: list[Matcher] = []
    service: str = ""
    severity_label: str = "severity"
    severity_map: dict[str, str] = {}
    dedup_template: str = ""
    auto_create: bool = True
    auto_resolve: bool = True


class AlertRuleReply(Message, frozen=True, kw_only=True, tag="ingest.alert_rule.v1"):
    rule: AlertRule


class AlertRuleList(Message, frozen=True, kw_only=True, tag="ingest.alert_rule_list.v1"):
    rules: list[AlertRule] = []


class SaveAlertRule(Request, frozen=True, kw_only=True, tag="ingest.rules.save.v1"):
    """Create (empty ``id``) or replace an alert rule; regexes are checked (``invalid``)."""

    reply_type: ClassVar[type[Message]] = AlertRuleReply

    rule: AlertRule


class ListAlertRules(Request, frozen=True, kw_only=True, tag="ingest.rules.list.v1"):
    """Alert rules in evaluation order."""

    reply_type: ClassVar[type[Message]] = AlertRuleList


class DeleteAlertRule(Request, frozen=True, kw_only=True, tag="ingest.rules.delete.v1"):
    reply_type: ClassVar[type[Message]] = AlertRuleReply

    id: str


class SampleAlert(msgspec.Struct, frozen=True, kw_only=True):
    """An alert as a rule sees it (its ``source``, ``name`` and ``labels``), to try a rule on."""

    source: str = "custom"
    name: str = ""
    labels: dict[str, str] = {}
    summary: str = ""


class RuleCondition(msgspec.Struct, frozen=True, kw_only=True):
    """One condition of a rule (``source = alertmanager``, ``severity =~ crit.*``) and whether
    the sample alert meets it."""

    condition: str
    holds: bool


class RuleTrial(Message, frozen=True, kw_only=True, tag="ingest.rule_trial.v1"):
    """What a rule does with a sample alert: whether each of its conditions holds, and, when
    they all do, where the alert goes (``service``, ``severity``, ``dedup_key``) and whether
    it opens and resolves incidents. Without a match the alert takes the defaults shown."""

    matched: bool
    conditions: list[RuleCondition] = []
    service: str
    severity: str
    dedup_key: str
    auto_create: bool = True
    auto_resolve: bool = True


class TryAlertRule(Request, frozen=True, kw_only=True, tag="ingest.rules.try.v1"):
    """Try ``rule`` (saved or not) on ``alert`` as if it were the only rule. The rule is
    checked as a save checks it (``invalid`` naming ``rule.<field>``); nothing is written, so
    it is safe to run any number of times."""

    reply_type: ClassVar[type[Message]] = RuleTrial

    rule: AlertRule
    alert: SampleAlert


class Silence(msgspec.Struct, frozen=True, kw_only=True):
    """Alerts matching every matcher between ``starts_at`` and ``ends_at`` are suppressed
    (recorded, never paged). ``alertname`` and ``source`` are matchable labels too.

    A recurring silence (a maintenance window) also has ``rrule``, an RFC 5545 RRULE such as
    ``FREQ=WEEKLY;BYDAY=SU;BYHOUR=2``, computed on the wall clock of ``timezone`` (an IANA
    name) from ``starts_at`` on; each occurrence lasts ``duration`` seconds, and alerts are
    suppressed only within an occurrence (still between ``starts_at`` and ``ends_at``)."""

    id: str = ""
    matchers: list[Matcher]
    starts_at: datetime
    ends_at: datetime
    comment: str = ""
    created_by: str | None = None
    rrule: str = ""
    duration: float = 0.0
    timezone: str = ""


class SilenceReply(Message, frozen=True, kw_only=True, tag="ingest.silence.v1"):
    silence: Silence


class SilenceList(Message, frozen=True, kw_only=True, tag="ingest.silence_list.v1"):
    silences: list[Silence] = []


class CreateSilence(Request, frozen=True, kw_only=True, tag="ingest.silences.create.v1"):
    """Create a silence (maintenance window)."""

    reply_type: ClassVar[type[Message]] = SilenceReply

    silence: Silence


class ListSilences(Request, frozen=True, kw_only=True, tag="ingest.silences.list.v1"):
    """Silences that have not ended (all of them with ``include_expired``)."""

    reply_type: ClassVar[type[Message]] = SilenceList

    include_expired: bool = False


class DeleteSilence(Request, frozen=True, kw_only=True, tag="ingest.silences.delete.v1"):
    """Expire a silence now."""

    reply_type: ClassVar[type[Message]] = SilenceReply

    id: str


# -- alert outcomes ---------------------------------------------------------------------------


class AlertRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One normalised alert and what became of it."""

    id: str
    integration_id: str | None = None
    source: str
    name: str
    status: str
    outcome: str
    service_name: str
    severity: str
    fingerprint: str
    dedup_key: str = ""
    summary: str = ""
    labels: dict[str, str] = {}
    incident_id: str | None = None
    detected_at: datetime | None = None
    received_at: datetime
    # The window that suppressed it (outcome ``suppressed``): ``silence <id>`` (with its
    # comment) or ``maintenance of <service>``.
    suppressed_by: str = ""


class AlertPage(Message, frozen=True, kw_only=True, tag="ingest.alert_page.v1"):
    count: int
    results: list[AlertRecord] = []


class ListAlerts(Request, frozen=True, kw_only=True, tag="ingest.alerts.list.v1"):
    """Alerts newest first, filtered by integration and outcome (``status``)."""

    reply_type: ClassVar[type[Message]] = AlertPage

    integration: str = ""
    status: str = ""
    fingerprint: str = ""
    limit: int = 50
    offset: int = 0


EVENTS: tuple[type[Event], ...] = (AlertReceived, AlertNormalised)
REQUESTS: tuple[type[Request], ...] = (
    SubmitAlert,
    CreateIntegration,
    ListIntegrations,
    UpdateIntegration,
    DeleteIntegration,
    AuthenticateWebhook,
    PingHeartbeat,
    SaveAlertRule,
    ListAlertRules,
    DeleteAlertRule,
    TryAlertRule,
    CreateSilence,
    ListSilences,
    DeleteSilence,
    ListAlerts,
)

ALERTS_STREAM = StreamSpec(
    name="ALERTS",
    subjects=(f"{RAW_ALERT_SUBJECT_PREFIX}.>", AlertNormalised.type_name()),
    description="Raw webhook payloads until ingest has handled them",
    max_age_seconds=7 * 24 * 3600,
    # A work queue: a payload is removed once ingest acknowledged it (its alert is counted and
    # recorded in PostgreSQL), so the stream holds the backlog, not every payload ever sent.
    retention="workqueue",
    # Full, it refuses new payloads (the gateway answers 503 with Retry-After) rather than
    # drop accepted ones or fill the server's store that incidents and pages need too.
    max_bytes=1024**3,
    discard="new",
)
