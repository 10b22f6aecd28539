"""Alertmanager in HA: each replica sends the same group on its own, one after another. IMAS
makes one incident of them and the pager hears of it once."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.chaos.conftest import SCALE, ChaosMesh
from tests.chaos.scenario import Sent, new_scenario
from tests.chaos.verdict import STEADY, check

pytestmark = pytest.mark.chaos

REPLICAS = 3


async def test_same_group_from_three_replicas_is_one_incident_and_one_page(
    mesh: ChaosMesh,
) -> None:
    scenario = await new_scenario(mesh, "alertmanager-ha")
    group = scenario.alertmanager_group("ha-group")
    async with httpx.AsyncClient(base_url=mesh.gateway, timeout=30) as client:
        # Replica i sends at i * gap seconds (0, 15, 30 in the full suite), as each replica's
        # own group_wait / peer timeout would make it.
        for replica in range(REPLICAS):
            if replica:
                await asyncio.sleep(SCALE.replica_gap)
            body = {**group, "externalURL": f"http://alertmanager-{replica}:9093"}
            answer = await client.post(
                "/api/v1/webhooks/alertmanager/", params={"token": scenario.token}, json=body
            )
            assert answer.status_code == 202, answer.text

    # One incident counting the three copies; its pages at the pager once each.
    sent = Sent()
    sent.accepted["ha-group"] = REPLICAS
    outcome = await check(scenario, sent, duplicates=STEADY)
    assert outcome.incidents == 3, outcome  # the two canaries and this one
