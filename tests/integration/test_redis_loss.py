"""Redis losing its data, through the webhook path: gateway → JetStream → ingest → incidents.

The mesh runs on a Redis of the module's own, so that it can be flushed (``FLUSHALL``) or have
keys taken away, as a restart without persistence, a failover to a replica that lagged behind
or an eviction would. What is checked is what a user sees: incidents, their status and count,
and each alert's record.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import msgspec
import pytest
import redis.asyncio as aioredis

from imas_contracts import new_event_id, utcnow
from imas_contracts.ingest import AlertReceived, raw_alert_subject
from imas_ingest.webhooks.pipeline import DURABLE
from imas_runtime.embedded import EmbeddedRedis
from imas_runtime.service import ServiceRuntime
from imas_testing import eventually
from tests.conftest import intake

pytestmark = pytest.mark.integration

# Raw payloads per ingest batch: small, so that a storm is many batches and the duplicates a
# Redis loss may cost (at most one per alert in flight: one batch) stay few.
BATCH = 20


class Mesh:
    def __init__(
        self, client: httpx.AsyncClient, token: str, ingest: ServiceRuntime, redis: aioredis.Redis
    ) -> None:
        self.client = client
        self.auth = {"Authorization": f"Token {token}"}
        self.ingest = ingest
        self.redis = redis

    async def integration(self, service: str = "redis-prod") -> tuple[str, str]:
        """A custom-webhook integration: (its id, its token)."""
        response = await self.client.post(
            "/api/v1/integrations/",
            json={"name": f"custom-{uuid.uuid4().hex[:6]}", "type": "custom", "service": service},
            headers=self.auth,
        )
        assert response.status_code == 201, response.text
        body = response.json()
        return body["id"], body["webhook_url"].split("token=")[1]

    async def post(self, token: str, **alert: Any) -> httpx.Response:
        return await self.client.post(
            "/api/v1/webhooks/custom/", json=alert, headers={"X-IMAS-Token": token}
        )

    async def alerts(self, integration_id: str) -> list[dict[str, Any]]:
        """Every alert record of the integration (what became of each alert)."""
        found: list[dict[str, Any]] = []
        page: int | None = 1
        while page is not None:
            response = await self.client.get(
                "/api/v1/alerts/",
                params={"integration": integration_id, "page_size": 500, "page": page},
                headers=self.auth,
            )
            assert response.status_code == 200, response.text
            body = response.json()
            found += body["results"]
            page = page + 1 if body["next"] else None
        return found

    async def incidents_titled(self, title: str) -> list[dict[str, Any]]:
        response = await self.client.get(
            "/api/v1/incidents/", params={"q": title, "page_size": 100}, headers=self.auth
        )
        assert response.status_code == 200, response.text
        return [i for i in response.json()["results"] if i["title"] == title]

    async def the_incident(self, title: str) -> dict[str, Any]:
        found = await self.incidents_titled(title)
        assert len(found) == 1, found
        return found[0]

    async def drained(self) -> None:
        """Ingest handled every raw payload JetStream holds for it."""
        info = await self.ingest.bus.js.consumer_info("ALERTS", DURABLE)
        assert info.num_pending == 0 and info.num_ack_pending == 0, info

    async def keep_only(self, *kinds: str) -> None:
        """Take away every key of ingest but those marks (``done``, ``seen``, ``result``):
        Redis lost some of its data, not all of it."""
        async for name in self.redis.scan_iter():
            if not any(f":{kind}:" in name.decode() for kind in kinds):
                await self.redis.delete(name)


@pytest.fixture(scope="module")
async def mesh(nats_url: str, postgres_url: str, own_redis: EmbeddedRedis) -> AsyncIterator[Mesh]:
    redis = aioredis.from_url(own_redis.url)
    try:
        async with intake(
            nats_url, postgres_url, own_redis.url, label="redisloss", batch=BATCH
        ) as parts:
            yield Mesh(parts.client, parts.token, parts.ingest, redis)
    finally:
        await redis.aclose()


async def test_a_resolution_after_redis_lost_its_data_resolves_the_incident(mesh: Mesh) -> None:
    _, token = await mesh.integration()
    title = f"Replication lag {uuid.uuid4().hex[:6]}"
    key = uuid.uuid4().hex
    assert (await mesh.post(token, title=title, dedup_key=key)).status_code == 202
    incident = await eventually(lambda: mesh.the_incident(title), timeout=30)
    assert incident["status"] == "TRIGGERED"

    await mesh.redis.flushall()
    resolved = await mesh.post(token, title=title, dedup_key=key, status="resolved")
    assert resolved.status_code == 202

    async def closed() -> None:
        assert (await mesh.the_incident(title))["status"] == "RESOLVED"

    await eventually(closed, timeout=30)


async def test_every_alert_accepted_during_a_storm_with_redis_flushed_is_counted(
    mesh: Mesh,
) -> None:
    """FLUSHALL three times in the middle of a storm: each alert answered 2xx is exactly one
    count on the one incident of its key (counts Redis lost are settled with incidents)."""
    integration_id, token = await mesh.integration()
    run = uuid.uuid4().hex[:6]
    titles = [f"Storm {run} {k}" for k in range(4)]
    accepted = dict.fromkeys(titles, 0)
    answered = 0
    gate = asyncio.Semaphore(20)

    async def send(i: int) -> None:
        nonlocal answered
        title = titles[i % len(titles)]
        async with gate:
            response = await mesh.post(token, title=title, dedup_key=title)
        answered += 1
        if 200 <= response.status_code < 300:
            accepted[title] += 1

    storm = asyncio.gather(*(send(i) for i in range(600)))
    for threshold in (150, 300, 450):

        async def reached(threshold: int = threshold) -> None:
            assert answered >= threshold

        await eventually(reached, timeout=120)
        await mesh.redis.flushall()
    await storm
    assert sum(accepted.values()) == 600

    async def all_counted() -> None:
        await mesh.drained()
        for title in titles:
            assert (await mesh.the_incident(title))["alert_count"] >= accepted[title]

    await eventually(all_counted, timeout=120)
    incidents = {t: await mesh.the_incident(t) for t in titles}
    assert {t: i["alert_count"] for t, i in incidents.items()} == accepted
    # Each alert's record names the incident of its key, once.
    records = await mesh.alerts(integration_id)
    assert len(records) == sum(accepted.values())
    assert {(r["summary"], r["incident_id"]) for r in records} == {
        (t, i["id"]) for t, i in incidents.items()
    }


async def test_an_epoch_opened_after_redis_lost_its_own_is_not_taken_for_an_earlier_one(
    mesh: Mesh,
) -> None:
    """Redis lost the counter of flushes while the marks of earlier ones stayed (a key evicted
    or deleted): a new alert must not be answered by an earlier flush's record."""
    integration_id, token = await mesh.integration()
    before = f"Before {uuid.uuid4().hex[:6]}"
    assert (await mesh.post(token, title=before, dedup_key=before)).status_code == 202
    await eventually(lambda: mesh.the_incident(before), timeout=30)
    await mesh.keep_only("done", "seen", "result")

    after = f"After {uuid.uuid4().hex[:6]}"
    assert (await mesh.post(token, title=after, dedup_key=after)).status_code == 202
    incident = await eventually(lambda: mesh.the_incident(after), timeout=30)

    async def recorded() -> None:
        records = {a["summary"]: a for a in await mesh.alerts(integration_id)}
        assert records[after]["outcome"] == "created", records[after]
        assert records[after]["incident_id"] == incident["id"]

    await eventually(recorded, timeout=30)
    assert incident["alert_count"] == 1


