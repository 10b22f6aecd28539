"""Rules, default mappings, fingerprints, silences and flap protection (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from imas_contracts.ingest import AlertRule, Matcher, SampleAlert, Silence
from imas_ingest import domain
from imas_ingest.domain import Alert, FlapState
from imas_runtime.errors import Invalid

pytestmark = pytest.mark.unit

T0 = datetime(2026, 2, 5, 18, 30, tzinfo=UTC)
T1 = T0 + timedelta(hours=1)


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


@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
def test_a_silence_without_utc_offset_is_refused_naming_the_field(field: str) -> None:
    # Compared with an alert's time, a time without offset fails every alert of the intake.
    times = {"starts_at": T0, "ends_at": T0 + timedelta(hours=1)}
    times[field] = times[field].replace(tzinfo=None)
    silence = Silence(matchers=[Matcher(label="env", value="prod")], **times)
    with pytest.raises(Invalid) as refused:
        domain.check_silence(silence)
    assert [e.field for e in refused.value.errors] == [field]
    assert "UTC offset" in refused.value.errors[0].message


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


# -- user patterns -----------------------------------------------------------------------------

HOSTILE = {"x": "a" * 50_000, "y": "x" * 50_000}


@pytest.mark.timeout(60)
def test_catastrophic_matchers_answer_on_long_label_values() -> None:
    silences = [
        Silence(matchers=[Matcher(label="x", op="=~", value=p)], starts_at=T0, ends_at=T1)
        for p in ("(a+)+b", "(a|aa)*c")
    ]
    hostile = alert("a" * 50_000, **HOSTILE)
    assert domain.silenced_by(silences, hostile, T0) is None
    rules = [
        AlertRule(name="by-name", alert_name="(a|aa)*c", service="nope"),
        AlertRule(name="by-label", matchers=[Matcher(label="y", op="=~", value="(x+x+)+y")]),
        AlertRule(
            name="negated", matchers=[Matcher(label="y", op="!~", value="(x+x+)+y")], service="ok"
        ),
    ]
    assert decide(hostile, rules).rule == "negated"


def test_a_stored_pattern_the_engine_refuses_never_applies() -> None:
    backreference = Matcher(label="env", op="=~", value="(prod)\\1")
    lookahead = Matcher(label="env", op="!~", value="(?!prod)")
    silences = [Silence(matchers=[m], starts_at=T0, ends_at=T1) for m in (backreference, lookahead)]
    # Whatever the operator, the silence is skipped: the alert pages.
    assert domain.silenced_by(silences, alert(env="prodprod"), T0) is None
    assert domain.silenced_by(silences, alert(env="dev"), T0) is None
    rules = [
        AlertRule(name="lookbehind", alert_name="(?<=Disk)Full", service="nope"),
        AlertRule(name="bad-matcher", matchers=[backreference], service="nope"),
        AlertRule(name="next", alert_name="Disk.*", service="redis-prod"),
    ]
    assert decide(alert(env="prodprod"), rules).rule == "next"


def test_refused_patterns_name_their_field() -> None:
    matchers = [Matcher(label="env", value="("), Matcher(label="x", op="=~", value="a(?=b)")]
    with pytest.raises(Invalid) as refused:
        domain.check_patterns(matchers)
    assert refused.value.errors[0].field == "matchers[1].value"
    assert "lookaheads are not supported" in refused.value.errors[0].message
    with pytest.raises(Invalid) as named:
        domain.check_patterns([], alert_name="x" * 1001)
    assert named.value.errors[0].field == "alert_name"
    domain.check_patterns(matchers[:1], alert_name="Disk.*")  # "(" is a value for "="
    stored = domain.stored_patterns("r-1", matchers, alert_name="Disk.*")
    assert [(p.field, p.pattern) for p in stored] == [
        ("alert_name", "Disk.*"),
        ("matchers[1].value", "a(?=b)"),
    ]


def test_a_rule_tried_on_a_sample_alert_says_which_conditions_hold_and_where_it_goes() -> None:
    rule = AlertRule(
        name="disk",
        source="alertmanager",
        matchers=[
            Matcher(label="env", value="prod"),
            Matcher(label="alertname", op="=~", value="Disk.*"),
        ],
        service="storage",
        severity_map={"page": "SEV1"},
        dedup_template="{name}-{instance}",
    )
    sample = SampleAlert(
        source="alertmanager",
        name="DiskFull",
        labels={"env": "prod", "severity": "page", "instance": "db-1"},
    )
    trial = domain.try_rule(rule, sample, triage_service="triage")
    assert trial.matched
    assert [(c.condition, c.holds) for c in trial.conditions] == [
        ("source = alertmanager", True),
        ("env = prod", True),
        ("alertname =~ Disk.*", True),
    ]
    assert (trial.service, trial.severity, trial.dedup_key) == (
        "storage",
        "SEV1_CRITICAL",
        "DiskFull-db-1",
    )

    staging = SampleAlert(source="alertmanager", name="DiskFull", labels={"env": "staging"})
    missed = domain.try_rule(rule, staging, triage_service="triage")
    assert not missed.matched
    assert [c.holds for c in missed.conditions] == [True, False, True]
    assert missed.service == "triage"


def test_a_rule_that_cannot_work_is_refused_naming_its_field() -> None:
    with pytest.raises(Invalid) as refused:
        domain.check_rule(AlertRule(name="x", matchers=[Matcher(label="a", op="=~", value="(")]))
    assert refused.value.errors[0].field == "matchers[0].value"
    with pytest.raises(Invalid) as refused:
        domain.check_rule(AlertRule(name="x", severity_map={"page": "urgent"}))
    assert refused.value.errors[0].field == "severity_map"
