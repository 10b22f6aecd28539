"""The mesh as separate OS processes on real NATS, PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from imas_cli.demo import DEMO_CATALOG
from imas_contracts.incidents import CatalogApplied
from imas_runtime.bus import Bus
from imas_runtime.db import with_database
from imas_runtime.processes import ServiceProcess

MESH = ("incidents", "ingest", "notifier", "gateway")


@dataclass
class ProcessMesh:
    processes: dict[str, ServiceProcess]
    databases: dict[str, str]
    token: str

    @property
    def gateway(self) -> str:
        return self.processes["gateway"].url

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}


@pytest.fixture
async def process_mesh(
    fresh_nats_url: str,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
    tmp_path: Path,
) -> AsyncIterator[ProcessMesh]:
    nats_url = fresh_nats_url
    token = secrets.token_urlsafe(32)
    databases = {svc: await fresh_database(svc[:3]) for svc in MESH}
    processes = {
        svc: ServiceProcess(
            svc,
            {
                "IMAS_NATS_URL": nats_url,
                "IMAS_DATABASE_URL": postgres_url,
                "IMAS_REDIS_URL": redis_url,
                f"{svc.upper()}_DATABASE": databases[svc],
                "IMAS_BOOTSTRAP_ADMIN_TOKEN": token,
                "IMAS_LOG_FORMAT": "json",
                "NOTIFIER_RETRY_INTERVAL": "0.5",
            },
            tmp_path / f"{svc}.log",
        )
        for svc in MESH
    }
    for process in processes.values():
        process.start()
    try:
        await asyncio.gather(*(p.wait_ready() for p in processes.values()))
        bus = Bus("test", nats_url)
        await bus.connect()
        await bus.request(DEMO_CATALOG, CatalogApplied)
        await bus.close()
        yield ProcessMesh(
            processes=processes,
            databases={svc: with_database(postgres_url, db) for svc, db in databases.items()},
            token=token,
        )
    finally:
        for process in processes.values():
            process.kill()
