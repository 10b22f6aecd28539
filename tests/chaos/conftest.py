"""The whole mesh as OS processes on servers the test owns, so it can break any of them.

``IMAS_CHAOS_SCALE=full`` (what ``make chaos`` sets) runs the full suite: 1,000 alerts per
fault, Alertmanager replicas 15 s apart, and the faults that need a mesh of their own or wait
out long backoffs. Without it (``make test``) the same tests run a bounded form: fewer alerts,
replicas 1.5 s apart.

NATS, PostgreSQL and Redis are the suite's own (embedded, in a temp directory), so a test can
kill them under the services' feet; never the machine's shared servers. Every page of a
test's incidents goes to one HTTP receiver, the pager (:mod:`tests.chaos.pager`), through the
outbound ``webhook`` provider: tests count what reached it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from imas_cli.demo import DEMO_CATALOG, DEMO_PROVIDER
from imas_runtime.db import asyncpg_dsn, ensure_database
from imas_runtime.embedded import EmbeddedNats, EmbeddedNatsCluster, EmbeddedPostgres, EmbeddedRedis
from imas_testing.processes import ProcessMesh, running_processes
from tests.chaos.pager import PageSink

# Started in this order: the gateway last, once what it calls is up.
SERVICES = ("incidents", "ingest", "notifier", "escalation", "warroom", "gateway")
# How long a service process may take to start (a deadline, not a wait): on a machine busy
# with other work, six Python processes starting at once take minutes of wall time.
START_TIMEOUT = 300.0
FULL = os.environ.get("IMAS_CHAOS_SCALE", "").lower() == "full"
# ESCALATION_STATE_CHECK_PATIENCE (its default): how long a due step waits for incidents to
# say whether its incident is still unacknowledged before it pages unconfirmed.
PATIENCE = 60.0
full_only = pytest.mark.skipif(not FULL, reason="full suite only (make chaos)")


@dataclass(frozen=True)
class Scale:
    alerts: int  # alerts per fault, half through each door
    rate: float  # alerts per second during a load
    replica_gap: float  # seconds between Alertmanager replicas


SCALE = Scale(1000, 100.0, 15.0) if FULL else Scale(120, 60.0, 1.5)


@dataclass
class ChaosMesh(ProcessMesh):
    """The processes (:class:`imas_testing.processes.ProcessMesh`) and the servers under them."""

    nats: EmbeddedNats | EmbeddedNatsCluster
    postgres: EmbeddedPostgres
    redis: EmbeddedRedis
    sink: PageSink

    async def restart(self, name: str, timeout: float = START_TIMEOUT) -> None:
        """SIGKILL the process and start it again."""
        await super().restart(name, timeout)

    async def fetch(self, service: str, sql: str, *args: Any) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(asyncpg_dsn(self.databases[service]))
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()


@contextlib.asynccontextmanager
async def running_mesh(
    root: Path,
    sink: PageSink,
    *,
    nats: EmbeddedNats | EmbeddedNatsCluster,
    replicas: int = 1,
) -> AsyncIterator[ChaosMesh]:
    """Every service (``replicas`` processes of each) on ``nats`` and on a PostgreSQL and a
    Redis of the mesh's own, the demo catalog and its ``log`` provider loaded, every
    ``webhook`` page sent to ``sink``."""
    postgres = EmbeddedPostgres(root / "pg", fsync=False).start()
    redis = EmbeddedRedis(root / "redis").start()
    nats.start()
    env = {
        "IMAS_LOG_LEVEL": "warning",
        "NOTIFIER_RETRY_INTERVAL": "0.5",
        "ESCALATION_STATE_CHECK_PATIENCE": str(PATIENCE),
    }
    if isinstance(nats, EmbeddedNatsCluster):
        env["IMAS_STREAM_REPLICAS"] = str(nats.size)
    try:
        for svc in SERVICES:
            await ensure_database(postgres.url, svc)
        async with running_processes(
            SERVICES,
            nats_url=nats.url,
            postgres_url=postgres.url,
            redis_url=redis.url,
            databases={svc: svc for svc in SERVICES},
            log_dir=root,
            env=env,
            replicas=replicas,
            ready_timeout=START_TIMEOUT,
            catalog=DEMO_CATALOG,
            provider=DEMO_PROVIDER,
        ) as processes:
            mesh = ChaosMesh(
                **vars(processes), nats=nats, postgres=postgres, redis=redis, sink=sink
            )
            async with httpx.AsyncClient(
                base_url=mesh.gateway, headers=mesh.auth, timeout=30
            ) as client:
                answer = await client.post(
                    "/api/v1/notification-providers/",
                    json={
                        "name": "pager",
                        "kind": "webhook",
                        "config": {"url": f"{sink.url}/page"},
                    },
                )
                assert answer.status_code == 201, answer.text
            yield mesh
    finally:
        nats.kill()
        redis.kill()
        postgres.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A fault test runs loads, restarts and recoveries: it gets more than the suite's default
    per-test timeout (`make chaos` gives every test 600 s)."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(600))


@pytest.fixture(scope="package")
async def sink() -> AsyncIterator[PageSink]:
    async with PageSink() as pager:
        yield pager


@pytest.fixture(scope="package")
async def mesh(
    tmp_path_factory: pytest.TempPathFactory, sink: PageSink
) -> AsyncIterator[ChaosMesh]:
    """One mesh for the whole suite, on one NATS server: each test works on a team, service
    and integration of its own (:func:`tests.chaos.scenario.new_scenario`)."""
    root = tmp_path_factory.mktemp("chaos")
    async with running_mesh(root, sink, nats=EmbeddedNats(root / "nats")) as running:
        yield running
