"""What monitoring tools post to IMAS: each source's webhook body, as its product documents it.

The gateway decodes a body with :func:`decode` before answering (a 400 names the offending
field); ingest decodes the same bytes again from JetStream and normalises them. Unknown fields
are ignored, as the products add fields over time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, TypeVar

import msgspec

Scalar = str | int | float | bool | None


class PayloadError(ValueError):
    """A body that can never be accepted, naming the field (``alerts[0].labels``) and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# -- PagerDuty Events API v2 -------------------------------------------------------------------

PD_SEVERITIES = ("critical", "error", "warning", "info")
PD_ACTIONS = ("trigger", "acknowledge", "resolve")


class PdLink(msgspec.Struct, kw_only=True):
    href: str
    text: str = ""


class PdImage(msgspec.Struct, kw_only=True):
    src: str
    href: str = ""
    alt: str = ""


class PdPayload(msgspec.Struct, kw_only=True):
    summary: str = ""
    source: str = ""
    severity: str = ""
    timestamp: str | None = None
    component: str | None = None
    group: str | None = None
    # ``class`` is a Python keyword.
    class_: str | None = msgspec.field(default=None, name="class")
    custom_details: Any = None


class PagerDutyEvent(msgspec.Struct, kw_only=True):
    routing_key: str
    event_action: str
    dedup_key: str | None = None
    payload: PdPayload | None = None
    client: str | None = None
    client_url: str | None = None
    links: list[PdLink] = []
    images: list[PdImage] = []


class PdChangePayload(msgspec.Struct, kw_only=True):
    summary: str = ""
    source: str = ""
    timestamp: str | None = None
    custom_details: dict[str, Any] | None = None


class PagerDutyChangeEvent(msgspec.Struct, kw_only=True):
    """A change event (``POST /v2/change/enqueue``): a deploy, a configuration push."""

    routing_key: str
    payload: PdChangePayload | None = None
    links: list[PdLink] = []
    images: list[PdImage] = []


# -- Prometheus Alertmanager (webhook version 4) and Grafana -----------------------------------


class AmAlert(msgspec.Struct, kw_only=True):
    status: str = "firing"
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    startsAt: str | None = None  # noqa: N815 (the product's field names)
    endsAt: str | None = None  # noqa: N815
    generatorURL: str = ""  # noqa: N815
    fingerprint: str = ""
    # Grafana unified alerting only.
    silenceURL: str = ""  # noqa: N815
    dashboardURL: str = ""  # noqa: N815
    panelURL: str = ""  # noqa: N815
    values: dict[str, Scalar] | None = None
    valueString: str = ""  # noqa: N815


class AlertmanagerWebhook(msgspec.Struct, kw_only=True):
    version: str = "4"
    groupKey: str = ""  # noqa: N815
    truncatedAlerts: int = 0  # noqa: N815
    status: str = "firing"
    receiver: str = ""
    groupLabels: dict[str, str] = {}  # noqa: N815
    commonLabels: dict[str, str] = {}  # noqa: N815
    commonAnnotations: dict[str, str] = {}  # noqa: N815
    externalURL: str = ""  # noqa: N815
    alerts: list[AmAlert]
    # Grafana unified alerting adds these.
    orgId: int | None = None  # noqa: N815
    title: str = ""
    state: str = ""
    message: str = ""


class GrafanaEvalMatch(msgspec.Struct, kw_only=True):
    value: Scalar = None
    metric: str = ""
    tags: dict[str, str] | None = None


class GrafanaLegacyWebhook(msgspec.Struct, kw_only=True):
    """Grafana's legacy (dashboard) alerting notification."""

    title: str = ""
    ruleId: int | None = None  # noqa: N815
    ruleName: str = ""  # noqa: N815
    ruleUrl: str = ""  # noqa: N815
    state: str
    message: str = ""
    imageUrl: str = ""  # noqa: N815
    dashboardId: int | None = None  # noqa: N815
    panelId: int | None = None  # noqa: N815
    orgId: int | None = None  # noqa: N815
    tags: dict[str, str] = {}
    evalMatches: list[GrafanaEvalMatch] = []  # noqa: N815


# -- Datadog -----------------------------------------------------------------------------------


