"""The brief's API through the whole mesh: gateway → ingest → incidents → notifier."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import text

from imas_testing import eventually
from tests.conftest import Mesh

pytestmark = pytest.mark.integration

BRIEF_EXAMPLE = {
    "title": "Redis Cluster Down",
    "description": "All nodes reporting connection timeout",
    "service_name": "redis-prod",
    "severity": "SEV1_CRITICAL",
    "detected_at": "2026-02-05T18:30:00Z",
}


async def deliveries(mesh: Mesh, incident_id: str) -> list[tuple[str, str, str]]:
    async with mesh.notifier.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT status, provider, recipient FROM deliveries"
                " WHERE incident_id = CAST(:id AS uuid)"
            ),
            {"id": incident_id},
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_brief_example_creates_then_attaches(mesh: Mesh) -> None:
    first = await mesh.client.post("/api/v1/incidents/", json=BRIEF_EXAMPLE, headers=mesh.auth)
    assert first.status_code == 201, first.text
    incident = first.json()
    assert incident["status"] == "TRIGGERED"
    assert incident["service_name"] == "redis-prod"
    assert incident["severity"] == "SEV1_CRITICAL"
    assert incident["short_id"] == incident["id"].replace("-", "")[:8].upper()
    assert incident["detected_at"].startswith("2026-02-05T18:30:00")
    assert incident["is_critical"] is True
    assert incident["mttd_seconds"] > 0

    again = await mesh.client.post("/api/v1/incidents/", json=BRIEF_EXAMPLE, headers=mesh.auth)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == incident["id"]
    assert again.json()["alert_count"] == 2

    detail = await mesh.client.get(f"/api/v1/incidents/{incident['id']}/", headers=mesh.auth)
    assert detail.status_code == 200
    timeline = detail.json()["timeline"]
    # The page (ALERT_SENT) may land in between, whenever the notifier reports it.
    alerts = [e["type"] for e in timeline if e["type"] != "ALERT_SENT"]
    assert alerts == ["STATUS_CHANGE", "ALERT_RECEIVED"]
    by_short = await mesh.client.get(
        f"/api/v1/incidents/INC-{incident['short_id']}/", headers=mesh.auth
    )
    assert by_short.json()["id"] == incident["id"]


async def test_new_incident_is_paged_once_through_the_log_provider(mesh: Mesh) -> None:
    created = await mesh.client.post("/api/v1/incidents/", json=BRIEF_EXAMPLE, headers=mesh.auth)
    incident_id = created.json()["id"]
    await mesh.client.post("/api/v1/incidents/", json=BRIEF_EXAMPLE, headers=mesh.auth)

    async def paged() -> list[tuple[str, str, str]]:
        rows = await deliveries(mesh, incident_id)
        assert rows == [("sent", "log", "team:SRE Core")]
        return rows

    await eventually(paged, timeout=10)

    async def page_in_timeline() -> None:
        detail = await mesh.client.get(f"/api/v1/incidents/{incident_id}/", headers=mesh.auth)
        sent = [e for e in detail.json()["timeline"] if e["type"] == "ALERT_SENT"]
        assert len(sent) == 1
        assert "SRE Core" in sent[0]["message"]

    await eventually(page_in_timeline, timeout=10)


async def test_one_trace_spans_gateway_ingest_incidents_and_notifier(
    mesh: Mesh, spans: InMemorySpanExporter
) -> None:
    created = await mesh.client.post("/api/v1/incidents/", json=BRIEF_EXAMPLE, headers=mesh.auth)
    incident_id = created.json()["id"]
    await eventually(lambda: _assert_sent(mesh, incident_id), timeout=10)

    def one_trace() -> None:
        finished = spans.get_finished_spans()
        http = [s for s in finished if s.name == "POST /api/v1/incidents"]
        assert len(http) == 1, sorted({s.name for s in finished})
        trace_id = http[0].context.trace_id
        services = {
            s.attributes.get("imas.service")
            for s in finished
            if s.context.trace_id == trace_id and s.attributes
        }
        assert {"gateway", "ingest", "incidents", "notifier"} <= services
        consumed = [
            s
            for s in finished
            if s.name == "consume incidents.triggered.v1" and s.context.trace_id == trace_id
        ]
        assert len(consumed) == 1

    await eventually(one_trace, timeout=10)


async def _assert_sent(mesh: Mesh, incident_id: str) -> None:
    assert [r[0] for r in await deliveries(mesh, incident_id)] == ["sent"]


@pytest.mark.parametrize(
    ("body", "field", "needle"),
    [
        ({**BRIEF_EXAMPLE, "service_name": "nope"}, "service_name", "unknown service"),
        ({k: v for k, v in BRIEF_EXAMPLE.items() if k != "title"}, "title", "required"),
        ({**BRIEF_EXAMPLE, "severity": "SEV9"}, "severity", "SEV1_CRITICAL, SEV2_HIGH"),
        ({**BRIEF_EXAMPLE, "title": "  "}, "title", "empty"),
        ({**BRIEF_EXAMPLE, "detected_at": "yesterday"}, "detected_at", "datetime"),
    ],
)
async def test_bad_input_is_a_400_naming_the_field(
    mesh: Mesh, body: dict[str, object], field: str, needle: str
) -> None:
    response = await mesh.client.post("/api/v1/incidents/", json=body, headers=mesh.auth)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 400
    assert [e["field"] for e in problem["errors"]] == [field]
    assert needle in problem["errors"][0]["message"]


async def test_malformed_json_is_a_400(mesh: Mesh) -> None:
    response = await mesh.client.post(
        "/api/v1/incidents/",
        content=b"{not json",
        headers={**mesh.auth, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Token wrong"}, {"Authorization": "Basic abc"}],
    ids=["no token", "unknown token", "wrong scheme"],
)
async def test_missing_or_bad_token_is_a_401(mesh: Mesh, headers: dict[str, str]) -> None:
    response = await mesh.client.post("/api/v1/incidents/", json=BRIEF_EXAMPLE, headers=headers)
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "Authorization"
    listing = await mesh.client.get("/api/v1/incidents/INC-ABCDEF12/", headers=headers)
    assert listing.status_code == 401


async def test_bearer_token_is_accepted(mesh: Mesh) -> None:
    response = await mesh.client.post(
        "/api/v1/incidents/",
        json=BRIEF_EXAMPLE,
        headers={"Authorization": f"Bearer {mesh.token}"},
    )
    assert response.status_code == 201


async def test_unknown_incident_is_a_404(mesh: Mesh) -> None:
    response = await mesh.client.get("/api/v1/incidents/INC-00000000/", headers=mesh.auth)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
