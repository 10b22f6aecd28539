"""Webhooks past a gateway's capacity: each call is taken (202, and then counted on its
incident) or refused at once (503 with Retry-After, and nothing stored), repeats before new
alerts; never left to wait.

A real gateway process, told to hold few calls in hand, takes far more calls at once than that
from hundreds of connections (a lean client: a general-purpose one would spend more time than
the gateway, and be what is timed).
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import httpx
import pytest

from imas_runtime.db import asyncpg_dsn
from imas_testing import eventually
from imas_testing.rawhttp import Client, Reply
from tests.e2e.conftest import running_processes

pytestmark = pytest.mark.e2e

CONNECTIONS = 300
CALLS = 1500
# Far beyond any answer a shed call may take, however slow the machine: the point is that
# none waits like an overloaded gateway's (30 s and more).
GENEROUS = 20.0


async def test_past_capacity_each_webhook_is_taken_and_counted_or_refused_at_once(
    fresh_nats_url: str,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
    tmp_path: Path,
) -> None:
    capacity = {"GATEWAY_WEBHOOK_MIN_IN_FLIGHT": "40", "GATEWAY_WEBHOOK_ANSWER_SECONDS": "0.005"}
    async with running_processes(
        ("incidents", "ingest", "gateway"),
        fresh_nats_url,
        postgres_url,
        redis_url,
        fresh_database,
        tmp_path,
        extra_env=capacity,
        # Three processes starting at once on a busy machine.
        ready_timeout=180,
    ) as mesh:
        async with httpx.AsyncClient(base_url=mesh.gateway, timeout=60) as http:
            created = await http.post(
                "/api/v1/integrations/",
                json={"name": "batch jobs", "type": "custom", "service": "redis-prod"},
                headers=mesh.auth,
            )
        assert created.status_code == 201, created.text
        token = created.json()["webhook_url"].split("token=")[1]
        run = uuid.uuid4().hex[:8]
        client = Client(
            f"{mesh.gateway}/api/v1/webhooks/custom/",
            {"X-IMAS-Token": token},
            max_connections=CONNECTIONS,
        )
        calls: list[tuple[str, Reply, float]] = []
        numbers = iter(range(CALLS))

        async def connection() -> None:
            # Calls one after the other on one connection, timed from sending to answer.
            for i in numbers:
                # One call in ten is a new alert, the others repeat one.
                key = f"{run}-new-{i}" if i % 10 == 0 else f"{run}-repeat"
                started = time.monotonic()
                answer = await client.call("POST", {"title": f"Backlog {key}", "dedup_key": key})
                calls.append((key, answer, time.monotonic() - started))

        await asyncio.gather(*(connection() for _ in range(CONNECTIONS)))
        client.close()

        statuses = {answer.status for _, answer, _ in calls}
        assert statuses <= {202, 503}, statuses
        shed = [(key, answer, took) for key, answer, took in calls if answer.status == 503]
        assert shed, "nothing was shed: the gateway was never past capacity"
        for _, answer, _ in shed:
            assert int(answer.headers["retry-after"]) >= 1
            assert answer.headers["content-type"].startswith("application/problem+json")
        slowest = max(took for _, _, took in calls)
        assert slowest < GENEROUS, f"{len(shed)} shed, slowest answer {slowest:.1f}s"
        taken = [key for key, answer, _ in calls if answer.status == 202]
        repeats_taken = taken.count(f"{run}-repeat")
        new_taken = {key for key in taken if "-new-" in key}
        new_share = len(new_taken) / (CALLS // 10)
        repeat_share = repeats_taken / (CALLS - CALLS // 10)
        # New alerts are taken ahead of repeats. Only 150 calls are new ones: when nearly all
        # calls are shed (a slow machine), both shares are a few percent and a handful of calls
        # decide, so the comparison allows three standard deviations of that sample.
        noise = 3 * math.sqrt(repeat_share * (1 - repeat_share) / (CALLS // 10))
        assert new_share >= repeat_share - noise, (new_share, repeat_share, noise)

        conn = await asyncpg.connect(asyncpg_dsn(mesh.databases["incidents"]))
        try:

            async def counted() -> dict[str, int]:
                rows = await conn.fetch(
                    "SELECT dedup_key, alert_count FROM incidents WHERE dedup_key LIKE $1",
                    f"{run}-%",
                )
                found = {r["dedup_key"]: r["alert_count"] for r in rows}
                assert sum(found.values()) >= len(taken), (sum(found.values()), len(taken))
                return found

            found = await eventually(counted, timeout=120)
        finally:
            await conn.close()
        # Every alert taken is counted on its incident, and nothing refused was stored.
        assert found.get(f"{run}-repeat", 0) == repeats_taken
        assert {key for key in found if "-new-" in key} == new_taken
        assert all(found[key] == 1 for key in new_taken)