class DatadogWebhook(msgspec.Struct, kw_only=True):
    """Datadog's webhook, with the payload variables people put in it ($EVENT_TITLE, ...)."""

    title: str = ""
    body: str = ""
    text: str = ""
    id: Scalar = None
    date: Scalar = None
    last_updated: Scalar = None
    event_type: str = ""
    alert_id: Scalar = None
    alert_transition: str = ""
    alert_priority: str = ""
    alert_type: str = ""
    alert_status: str = ""
    alert_scope: str = ""
    alert_metric: str = ""
    alert_title: str = ""
    aggreg_key: str = ""
    hostname: str = ""
    priority: str = ""
    tags: str | list[str] = ""
    link: str = ""
    snapshot: str = ""
    org: dict[str, Scalar] | None = None


# -- Sentry ------------------------------------------------------------------------------------


class SentryWebhook(msgspec.Struct, kw_only=True):
    """Sentry's integration-platform webhook: issue alerts (``event_alert``), metric alerts
    (``metric_alert``) and issue changes (``issue``); ``data`` differs by resource."""

    action: str
    data: dict[str, Any]
    actor: dict[str, Any] | None = None
    installation: dict[str, Any] | None = None


# -- custom ------------------------------------------------------------------------------------


class CustomAlert(msgspec.Struct, kw_only=True):
    """IMAS's generic alert: only ``title`` is required (see the ingest README)."""

    title: str
    status: str = "firing"
    severity: str = ""
    service: str = ""
    dedup_key: str = ""
    description: str = ""
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    detected_at: str | None = None
    links: list[str] = []


class CustomBatch(msgspec.Struct, kw_only=True):
    alerts: list[CustomAlert]


Payload = (
    PagerDutyEvent
    | AlertmanagerWebhook
    | GrafanaLegacyWebhook
    | DatadogWebhook
    | SentryWebhook
    | list[CustomAlert]
)

T = TypeVar("T")

_DECODERS: dict[type[Any], msgspec.json.Decoder[Any]] = {
    t: msgspec.json.Decoder(t)
    for t in (
        PagerDutyEvent,
        PagerDutyChangeEvent,
        AlertmanagerWebhook,
        GrafanaLegacyWebhook,
        DatadogWebhook,
        SentryWebhook,
        CustomAlert,
        CustomBatch,
        list[CustomAlert],
    )
}
_json = msgspec.json.Decoder()
_MISSING = re.compile(r"missing required field `([^`]+)`")
_AT = re.compile(r"- at `\$\.?([^`]*)`")


def field_error(exc: msgspec.ValidationError) -> PayloadError:
    """msgspec's validation message as a :class:`PayloadError` naming the field."""
    text = str(exc)
    at = _AT.search(text)
    path = at.group(1) if at else ""
    missing = _MISSING.search(text)
    if missing:
        field = f"{path}.{missing.group(1)}" if path else missing.group(1)
        return PayloadError(field, "is required")
    return PayloadError(path or "body", text.split(" - at ")[0])


def _typed(kind: type[T], body: bytes | Any) -> T:
    try:
        if isinstance(body, bytes | bytearray | memoryview | str):
            decoded: T = _DECODERS[kind].decode(body)
            return decoded
        return msgspec.convert(body, kind)
    except msgspec.ValidationError as exc:
        raise field_error(exc) from None
    except msgspec.DecodeError:
        raise PayloadError("body", "must be valid JSON") from None


def parse_time(value: Scalar, field: str) -> datetime | None:
    """ISO 8601 (``Z``, ``+00:00`` or ``+0000``) or Unix seconds / milliseconds, as UTC.

    Alertmanager's zero time (``0001-01-01T00:00:00Z``) means "not set" and gives None.
    """
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.match(value)):
        number = float(value)
        if number > 1e11:  # milliseconds
            number /= 1000
        try:
            return datetime.fromtimestamp(number, UTC)
        except (OverflowError, OSError, ValueError):
            raise PayloadError(field, "is not a valid timestamp") from None
    text = str(value).strip()
    if text.startswith("0001-01-01"):
        return None
    try:
        # Most tools send what fromisoformat reads as it is (``Z`` included).
        parsed = datetime.fromisoformat(text)
    except ValueError:
        text = _OFFSET.sub(r"\1:\2", text.replace("Z", "+00:00").replace("z", "+00:00"))
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise PayloadError(field, "must be an ISO 8601 date-time") from None
    found = parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if found.year < 1970:  # the incidents service refuses earlier detection times
        raise PayloadError(field, "must be after 1970-01-01")
    return found


_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_OFFSET = re.compile(r"([+-]\d\d)(\d\d)$")


