"""Alerting pages: integrations (their secret shown once), alert rules (tried on a sample
alert before saving) and silences (made from an alert's labels, expired at once)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from markupsafe import Markup

from imas_contracts.ingest import SOURCES, Integration, IntegrationReply
from imas_gateway.api.integrations import integration_json
from imas_gateway.ui.admin.api import PublicApi
from imas_gateway.ui.admin.fields import Field, Group, Values
from imas_gateway.ui.admin.resource import (
    Action,
    Column,
    Item,
    Resource,
    Shown,
    Trial,
    lines,
    moment,
    text,
    utc_input,
    yes_no,
)

GROUP = "Alerts"
# Shown in a listed integration's URL where its secret goes: secrets are only in the answer
# to the integration's creation.
SECRET_PLACEHOLDER = "<secret>"
OPERATORS = (("=", "="), ("!=", "≠"), ("=~", "matches (regex)"), ("!~", "does not match"))
SILENCE_HOURS = 2
RECENT_ALERTS = 10


def webhook_url(integration: Item, site: str) -> str:
    """Where a listed integration's tool posts, the secret's place marked."""
    shown = msgspec.convert({**integration, "secret": SECRET_PLACEHOLDER}, Integration)
    return str(integration_json(IntegrationReply(integration=shown), site).get("webhook_url", ""))


INTEGRATIONS = Resource(
    slug="integrations",
    title="Integrations",
    noun="integration",
    api="/api/v1/integrations/",
    group=GROUP,
    blurb="Where alerts come from. A secret is shown once, when its integration is created: "
    "it is stored encrypted and never shown again.",
    update="PATCH",
    fields=(
        Field("name", "Name"),
        Field(
            "type",
            "Type",
            kind="select",
            choices=tuple((s, s) for s in SOURCES),
            create_only=True,
            aliases=("kind",),
            initial="custom",
        ),
        Field(
            "service",
            "Service",
            kind="select",
            choices="services",
            placeholder="as its alerts say",
            help="Where its alerts go unless a rule says otherwise.",
        ),
        Field(
            "rate_limit",
            "Rate limit (alerts per second)",
            kind="number",
            help="Empty: the gateway's default.",
        ),
        Field("rate_burst", "Burst (alerts at once)", kind="int"),
    ),
    variant="type",
    variants={
        "heartbeat": (
            Field(
                "interval",
                "Ping at least every (seconds)",
                kind="number",
                read_as="heartbeat.interval",
            ),
            Field("grace", "Grace (seconds)", kind="number", read_as="heartbeat.grace"),
        ),
        "sentry": (
            Field(
                "secret",
                "Client Secret",
                kind="secret",
                help="The one Sentry shows; empty: IMAS makes one.",
            ),
        ),
    },
    columns=(
        text("name", "Integration"),
        text("type", "Type"),
        text("service", "Service"),
        Column("Webhook URL", lambda i, shown: webhook_url(i, shown.site)),
        moment("created_at", "Created"),
    ),
    shown_once=(
        ("webhook_url", "Webhook URL"),
        ("routing_key", "Routing key"),
        ("secret", "Secret"),
    ),
)


async def _try(trial: Trial) -> dict[str, Any]:
    """What the rule, as the form has it, does with the sample alert."""
    answer = await trial.api.call(
        "POST", "/api/v1/alert-rules/try/", {"rule": trial.body, "alert": trial.extra["sample"]}
    )
    return {"trial": answer}


def _conditions(rule: Item, _: Shown) -> str | Markup:
    shown = [f"source = {rule['source']}"] if rule.get("source") else []
    shown += [f"alert name =~ {rule['alert_name']}"] if rule.get("alert_name") else []
    shown += [f"{m['label']} {m['op']} {m['value']}" for m in rule.get("matchers") or []]
    return lines(*shown) or "every alert"


MATCHERS = Group(
    "matchers",
    "Label condition",
    (
        Field("label", "Label", placeholder="alertname, env, severity…"),
        Field("op", "", kind="select", choices=OPERATORS),
        Field("value", "Value"),
    ),
)

ALERT_RULES = Resource(
    slug="alert-rules",
    title="Alert rules",
    noun="alert rule",
    api="/api/v1/alert-rules/",
    group=GROUP,
    blurb="Applied to every alert in order: the first rule whose conditions all hold "
    "decides its service, severity and deduplication.",
    fields=(
        Field("name", "Name"),
        Field("position", "Position", kind="int", help="Lower runs first.", initial="100"),
        Field(
            "source",
            "Source",
            kind="select",
            choices=(("", "any source"), *((s, s) for s in SOURCES)),
        ),
        Field("alert_name", "Alert name (regex)", placeholder="Disk.*"),
        MATCHERS,
        Field("service", "Service", kind="select", choices="services", placeholder="as usual"),
        Field("severity_label", "Severity label", initial="severity"),
        Field(
            "severity_map",
            "Severity mapping",
            kind="pairs",
            help="One label value=SEVn per line (page=SEV1).",
        ),
        Field(
            "dedup_template",
            "Deduplication key",
            placeholder="{name}-{instance}",
            help="{label} placeholders, {name}, {source}; empty: the alert's fingerprint.",
        ),
        Field("auto_create", "Open incidents", kind="bool", initial=True),
        Field(
            "auto_resolve", "Resolve incidents when the alert resolves", kind="bool", initial=True
        ),
    ),
    columns=(
        text("name", "Rule"),
        text("position", "Position"),
        Column("When", _conditions),
        Column("Service", lambda r, _: r.get("service") or "as usual"),
        yes_no("auto_create", "Opens incidents"),
    ),
    actions=(
        Action(
            name="try",
            label="Try it",
            title="Try this rule on a sample alert",
            blurb="Nothing is saved: this shows what the rule, as the form stands, would do.",
            run=_try,
            template="admin/_trial.html",
            strip="rule.",
            fields=(
                Field(
                    "sample.source",
                    "Alert source",
                    kind="select",
                    choices=tuple((s, s) for s in SOURCES),
                    initial="alertmanager",
                ),
                Field("sample.name", "Alert name", placeholder="DiskFull"),
                Field(
                    "sample.labels",
                    "Alert labels",
                    kind="pairs",
                    help="One label=value per line.",
                ),
            ),
        ),
    ),
)


def _silence_defaults(query: Mapping[str, list[str]]) -> Values:
    """Two hours from now; ``?matcher=label=value`` (repeated) from an alert's labels."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    matchers = [
        {"label": label, "op": "=", "value": value}
        for raw in query.get("matcher", [])
        for label, sep, value in [raw.partition("=")]
        if sep and label
    ]
    return {
        "matchers": matchers or [{"label": "", "op": "=", "value": ""}],
        "timezone": "UTC",
        "starts_at": utc_input(now),
        "ends_at": utc_input(now + timedelta(hours=SILENCE_HOURS)),
        "comment": query.get("comment", [""])[-1],
    }


