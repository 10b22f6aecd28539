"""Webhooks through the whole mesh: gateway → JetStream → ingest → incidents.

One mesh per module (the alert state each test creates is keyed by its own integration or
dedup key, so tests do not see each other's incidents).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from imas_ingest import credentials
from imas_runtime.service import ServiceRuntime
from imas_testing import eventually
from tests.conftest import intake

pytestmark = pytest.mark.integration

PAYLOADS = Path(__file__).parents[2] / "services/ingest/tests/payloads"


def sample(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAYLOADS / name).read_text())
    return data


class Hooks:
    def __init__(self, client: httpx.AsyncClient, token: str, ingest: ServiceRuntime) -> None:
        self.client = client
        self.auth = {"Authorization": f"Token {token}"}
        self.ingest = ingest

    async def integration(self, kind: str, service: str = "") -> dict[str, Any]:
        response = await self.client.post(
            "/api/v1/integrations/",
            json={"name": f"{kind}-{uuid.uuid4().hex[:6]}", "type": kind, "service": service},
            headers=self.auth,
        )
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    async def alerts(self, integration: dict[str, Any], status: str = "") -> list[dict[str, Any]]:
        response = await self.client.get(
            "/api/v1/alerts/",
            params={"integration": integration["id"], "status": status, "page_size": 500},
            headers=self.auth,
        )
        assert response.status_code == 200, response.text
        return response.json()["results"]  # type: ignore[no-any-return]

    async def one(self, integration: dict[str, Any], status: str = "") -> dict[str, Any]:
        """The integration's only alert (with that outcome); an AssertionError until then."""
        found = await self.alerts(integration, status)
        assert len(found) == 1, found
        return found[0]

    async def incident(self, incident_id: str) -> dict[str, Any]:
        response = await self.client.get(f"/api/v1/incidents/{incident_id}/", headers=self.auth)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def raw_count(self) -> int:
        """Raw payloads ever queued (ALERTS removes each once ingest handled it, so the
        sequence of the last one counts them, not the messages left)."""
        info = await self.ingest.bus.js.stream_info("ALERTS")
        return int(info.state.last_seq)


@pytest.fixture(scope="module")
async def hooks(nats_url: str, postgres_url: str, redis_url: str) -> AsyncIterator[Hooks]:
    async with intake(nats_url, postgres_url, redis_url, label="hooks", flap_changes=3) as mesh:
        yield Hooks(mesh.client, mesh.token, mesh.ingest)


def with_key(body: dict[str, Any], routing_key: str, dedup_key: str | None) -> dict[str, Any]:
    out = {**body, "routing_key": routing_key}
    if dedup_key is None:
        out.pop("dedup_key", None)
    else:
        out["dedup_key"] = dedup_key
    return out


async def test_pagerduty_client_only_changes_its_host(hooks: Hooks) -> None:
    pd = await hooks.integration("pagerduty", service="postgres-prod")
    key = pd["routing_key"]
    assert len(key) == 32
    dedup = f"srv01/mysql-{uuid.uuid4().hex[:6]}"
    trigger = with_key(sample("pagerduty_trigger.json"), key, dedup)
    response = await hooks.client.post("/v2/enqueue", json=trigger)
    assert response.status_code == 202, response.text
    assert response.json() == {
        "status": "success",
        "message": "Event processed",
        "dedup_key": dedup,
    }

    async def created() -> dict[str, Any]:
        alert = await hooks.one(pd)
        assert alert["outcome"] == "created"
        return alert

    alert = await eventually(created, timeout=10)
    incident = await hooks.incident(alert["incident_id"])
    assert incident["service_name"] == "postgres-prod"
    assert incident["severity"] == "SEV1_CRITICAL"
    assert incident["title"] == "DISK at 99% on machine prod-datapipe03.example.com"

    resolve = with_key(sample("pagerduty_resolve.json"), key, dedup)
    response = await hooks.client.post("/api/v1/webhooks/pagerduty/", json=resolve)
    assert response.status_code == 202

    async def resolved() -> None:
        assert (await hooks.incident(alert["incident_id"]))["status"] == "RESOLVED"

    await eventually(resolved, timeout=10)