def _check_pagerduty(event: PagerDutyEvent) -> None:
    if event.event_action not in PD_ACTIONS:
        raise PayloadError("event_action", f"must be one of {', '.join(PD_ACTIONS)}")
    if event.dedup_key is not None and len(event.dedup_key) > 255:
        raise PayloadError("dedup_key", "must be at most 255 characters")
    if event.event_action != "trigger":
        if not event.dedup_key:
            raise PayloadError("dedup_key", f"is required to {event.event_action}")
        return
    _check_summary(event.payload)
    assert event.payload is not None
    if not event.payload.source.strip():
        raise PayloadError("payload.source", "is required")
    if event.payload.severity not in PD_SEVERITIES:
        raise PayloadError("payload.severity", f"must be one of {', '.join(PD_SEVERITIES)}")
    parse_time(event.payload.timestamp, "payload.timestamp")


def decode_change(body: bytes | Any) -> PagerDutyChangeEvent:
    """Decode and check a PagerDuty change event; :class:`PayloadError` when it is invalid."""
    event: PagerDutyChangeEvent = _typed(PagerDutyChangeEvent, body)
    _check_summary(event.payload)
    assert event.payload is not None
    parse_time(event.payload.timestamp, "payload.timestamp")
    return event


def _check_summary(payload: PdPayload | PdChangePayload | None) -> None:
    """PagerDuty's payload with its summary: required, at most 1,024 characters."""
    if payload is None:
        raise PayloadError("payload", "is required")
    if not payload.summary.strip():
        raise PayloadError("payload.summary", "is required")
    if len(payload.summary) > 1024:
        raise PayloadError("payload.summary", "must be at most 1024 characters")


def _check_alerts(hook: AlertmanagerWebhook) -> None:
    for i, alert in enumerate(hook.alerts):
        if alert.status not in ("firing", "resolved"):
            raise PayloadError(f"alerts[{i}].status", "must be firing or resolved")
        parse_time(alert.startsAt, f"alerts[{i}].startsAt")
        parse_time(alert.endsAt, f"alerts[{i}].endsAt")


def decode(source: str, body: bytes | Any) -> Payload:
    """Decode and check ``body`` (bytes, or already-parsed JSON) as ``source`` posts it.

    Raises :class:`PayloadError` (never anything else) for a body that is not acceptable.
    """
    if source == "pagerduty":
        event: PagerDutyEvent = _typed(PagerDutyEvent, body)
        _check_pagerduty(event)
        return event
    if source == "alertmanager":
        hook: AlertmanagerWebhook = _typed(AlertmanagerWebhook, body)
        _check_alerts(hook)
        return hook
    if source == "grafana":
        data = _as_json(body)
        if isinstance(data, dict) and "alerts" in data:
            unified: AlertmanagerWebhook = _typed(AlertmanagerWebhook, data)
            _check_alerts(unified)
            return unified
        return _typed(GrafanaLegacyWebhook, data)
    if source == "datadog":
        hook_dd: DatadogWebhook = _typed(DatadogWebhook, body)
        if not (hook_dd.title or hook_dd.alert_title or hook_dd.body):
            raise PayloadError("title", "is required")
        parse_time(hook_dd.date, "date")
        return hook_dd
    if source == "sentry":
        return _typed(SentryWebhook, body)
    # A missed heartbeat is written by ingest itself in the custom format.
    if source in ("custom", "heartbeat"):
        data = _as_json(body)
        if isinstance(data, list):
            alerts: list[CustomAlert] = _typed(list[CustomAlert], data)
        elif isinstance(data, dict) and "alerts" in data:
            alerts = _typed(CustomBatch, data).alerts
        else:
            alerts = [_typed(CustomAlert, data)]
        for i, alert in enumerate(alerts):
            if not alert.title.strip():
                raise PayloadError(f"alerts[{i}].title", "must not be empty")
            if alert.status not in ("firing", "resolved"):
                raise PayloadError(f"alerts[{i}].status", "must be firing or resolved")
            parse_time(alert.detected_at, f"alerts[{i}].detected_at")
        return alerts
    raise PayloadError("source", f"unknown source '{source}'")


def _as_json(body: bytes | Any) -> Any:
    if not isinstance(body, bytes | bytearray | memoryview | str):
        return body
    try:
        return _json.decode(body)
    except msgspec.DecodeError:
        raise PayloadError("body", "must be valid JSON") from None


__all__ = ["Payload", "PayloadError", "decode", "decode_change", "field_error", "parse_time"]
