"""Pure alert rules: fingerprints, default mappings, rule and silence matching, flapping.

No I/O here: everything is decided from the alert, the rules and the times given.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import msgspec

from imas_contracts.alert_payloads import CustomAlert
from imas_contracts.incidents import OpenOrAttach
from imas_contracts.ingest import (
    AlertRule,
    Matcher,
    RuleCondition,
    RuleTrial,
    SampleAlert,
    Silence,
    SubmitAlert,
)
from imas_runtime import patterns, windows
from imas_runtime.errors import Invalid
from imas_runtime.patterns import PatternRefused, StoredPattern

SERVICE_LABELS = ("service", "job", "app", "application", "component")
SEVERITY_LABELS = ("severity", "priority", "level")
DEFAULT_SEVERITY = {
    **dict.fromkeys(("critical", "fatal", "emergency", "p1", "sev1", "sev1_critical"), "SEV1"),
    **dict.fromkeys(("high", "error", "p2", "sev2", "sev2_high"), "SEV2"),
    **dict.fromkeys(("warning", "warn", "medium", "p3", "sev3", "sev3_medium"), "SEV3"),
}
SEVERITY_NAMES = {
    "SEV1": "SEV1_CRITICAL",
    "SEV2": "SEV2_HIGH",
    "SEV3": "SEV3_MEDIUM",
    "SEV4": "SEV4_LOW",
}
MAX_DEDUP = 255
# Bounds of an integration's own webhook rate limit.
MAX_RATE = 1_000_000.0
MAX_BURST = 10_000_000


@dataclass(frozen=True)
class Alert:
    """One alert as a source described it, before rules: what every parser produces."""

    source: str
    name: str
    status: str  # firing | resolved
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    description: str = ""
    detected_at: datetime | None = None
    dedup_key: str = ""  # the source's own key, when it has one
    links: tuple[str, ...] = ()
    service: str = ""  # a service named by the payload itself (custom alerts)
    severity: str = ""  # a severity named by the payload itself
    raw: Any = None


@dataclass(frozen=True)
class Decision:
    """Where an alert goes: the service, severity and key incidents will see."""

    service: str
    severity: str
    dedup_key: str
    auto_create: bool
    auto_resolve: bool
    rule: str | None


def rate_limit_values(rate: float | None, burst: int | None) -> dict[str, Any]:
    """An integration's rate limit as stored: ``rate`` alerts per second with ``burst`` at
    once (one second's worth by default); no ``rate``, no limit of its own."""
    if rate is None:
        if burst is not None:
            raise Invalid.field("rate_burst", "needs a rate_limit")
        return {"rate_limit": None, "rate_burst": None}
    if not 0 < rate <= MAX_RATE:
        raise Invalid.field("rate_limit", f"must be more than 0 and at most {MAX_RATE:.0f}")
    if burst is None:
        burst = max(1, math.ceil(rate))
    if not 1 <= burst <= MAX_BURST:
        raise Invalid.field("rate_burst", f"must be between 1 and {MAX_BURST}")
    return {"rate_limit": rate, "rate_burst": burst}


def fingerprint(source: str, name: str, labels: dict[str, str]) -> str:
    """Stable across label order: a hash of the source, the alert name and the sorted labels."""
    material = "\x1f".join(
        [source, name, *(f"{k}\x1e{v}" for k, v in sorted(labels.items()))]
    ).encode()
    return hashlib.sha256(material).hexdigest()[:32]


def alert_fingerprint(alert: Alert) -> str:
    """The source's own dedup key when it gave one, else :func:`fingerprint`."""
    if alert.dedup_key:
        return alert.dedup_key[:MAX_DEDUP]
    return fingerprint(alert.source, alert.name, alert.labels)


def _lower(labels: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in labels.items()}


def default_service(alert: Alert) -> str:
    lowered = _lower(alert.labels)
    for name in SERVICE_LABELS:
        if lowered.get(name, "").strip():
            return lowered[name].strip()
    return ""


def severity_of(value: str, mapping: dict[str, str] | None = None) -> str | None:
    """``SEVn_...`` for a label value, from a rule's mapping first, then the defaults."""
    v = value.strip().lower()
    if mapping:
        for k, sev in mapping.items():
            if k.strip().lower() == v:
                return SEVERITY_NAMES.get(sev.upper()[:4]) or _full(sev)
    short = DEFAULT_SEVERITY.get(v)
    return SEVERITY_NAMES[short] if short else None


def _full(value: str) -> str | None:
    return value if value in SEVERITY_NAMES.values() else None


def default_severity(alert: Alert) -> str:
    lowered = _lower(alert.labels)
    if alert.severity and (found := severity_of(alert.severity)):
        return found
    for name in SEVERITY_LABELS:
        if name in lowered and (found := severity_of(lowered[name])):
            return found
    return "SEV4_LOW"


def check_patterns(matchers: list[Matcher], alert_name: str = "") -> None:
    """Refuse a pattern the engine cannot run, naming its field (``matchers[1].value``)."""
    if alert_name:
        patterns.check_pattern(alert_name, "alert_name", patterns.ANCHORED)
    for i, m in enumerate(matchers):
        if m.op in ("=~", "!~"):
            patterns.check_pattern(m.value, f"matchers[{i}].value", patterns.ANCHORED)


def stored_patterns(ref: str, matchers: list[Matcher], alert_name: str = "") -> list[StoredPattern]:
    """The patterns of one stored rule or silence, each with its field."""
    found = [StoredPattern(ref, "alert_name", alert_name)] if alert_name else []
    return found + [
        StoredPattern(ref, f"matchers[{i}].value", m.value)
        for i, m in enumerate(matchers)
        if m.op in ("=~", "!~")
    ]


def matches(matcher: Matcher, labels: dict[str, str]) -> bool:
    """Alertmanager semantics: a missing label is the empty string; regexes are anchored.

    A regex the engine refuses (stored before patterns were checked) never holds, whatever
    the operator, so its silence or rule applies to nothing."""
    value = labels.get(matcher.label, "")
    if matcher.op == "=":
        return value == matcher.value
    if matcher.op == "!=":
        return value != matcher.value
    try:
        found = patterns.compile_pattern(matcher.value, patterns.ANCHORED).matches(value)
    except PatternRefused:
        return False
    return found if matcher.op == "=~" else not found


def matchable(alert: Alert) -> dict[str, str]:
    """An alert's labels plus ``alertname`` and ``source``, for matchers."""
    return {"alertname": alert.name, **alert.labels, "source": alert.source}


def rule_matches(rule: AlertRule, alert: Alert) -> bool:
    if rule.source and rule.source != alert.source:
        return False
    if rule.alert_name and not patterns.matches(rule.alert_name, alert.name, patterns.ANCHORED):
        return False
    labels = matchable(alert)
    return all(matches(m, labels) for m in rule.matchers)


def first_rule(rules: list[AlertRule], alert: Alert) -> AlertRule | None:
    """Rules are evaluated in order; the first whose conditions all hold wins."""
    for rule in rules:
        if rule_matches(rule, alert):
            return rule
    return None


_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def render_template(template: str, alert: Alert) -> str:
    values = {**alert.labels, "name": alert.name, "source": alert.source}
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), template)[:MAX_DEDUP]


