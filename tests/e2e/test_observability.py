"""What an operator's Prometheus gets from IMAS. The six services run as OS processes, one
alert goes from Alertmanager's webhook to its page, then each service's ``/metrics`` is read
on its internal port, the one the chart's ServiceMonitor scrapes:

- the alert is counted at every step: the webhook answered by source and outcome, the HTTP
  answer by route and status, the alert by outcome, the page by channel, provider and outcome
  with its delivery time, the escalation step's lateness; each process says which service
  and version it runs, and that it is ready;
- every metric that an alert of the PrometheusRule (rendered from the Helm chart) or a panel
  of the Grafana dashboard asks for is one a running service exports: an alert on a metric
  nobody exports never fires, and nobody notices.
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from imas_runtime.db import ensure_database
from imas_testing import discard_database, eventually
from tests.deploy.helm import render
from tests.deploy.support import DEPLOY, REPO
from tests.e2e.conftest import ProcessMesh, running_processes
from tests.integration import tool_requests as tools

# Six processes start at once: on a busy machine that alone takes a minute or two.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(400)]

SERVICES = ("incidents", "ingest", "notifier", "escalation", "warroom", "gateway")
DASHBOARD = DEPLOY / "grafana" / "imas.json"
DOC = REPO / "docs" / "operations" / "observability.md"
# How a metric family of each type is named in the samples Prometheus stores.
SUFFIXES = {
    "counter": ("",),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum"),
    "summary": ("", "_count", "_sum"),
    "info": ("",),
    "unknown": ("",),
}
METRIC = re.compile(r"\bimas_[a-z0-9_]+\b")


@dataclass
class Scraped:
    """One service's ``/metrics``: its metric families, the series names they make, and its
    samples."""

    families: set[str]
    names: set[str]
    samples: list[Sample]

    def value(self, name: str, **labels: str) -> float:
        """The sum of the samples named ``name`` whose labels include ``labels``."""
        return sum(
            s.value
            for s in self.samples
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
        )


def parse(text: str) -> Scraped:
    families, names = set(), set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            # The text format writes a counter's or histogram's creation time as a family
            # of its own, named after it.
            if not name.endswith("_created"):
                families.add(name)
            names |= {name + suffix for suffix in SUFFIXES[kind]}
    samples = [s for family in text_string_to_metric_families(text) for s in family.samples]
    return Scraped(families, names, samples)


async def scrape(mesh: ProcessMesh) -> dict[str, Scraped]:
    async with httpx.AsyncClient(timeout=20) as client:
        found = {}
        for service, process in mesh.processes.items():
            answer = await client.get(f"{process.internal_url}/metrics")
            assert answer.status_code == 200, answer.text
            found[service] = parse(answer.text)
        return found


@pytest.fixture(scope="module")
async def mesh(
    nats_url: str, postgres_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ProcessMesh]:
    """The six services as processes, on databases of the module's own."""
    created: list[str] = []

    async def database(label: str) -> str:
        name = f"t_obs_{label}_{uuid.uuid4().hex[:6]}"
        await ensure_database(postgres_url, name)
        created.append(name)
        return name

    try:
        async with running_processes(
            SERVICES,
            nats_url,
            postgres_url,
            redis_url,
            database,
            tmp_path_factory.mktemp("observability"),
            extra_env={"WARROOM_CHAT": "log"},
            ready_timeout=240,
        ) as started:
            yield started
    finally:
        for name in created:
            discard_database(postgres_url, name)


@pytest.fixture(scope="module")
async def alerted(mesh: ProcessMesh) -> dict[str, Scraped]:
    """The scrape once an Alertmanager webhook alert (as Alertmanager 0.25 posts it, with the
    receiver of docs/integrations/alertmanager.md) has been paged and escalated."""
    async with httpx.AsyncClient(base_url=mesh.gateway, headers=mesh.auth, timeout=20) as api:
        created = await api.post(
            "/api/v1/integrations/", json={"name": "prometheus", "type": "alertmanager"}
        )
        assert created.status_code == 201, created.text
        config = tools.yaml_snippet(
            "alertmanager.md", "alertmanager-webhook", mesh.gateway, secret=created.json()["secret"]
        )
        group = tools.Group(receiver="imas", group_by=["alertname", "service"])
        group.alert(
            {"alertname": "HighErrorRate", "service": "checkout-api", "severity": "critical"},
            {"summary": f"Checkout errors {secrets.token_hex(3)}"},
        )
    sent = tools.alertmanager_webhook(config, group)
    async with httpx.AsyncClient(timeout=20) as alertmanager:
        answer = await alertmanager.post(sent.url, content=sent.body, headers=sent.headers)
        assert answer.status_code == 202, answer.text

    async def paged_and_escalated() -> dict[str, Scraped]:
        scraped = await scrape(mesh)
        assert scraped["notifier"].value("imas_pages_total", outcome="sent") >= 1
        assert scraped["escalation"].value("imas_escalation_lateness_seconds_count") >= 1
        return scraped

    return await eventually(paged_and_escalated, timeout=60, interval=0.5)


