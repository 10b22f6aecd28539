"""The chart's PrometheusRule, as Prometheus reads it: ``promtool check rules`` accepts what
the chart renders, and ``promtool test rules`` proves that each alert that matters fires on
the series a broken IMAS would export, and stays quiet on a healthy one: intake stalled,
pages failing (the very first failure too), escalation late, dead letters, a process not
ready, the outbox behind, webhooks refused.

Needs ``promtool`` (Debian's ``prometheus`` package); skipped where it is not installed.
That the metrics the rules name exist is checked against the running services in
``tests/e2e/test_observability.py``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.helm import render

PROMTOOL = shutil.which("promtool")

pytestmark = [
    pytest.mark.unit,
    pytest.mark.skipif(PROMTOOL is None, reason="promtool (Debian's prometheus) is not installed"),
]

NOTIFIER = {"instance": "10.0.0.5:9101"}
BUILD_INFO = (
    'imas_build_info{instance="10.0.0.5:9101",service="notifier",version="0.1.0",python="3.11.2"}'
)


def rule_groups(values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    chart_values = {"prometheusRule": {"enabled": True, **(values or {})}}
    (rule,) = [r for r in render(chart_values) if r["kind"] == "PrometheusRule"]
    groups: list[dict[str, Any]] = rule["spec"]["groups"]
    return groups


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run([PROMTOOL, *args], capture_output=True, text=True, timeout=60)


def test_promtool_accepts_the_rules_the_chart_renders(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    groups = rule_groups({"alertLabels": {"team": "platform"}})
    rules.write_text(yaml.safe_dump({"groups": groups}))
    checked = promtool("check", "rules", str(rules))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # The labels an operator adds for Alertmanager's routing are on every alert.
    assert all(r["labels"]["team"] == "platform" for g in groups for r in g["rules"])


def alert(name: str, at: str, *expected: dict[str, str]) -> dict[str, Any]:
    return {
        "eval_time": at,
        "alertname": name,
        "exp_alerts": [{"exp_labels": labels} for labels in expected],
    }


CASES: list[dict[str, Any]] = [
    {
        # Ingest stops taking raw alerts: the oldest waits 90 s, from minute 2 on.
        "interval": "1m",
        "input_series": [
            {
                "series": 'imas_consumer_oldest_unacked_seconds{consumer="ingest--ALERTS",'
                'instance="10.0.0.6:9102"}',
                "values": "0 30 90x10",
            }
        ],
        "alert_rule_test": [
            alert("IMASIntakeStalled", "1m"),
            alert("IMASIntakeStalled", "6m", {"severity": "critical"}),
        ],
    },
    {
        # The first SMS ever given up, at minute 5: its series appears at 1.
        "interval": "1m",
        "input_series": [
            {
                "series": 'imas_pages_total{channel="slack",provider="slack",outcome="sent",'
                'instance="10.0.0.5:9101"}',
                "values": "0+3x30",
            },
            {
                "series": 'imas_pages_total{channel="sms",provider="twilio",outcome="failed",'
                'instance="10.0.0.5:9101"}',
                "values": "_x5 1x30",
            },
        ],
        "alert_rule_test": [
            alert("IMASPagesFailing", "4m"),
            alert(
                "IMASPagesFailing",
                "7m",
                {"channel": "sms", "provider": "twilio", "severity": "critical"},
            ),
            # Nothing failed since: the alert resolves.
            alert("IMASPagesFailing", "25m"),
        ],
    },
    {
        # A due escalation timer has not fired for 30 s, from minute 2 on.
        "interval": "1m",
        "input_series": [
            {"series": "imas_escalation_oldest_due_timer_seconds", "values": "0 0 30x10"}
        ],
        "alert_rule_test": [
            alert("IMASEscalationLate", "3m"),
            alert("IMASEscalationLate", "8m", {"severity": "critical"}),
        ],
    },
    {
        # A message dead-lettered at minute 5 (the series is there from the start, at 0).
        "interval": "1m",
        "input_series": [
            {
                "series": 'imas_dead_letters_total{consumer="notifier--INCIDENTS"}',
                "values": "0x5 1x30",
            }
        ],
        "alert_rule_test": [
            alert("IMASDeadLetters", "4m"),
            alert(
                "IMASDeadLetters", "7m", {"consumer": "notifier--INCIDENTS", "severity": "warning"}
            ),
        ],
    },
    {
        # The notifier's process stops being ready at minute 1; its outbox lags 45 s.
        "interval": "1m",
        "input_series": [
            {"series": f'imas_ready{{instance="{NOTIFIER["instance"]}"}}', "values": "1 0x10"},
            {
                "series": f'imas_outbox_lag_seconds{{instance="{NOTIFIER["instance"]}"}}',
                "values": "45x10",
            },
            {"series": BUILD_INFO, "values": "1x10"},
        ],
        "alert_rule_test": [
            alert(
                "IMASNotReady", "7m", {**NOTIFIER, "service": "notifier", "severity": "critical"}
            ),
            alert("IMASOutboxLagging", "7m", {"service": "notifier", "severity": "warning"}),
        ],
    },
    {
        # Grafana's webhooks answered 503 (JetStream full) for ten minutes.
        "interval": "1m",
        "input_series": [
            {
                "series": 'imas_webhooks_total{source="grafana",outcome="unavailable"}',
                "values": "0+5x20",
            },
            {
                "series": 'imas_webhooks_total{source="alertmanager",outcome="accepted"}',
                "values": "0+50x20",
            },
        ],
        "alert_rule_test": [
            alert("IMASWebhooksRefused", "10m", {"source": "grafana", "severity": "critical"}),
        ],
    },
]


def test_the_alerts_fire_when_imas_is_broken_and_only_then(tmp_path: Path) -> None:
    # Annotations are text for people (checked above); the cases are about when alerts fire.
    groups = rule_groups()
    for group in groups:
        for rule in group["rules"]:
            rule.pop("annotations", None)
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": groups}))
    tests = {"rule_files": ["rules.yaml"], "evaluation_interval": "1m", "tests": CASES}
    (tmp_path / "tests.yaml").write_text(yaml.safe_dump(tests, sort_keys=False))
    tested = promtool("test", "rules", str(tmp_path / "tests.yaml"))
    assert tested.returncode == 0, tested.stdout + tested.stderr
