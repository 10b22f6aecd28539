"""Providers and deliveries through the public API: secrets are write-only."""

from __future__ import annotations

import pytest

from imas_runtime.fake_providers import WebhookReceiver
from imas_runtime.testing import eventually
from tests.conftest import Mesh

pytestmark = pytest.mark.integration


async def test_provider_secrets_are_write_only_test_sends_and_deliveries_are_listed(
    mesh: Mesh,
) -> None:
    async with WebhookReceiver() as receiver:
        created = await mesh.client.post(
            "/api/v1/notification-providers/",
            headers=mesh.auth,
            json={
                "name": "tickets",
                "kind": "webhook",
                "config": {"url": f"{receiver.url}/t", "allow_loopback": True},
                "secrets": {"signing_secrets": "s3cret-value"},
            },
        )
        assert created.status_code == 201, created.text
        assert created.json()["secrets"] == ["signing_secrets"]
        assert "s3cret-value" not in created.text
        listed = await mesh.client.get("/api/v1/notification-providers/", headers=mesh.auth)
        assert "s3cret-value" not in listed.text and listed.json()["count"] == 1

        tested = await mesh.client.post(
            "/api/v1/notification-providers/tickets/test/", headers=mesh.auth, json={}
        )
        assert tested.json()["ok"] is True, tested.text
        assert len(receiver.requests) == 1

        bad = await mesh.client.post(
            "/api/v1/notification-providers/",
            headers=mesh.auth,
            json={"name": "x", "kind": "slack", "secrets": {"password": "p"}},
        )
        assert bad.status_code == 400 and "secrets" in bad.text

    incident = await mesh.client.post(
        "/api/v1/incidents/",
        headers=mesh.auth,
        json={"title": "Disk full", "service_name": "redis-prod", "severity": "SEV2_HIGH"},
    )
    ref = f"INC-{incident.json()['short_id']}"

    async def listed_sent() -> None:
        answer = await mesh.client.get(f"/api/v1/incidents/{ref}/deliveries/", headers=mesh.auth)
        assert answer.status_code == 200, answer.text
        assert [(d["status"], d["recipient"]) for d in answer.json()["results"]] == [
            ("sent", "team:SRE Core")
        ]

    await eventually(listed_sent, timeout=15)
    everything = await mesh.client.get("/api/v1/deliveries/?status=sent", headers=mesh.auth)
    assert everything.json()["count"] >= 1