async def test_pagerduty_event_without_dedup_key_gets_one(hooks: Hooks) -> None:
    pd = await hooks.integration("pagerduty", service="redis-prod")
    body = with_key(sample("pagerduty_trigger.json"), pd["routing_key"], None)
    response = await hooks.client.post("/v2/enqueue", json=body)
    assert response.status_code == 202
    dedup = response.json()["dedup_key"]
    assert dedup

    async def recorded() -> None:
        alert = await hooks.one(pd)
        assert alert["fingerprint"] == dedup

    await eventually(recorded, timeout=10)


async def test_pagerduty_errors_use_its_own_format(hooks: Hooks) -> None:
    pd = await hooks.integration("pagerduty", service="redis-prod")
    bad = with_key(sample("pagerduty_trigger.json"), pd["routing_key"], "k")
    bad["payload"] = {**bad["payload"], "severity": "apocalyptic"}
    response = await hooks.client.post("/v2/enqueue", json=bad)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "invalid event"
    assert "payload.severity" in body["errors"][0]
    unknown = with_key(sample("pagerduty_trigger.json"), "0" * 32, "k")
    refused = await hooks.client.post("/v2/enqueue", json=unknown)
    assert refused.status_code == 400
    assert refused.json()["errors"] == ["Invalid routing key"]


async def test_alertmanager_fires_then_resolves_its_incident(hooks: Hooks) -> None:
    am = await hooks.integration("alertmanager")
    firing = sample("alertmanager_firing.json")
    firing["alerts"][0]["fingerprint"] = uuid.uuid4().hex[:16]
    url = f"/api/v1/webhooks/alertmanager/?token={am['webhook_url'].split('token=')[1]}"
    assert (await hooks.client.post(url, json=firing)).status_code == 202

    async def created() -> dict[str, Any]:
        alert = await hooks.one(am, "created")
        return alert

    alert = await eventually(created, timeout=10)
    incident = await hooks.incident(alert["incident_id"])
    assert incident["service_name"] == "checkout-api"
    assert incident["detected_at"].startswith("2026-02-05T18:29:00")
    resolved = json.loads(json.dumps(firing).replace('"firing"', '"resolved"'))
    assert (await hooks.client.post(url, json=resolved)).status_code == 202

    async def closed() -> None:
        assert (await hooks.incident(alert["incident_id"]))["status"] == "RESOLVED"
        done = await hooks.one(am, "resolved")
        assert done["incident_id"] == alert["incident_id"]

    await eventually(closed, timeout=10)


@pytest.mark.parametrize(
    ("source", "payload", "alerts"),
    [
        ("grafana", "grafana_unified.json", 2),
        ("grafana", "grafana_legacy.json", 1),
        ("datadog", "datadog_triggered.json", 1),
        ("custom", "custom_batch.json", 2),
    ],
)
async def test_each_source_sample_is_ingested(
    hooks: Hooks, source: str, payload: str, alerts: int
) -> None:
    integration = await hooks.integration(source)
    token = integration["webhook_url"].split("token=")[1]
    response = await hooks.client.post(
        f"/api/v1/webhooks/{source}/",
        json=sample(payload),
        headers={"X-IMAS-Token": token},
    )
    assert response.status_code == 202, response.text

    async def recorded() -> None:
        found = await hooks.alerts(integration)
        assert len(found) == alerts
        assert all(a["incident_id"] for a in found)

    await eventually(recorded, timeout=10)


async def test_unknown_service_goes_to_triage(hooks: Hooks) -> None:
    grafana = await hooks.integration("grafana")
    token = grafana["webhook_url"].split("token=")[1]
    body = sample("grafana_unified.json")
    body["alerts"] = body["alerts"][:1]
    body["alerts"][0]["fingerprint"] = uuid.uuid4().hex
    await hooks.client.post(f"/api/v1/webhooks/grafana/?token={token}", json=body)
    alert = await eventually(lambda: hooks.one(grafana, "created"), timeout=10)
    incident = await hooks.incident(alert["incident_id"])
    assert incident["service_name"] == "triage"


