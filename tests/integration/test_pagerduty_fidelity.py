"""IMAS answers PagerDuty Events API v2 clients as PagerDuty does: an unknown routing key is a
400 "Invalid routing key", change events (``/v2/change/enqueue``) are accepted and recorded on
their service, and PagerDuty's own Python client (``pagerduty``), which speaks only HTTPS,
works against a gateway serving TLS (``IMAS_TLS_CERT_FILE``, ``IMAS_TLS_KEY_FILE``) with a
certificate of a throwaway CA.

One intake (gateway, ingest, incidents) for the module; each test has integrations and dedup
keys of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pagerduty
import pytest

from imas_gateway.settings import GatewaySettings, check_settings
from imas_runtime.settings import load_settings
from imas_testing import eventually
from imas_testing.throwaway_ca import make_authority
from tests.conftest import Intake, intake
from tests.integration.gateway_setup import served
from tests.integration.test_webhooks import Hooks

pytestmark = pytest.mark.integration

INVALID_KEY = {
    "status": "invalid event",
    "message": "Event object is invalid",
    "errors": ["Invalid routing key"],
}


@pytest.fixture(scope="module")
async def mesh(nats_url: str, postgres_url: str, redis_url: str) -> AsyncIterator[Intake]:
    async with intake(nats_url, postgres_url, redis_url, label="pd") as started:
        yield started


@pytest.fixture
def hooks(mesh: Intake) -> Hooks:
    return Hooks(mesh.client, mesh.token, mesh.ingest)


def trigger(routing_key: str, dedup_key: str, summary: str = "Disk full on db-1") -> dict[str, Any]:
    return {
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "payload": {"summary": summary, "source": "db-1", "severity": "critical"},
    }


def change(routing_key: str, summary: str) -> dict[str, Any]:
    return {
        "routing_key": routing_key,
        "payload": {
            "summary": summary,
            "timestamp": "2026-02-05T18:20:00.000+0000",
            "source": "acme-build-pipeline",
            "custom_details": {"build_state": "passed", "build_number": "2"},
        },
        "links": [{"href": "https://ci.example.com/build/2", "text": "Build 2"}],
    }


@pytest.mark.parametrize("path", ["/v2/enqueue", "/v2/change/enqueue"])
async def test_an_unknown_routing_key_is_refused_as_pagerduty_does(hooks: Hooks, path: str) -> None:
    before = await hooks.raw_count()
    body = trigger("0" * 32, "k") if path == "/v2/enqueue" else change("0" * 32, "Deploy")
    unknown = await hooks.client.post(path, json=body)
    assert unknown.status_code == 400
    assert unknown.json() == INVALID_KEY

    # The key of another kind of integration routes nothing either.
    grafana = await hooks.integration("grafana")
    token = grafana["webhook_url"].split("token=")[1]
    body["routing_key"] = token
    assert (await hooks.client.post(path, json=body)).json() == INVALID_KEY

    body["routing_key"] = "not a key!"
    malformed = await hooks.client.post(path, json=body)
    assert malformed.status_code == 400
    assert malformed.json()["errors"] == [
        "Length of 'routing_key' is incorrect (should be 32 characters)",
        "'routing_key' cannot contain non-alphanumeric characters.",
    ]
    assert await hooks.raw_count() == before


async def _timeline(hooks: Hooks, incident_id: str) -> list[dict[str, Any]]:
    return (await hooks.incident(incident_id))["timeline"]  # type: ignore[no-any-return]


async def _incident_of(hooks: Hooks, integration: dict[str, Any]) -> str:
    async def created() -> str:
        alert = await hooks.one(integration, "created")
        return str(alert["incident_id"])

    return await eventually(created, timeout=15)


async def test_a_change_event_is_listed_with_its_service_and_noted_on_its_open_incidents(
    hooks: Hooks,
) -> None:
    pd = await hooks.integration("pagerduty", service="checkout-api")
    key = pd["routing_key"]
    other = await hooks.integration("pagerduty", service="redis-prod")
    await hooks.client.post("/v2/enqueue", json=trigger(key, uuid.uuid4().hex))
    await hooks.client.post("/v2/enqueue", json=trigger(other["routing_key"], uuid.uuid4().hex))
    checkout = await _incident_of(hooks, pd)
    redis = await _incident_of(hooks, other)

    summary = f"Deploy {uuid.uuid4().hex[:6]}: raise the snapshot timeout to 30 s"
    accepted = await hooks.client.post("/v2/change/enqueue", json=change(key, summary))
    assert accepted.status_code == 202, accepted.text
    assert accepted.json() == {"status": "success", "message": "Change event processed"}

    listed = await hooks.client.get(
        "/api/v1/changes/", params={"service": "checkout-api"}, headers=hooks.auth
    )
    assert listed.status_code == 200, listed.text
    mine = [c for c in listed.json()["results"] if c["summary"] == summary]
    assert len(mine) == 1
    recorded = mine[0]
    assert recorded["service"]["name"] == "checkout-api"
    assert recorded["source"] == "acme-build-pipeline"
    assert recorded["occurred_at"].startswith("2026-02-05T18:20:00")
    assert recorded["links"] == [{"href": "https://ci.example.com/build/2", "text": "Build 2"}]
    assert recorded["custom_details"] == {"build_state": "passed", "build_number": "2"}
    assert checkout in recorded["incident_ids"]
    assert redis not in recorded["incident_ids"]

    lines = [e for e in await _timeline(hooks, checkout) if e["type"] == "CHANGE"]
    assert [line["message"] for line in lines] == [
        f"Change: {summary} (https://ci.example.com/build/2)"
    ]
    assert lines[0]["actor"] == "acme-build-pipeline"
    assert not [e for e in await _timeline(hooks, redis) if e["type"] == "CHANGE"]
    others = await hooks.client.get(
        "/api/v1/changes/", params={"service": "redis-prod"}, headers=hooks.auth
    )
    assert summary not in {c["summary"] for c in others.json()["results"]}


async def test_a_change_reaches_no_resolved_incident(hooks: Hooks) -> None:
    pd = await hooks.integration("pagerduty", service="api-gateway")
    key, dedup = pd["routing_key"], uuid.uuid4().hex
    await hooks.client.post("/v2/enqueue", json=trigger(key, dedup))
    incident = await _incident_of(hooks, pd)
    resolve = {"routing_key": key, "event_action": "resolve", "dedup_key": dedup}
    await hooks.client.post("/v2/enqueue", json=resolve)

    async def resolved() -> None:
        assert (await hooks.incident(incident))["status"] == "RESOLVED"

    await eventually(resolved, timeout=15)
    accepted = await hooks.client.post("/v2/change/enqueue", json=change(key, "Config push"))
    assert accepted.status_code == 202
    assert not [e for e in await _timeline(hooks, incident) if e["type"] == "CHANGE"]


async def test_a_change_without_a_service_says_where_to_name_one(hooks: Hooks) -> None:
    pd = await hooks.integration("pagerduty")
    refused = await hooks.client.post(
        "/v2/change/enqueue", json=change(pd["routing_key"], "Rotate secrets")
    )
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        "payload.custom_details.service: is required, the integration has no service"
    ]
    named = change(pd["routing_key"], "Rotate secrets")
    named["payload"]["custom_details"]["service"] = "payments-db"
    assert (await hooks.client.post("/v2/change/enqueue", json=named)).status_code == 202
    listed = await hooks.client.get(
        "/api/v1/changes/", params={"service": "payments-db"}, headers=hooks.auth
    )
    assert [c["summary"] for c in listed.json()["results"]] == ["Rotate secrets"]

    for bad, error in (
        ({"summary": ""}, "payload.summary: is required"),
        ({"summary": "x" * 1025}, "payload.summary: must be at most 1024 characters"),
        ({"timestamp": "yesterday"}, "payload.timestamp: must be an ISO 8601 date-time"),
    ):
        body = change(pd["routing_key"], "Deploy")
        body["payload"].update(bad)
        answer = await hooks.client.post("/v2/change/enqueue", json=body)
        assert answer.status_code == 400
        assert answer.json()["errors"] == [error]


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A throwaway CA, and a certificate it issued for 127.0.0.1 with its key (files)."""
    return make_authority("IMAS test CA").write(tmp_path_factory.mktemp("tls"))