async def _recent_alerts(api: PublicApi) -> dict[str, Any]:
    """The last alerts received, each with the query of a silence matching it."""
    if not api.allows("GET", "/api/v1/alerts/"):
        return {"alerts": []}
    answer = await api.read("/api/v1/alerts/", {"page_size": RECENT_ALERTS})
    alerts = []
    for alert in answer.get("results") or []:
        labels = {"alertname": alert.get("name", ""), **(alert.get("labels") or {})}
        query = [("matcher", f"{k}={v}") for k, v in labels.items() if v]
        query.append(("comment", f"Silenced from the alert {alert.get('name', '')}"))
        alerts.append({"alert": alert, "query": query})
    return {"alerts": alerts}


def _matchers(silence: Item) -> str:
    return ", ".join(f"{m['label']} {m['op']} {m['value']}" for m in silence.get("matchers") or [])


def _repeats(silence: Item) -> str:
    """A recurring silence's rule, length and zone; "—" for a one-off one."""
    if not silence.get("rrule"):
        return "—"
    hours = float(silence.get("duration") or 0) / 3600
    return f"{silence['rrule']} · {hours:g} h · {silence.get('timezone') or 'UTC'}"


SILENCES = Resource(
    slug="silences",
    title="Silences",
    noun="silence",
    api="/api/v1/silences/",
    group=GROUP,
    blurb="Maintenance windows: while one runs, alerts matching all its conditions are "
    "recorded but open no incident and page nobody.",
    update="",
    delete="Expire now",
    label=lambda s: str(s.get("comment") or _matchers(s)),
    fields=(
        Group(
            "matchers",
            "Label condition",
            MATCHERS.fields,
            help="alertname and source are labels too.",
        ),
        Field(
            "timezone",
            "Time zone",
            placeholder="Europe/Paris",
            help="From and until are read in it; a repeating window follows its wall clock, "
            "DST included.",
            initial="UTC",
        ),
        Field("starts_at", "From", kind="instant", zone="timezone"),
        Field("ends_at", "Until", kind="instant", zone="timezone"),
        Field(
            "rrule",
            "Repeats (RRULE)",
            placeholder="FREQ=WEEKLY;BYDAY=SU;BYHOUR=2",
            help="Empty: one window, from … until. Set: a window at each occurrence of this "
            "RFC 5545 rule from the first start on, until the series ends.",
        ),
        Field(
            "duration",
            "Each window lasts (seconds)",
            kind="number",
            placeholder="7200",
            help="For a repeating window only: 3600 is an hour.",
        ),
        Field("comment", "Why", kind="textarea"),
    ),
    columns=(
        Column("Silence", lambda s, _: s.get("comment") or "—"),
        Column("Matches", lambda s, _: _matchers(s)),
        Column("Repeats", lambda s, _: _repeats(s)),
        moment("starts_at", "From"),
        moment("ends_at", "Until"),
        text("created_by", "By"),
    ),
    defaults=_silence_defaults,
    extras=_recent_alerts,
    list_template="admin/silences.html",
)

RESOURCES = (INTEGRATIONS, ALERT_RULES, SILENCES)
