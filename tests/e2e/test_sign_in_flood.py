"""200 wrong passwords at once against a real gateway process: it stays under its memory limit
and keeps taking webhooks meanwhile.

Each guess comes from an address of its own (through the trusted loopback proxy) for a
username of its own, as from a botnet spraying passwords: the sign-in throttle never slows it,
only the bounded password hashing holds the memory.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from imas_testing.sign_ins import wrong_sign_in
from tests.e2e.conftest import ProcessMesh, running_processes

pytestmark = pytest.mark.e2e

GUESSES = 200
MiB = 1024 * 1024
# The gateway pod's memory limit (deploy/helm/imas/values.yaml) and the budget under load
# (the design's performance budget): the peak must stay within the budget.
POD_LIMIT = 256 * MiB
BUDGET = 200 * 1000 * 1000


async def test_200_parallel_wrong_passwords_hold_the_memory_limit_and_webhooks_go_on(
    fresh_nats_url: str,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
    tmp_path: Path,
) -> None:
    async with running_processes(
        ("ingest", "gateway"), fresh_nats_url, postgres_url, redis_url, fresh_database, tmp_path
    ) as mesh:
        await _flood(mesh)


async def _flood(mesh: ProcessMesh) -> None:
    gateway = mesh.processes["gateway"]
    limits = httpx.Limits(max_connections=GUESSES + 10, max_keepalive_connections=GUESSES + 10)
    async with httpx.AsyncClient(base_url=mesh.gateway, timeout=120, limits=limits) as http:
        created = await http.post(
            "/api/v1/integrations/",
            json={"name": "prometheus", "type": "alertmanager"},
            headers=mesh.auth,
        )
        assert created.status_code == 201, created.text
        # The URL names the public host; this gateway listens on a port of its own.
        public = httpx.URL(created.json()["webhook_url"])
        webhook_url = public.raw_path.decode()
        before = gateway.peak_rss_bytes()

        flood = asyncio.gather(*(wrong_sign_in(http, i) for i in range(GUESSES)))
        webhooks: list[int] = []
        while not flood.done():
            labels = {"alertname": f"DiskFull{len(webhooks)}", "service": "redis-prod"}
            alert = {"alerts": [{"status": "firing", "labels": labels}]}
            webhooks.append((await http.post(webhook_url, json=alert)).status_code)
        statuses = await flood
        peak = gateway.peak_rss_bytes()

    # Every guess was answered: refused (401), or shed while too many waited (503).
    assert set(statuses) <= {401, 503}, statuses
    assert statuses.count(401) >= 64
    # Webhooks went on being accepted while the guesses were being hashed.
    assert len(webhooks) >= 3 and set(webhooks) == {202}, webhooks
    assert peak < BUDGET < POD_LIMIT, (
        f"gateway peak RSS {peak / MiB:.0f} MiB (before the flood {before / MiB:.0f} MiB)"
    )
