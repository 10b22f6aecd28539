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
    """Whether the alert opened an incident (``created``) and the incident it belongs to."""

    created: bool
    alert_id: str
    incident: IncidentSnapshot


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


# -- integrations: each alert source with its own secret ------------------------------------------

SOURCES: tuple[str, ...] = ("pagerduty", "alertmanager", "grafana", "datadog", "sentry", "custom")

OUTCOMES: tuple[str, ...] = (
    "created",
    "attached",
    "suppressed",
    "resolved",
    "flapping",
    "ignored",
    "acknowledged",
)


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


class UpdateIntegration(Request, frozen=True, kw_only=True, tag="ingest.integrations.update.v1"):
    """Rename an integration, change its service, or set its rate limit: ``None`` keeps the
    name or service; with ``set_rate_limit``, ``rate_limit`` and ``rate_burst`` replace the
    limit (``rate_limit`` None removes it)."""

    reply_type: ClassVar[type[Message]] = IntegrationReply

    id: str
    name: str | None = None
    service: str | None = None
    set_rate_limit: bool = False
    rate_limit: float | None = None
    rate_burst: int | None = None


class ListIntegrations(Request, frozen=True, kw_only=True, tag="ingest.integrations.list.v1"):
    """List integrations."""

    reply_type: ClassVar[type[Message]] = IntegrationList


class DeleteIntegration(Request, frozen=True, kw_only=True, tag="ingest.integrations.delete.v1"):
    """Delete an integration: its secret stops working at once (gateway caches: seconds)."""

    reply_type: ClassVar[type[Message]] = IntegrationReply

    id: str


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


class Silence(msgspec.Struct, frozen=True, kw_only=True):
    """Alerts matching every matcher between ``starts_at`` and ``ends_at`` are suppressed
    (recorded, never paged). ``alertname`` and ``source`` are matchable labels too."""

    id: str = ""
    matchers: list[Matcher]
    starts_at: datetime
    ends_at: datetime
    comment: str = ""
    created_by: str | None = None


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
    SaveAlertRule,
    ListAlertRules,
    DeleteAlertRule,
    CreateSilence,
    ListSilences,
    DeleteSilence,
    ListAlerts,
)

ALERTS_STREAM = StreamSpec(
    name="ALERTS",
    subjects=(f"{RAW_ALERT_SUBJECT_PREFIX}.>", AlertNormalised.type_name()),
    description="Raw webhook payloads and normalised alerts",
    max_age_seconds=7 * 24 * 3600,
)
