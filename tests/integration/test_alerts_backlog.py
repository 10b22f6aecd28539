"""JetStream full, through the webhook path, on a NATS of the test's own with a small store.

ALERTS is a work queue bounded by ``max_bytes`` (``IMAS_ALERTS_MAX_BYTES``): it holds what
ingest has not handled yet. Ingest's consumer is paused (as a stalled ingest would be) until
the store fills; the gateway must then answer webhooks a clean 503 with Retry-After (nothing
half-accepted), the synchronous API must keep working and paging, and once ingest resumes every
alert answered 2xx must become its incident and reach the receiver as a page.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from imas_contracts.ingest import ALERTS_STREAM
from imas_ingest.webhooks.pipeline import DURABLE
from imas_notifier.app import create_runtime as create_notifier
from imas_notifier.settings import NotifierSettings
from imas_runtime.db import drop_database, with_database
from imas_runtime.embedded import EmbeddedNats
from imas_runtime.service import ServiceRuntime
from imas_testing import LOOPBACK, eventually, small_store
from imas_testing.fake_providers import WebhookReceiver
from tests.conftest import Intake, intake
from tests.e2e.notifier_pages import page_tickets_to

pytestmark = pytest.mark.integration

# Each payload ~5.5 KB in the stream (in labels: incidents do not carry them).
PADDING = {"padding": "x" * 4000}


@dataclass
class Full:
    mesh: Intake
    notifier: ServiceRuntime
    receiver: WebhookReceiver
    capped: bool

    async def post(self, token: str, title: str) -> httpx.Response:
        alert = {"title": title, "dedup_key": title, "severity": "info", "labels": PADDING}
        return await self.mesh.client.post(
            "/api/v1/webhooks/custom/", json=alert, headers={"X-IMAS-Token": token}
        )

    async def integration(self) -> str:
        response = await self.mesh.client.post(
            "/api/v1/integrations/",
            json={
                "name": f"hook-{uuid.uuid4().hex[:6]}",
                "type": "custom",
                "service": "redis-prod",
            },
            headers=self.mesh.auth,
        )
        assert response.status_code == 201, response.text
        return str(response.json()["webhook_url"].split("token=")[1])

    async def incidents(self, q: str) -> list[dict[str, Any]]:
        response = await self.mesh.client.get(
            "/api/v1/incidents/", params={"q": q, "page_size": 500}, headers=self.mesh.auth
        )
        assert response.status_code == 200, response.text
        return response.json()["results"]  # type: ignore[no-any-return]

    def paged(self) -> set[str]:
        return {r.body["incident"]["incident_id"] for r in self.receiver.requests}

    async def ingest_paused(self, paused: bool) -> None:
        js = self.mesh.ingest.bus.js
        await eventually(lambda: js.consumer_info(ALERTS_STREAM.name, DURABLE), timeout=30)
        if paused:
            await js.pause_consumer(ALERTS_STREAM.name, DURABLE, "2999-01-01T00:00:00Z")
        else:
            await js.resume_consumer(ALERTS_STREAM.name, DURABLE)


@pytest.fixture(params=["stream-capped", "server-store"])
async def full(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_url: str, redis_url: str
) -> AsyncIterator[Full]:
    """``stream-capped``: ALERTS may hold 256 KB of a 16 MB store (the default shape: a cap
    below the store). ``server-store``: ALERTS has no cap and fills the whole 1.5 MB store, so
    incidents cannot publish either until ingest drains it."""
    capped = request.param == "stream-capped"
    store, cap = (16 * 1024**2, 256 * 1024) if capped else (1536 * 1024, -1)
    nats = EmbeddedNats(tmp_path / "nats", config=small_store(tmp_path, store)).start()
    common = {"alerts_max_bytes": cap}
    try:
        async with contextlib.AsyncExitStack() as stack:
            mesh = await stack.enter_async_context(
                intake(nats.url, postgres_url, redis_url, label="full", common=common)
            )
            database = f"{mesh.ingest.database}_ntf"
            stack.push_async_callback(drop_database, postgres_url, database)
            notifier = create_notifier(
                NotifierSettings(
                    service="notifier", nats_url=nats.url, database_url=postgres_url,
                    redis_url=redis_url, database=database, retry_interval=0.2,
                    outbound_allow=LOOPBACK, **common,
                )
            )  # fmt: skip
            receiver = await stack.enter_async_context(WebhookReceiver())
            await notifier.start()
            stack.push_async_callback(notifier.stop)
            await page_tickets_to(
                notifier.bus, with_database(postgres_url, database), f"{receiver.url}/hook"
            )
            yield Full(mesh, notifier, receiver, capped)
    finally:
        nats.stop()


async def test_a_full_store_refuses_webhooks_cleanly_and_loses_nothing_accepted(
    full: Full,
) -> None:
    token = await full.integration()
    run = uuid.uuid4().hex[:6]
    await full.ingest_paused(True)

    accepted: list[str] = []
    refused: httpx.Response | None = None
    for i in range(2000):
        title = f"Backlog {run} {i}"
        response = await full.post(token, title)
        if response.status_code != 202:
            refused = response
            break
        accepted.append(title)
    assert refused is not None, "the store never filled"
    assert accepted, "nothing was accepted before the store filled"
    assert refused.status_code == 503, refused.text
    assert refused.headers["retry-after"] == "5"
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "full" in refused.json()["detail"]
    assert (await full.post(token, f"Backlog {run} again")).status_code == 503

    # The synchronous API does not go through ALERTS: it still opens incidents.
    api = await full.mesh.client.post(
        "/api/v1/incidents/",
        json={"title": f"By the API {run}", "service_name": "redis-prod", "severity": "SEV4_LOW"},
        headers=full.mesh.auth,
    )
    assert api.status_code == 201, api.text
    api_incident = api.json()["id"]
    if full.capped:
        # ... and pages it while webhooks are refused (the rest of the store is free), and
        # ingest raised the backlog before the gateway had to refuse anything.
        def api_paged() -> None:
            assert api_incident in full.paged()

        async def backlog_raised() -> None:
            found = await full.incidents("Alert intake backlog")
            assert len(found) == 1, found
            assert found[0]["title"].startswith("Alert intake backlog: stream ALERTS is ")

        await eventually(api_paged, timeout=30)
        await eventually(backlog_raised, timeout=30)

    await full.ingest_paused(False)

    async def every_accepted_alert_paged() -> None:
        found = {i["title"]: i for i in await full.incidents(f"Backlog {run}")}
        assert sorted(found) == sorted(accepted)
        assert all(i["alert_count"] == 1 for i in found.values())
        assert {i["id"] for i in found.values()} | {api_incident} <= full.paged()

    await eventually(every_accepted_alert_paged, timeout=120)
    assert (await full.post(token, f"Backlog {run} after")).status_code == 202