async def test_signed_sentry_webhook(hooks: Hooks) -> None:
    sentry = await hooks.integration("sentry")
    key = sentry["secret"]
    body = json.dumps(sample("sentry_issue_alert.json")).encode()
    url = f"/api/v1/webhooks/sentry/?integration={sentry['id']}"

    def headers(signed: bytes, at: float) -> dict[str, str]:
        import hashlib
        import hmac

        mac = hmac.new(key.encode(), signed, hashlib.sha256).hexdigest()
        return {
            "Content-Type": "application/json",
            "Sentry-Hook-Resource": "event_alert",
            "Sentry-Hook-Signature": mac,
            "Sentry-Hook-Timestamp": str(int(at)),
        }

    before = await hooks.raw_count()
    tampered = await hooks.client.post(
        url, content=body.replace(b"error", b"Error", 1), headers=headers(body, time.time())
    )
    assert tampered.status_code == 401
    stale = await hooks.client.post(url, content=body, headers=headers(body, time.time() - 900))
    assert stale.status_code == 401
    assert await hooks.raw_count() == before
    ok = await hooks.client.post(url, content=body, headers=headers(body, time.time()))
    assert ok.status_code == 202, ok.text
    alert = await eventually(lambda: hooks.one(sentry, "created"), timeout=10)
    assert alert["service_name"] == "checkout-api"


async def test_signed_custom_webhook(hooks: Hooks) -> None:
    custom = await hooks.integration("custom", service="api-gateway")
    body = json.dumps({"title": "Signed alert", "dedup_key": uuid.uuid4().hex}).encode()
    url = f"/api/v1/webhooks/custom/?integration={custom['id']}"
    signature = credentials.sign_custom(custom["secret"], body, int(time.time()))
    response = await hooks.client.post(url, content=body, headers={"X-IMAS-Signature": signature})
    assert response.status_code == 202, response.text
    forged = await hooks.client.post(
        url, content=body + b" ", headers={"X-IMAS-Signature": signature}
    )
    assert forged.status_code == 401


@pytest.mark.parametrize(
    "query", ["", "?token=wrong", "?token={alertmanager}"], ids=["none", "wrong", "other-type"]
)
async def test_bad_credentials_are_401_and_nothing_is_ingested(hooks: Hooks, query: str) -> None:
    other = await hooks.integration("alertmanager")
    query = query.format(alertmanager=other["webhook_url"].split("token=")[1])
    before = await hooks.raw_count()
    response = await hooks.client.post(f"/api/v1/webhooks/grafana/{query}", json={"alerts": []})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await hooks.raw_count() == before


async def test_oversized_and_invalid_bodies(hooks: Hooks) -> None:
    custom = await hooks.integration("custom", service="redis-prod")
    url = f"/api/v1/webhooks/custom/?token={custom['webhook_url'].split('token=')[1]}"
    huge = {"title": "x", "description": "y" * (600 * 1024)}
    assert (await hooks.client.post(url, json=huge)).status_code == 413
    invalid = await hooks.client.post(url, json={"alerts": [{"title": "a", "status": "odd"}]})
    assert invalid.status_code == 400
    assert invalid.json()["errors"][0]["field"] == "alerts[0].status"
    broken = await hooks.client.post(url, content=b"{nope")
    assert broken.status_code == 400
    assert broken.json()["errors"][0]["field"] == "body"


async def test_silenced_alerts_are_recorded_not_paged(hooks: Hooks) -> None:
    custom = await hooks.integration("custom", service="redis-prod")
    key = custom["webhook_url"].split("token=")[1]
    marker = uuid.uuid4().hex[:8]
    now = datetime.now(UTC)
    silence = await hooks.client.post(
        "/api/v1/silences/",
        json={
            "matchers": [{"label": "maintenance", "op": "=", "value": marker}],
            "starts_at": (now - timedelta(minutes=1)).isoformat(),
            "ends_at": (now + timedelta(hours=1)).isoformat(),
            "comment": "planned failover",
        },
        headers=hooks.auth,
    )
    assert silence.status_code == 201, silence.text
    body = {"title": "Failover in progress", "labels": {"maintenance": marker}}
    await hooks.client.post(f"/api/v1/webhooks/custom/?token={key}", json=body)
    alert = await eventually(lambda: hooks.one(custom), timeout=10)
    assert alert["outcome"] == "suppressed"
    assert alert["incident_id"] is None


