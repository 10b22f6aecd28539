"""Pure alert rules: fingerprints, default mappings, rule and silence matching, flapping.

No I/O here: everything is decided from the alert, the rules and the times given.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from imas_contracts.incidents import OpenOrAttach
from imas_contracts.ingest import AlertRule, Matcher, Silence, SubmitAlert
from imas_runtime.errors import Invalid

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


@lru_cache(maxsize=1024)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def check_regex(pattern: str, field_name: str) -> None:
    try:
        _regex(pattern)
    except re.error as exc:
        raise Invalid.field(field_name, f"invalid regular expression: {exc}") from None


def matches(matcher: Matcher, labels: dict[str, str]) -> bool:
    """Alertmanager semantics: a missing label is the empty string; regexes are anchored."""
    value = labels.get(matcher.label, "")
    if matcher.op == "=":
        return value == matcher.value
    if matcher.op == "!=":
        return value != matcher.value
    found = _regex(matcher.value).fullmatch(value) is not None
    return found if matcher.op == "=~" else not found


def matchable(alert: Alert) -> dict[str, str]:
    """An alert's labels plus ``alertname`` and ``source``, for matchers."""
    return {"alertname": alert.name, **alert.labels, "source": alert.source}


def rule_matches(rule: AlertRule, alert: Alert) -> bool:
    if rule.source and rule.source != alert.source:
        return False
    if rule.alert_name and _regex(rule.alert_name).fullmatch(alert.name) is None:
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


def silenced_by(silences: list[Silence], alert: Alert, at: datetime) -> Silence | None:
    """The active silence (``starts_at <= at < ends_at``) whose matchers all match, if any."""
    labels = matchable(alert)
    for silence in silences:
        if silence.starts_at <= at < silence.ends_at and all(
            matches(m, labels) for m in silence.matchers
        ):
            return silence
    return None


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
