"""Each product's documented sample payload becomes the alerts a person would expect."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from imas_contracts.alert_payloads import PayloadError
from imas_ingest import domain
from imas_ingest.webhooks.sources import parse

pytestmark = pytest.mark.unit

PAYLOADS = Path(__file__).parent / "payloads"


def sample(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


def decided(source: str, name: str, **kw: str) -> list[tuple[domain.Alert, domain.Decision]]:
    alerts = parse(source, sample(name))
    return [
        (
            a,
            domain.decide(
                a, [], integration_service=kw.get("service", ""), triage_service="triage"
            ),
        )
        for a in alerts
    ]


def test_pagerduty_trigger_keeps_its_dedup_key_and_maps_critical_to_sev1() -> None:
    [(alert, decision)] = decided("pagerduty", "pagerduty_trigger.json", service="postgres-prod")
    assert alert.status == "firing"
    assert alert.summary == "DISK at 99% on machine prod-datapipe03.example.com"
    assert alert.detected_at == datetime(2015, 7, 17, 8, 42, 58, 315000, tzinfo=UTC)
    assert alert.labels["component"] == "mysql"
    assert alert.labels["free space"] == "1%"
    assert alert.links == ("http://acme.pagerduty.com",)
    assert decision.dedup_key == "srv01/mysql"
    assert decision.severity == "SEV1_CRITICAL"
    assert decision.service == "postgres-prod"


def test_pagerduty_resolve_is_a_resolved_alert_with_the_same_key() -> None:
    [alert] = parse("pagerduty", sample("pagerduty_resolve.json"))
    assert alert.status == "resolved"
    assert alert.dedup_key == "srv01/mysql"


def test_alertmanager_alert_uses_job_as_service_and_its_fingerprint() -> None:
    [(alert, decision)] = decided("alertmanager", "alertmanager_firing.json")
    assert alert.name == "HighLatency"
    assert alert.detected_at == datetime(2026, 2, 5, 18, 29, tzinfo=UTC)
    assert decision.service == "checkout-api"
    assert decision.severity == "SEV1_CRITICAL"
    assert decision.dedup_key == "a1b2c3d4e5f60718"
    [resolved] = parse("alertmanager", sample("alertmanager_resolved.json"))
    assert resolved.status == "resolved"


def test_grafana_unified_gives_one_alert_per_entry_and_unknown_service_goes_to_triage() -> None:
    results = decided("grafana", "grafana_unified.json")
    assert [a.name for a, _ in results] == ["High memory usage", "High CPU usage"]
    assert results[0][0].summary == "This alert was triggered for zone us-1"
    assert results[0][0].detected_at == datetime(2021, 10, 12, 7, 51, 3, 157076, tzinfo=UTC)
    assert {d.service for _, d in results} == {"triage"}
    assert {d.severity for _, d in results} == {"SEV4_LOW"}


def test_grafana_legacy_alerting_fires_and_ok_resolves() -> None:
    [alert] = parse("grafana", sample("grafana_legacy.json"))
    assert (alert.name, alert.status) == ("Panel Title alert", "firing")
    ok = sample("grafana_legacy.json").replace(b'"state": "alerting"', b'"state": "ok"')
    assert parse("grafana", ok)[0].status == "resolved"


def test_datadog_tags_priority_and_transitions() -> None:
    [(alert, decision)] = decided("datadog", "datadog_triggered.json")
    assert alert.status == "firing"
    assert alert.labels["service"] == "checkout-api"
    assert alert.labels["env"] == "prod"
    assert decision.service == "checkout-api"
    assert decision.severity == "SEV1_CRITICAL"  # P1
    assert alert.name == "High error rate on checkout-api"
    [recovered] = parse("datadog", sample("datadog_recovered.json"))
    assert recovered.status == "resolved"
    assert recovered.dedup_key == alert.dedup_key


@pytest.mark.parametrize(
    ("transition", "status"),
    [
        ("Triggered", "firing"),
        ("Re-Triggered", "firing"),
        ("Warn", "firing"),
        ("No Data", "firing"),
        ("Recovered", "resolved"),
    ],
)
def test_datadog_alert_transitions(transition: str, status: str) -> None:
    body = sample("datadog_triggered.json").replace(b'"Triggered"', f'"{transition}"'.encode())
    assert parse("datadog", body)[0].status == status


def test_sentry_issue_and_metric_alerts() -> None:
    [(issue, decision)] = decided("sentry", "sentry_issue_alert.json")
    assert issue.summary == "ZeroDivisionError: division by zero"
    assert decision.service == "checkout-api"
    assert decision.severity == "SEV2_HIGH"  # level error
    assert decision.dedup_key == "sentry-issue-1117540176"
    [(metric, metric_decision)] = decided("sentry", "sentry_metric_alert.json")
    assert metric.name == "Too many errors"
    assert metric_decision.severity == "SEV1_CRITICAL"
    resolved = sample("sentry_metric_alert.json").replace(b'"critical"', b'"resolved"')
    assert parse("sentry", resolved)[0].status == "resolved"


def test_custom_batch_object_and_array_forms() -> None:
    results = decided("custom", "custom_batch.json")
    assert [d.service for _, d in results] == ["checkout-api", "postgres-prod"]
    assert [d.severity for _, d in results] == ["SEV3_MEDIUM", "SEV2_HIGH"]
    assert results[0][1].dedup_key == "queue-backlog-orders"
    assert len(parse("custom", b'{"title": "one"}')) == 1
    assert len(parse("custom", b'[{"title": "a"}, {"title": "b"}]')) == 2


@pytest.mark.parametrize(
    ("source", "body", "field"),
    [
        ("pagerduty", b'{"routing_key": "k", "event_action": "explode"}', "event_action"),
        ("pagerduty", b'{"routing_key": "k", "event_action": "trigger"}', "payload"),
        (
            "pagerduty",
            b'{"routing_key":"k","event_action":"trigger","payload":'
            b'{"summary":"s","source":"h","severity":"bad"}}',
            "payload.severity",
        ),
        ("pagerduty", b'{"routing_key": "k", "event_action": "resolve"}', "dedup_key"),
        ("alertmanager", b'{"alerts": [{"status": "weird"}]}', "alerts[0].status"),
        ("alertmanager", b'{"alerts": [{"startsAt": "yesterday"}]}', "alerts[0].startsAt"),
        (
            "alertmanager",
            b'{"alerts": [{"startsAt": "0002-01-01T00:00:00Z"}]}',
            "alerts[0].startsAt",
        ),
        ("alertmanager", b'{"status": "firing"}', "alerts"),
        ("custom", b'{"alerts": [{"title": "a"}, {"severity": "p1"}]}', "alerts[1].title"),
        ("custom", b"{not json", "body"),
    ],
)
def test_invalid_bodies_name_the_field(source: str, body: bytes, field: str) -> None:
    with pytest.raises(PayloadError) as caught:
        parse(source, body)
    assert caught.value.field == field