async def test_rule_routes_and_can_refuse_auto_resolve(hooks: Hooks) -> None:
    am = await hooks.integration("alertmanager")
    key = am["webhook_url"].split("token=")[1]
    marker = uuid.uuid4().hex[:8]
    rule = await hooks.client.post(
        "/api/v1/alert-rules/",
        json={
            "name": f"db-{marker}",
            "position": 1,
            "source": "alertmanager",
            "matchers": [{"label": "cluster", "op": "=~", "value": f"{marker}-.*"}],
            "service": "postgres-prod",
            "severity_map": {"page": "SEV2"},
            "severity_label": "urgency",
            "auto_resolve": False,
        },
        headers=hooks.auth,
    )
    assert rule.status_code == 201, rule.text
    body = sample("alertmanager_firing.json")
    body["alerts"][0]["labels"] = {"alertname": "Replication", "cluster": f"{marker}-a"}
    body["alerts"][0]["labels"]["urgency"] = "page"
    body["alerts"][0]["fingerprint"] = ""
    url = f"/api/v1/webhooks/alertmanager/?token={key}"
    await hooks.client.post(url, json=body)
    alert = await eventually(lambda: hooks.one(am, "created"), timeout=10)
    incident = await hooks.incident(alert["incident_id"])
    assert (incident["service_name"], incident["severity"]) == ("postgres-prod", "SEV2_HIGH")
    body["alerts"][0]["status"] = "resolved"
    await hooks.client.post(url, json=body)
    await eventually(lambda: hooks.alerts(am, "ignored"), timeout=10)
    assert (await hooks.incident(alert["incident_id"]))["status"] == "TRIGGERED"


async def test_flapping_alert_is_reported_once_then_held(hooks: Hooks) -> None:
    custom = await hooks.integration("custom", service="api-gateway")
    url = f"/api/v1/webhooks/custom/?token={custom['webhook_url'].split('token=')[1]}"
    dedup = uuid.uuid4().hex
    for i in range(8):
        status = "firing" if i % 2 == 0 else "resolved"
        body = {"title": "Link flapping", "status": status, "dedup_key": dedup}
        assert (await hooks.client.post(url, json=body)).status_code == 202
        await eventually(lambda n=i + 1: _count(hooks, custom, n), timeout=10)
    outcomes = [a["outcome"] for a in reversed(await hooks.alerts(custom))]
    # flap_changes=3: the fifth status (fourth change) starts flapping.
    assert outcomes[:4] == ["created", "resolved", "created", "resolved"]
    assert outcomes[4:] == ["flapping"] * 4


async def _count(hooks: Hooks, integration: dict[str, Any], n: int) -> None:
    assert len(await hooks.alerts(integration)) == n