def decide(
    alert: Alert, rules: list[AlertRule], *, integration_service: str, triage_service: str
) -> Decision:
    """Apply the first matching rule, else the defaults. Never drops an alert: without a
    service it goes to ``triage_service``."""
    rule = first_rule(rules, alert)
    service = (
        (rule.service if rule else "")
        or alert.service
        or integration_service
        or default_service(alert)
        or triage_service
    )
    severity = None
    if rule is not None and rule.severity_map:
        label = _lower(alert.labels).get(rule.severity_label.lower(), "")
        severity = severity_of(label, rule.severity_map)
    key = render_template(rule.dedup_template, alert) if rule and rule.dedup_template else ""
    return Decision(
        service=service,
        severity=severity or default_severity(alert),
        dedup_key=key or alert_fingerprint(alert),
        auto_create=rule.auto_create if rule else True,
        auto_resolve=rule.auto_resolve if rule else True,
        rule=rule.name if rule else None,
    )


def check_rule(rule: AlertRule) -> None:
    """Refuse a rule that cannot work, naming its field: no name, a pattern the engine cannot
    run, a severity that is not SEV1..SEV4."""
    if not rule.name.strip():
        raise Invalid.field("name", "must not be empty")
    check_patterns(rule.matchers, rule.alert_name)
    for value in rule.severity_map.values():
        if severity_of(value) is None and value not in SEVERITY_NAMES.values():
            raise Invalid.field("severity_map", f"'{value}' is not SEV1..SEV4")


def rule_conditions(rule: AlertRule, alert: Alert) -> list[RuleCondition]:
    """Each condition of ``rule`` in words, and whether ``alert`` meets it."""
    found = []
    if rule.source:
        found.append(
            RuleCondition(condition=f"source = {rule.source}", holds=rule.source == alert.source)
        )
    if rule.alert_name:
        holds = patterns.matches(rule.alert_name, alert.name, patterns.ANCHORED)
        found.append(RuleCondition(condition=f"alert name =~ {rule.alert_name}", holds=holds))
    labels = matchable(alert)
    found += [
        RuleCondition(condition=f"{m.label} {m.op} {m.value}", holds=matches(m, labels))
        for m in rule.matchers
    ]
    return found


