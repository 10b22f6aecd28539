"""One trace per alert: an Alertmanager webhook alert followed, span by span, from the gateway
to its page at the receiver (a local Slack), through ingest's batch, the storm flusher,
incidents and every consumer of the incident: the notifier, escalation and the war room
(spans kept in memory by the ``spans`` fixture)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from imas_runtime.service import ServiceRuntime
from imas_testing import eventually
from imas_testing.fake_chat import FakeSlack
from tests.conftest import Mesh
from tests.integration import tool_requests as tools

pytestmark = pytest.mark.integration

WEBHOOK = "POST /api/v1/webhooks/{source}"


def in_trace(spans: Sequence[ReadableSpan], trace_id: int) -> list[ReadableSpan]:
    return [s for s in spans if s.context is not None and s.context.trace_id == trace_id]


def service_of(span: ReadableSpan) -> str:
    return str((span.attributes or {}).get("imas.service", ""))


def ancestry(span: ReadableSpan, spans: Sequence[ReadableSpan]) -> list[str]:
    """The names from ``span`` up to its trace's root, following parents."""
    by_id = {s.context.span_id: s for s in spans if s.context is not None}
    names = []
    current: ReadableSpan | None = span
    while current is not None:
        names.append(current.name)
        parent = current.parent
        current = by_id.get(parent.span_id) if parent is not None else None
    return names


async def alertmanager_fires(mesh: Mesh) -> None:
    """What Alertmanager 0.25 posts with docs/integrations/alertmanager.md's receiver: one
    critical alert on redis-prod (the demo's SRE Core team, #sre-core)."""
    integration = await mesh.create(
        "/api/v1/integrations/", {"name": "prom", "type": "alertmanager"}
    )
    config = tools.yaml_snippet(
        "alertmanager.md", "alertmanager-webhook", "http://imas", secret=integration["secret"]
    )
    group = tools.Group(receiver="imas", group_by=["alertname", "service"])
    group.alert(
        {"alertname": "RedisDown", "service": "redis-prod", "severity": "critical"},
        {"summary": "Redis down", "description": "No primary for 2 minutes"},
    )
    sent = tools.alertmanager_webhook(config, group)
    answer = await mesh.client.post(
        sent.url.removeprefix("http://imas"), content=sent.body, headers=sent.headers
    )
    assert answer.status_code == 202, answer.text


def trace_id_of(traceparent: str) -> int:
    return int(traceparent.split("-")[1], 16)


async def test_a_webhook_alert_is_one_trace_from_the_gateway_to_its_page_at_the_receiver(
    mesh: Mesh,
    escalation: ServiceRuntime,
    warroom: ServiceRuntime,
    slack: FakeSlack,
    spans: InMemorySpanExporter,
) -> None:
    spans.clear()
    await alertmanager_fires(mesh)

    def traced() -> tuple[int, list[ReadableSpan]]:
        finished = list(spans.get_finished_spans())
        webhooks = [s for s in finished if s.name == WEBHOOK]
        assert len(webhooks) == 1, " | ".join(sorted({s.name for s in finished}))
        webhook = webhooks[0]
        assert webhook.context is not None
        trace = in_trace(finished, webhook.context.trace_id)
        names = sorted(s.name for s in trace)
        assert "send page" in names, names
        # Escalation's first step is due at once (its page to the team is the one sent).
        assert "escalation step" in names, names
        assert "warroom" in {service_of(s) for s in trace}, names
        return webhook.context.trace_id, finished

    trace_id, finished = await eventually(traced, timeout=30)
    trace = in_trace(finished, trace_id)
    assert {"gateway", "ingest", "incidents", "notifier", "escalation", "warroom"} <= {
        service_of(s) for s in trace
    }
    # The page sent at the trigger descends, parent by parent, from the webhook's span.
    page = next(
        s
        for s in trace
        if s.name == "send page" and "consume incidents.triggered.v1" in ancestry(s, trace)
    )
    path = ancestry(page, trace)
    assert path[-1] == WEBHOOK, path
    assert "count alerts" in path
    assert any(name.startswith("serve incidents.") for name in path), path
    assert (page.attributes or {})["imas.provider"] == "slack"
    # Slack received the page with the alert's trace context: a vendor that traces too
    # continues the same trace.
    posted = [r for r in slack.requests if r.path.endswith("/chat.postMessage")]
    assert trace_id in {trace_id_of(r.headers["traceparent"]) for r in posted}
    # Ingest's batch is a trace of its own, linked to the alert's; so is the storm's flush.
    for name in ("ingest alerts", "storm flush"):
        linked = [
            s
            for s in finished
            if s.name == name and any(link.context.trace_id == trace_id for link in s.links)
        ]
        assert len(linked) == 1, name
        assert linked[0].context is not None and linked[0].context.trace_id != trace_id
    # Database, Redis and HTTP calls made for the alert are spans of its trace.
    systems = {(s.attributes or {}).get("db.system") for s in trace}
    assert {"postgresql", "redis"} <= systems
    # The call to Slack's API is one of them, made by the page's send.
    assert page.context is not None
    assert any(
        s.kind == SpanKind.CLIENT
        and s.parent is not None
        and s.parent.span_id == page.context.span_id
        for s in trace
    ), sorted(s.name for s in trace)
