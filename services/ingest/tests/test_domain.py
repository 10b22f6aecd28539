"""Rules, default mappings, fingerprints, silences and flap protection (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from imas_contracts.ingest import AlertRule, Matcher, Silence
from imas_ingest import domain
from imas_ingest.domain import Alert, FlapState

pytestmark = pytest.mark.unit

T0 = datetime(2026, 2, 5, 18, 30, tzinfo=UTC)


def alert(name: str = "DiskFull", source: str = "alertmanager", **labels: str) -> Alert:
    return Alert(source=source, name=name, status="firing", labels=labels)


def decide(a: Alert, rules: list[AlertRule] | None = None) -> domain.Decision:
    return domain.decide(a, rules or [], integration_service="", triage_service="triage")


def test_fingerprint_ignores_label_order_and_changes_with_any_label() -> None:
    one = domain.fingerprint("alertmanager", "DiskFull", {"a": "1", "b": "2"})
    assert one == domain.fingerprint("alertmanager", "DiskFull", {"b": "2", "a": "1"})
    assert one != domain.fingerprint("alertmanager", "DiskFull", {"a": "1", "b": "3"})
    assert one != domain.fingerprint("grafana", "DiskFull", {"a": "1", "b": "2"})


def test_source_dedup_key_wins_over_the_hash() -> None:
    given = Alert(source="pagerduty", name="x", status="firing", dedup_key="srv01/mysql")
    assert decide(given).dedup_key == "srv01/mysql"


@pytest.mark.parametrize(
    ("labels", "service"),
    [
        ({"service": "redis-prod", "job": "other"}, "redis-prod"),
        ({"Job": "checkout-api"}, "checkout-api"),
        ({"APP": "api-gateway"}, "api-gateway"),
        ({"application": "a"}, "a"),
        ({"component": "c"}, "c"),
        ({"team": "sre"}, "triage"),
    ],
)
def test_default_service_comes_from_labels_case_insensitively(
    labels: dict[str, str], service: str
) -> None:
    assert decide(alert(**labels)).service == service


@pytest.mark.parametrize(
    ("labels", "severity"),
    [
        ({"severity": "critical"}, "SEV1_CRITICAL"),
        ({"severity": "FATAL"}, "SEV1_CRITICAL"),
        ({"level": "emergency"}, "SEV1_CRITICAL"),
        ({"priority": "P1"}, "SEV1_CRITICAL"),
        ({"severity": "high"}, "SEV2_HIGH"),
        ({"level": "error"}, "SEV2_HIGH"),
        ({"priority": "p2"}, "SEV2_HIGH"),
        ({"severity": "warning"}, "SEV3_MEDIUM"),
        ({"severity": "warn"}, "SEV3_MEDIUM"),
        ({"severity": "medium"}, "SEV3_MEDIUM"),
        ({"priority": "p3"}, "SEV3_MEDIUM"),
        ({"severity": "info"}, "SEV4_LOW"),
        ({}, "SEV4_LOW"),
    ],
)
def test_default_severity_mapping(labels: dict[str, str], severity: str) -> None:
    assert decide(alert(**labels)).severity == severity


def test_first_matching_rule_wins_with_all_matcher_operators() -> None:
    rules = [
        AlertRule(name="never", source="grafana", service="nope"),
        AlertRule(
            name="payments",
            alert_name="Disk.*",
            matchers=[
                Matcher(label="env", op="=", value="prod"),
                Matcher(label="team", op="!=", value="data"),
                Matcher(label="instance", op="=~", value="db-[0-9]+"),
                Matcher(label="zone", op="!~", value="test-.*"),
            ],
            service="postgres-prod",
            severity_label="impact",
            severity_map={"huge": "SEV1"},
            dedup_template="{name}-{instance}",
            auto_resolve=False,
        ),
        AlertRule(name="catch-all", service="checkout-api"),
    ]
    matching = alert(env="prod", team="sre", instance="db-12", zone="eu-1", impact="huge")
    d = decide(matching, rules)
    assert (d.rule, d.service, d.severity) == ("payments", "postgres-prod", "SEV1_CRITICAL")
    assert d.dedup_key == "DiskFull-db-12"
    assert d.auto_resolve is False
    for other in (
        alert(env="dev", team="sre", instance="db-12", zone="eu-1"),
        alert(env="prod", team="data", instance="db-12", zone="eu-1"),
        alert(env="prod", team="sre", instance="web-1", zone="eu-1"),
        alert(env="prod", team="sre", instance="db-12", zone="test-1"),
        alert("CpuHigh", env="prod", team="sre", instance="db-12", zone="eu-1"),
    ):
        assert decide(other, rules).rule == "catch-all"


def test_rule_without_severity_map_falls_back_to_default_severity() -> None:
    rules = [AlertRule(name="r", service="redis-prod")]
    assert decide(alert(severity="critical"), rules).severity == "SEV1_CRITICAL"


def test_silence_applies_only_between_start_and_end() -> None:
    silence = Silence(
        matchers=[Matcher(label="alertname", value="DiskFull"), Matcher(label="env", value="prod")],
        starts_at=T0,
        ends_at=T0 + timedelta(hours=1),
    )
    a = alert(env="prod")
    assert domain.silenced_by([silence], a, T0 + timedelta(minutes=5)) is silence
    assert domain.silenced_by([silence], a, T0 - timedelta(seconds=1)) is None
    assert domain.silenced_by([silence], a, T0 + timedelta(hours=1)) is None
    assert domain.silenced_by([silence], alert(env="dev"), T0 + timedelta(minutes=5)) is None


def test_flapping_is_reported_once_then_held_and_ends_when_it_settles() -> None:
    state, window = FlapState(), timedelta(minutes=10)
    verdicts = []
    for i in range(10):
        status = "firing" if i % 2 == 0 else "resolved"
        state, verdict = domain.flap_step(
            state, status, T0 + timedelta(seconds=30 * i), max_changes=4, window=window
        )
        verdicts.append(verdict)
    assert verdicts[:5] == ["pass"] * 5
    assert verdicts[5] == "report"
    assert verdicts[6:] == ["hold"] * 4
    state, verdict = domain.flap_step(
        state, "firing", T0 + timedelta(minutes=30), max_changes=4, window=window
    )
    assert verdict == "pass"
    assert not state.flapping


def test_repeated_firing_is_not_flapping() -> None:
    state = FlapState()
    for i in range(50):
        state, verdict = domain.flap_step(
            state, "firing", T0 + timedelta(seconds=i), max_changes=2, window=timedelta(minutes=5)
        )
        assert verdict == "pass"