def try_rule(rule: AlertRule, sample: SampleAlert, *, triage_service: str) -> RuleTrial:
    """What ``rule`` would decide for ``sample`` were it the only rule (see ``decide``)."""
    alert = Alert(
        source=sample.source,
        name=sample.name,
        status="firing",
        labels=dict(sample.labels),
        summary=sample.summary,
    )
    decision = decide(alert, [rule], integration_service="", triage_service=triage_service)
    return RuleTrial(
        matched=decision.rule is not None,
        conditions=rule_conditions(rule, alert),
        service=decision.service,
        severity=decision.severity,
        dedup_key=decision.dedup_key,
        auto_create=decision.auto_create,
        auto_resolve=decision.auto_resolve,
    )


def silence_active(silence: Silence, at: datetime) -> bool:
    """Whether ``silence`` holds at ``at``: between its start and end, and for a recurring
    one within an occurrence (computed on its zone's wall clock, see imas_runtime.windows)."""
    return windows.silence_end(silence, at) is not None


def silenced_by(silences: list[Silence], alert: Alert, at: datetime) -> Silence | None:
    """The active silence whose matchers all match, if any (see :func:`silence_active`)."""
    labels = matchable(alert)
    for silence in silences:
        if silence_active(silence, at) and all(matches(m, labels) for m in silence.matchers):
            return silence
    return None


# A service's maintenance: its start (None: begun) and its end.
Maintenance = tuple[datetime | None, datetime]


def in_maintenance(
    maintenance: dict[str, Maintenance], service: str, alert: Alert, at: datetime
) -> str:
    """The name of the maintenance that suppresses a firing alert of ``service`` at ``at``
    ("" when none, or when it is planned to begin later): a resolution still goes through,
    closing what is open."""
    found = maintenance.get(service)
    if found is None or not windows.in_maintenance(*found, at) or alert.status != "firing":
        return ""
    return windows.maintenance_name(service, found[1])


silence_name = windows.silence_name


def check_silence(silence: Silence) -> Silence:
    """Refuse a silence that cannot work, naming its field; answer it with a recurring one's
    zone filled (UTC when none is given)."""
    if not silence.matchers:
        raise Invalid.field("matchers", "at least one matcher is required")
    # A time without an offset cannot be compared with an alert's: every alert checked
    # against such a silence would fail.
    for name in ("starts_at", "ends_at"):
        if getattr(silence, name).utcoffset() is None:
            raise Invalid.field(name, "needs a UTC offset (+02:00 or Z)")
    if silence.ends_at <= silence.starts_at:
        raise Invalid.field("ends_at", "must be after starts_at")
    check_patterns(silence.matchers)
    if not silence.rrule:
        if silence.duration:
            raise Invalid.field("duration", "only a recurring silence (with an rrule) has one")
        if silence.timezone:  # the zone its times were written in, kept to show them so
            windows.zone(silence.timezone)
        return silence
    zone = silence.timezone or "UTC"
    windows.check_recurrence(silence.rrule, silence.starts_at, zone, silence.duration)
    return msgspec.structs.replace(silence, timezone=zone, rrule=silence.rrule.strip())


def open_or_attach(alert: Alert, decision: Decision, *, note: str = "") -> OpenOrAttach:
    title = (alert.summary or alert.name or "alert").strip()[:500] or "alert"
    description = "\n\n".join(p for p in (note, alert.description) if p)
    return OpenOrAttach(
        title=title,
        description=description[:10_000],
        service_name=decision.service,
        severity=decision.severity,  # type: ignore[arg-type]  # always a SEVn name
        dedup_key=decision.dedup_key,
        detected_at=alert.detected_at,
        source="alert",
        alert_source=alert.source,
    )


def backlog_alert(service: str, stream: str, used: int, limit: int) -> OpenOrAttach:
    """The alert that JetStream's ``stream`` of raw payloads is filling up: once full, the
    gateway refuses webhooks (503). One incident per stream, later checks attach to it."""
    percent = 100 * used // limit
    return OpenOrAttach(
        title=f"Alert intake backlog: stream {stream} is {percent}% full",
        description=(
            f"JetStream holds {used:,} bytes of raw webhook payloads that ingest has not handled "
            f"yet, of at most {limit:,}. Once full, the gateway answers webhooks 503 (monitoring "
            "tools retry later; alerts sent through POST /api/v1/incidents/ still go through).\n\n"
            "Check that ingest runs and keeps up (its /readyz and logs), and that incidents "
            "answers. To hold a longer backlog, raise the stream's max_bytes "
            "(nats stream edit, or IMAS_ALERTS_MAX_BYTES for new streams)."
        ),
        service_name=service,
        severity="SEV2_HIGH",
        dedup_key=f"imas:jetstream-backlog:{stream}",
        source="system",
        alert_source="imas",
    )


