"""Alertmanager in HA: each replica sends the same group on its own, one after another. IMAS
makes one incident of them and pages once."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from imas_runtime.testing import eventually
from tests.chaos.conftest import SCALE, ChaosMesh

pytestmark = pytest.mark.chaos

SAMPLE = Path(__file__).parents[2] / "services/ingest/tests/payloads/alertmanager_firing.json"
REPLICAS = 3


async def test_same_group_from_three_replicas_is_one_incident_and_one_page(
    mesh: ChaosMesh,
) -> None:
    async with httpx.AsyncClient(base_url=mesh.gateway, headers=mesh.auth, timeout=30) as client:
        created = await client.post(
            "/api/v1/integrations/",
            json={"name": f"am-ha-{uuid.uuid4().hex[:6]}", "type": "alertmanager"},
        )
        assert created.status_code == 201, created.text
        integration = created.json()
        token = integration["webhook_url"].split("token=")[1]
        group = json.loads(SAMPLE.read_text())
        group["groupKey"] = f'{{}}:{{alertname="HighLatency",run="{uuid.uuid4().hex}"}}'
        group["alerts"][0]["fingerprint"] = uuid.uuid4().hex[:16]

        # Replica i sends at i * gap seconds (0, 15, 30 in the full suite), as each replica's
        # own group_wait / peer timeout would make it.
        for replica in range(REPLICAS):
            if replica:
                await asyncio.sleep(SCALE.replica_gap)
            body = {**group, "externalURL": f"http://alertmanager-{replica}:9093"}
            answer = await client.post(f"/api/v1/webhooks/alertmanager/?token={token}", json=body)
            assert answer.status_code == 202, answer.text

        async def all_processed() -> list[dict[str, Any]]:
            response = await client.get(
                "/api/v1/alerts/", params={"integration": integration["id"], "page_size": 500}
            )
            assert response.status_code == 200, response.text
            alerts: list[dict[str, Any]] = response.json()["results"]
            assert len(alerts) == REPLICAS, alerts
            return alerts

        alerts = await eventually(all_processed, timeout=30, interval=0.25)

    incidents = {a["incident_id"] for a in alerts}
    assert len(incidents) == 1, alerts
    (incident,) = incidents
    assert incident is not None

    async def paged_once() -> None:
        assert await mesh.pages([incident]) == {incident: 1}

    # Every copy was processed before this check, so a second page would already be recorded.
    await eventually(paged_once, timeout=30, interval=0.25)