def test_the_alert_is_counted_at_every_step(alerted: dict[str, Scraped]) -> None:
    gateway, ingest, notifier = alerted["gateway"], alerted["ingest"], alerted["notifier"]
    webhook = {"source": "alertmanager", "outcome": "accepted"}
    assert gateway.value("imas_webhooks_total", **webhook) == 1
    answered = {"method": "POST", "route": "/api/v1/webhooks/{source}", "status": "202"}
    assert gateway.value("imas_http_request_duration_seconds_count", **answered) == 1
    assert ingest.value("imas_alerts_total", outcome="created") == 1
    assert notifier.value("imas_pages_total", provider="log", outcome="sent") >= 1
    assert notifier.value("imas_page_delivery_seconds_count", provider="log") >= 1
    assert alerted["escalation"].value("imas_escalation_lateness_seconds_count") >= 1
    assert notifier.value("imas_dead_letters_total") == 0


def test_each_process_says_what_it_runs_and_that_it_is_ready(
    alerted: dict[str, Scraped],
) -> None:
    for service, scraped in alerted.items():
        (info,) = [s for s in scraped.samples if s.name == "imas_build_info"]
        assert info.labels["service"] == service and info.labels["version"], info
        assert scraped.value("imas_ready") == 1, service


def rule_expressions() -> Iterator[tuple[str, str]]:
    (rule,) = [
        r for r in render({"prometheusRule": {"enabled": True}}) if r["kind"] == "PrometheusRule"
    ]
    for group in rule["spec"]["groups"]:
        for alert in group["rules"]:
            yield alert["alert"], alert["expr"]


def dashboard_expressions() -> Iterator[tuple[str, str]]:
    def walk(node: Any, title: str) -> Iterator[tuple[str, str]]:
        if isinstance(node, dict):
            title = node.get("title", title)
            if isinstance(node.get("expr"), str):
                yield title, node["expr"]
            for value in node.values():
                yield from walk(value, title)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value, title)

    yield from walk(json.loads(DASHBOARD.read_text()), "")


def test_every_alert_rule_and_dashboard_query_names_metrics_the_services_export(
    alerted: dict[str, Scraped],
) -> None:
    exported = set().union(*(scraped.names for scraped in alerted.values()))
    rules, panels = list(rule_expressions()), list(dashboard_expressions())
    alerts = {name for name, _ in rules}
    # The alerts that matter to whoever runs IMAS are there.
    assert {
        "IMASIntakeStalled",
        "IMASPagesFailing",
        "IMASEscalationLate",
        "IMASDeadLetters",
    } <= alerts
    missing = []
    for where, expressions in (("rule", rules), ("panel", panels)):
        assert expressions, f"no {where} expression found"
        for name, expr in expressions:
            named = set(METRIC.findall(expr))
            assert named, f"{where} {name} names no IMAS metric: {expr}"
            missing += [f"{where} {name!r}: {m}" for m in sorted(named - exported)]
    assert missing == []


def test_the_dashboard_is_importable_json_with_a_prometheus_datasource() -> None:
    dashboard = json.loads(Path(DASHBOARD).read_text())
    assert dashboard["title"] and dashboard["uid"]
    sources = [v for v in dashboard["templating"]["list"] if v["type"] == "datasource"]
    assert [s["query"] for s in sources] == ["prometheus"]


def test_the_metrics_table_of_the_docs_lists_every_metric_the_services_export(
    alerted: dict[str, Scraped],
) -> None:
    exported = {
        f for scraped in alerted.values() for f in scraped.families if f.startswith("imas_")
    }
    rows = [line for line in DOC.read_text().splitlines() if line.startswith("| `imas_")]
    documented = {name for row in rows for name in METRIC.findall(row.split("|")[1])}
    assert sorted(exported - documented) == [], "exported, not in the table"
    assert sorted(documented - exported) == [], "in the table, not exported"
