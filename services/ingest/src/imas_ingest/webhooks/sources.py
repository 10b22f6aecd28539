"""Each source's payload as normalised alerts (pure).

:func:`parse` raises :class:`PayloadError` for a body that can never be accepted, and nothing
else, whatever the bytes.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

import msgspec

from imas_contracts import alert_payloads as p
from imas_contracts.alert_payloads import PayloadError, parse_time
from imas_ingest.domain import Alert

_DD_RESOLVED = {"recovered"}


def parse(source: str, body: bytes, *, dedup_key: str = "") -> list[Alert]:
    """Every alert in ``body`` as ``source`` posts it."""
    payload = p.decode(source, body)
    try:
        alerts = _normalise(source, payload, dedup_key)
    except PayloadError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise PayloadError("body", f"cannot be read: {exc}") from None
    # JSON may carry U+0000, which PostgreSQL text cannot hold: such an alert would fail in
    # every service that stores it. Its NULs become U+FFFD, so it is paged like any other.
    return [_without_nul(a) for a in alerts] if b"\\u0000" in body else alerts


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_scrub(v) for v in value)
    return value


def _without_nul(alert: Alert) -> Alert:
    return replace(alert, **{f.name: _scrub(getattr(alert, f.name)) for f in fields(alert)})


def _normalise(source: str, payload: p.Payload, dedup_key: str) -> list[Alert]:
    match payload:
        case p.PagerDutyEvent():
            return [_pagerduty(payload, dedup_key)]
        case p.AlertmanagerWebhook():
            return [_am_alert(source, payload, a, i) for i, a in enumerate(payload.alerts)]
        case p.GrafanaLegacyWebhook():
            return [_grafana_legacy(payload)]
        case p.DatadogWebhook():
            return [_datadog(payload)]
        case p.SentryWebhook():
            return _sentry(payload)
        case list():
            return [_custom(source, a, i) for i, a in enumerate(payload)]
    raise PayloadError("source", f"unknown source '{source}'")


def _str_labels(values: Any) -> dict[str, str]:
    if not isinstance(values, dict):
        return {}
    return {str(k): str(v) for k, v in values.items() if isinstance(v, str | int | float | bool)}


def _pagerduty(event: p.PagerDutyEvent, dedup_key: str) -> Alert:
    payload = event.payload or p.PdPayload()
    labels = {
        **_str_labels(payload.custom_details),
        **{
            k: v
            for k, v in (
                ("severity", payload.severity),
                ("component", payload.component),
                ("group", payload.group),
                ("class", payload.class_),
                ("pd_source", payload.source),
            )
            if v
        },
    }
    status = "resolved" if event.event_action == "resolve" else "firing"
    return Alert(
        source="pagerduty",
        name=payload.summary or event.event_action,
        status=status if event.event_action != "acknowledge" else "acknowledged",
        labels=labels,
        summary=payload.summary,
        detected_at=parse_time(payload.timestamp, "payload.timestamp"),
        dedup_key=event.dedup_key or dedup_key,
        links=tuple(link.href for link in event.links),
        raw=msgspec.to_builtins(event),
    )


def _am_alert(source: str, hook: p.AlertmanagerWebhook, alert: p.AmAlert, i: int) -> Alert:
    labels = {**hook.commonLabels, **alert.labels}
    annotations = {**hook.commonAnnotations, **alert.annotations}
    name = labels.get("alertname") or hook.title or "alert"
    summary = annotations.get("summary") or annotations.get("title") or name
    links = tuple(u for u in (alert.generatorURL, alert.dashboardURL, alert.panelURL) if u)
    return Alert(
        source=source,
        name=name,
        status=alert.status,
        labels=labels,
        annotations=annotations,
        summary=summary,
        description=annotations.get("description", "") or annotations.get("message", ""),
        detected_at=parse_time(alert.startsAt, f"alerts[{i}].startsAt"),
        dedup_key=alert.fingerprint,
        links=links,
        raw=msgspec.to_builtins(alert),
    )


def _grafana_legacy(hook: p.GrafanaLegacyWebhook) -> Alert:
    name = hook.ruleName or hook.title or "grafana alert"
    status = "resolved" if hook.state == "ok" else "firing"
    return Alert(
        source="grafana",
        name=name,
        status=status,
        labels={**hook.tags, "state": hook.state},
        summary=hook.title or name,
        description=hook.message,
        dedup_key=f"grafana-rule-{hook.ruleId}" if hook.ruleId is not None else "",
        links=tuple(u for u in (hook.ruleUrl,) if u),
        raw=msgspec.to_builtins(hook),
    )


def _dd_tags(tags: str | list[str]) -> dict[str, str]:
    items = tags if isinstance(tags, list) else tags.split(",")
    labels: dict[str, str] = {}
    for item in items:
        key, sep, value = item.strip().partition(":")
        if key:
            labels[key] = value if sep else ""
    return labels


def _dd_str(value: p.Scalar) -> str:
    return "" if value is None else str(value)


def _datadog(hook: p.DatadogWebhook) -> Alert:
    labels = _dd_tags(hook.tags)
    transition = hook.alert_transition.strip()
    if hook.alert_priority:
        labels.setdefault("priority", hook.alert_priority.lower())
    # The monitor's priority says more than its alert type ("error" for every alert).
    if transition.lower() == "warn":
        labels.setdefault("severity", "warning")
    elif hook.alert_type and not hook.alert_priority:
        labels.setdefault("severity", hook.alert_type.lower())
    if transition:
        labels["transition"] = transition
    title = hook.title or hook.alert_title or "datadog alert"
    # Datadog prefixes the title with the transition: "[Triggered] ...".
    name = hook.alert_title or title.split("] ", 1)[-1]
    key = hook.aggreg_key or (
        f"datadog-{_dd_str(hook.alert_id)}-{hook.alert_scope}".rstrip("-") if hook.alert_id else ""
    )
    return Alert(
        source="datadog",
        name=name,
        status="resolved" if transition.lower() in _DD_RESOLVED else "firing",
        labels=labels,
        summary=title,
        description=hook.body or hook.text,
        detected_at=parse_time(hook.date, "date"),
        dedup_key=key,
        links=tuple(u for u in (hook.link,) if u),
        raw=msgspec.to_builtins(hook),
    )


def _sentry(hook: p.SentryWebhook) -> list[Alert]:
    data = hook.data
    raw = msgspec.to_builtins(hook)
    if isinstance(data.get("metric_alert"), dict):
        metric = data["metric_alert"]
        rule = metric.get("alert_rule") if isinstance(metric.get("alert_rule"), dict) else {}
        name = str(rule.get("name") or metric.get("title") or "sentry metric alert")
        action = hook.action
        return [
            Alert(
                source="sentry",
                name=name,
                status="resolved" if action == "resolved" else "firing",
                labels={"severity": "warning" if action == "warning" else "critical"},
                summary=str(data.get("description_title") or name),
                description=str(data.get("description_text") or ""),
                detected_at=parse_time(metric.get("date_detected"), "data.metric_alert"),
                dedup_key=f"sentry-metric-{metric.get('id', name)}",
                links=tuple(str(u) for u in (data.get("web_url"),) if u),
                raw=raw,
            )
        ]
    if isinstance(data.get("event"), dict):
        event = data["event"]
        tags = {
            str(t[0]): str(t[1])
            for t in event.get("tags") or []
            if isinstance(t, list | tuple) and len(t) == 2
        }
        tags.setdefault("level", str(event.get("level") or "error"))
        title = str(event.get("title") or "sentry issue")
        return [
            Alert(
                source="sentry",
                name=str(data.get("triggered_rule") or title),
                status="firing",
                labels=tags,
                summary=title,
                description=str(event.get("culprit") or ""),
                detected_at=parse_time(event.get("datetime"), "data.event.datetime"),
                dedup_key=f"sentry-issue-{event.get('issue_id') or event.get('event_id')}",
                links=tuple(str(u) for u in (event.get("web_url"),) if u),
                raw=raw,
            )
        ]
    if isinstance(data.get("issue"), dict):
        issue = data["issue"]
        if hook.action not in ("created", "resolved", "unresolved"):
            return []
        title = str(issue.get("title") or "sentry issue")
        return [
            Alert(
                source="sentry",
                name=title,
                status="resolved" if hook.action == "resolved" else "firing",
                labels={"level": str(issue.get("level") or "error")},
                summary=title,
                description=str(issue.get("culprit") or ""),
                detected_at=parse_time(issue.get("firstSeen"), "data.issue.firstSeen"),
                dedup_key=f"sentry-issue-{issue.get('id')}",
                links=tuple(str(u) for u in (issue.get("permalink"),) if u),
                raw=raw,
            )
        ]
    raise PayloadError("data", "must hold an event, a metric_alert or an issue")


def _custom(source: str, alert: p.CustomAlert, i: int) -> Alert:
    return Alert(
        source=source,
        name=alert.title,
        status=alert.status,
        labels=alert.labels,
        annotations=alert.annotations,
        summary=alert.title,
        description=alert.description,
        detected_at=parse_time(alert.detected_at, f"alerts[{i}].detected_at"),
        dedup_key=alert.dedup_key[:255],
        links=tuple(alert.links),
        service=alert.service,
        severity=alert.severity,
        raw=msgspec.to_builtins(alert),
    )
