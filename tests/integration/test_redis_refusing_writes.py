"""A Redis that refuses writes (out of memory, a replica promoted read-only) never turns a
webhook or an API call into a 5xx: rate limits live in the gateway's memory, and an alert
accepted meanwhile waits in JetStream until ingest can count it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from imas_runtime.embedded import EmbeddedRedis
from imas_testing import eventually
from tests.conftest import Intake, intake

pytestmark = pytest.mark.integration


@pytest.fixture
async def mesh(
    nats_url: str, postgres_url: str, own_redis: EmbeddedRedis
) -> AsyncIterator[tuple[Intake, aioredis.Redis]]:
    redis = aioredis.from_url(own_redis.url)
    try:
        async with intake(nats_url, postgres_url, own_redis.url, label="redisro") as found:
            yield found, redis
    finally:
        await redis.config_set("maxmemory", 0)
        await redis.aclose()


async def test_webhooks_and_api_calls_are_answered_while_redis_refuses_writes(
    mesh: tuple[Intake, aioredis.Redis],
) -> None:
    found, redis = mesh
    auth = {"Authorization": f"Token {found.token}"}
    created = await found.client.post(
        "/api/v1/integrations/",
        json={"name": f"custom-{uuid.uuid4().hex[:6]}", "type": "custom", "service": "redis-prod"},
        headers=auth,
    )
    assert created.status_code == 201, created.text
    token = created.json()["webhook_url"].split("token=")[1]
    dedup_key = uuid.uuid4().hex
    await redis.config_set("maxmemory-policy", "noeviction")
    await redis.config_set("maxmemory", 1)
    with pytest.raises(ResponseError, match="maxmemory"):
        await redis.set(f"probe:{dedup_key}", 1)

    answers = await asyncio.gather(
        *(
            found.client.post(
                "/api/v1/webhooks/custom/",
                json={"title": "Disk full", "dedup_key": dedup_key},
                headers={"X-IMAS-Token": token},
            )
            for _ in range(20)
        )
    )
    assert [a.status_code for a in answers] == [202] * 20, answers[0].text
    listed = await found.client.get("/api/v1/incidents/", headers=auth)
    assert listed.status_code == 200, listed.text

    # Redis takes writes again: the alerts accepted meanwhile are all counted.
    await redis.config_set("maxmemory", 0)

    async def counted() -> None:
        page = await found.client.get(
            "/api/v1/incidents/", params={"q": "Disk full", "page_size": 100}, headers=auth
        )
        mine = [i for i in page.json()["results"] if i["dedup_key"] == dedup_key]
        assert len(mine) == 1 and mine[0]["alert_count"] == 20, mine

    await eventually(counted, timeout=60)