async def test_a_redelivered_alert_whose_flush_redis_forgot_does_not_hold_up_the_others(
    mesh: Mesh,
) -> None:
    """An alert handled once comes again (its acknowledgement was lost), after Redis lost the
    record of its flush but kept its own mark: it must not wait for that flush forever, nor
    hold up the alerts behind it, nor count twice."""
    integration_id, token = await mesh.integration()
    first = f"Redelivered {uuid.uuid4().hex[:6]}"
    event = AlertReceived(
        event_id=new_event_id(),
        occurred_at=utcnow(),
        source="custom",
        integration_id=integration_id,
        payload=msgspec.json.encode({"title": first, "dedup_key": first}),
    )
    await mesh.ingest.bus.publish(event, subject=raw_alert_subject("custom"))
    await eventually(lambda: mesh.the_incident(first), timeout=30)
    await mesh.keep_only("seen")

    # The same event again (as JetStream redelivers it: same event id, a new message).
    payload = msgspec.json.encode(event)
    await mesh.ingest.bus.js.publish(
        raw_alert_subject("custom"), payload, headers={"Nats-Msg-Id": new_event_id()}
    )
    behind = f"Behind {uuid.uuid4().hex[:6]}"
    assert (await mesh.post(token, title=behind, dedup_key=behind)).status_code == 202
    await eventually(lambda: mesh.the_incident(behind), timeout=20)
    await eventually(mesh.drained, timeout=30)
    assert (await mesh.the_incident(first))["alert_count"] == 1