async def test_storm_of_identical_alerts_makes_one_incident_counting_all(hooks: Hooks) -> None:
    custom = await hooks.integration("custom", service="redis-prod")
    url = f"/api/v1/webhooks/custom/?token={custom['webhook_url'].split('token=')[1]}"
    body = {"title": "Redis Cluster Down", "severity": "critical", "dedup_key": uuid.uuid4().hex}
    total, clients = 1000, 20

    async def client(n: int) -> None:
        for _ in range(n):
            response = await hooks.client.post(url, json=body)
            assert response.status_code == 202

    await asyncio.gather(*(client(total // clients) for _ in range(clients)))

    async def counted() -> dict[str, Any]:
        page = await hooks.client.get(
            "/api/v1/alerts/",
            params={"integration": custom["id"], "page_size": 1},
            headers=hooks.auth,
        )
        assert page.json()["count"] == total
        return page.json()["results"][0]  # type: ignore[no-any-return]

    last = await eventually(counted, timeout=30)
    created = await hooks.alerts(custom, "created")
    assert len(created) == 1
    assert last["incident_id"] == created[0]["incident_id"]
    incident = await hooks.incident(created[0]["incident_id"])
    assert incident["alert_count"] == total


async def test_an_integration_limit_set_over_the_api_applies_to_its_webhooks(
    hooks: Hooks,
) -> None:
    custom = await hooks.integration("custom", service="redis-prod")
    url = f"/api/v1/webhooks/custom/?token={custom['webhook_url'].split('token=')[1]}"
    integration = f"/api/v1/integrations/{custom['id']}/"
    # Three at once, then one every two seconds.
    limited = await hooks.client.patch(
        integration, json={"rate_limit": 0.5, "rate_burst": 3}, headers=hooks.auth
    )
    assert limited.status_code == 200, limited.text
    assert (limited.json()["rate_limit"], limited.json()["rate_burst"]) == (0.5, 3)
    body = {"title": "Queue backlog", "dedup_key": uuid.uuid4().hex}
    answers = [await hooks.client.post(url, json=body) for _ in range(5)]
    assert [a.status_code for a in answers] == [202, 202, 202, 429, 429]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
    refused = answers[3]
    assert refused.headers["X-RateLimit-Limit"] == "3"
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["content-type"].startswith("application/problem+json")
    listed = (await hooks.client.get("/api/v1/integrations/", headers=hooks.auth)).json()
    mine = next(i for i in listed["results"] if i["id"] == custom["id"])
    assert mine["rate_limit"] == 0.5 and "secret" not in mine

    raised = await hooks.client.patch(integration, json={"rate_limit": 1000}, headers=hooks.auth)
    assert raised.json()["rate_burst"] == 1000
    again = await hooks.client.post(url, json=body)
    assert again.status_code == 202, again.text
    assert again.headers["X-RateLimit-Limit"] == "1000"

    default = await hooks.client.patch(integration, json={"rate_limit": None}, headers=hooks.auth)
    assert default.json()["rate_limit"] is None
    assert (await hooks.client.post(url, json=body)).headers["X-RateLimit-Limit"] == "100000"

    for bad, field in (({"rate_limit": 0}, "rate_limit"), ({"rate_burst": 5}, "rate_burst")):
        refused_change = await hooks.client.patch(integration, json=bad, headers=hooks.auth)
        assert refused_change.status_code == 400, refused_change.text
        assert refused_change.json()["errors"][0]["field"] == field


def sentry_headers(client_secret: str, body: bytes) -> dict[str, str]:
    """The headers Sentry sends: the body's HMAC-SHA256 with the Client Secret it made."""
    mac = hmac.new(client_secret.encode(), body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "Request-ID": uuid.uuid4().hex,
        "Sentry-Hook-Resource": "event_alert",
        "Sentry-Hook-Timestamp": str(int(time.time())),
        "Sentry-Hook-Signature": mac,
    }


async def test_sentry_integration_takes_the_client_secret_sentry_made(hooks: Hooks) -> None:
    # Sentry makes its own Client Secret and signs with it: IMAS must be told that secret.
    client_secret = secrets.token_hex(32)
    sentry = await hooks.integration("sentry")
    url = f"/api/v1/webhooks/sentry/?integration={sentry['id']}"
    body = json.dumps(sample("sentry_issue_alert.json")).encode()
    unknown = await hooks.client.post(
        url, content=body, headers=sentry_headers(client_secret, body)
    )
    assert unknown.status_code == 401

    path = f"/api/v1/integrations/{sentry['id']}/"
    told = await hooks.client.patch(path, json={"secret": client_secret}, headers=hooks.auth)
    assert told.status_code == 200, told.text
    assert "secret" not in told.json()
    signed = await hooks.client.post(url, content=body, headers=sentry_headers(client_secret, body))
    assert signed.status_code == 202, signed.text
    # The secret IMAS had made no longer signs.
    old = await hooks.client.post(url, content=body, headers=sentry_headers(sentry["secret"], body))
    assert old.status_code == 401

    created = await hooks.client.post(
        "/api/v1/integrations/",
        json={"name": "sentry-given", "type": "sentry", "secret": secrets.token_hex(32)},
        headers=hooks.auth,
    )
    assert created.status_code == 201, created.text
    for fields, message in (
        ({"type": "sentry", "secret": client_secret}, "already the secret"),
        ({"type": "sentry", "secret": "short"}, "32 to 256 characters"),
        ({"type": "alertmanager", "secret": client_secret}, "only be given to sentry"),
    ):
        refused = await hooks.client.post(
            "/api/v1/integrations/", json={"name": "x", **fields}, headers=hooks.auth
        )
        assert refused.status_code == 400, refused.text
        (error,) = refused.json()["errors"]
        assert error["field"] == "secret"
        assert message in error["message"]