# -- heartbeats ---------------------------------------------------------------------------------

# Bounds of a heartbeat's interval and grace (seconds): a ping at least every second, at most
# a year apart.
MIN_INTERVAL = 1.0
MAX_INTERVAL = 366 * 24 * 3600.0


def heartbeat_timing(interval: float | None, grace: float | None) -> tuple[float, float]:
    """A heartbeat's interval and grace as stored, or ``invalid`` naming the field."""
    if interval is None:
        raise Invalid.field("interval", "is required for a heartbeat (seconds between pings)")
    if not MIN_INTERVAL <= interval <= MAX_INTERVAL:
        raise Invalid.field(
            "interval", f"must be between {MIN_INTERVAL:g} and {MAX_INTERVAL:g} seconds"
        )
    grace = 0.0 if grace is None else grace
    if not 0 <= grace <= MAX_INTERVAL:
        raise Invalid.field("grace", f"must be between 0 and {MAX_INTERVAL:g} seconds")
    return float(interval), float(grace)


def heartbeat_key(integration_id: object) -> str:
    """The dedup key of a heartbeat's alerts: one incident per heartbeat at a time."""
    return f"heartbeat:{integration_id}"


def missed_heartbeat(
    name: str, integration_id: object, due_at: datetime, last_ping_at: datetime | None
) -> CustomAlert:
    """The alert of a heartbeat whose deadline passed without a ping."""
    last = last_ping_at.isoformat() if last_ping_at else "never"
    return CustomAlert(
        title=f"Heartbeat missed: {name}",
        status="firing",
        severity="high",
        dedup_key=heartbeat_key(integration_id),
        description=(
            f"The job behind the heartbeat '{name}' has not reported in: its last ping came at "
            f"{last}, the next was due by {due_at.isoformat()} (interval plus grace). The "
            "incident resolves itself at its next ping."
        ),
        labels={"heartbeat": name},
        detected_at=due_at.isoformat(),
    )


def heartbeat_back(name: str, integration_id: object) -> CustomAlert:
    """The alert that resolves a missed heartbeat's incident: its job pinged again."""
    return CustomAlert(
        title=f"Heartbeat missed: {name}",
        status="resolved",
        dedup_key=heartbeat_key(integration_id),
        labels={"heartbeat": name},
    )


def to_open_or_attach(alert: SubmitAlert) -> OpenOrAttach:
    """The API's synchronous alert (``POST /api/v1/incidents/``) as open-or-attach."""
    return OpenOrAttach(
        title=alert.title,
        description=alert.description,
        service_name=alert.service_name.strip(),
        severity=alert.severity,
        dedup_key=alert.dedup_key,
        detected_at=alert.detected_at,
        source="api" if alert.source == "api" else "alert",
        alert_source=alert.source,
        actor=alert.actor,
        actor_id=alert.actor_id,
        tags=alert.tags,
        impacted_scopes=alert.impacted_scopes,
    )


def api_fingerprint(source: str, service_name: str, dedup_key: str) -> str:
    """Fingerprint of an API-submitted alert: its service and dedup key identify it."""
    material = f"{source}\x1f{service_name}\x1f{dedup_key}".encode()
    return hashlib.sha256(material).hexdigest()[:32]


# -- flapping -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlapState:
    """What is remembered per fingerprint: its last status and recent status changes."""

    last_status: str = ""
    changes: tuple[float, ...] = ()
    flapping: bool = False
    reported: bool = False


def flap_step(
    state: FlapState, status: str, at: datetime, *, max_changes: int, window: timedelta
) -> tuple[FlapState, str]:
    """Record ``status`` at ``at``; answer ``pass``, ``report`` (flapping starts: tell people
    once) or ``hold`` (still flapping: record only).

    An alert flaps when its status changed more than ``max_changes`` times within ``window``.
    """
    now = at.timestamp()
    changes = tuple(t for t in state.changes if t > now - window.total_seconds())
    if state.last_status and status != state.last_status:
        changes = (*changes, now)
    flapping = len(changes) > max_changes
    if not flapping:
        return FlapState(last_status=status, changes=changes), "pass"
    verdict = "hold" if state.reported else "report"
    return replace(
        state, last_status=status, changes=changes, flapping=True, reported=True
    ), verdict
