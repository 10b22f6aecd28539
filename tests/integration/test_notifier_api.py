"""Providers and deliveries through the public API: secrets are write-only."""

from __future__ import annotations

import pytest

from imas_testing import eventually
from imas_testing.fake_providers import WebhookReceiver
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
                "config": {"url": f"{receiver.url}/t"},
                "secrets": {"signing_secrets": "s3cret-value"},
            },
        )
        assert created.status_code == 201, created.text
        assert created.json()["secrets"] == ["signing_secrets"]
        assert "s3cret-value" not in created.text
        listed = await mesh.client.get("/api/v1/notification-providers/", headers=mesh.auth)
        assert "s3cret-value" not in listed.text
        # The mesh's log provider is one an operator configured: it is listed like any other.
        assert sorted(p["name"] for p in listed.json()["results"]) == ["log", "tickets"]

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


async def test_provider_answers_are_shown_to_admins_only_and_cut_short(mesh: Mesh) -> None:
    echoed = "db-primary.internal:5432 " + "x" * 2000
    async with WebhookReceiver() as receiver:
        receiver.fail("POST /chat.postMessage", status=400, body={"error": echoed}, times=100)
        created = await mesh.client.post(
            "/api/v1/notification-providers/",
            headers=mesh.auth,
            json={
                "name": "chat",
                "kind": "slack",
                "config": {"base_url": receiver.url, "channel": "#ops"},
                "secrets": {"bot_token": "xoxb-1"},
            },
        )
        assert created.status_code == 201, created.text
        incident = await mesh.client.post(
            "/api/v1/incidents/",
            headers=mesh.auth,
            json={"title": "Disk full", "service_name": "redis-prod", "severity": "SEV2_HIGH"},
        )
        ref = f"INC-{incident.json()['short_id']}"

        async def failed() -> list[dict[str, object]]:
            answer = await mesh.client.get(
                f"/api/v1/incidents/{ref}/deliveries/", headers=mesh.auth
            )
            pages = answer.json()["results"]
            assert [p["status"] for p in pages] == ["failed"], pages
            return pages  # type: ignore[no-any-return]

        [as_admin] = await eventually(failed, timeout=15)
    error = str(as_admin["last_error"])
    assert "db-primary.internal" in error and len(error) <= 300

    viewer = await mesh.client.post(
        "/api/v1/tokens/", json={"name": "wall", "role": "viewer"}, headers=mesh.auth
    )
    seen = {"Authorization": f"Token {viewer.json()['token']}"}
    for path in (f"/api/v1/incidents/{ref}/deliveries/", "/api/v1/deliveries/"):
        answer = await mesh.client.get(path, headers=seen)
        assert answer.status_code == 200, answer.text
        assert "db-primary.internal" not in answer.text
        assert all(p["last_error"] is None for p in answer.json()["results"])
        assert "failed" in [p["status"] for p in answer.json()["results"]]
