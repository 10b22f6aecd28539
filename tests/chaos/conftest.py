"""The whole mesh as OS processes on servers the test owns, so it can break any of them.

``IMAS_CHAOS_SCALE=full`` (what ``make chaos`` sets) runs the full suite: 1,000 alerts per
kill, Alertmanager replicas 15 s apart. Without it (``make test``) the same tests run a bounded
form: fewer alerts, replicas 1.5 s apart.

NATS and PostgreSQL are the suite's own (an embedded nats-server on a fixed port and store
directory, an embedded pgserver in a temp directory), so a test can restart them under the
services' feet; never the machine's shared servers. Redis comes from ``redis_url``.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import pytest

from imas_cli.demo import DEMO_CATALOG
from imas_contracts.incidents import CatalogApplied
from imas_runtime.bus import Bus
from imas_runtime.db import asyncpg_dsn, ensure_database, with_database
from imas_runtime.embedded import EmbeddedNats, EmbeddedPostgres
from imas_runtime.processes import ServiceProcess
from imas_runtime.testing import eventually

# Started in this order: the gateway last, once what it calls is up.
SERVICES = ("incidents", "ingest", "notifier", "escalation", "warroom", "gateway")
FULL = os.environ.get("IMAS_CHAOS_SCALE", "").lower() == "full"


@dataclass(frozen=True)
class Scale:
    alerts_per_kill: int
    rate: float  # alerts per second during a load
    replica_gap: float  # seconds between Alertmanager replicas


SCALE = Scale(1000, 100.0, 15.0) if FULL else Scale(120, 60.0, 1.5)


@dataclass
class Load:
    """What one load sent and how each request was answered."""

    accepted: dict[str, int] = field(default_factory=dict)  # dedup key → 200/201 answers
    refused: dict[int, int] = field(default_factory=dict)  # status → count (5xx)
    transport_errors: int = 0
    # dedup key → requests whose fate the client cannot know: a 5xx or a broken connection
    # may come after the occurrence was committed (the answer was lost, not the alert).
    unknown: dict[str, int] = field(default_factory=dict)

    @property
    def total_accepted(self) -> int:
        return sum(self.accepted.values())


@dataclass
class ChaosMesh:
    nats: EmbeddedNats
    postgres: EmbeddedPostgres
    processes: dict[str, ServiceProcess]
    databases: dict[str, str]  # service → database URL
    token: str

    @property
    def gateway(self) -> str:
        return self.processes["gateway"].url

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}

    async def restart(self, service: str) -> None:
        process = self.processes[service]
        process.kill()
        process.start()
        await process.wait_ready(timeout=90)

    async def fetch(self, service: str, sql: str, *args: Any) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(asyncpg_dsn(self.databases[service]))
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    async def load(
        self,
        keys: list[str],
        count: int,
        *,
        rate: float = SCALE.rate,
        during: Any = None,
        service_name: str = "checkout-api",
    ) -> Load:
        """POST ``count`` alerts spread over ``keys`` at ``rate``/s (open loop: a request starts
        on schedule whatever the previous answers); ``during``, a coroutine, runs meanwhile and
        the last third of the alerts is sent once it is done."""
        result = Load()
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        async with httpx.AsyncClient(
            base_url=self.gateway, headers=self.auth, timeout=30, limits=limits
        ) as client:

            async def one(i: int) -> None:
                key = keys[i % len(keys)]
                try:
                    response = await client.post(
                        "/api/v1/incidents/",
                        json={
                            "title": f"Checkout errors {key}",
                            "service_name": service_name,
                            "severity": "SEV2_HIGH",
                            "dedup_key": key,
                        },
                    )
                except httpx.HTTPError:
                    result.transport_errors += 1
                    result.unknown[key] = result.unknown.get(key, 0) + 1
                    return
                if response.status_code in (200, 201):
                    result.accepted[key] = result.accepted.get(key, 0) + 1
                    return
                assert response.status_code >= 500, response.text
                status = response.status_code
                result.refused[status] = result.refused.get(status, 0) + 1
                result.unknown[key] = result.unknown.get(key, 0) + 1

            side = asyncio.create_task(during) if during is not None else None
            tasks = []
            # The last third waits for ``during`` (a restart, say), so some load always
            # reaches the mesh once it is whole again, however long the restart took.
            tail = count - count // 3 if side is not None else count
            begin = time.perf_counter()
            for i in range(count):
                if i == tail and side is not None:
                    await side
                    begin = time.perf_counter() - i / rate
                delay = begin + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(one(i)))
            await asyncio.gather(*tasks)
            if side is not None:
                await side
        return result

    async def incidents_by_key(self, keys: list[str]) -> dict[str, list[asyncpg.Record]]:
        rows = await self.fetch(
            "incidents",
            "SELECT id::text AS id, dedup_key, alert_count, status FROM incidents"
            " WHERE dedup_key = ANY($1::text[])",
            keys,
        )
        found: dict[str, list[asyncpg.Record]] = {}
        for row in rows:
            found.setdefault(row["dedup_key"], []).append(row)
        return found

    async def pages(self, incident_ids: list[str]) -> dict[str, int]:
        """Sent pages per incident."""
        rows = await self.fetch(
            "notifier",
            "SELECT incident_id::text AS id, count(*) AS n FROM deliveries"
            " WHERE status = 'sent' AND incident_id = ANY($1::uuid[]) GROUP BY incident_id",
            incident_ids,
        )
        return {r["id"]: r["n"] for r in rows}

    async def assert_nothing_lost(self, keys: list[str], load: Load, timeout: float = 90) -> None:
        """Every accepted alert counted on its key's one open incident, every incident paged
        exactly once."""

        async def settled() -> None:
            found = await self.incidents_by_key(keys)
            duplicates = {k: len(v) for k, v in found.items() if len(v) > 1}
            assert duplicates == {}, f"more than one incident for a dedup key: {duplicates}"
            counted = {k: v[0]["alert_count"] for k, v in found.items()}
            lost = {
                k: (load.accepted.get(k, 0), counted.get(k, 0))
                for k in keys
                if counted.get(k, 0) < load.accepted.get(k, 0)
            }
            assert lost == {}, f"accepted alerts not counted (accepted, counted): {lost}"
            extra = {
                k: (load.accepted.get(k, 0), load.unknown.get(k, 0), counted[k])
                for k in counted
                if counted[k] > load.accepted.get(k, 0) + load.unknown.get(k, 0)
            }
            assert extra == {}, f"counted more than was sent (accepted, unknown, counted): {extra}"
            ids = [v[0]["id"] for v in found.values()]
            pages = await self.pages(ids)
            assert {i: pages.get(i, 0) for i in ids} == dict.fromkeys(ids, 1)

        # A consumer whose database was away retries with backoff (0.5, 2, 5, 15, 30 s):
        # an event that failed four times is handled 52.5 s after its first attempt.
        await eventually(settled, timeout=timeout, interval=0.5)


def service_env(
    service: str, nats_url: str, postgres_url: str, redis_url: str, token: str
) -> dict[str, str]:
    return {
        "IMAS_NATS_URL": nats_url,
        "IMAS_DATABASE_URL": postgres_url,
        "IMAS_REDIS_URL": redis_url,
        f"{service.upper()}_DATABASE": service,
        "IMAS_BOOTSTRAP_ADMIN_TOKEN": token,
        "IMAS_LOG_FORMAT": "json",
        "IMAS_LOG_LEVEL": "warning",
        "NOTIFIER_RETRY_INTERVAL": "0.5",
    }


@pytest.fixture(scope="package")
async def mesh(
    tmp_path_factory: pytest.TempPathFactory, redis_url: str
) -> AsyncIterator[ChaosMesh]:
    """Every service as a process on a NATS and a PostgreSQL of the suite's own (so both can
    be restarted), the demo catalog loaded. One mesh for the whole suite: each test works on
    dedup keys or integrations of its own."""
    root = tmp_path_factory.mktemp("chaos")
    postgres = EmbeddedPostgres(root / "pg").start()
    nats = EmbeddedNats(root / "nats").start()
    token = secrets.token_urlsafe(32)
    processes: dict[str, ServiceProcess] = {}
    try:
        for svc in SERVICES:
            await ensure_database(postgres.url, svc)
        processes = {
            svc: ServiceProcess(
                svc, service_env(svc, nats.url, postgres.url, redis_url, token), root / f"{svc}.log"
            )
            for svc in SERVICES
        }
        for process in processes.values():
            process.start()
        await asyncio.gather(*(p.wait_ready(timeout=120) for p in processes.values()))
        bus = Bus("chaos", nats.url)
        await bus.connect()
        await bus.request(DEMO_CATALOG, CatalogApplied)
        await bus.close()
        yield ChaosMesh(
            nats=nats,
            postgres=postgres,
            processes=processes,
            databases={svc: with_database(postgres.url, svc) for svc in SERVICES},
            token=token,
        )
    finally:
        for process in processes.values():
            process.kill()
        nats.kill()
        postgres.stop()


@pytest.fixture
def keys(request: pytest.FixtureRequest) -> list[str]:
    """Dedup keys no other test uses: 20 of them, so the load is mostly duplicates."""
    prefix = f"{request.node.name[:40]}-{uuid.uuid4().hex[:6]}"
    return [f"{prefix}-{i}" for i in range(20)]
