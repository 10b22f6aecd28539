"""The mesh as separate OS processes on real NATS, PostgreSQL and Redis."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from imas_cli.demo import DEMO_CATALOG, DEMO_PROVIDER
from imas_testing.processes import ProcessMesh
from imas_testing.processes import running_processes as harness

__all__ = ["MESH", "ProcessMesh", "running_processes"]

# The whole mesh, the gateway last (it asks the others as it starts).
MESH = ("incidents", "ingest", "notifier", "escalation", "warroom", "gateway")


@contextlib.asynccontextmanager
async def running_processes(
    services: tuple[str, ...],
    nats_url: str,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
    log_dir: Path,
    extra_env: dict[str, str] | None = None,
    ready_timeout: float = 60.0,
) -> AsyncIterator[ProcessMesh]:
    """``services`` as OS processes (:func:`imas_testing.processes.running_processes`), each
    on a fresh database of the test's; killed afterwards."""
    databases = {svc: await fresh_database(svc[:3]) for svc in services}
    async with harness(
        services,
        nats_url=nats_url,
        postgres_url=postgres_url,
        redis_url=redis_url,
        databases=databases,
        log_dir=log_dir,
        env={"NOTIFIER_RETRY_INTERVAL": "0.5", **(extra_env or {})},
        ready_timeout=ready_timeout,
        catalog=DEMO_CATALOG,
        provider=DEMO_PROVIDER,
    ) as mesh:
        yield mesh


@pytest.fixture
async def process_mesh(
    fresh_nats_url: str,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
    tmp_path: Path,
) -> AsyncIterator[ProcessMesh]:
    # Six Python processes starting at once on a busy machine take minutes of wall time:
    # a deadline, not a wait.
    async with running_processes(
        MESH, fresh_nats_url, postgres_url, redis_url, fresh_database, tmp_path, ready_timeout=300
    ) as mesh:
        yield mesh
