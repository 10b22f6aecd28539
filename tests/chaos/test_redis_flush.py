"""Redis loses everything (FLUSHALL on the mesh's own Redis) in the middle of an alert storm,
and again between alerts and their resolution: every accepted alert is still counted once on
its one incident, every page reaches the pager, and the resolutions still resolve."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import redis.asyncio as aioredis

from imas_testing import eventually
from tests.chaos.conftest import SCALE, ChaosMesh
from tests.chaos.scenario import new_scenario
from tests.chaos.verdict import STEADY, check

pytestmark = pytest.mark.chaos

STORM_KEYS = 2  # per door: a storm is mostly the same few alerts again and again


async def flushall(mesh: ChaosMesh) -> None:
    client = aioredis.from_url(mesh.redis.url)
    try:
        await client.flushall()
    finally:
        await client.aclose()


async def test_redis_flushed_in_a_storm_loses_no_count_and_no_resolution(
    mesh: ChaosMesh,
) -> None:
    scenario = await new_scenario(mesh, "redis-flushall")

    async def flush_mid_storm() -> None:
        await asyncio.sleep(SCALE.alerts / SCALE.rate / 3)
        await flushall(mesh)

    sent = await scenario.send(
        SCALE.alerts, rate=SCALE.rate, during=flush_mid_storm(), keys=STORM_KEYS
    )
    outcome = await check(scenario, sent, duplicates=STEADY, alerts=SCALE.alerts)
    print(f"Redis FLUSHALL in a storm: {outcome}")

    # Redis forgets again, then Alertmanager says every webhook alert is resolved.
    await flushall(mesh)
    async with httpx.AsyncClient(base_url=mesh.gateway, timeout=30) as client:
        for i in range(STORM_KEYS):
            group = scenario.alertmanager_group(f"am-{i}")
            group["status"] = group["alerts"][0]["status"] = "resolved"
            group["alerts"][0]["endsAt"] = "2026-12-01T10:05:00Z"
            answer = await client.post(
                "/api/v1/webhooks/alertmanager/", params={"token": scenario.token}, json=group
            )
            assert answer.status_code == 202, answer.text

    async def resolved() -> None:
        found = await scenario.incidents()
        statuses = {key: rows[0]["status"] for key, rows in found.items() if key.startswith("am-")}
        assert statuses == dict.fromkeys(statuses, "RESOLVED"), statuses

    await eventually(resolved, timeout=60, interval=0.25)