async def test_pagerdutys_own_client_works_against_imas_over_https(
    mesh: Intake, hooks: Hooks, authority: tuple[Path, Path, Path]
) -> None:
    ca, cert, key = authority
    pd = await hooks.integration("pagerduty", service="checkout-api")
    trusted = ssl.create_default_context(cafile=str(ca))
    # The gateway's settings, as an operator gives them, say how it serves TLS.
    env = {"IMAS_TLS_CERT_FILE": str(cert), "IMAS_TLS_KEY_FILE": str(key)}
    settings = load_settings(GatewaySettings, service="gateway", env=env)
    check_settings(settings)
    served_tls = served(mesh.gateway, **settings.server_tls())
    async with served_tls as url, contextlib.AsyncExitStack() as stack:
        assert url.startswith("https://")
        client = pagerduty.EventsApiV2Client(pd["routing_key"], base_url=url, verify=trusted)
        # Their kept-alive connections would hold the server's shutdown.
        stack.callback(client.close)
        dedup = await asyncio.to_thread(
            client.trigger,
            "Checkout latency above 2 s",
            "web-3",
            severity="error",
            custom_details={"p99": "2.4s"},
        )
        incident = await _incident_of(hooks, pd)
        detail = await hooks.incident(incident)
        assert detail["title"] == "Checkout latency above 2 s"
        assert detail["service_name"] == "checkout-api"
        assert detail["severity"] == "SEV2_HIGH"

        await asyncio.to_thread(
            client.send_change_event,
            payload={
                "summary": "Roll back checkout to v41",
                "source": "deploy-bot",
                "timestamp": "2026-02-05T18:40:00Z",
            },
            links=[{"href": "https://deploy.example.com/41", "text": "v41"}],
        )
        lines = [e for e in await _timeline(hooks, incident) if e["type"] == "CHANGE"]
        assert [line["message"] for line in lines] == [
            "Change: Roll back checkout to v41 (https://deploy.example.com/41)"
        ]

        await asyncio.to_thread(client.resolve, dedup)

        async def resolved() -> None:
            assert (await hooks.incident(incident))["status"] == "RESOLVED"

        await eventually(resolved, timeout=15)

        stranger = pagerduty.EventsApiV2Client("f" * 32, base_url=url, verify=trusted)
        stack.callback(stranger.close)
        with pytest.raises(pagerduty.HttpError) as refused:
            await asyncio.to_thread(stranger.trigger, "Nobody's alert", "nowhere")
        assert refused.value.response.status_code == 400
        assert refused.value.response.json() == INVALID_KEY

        # A client that does not trust the throwaway CA refuses to talk to the gateway.
        wary = pagerduty.EventsApiV2Client(pd["routing_key"], base_url=url)
        wary.max_network_attempts = 0
        with pytest.raises(pagerduty.Error):
            await asyncio.to_thread(wary.trigger, "Never sent", "web-3")
