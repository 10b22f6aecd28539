"""NATS, Redis or PostgreSQL killed with SIGKILL in the middle of a load through the API and
Alertmanager webhooks, then started again on the same port, socket and store: the services
recover by themselves (nobody restarts them), every accepted alert is counted once, every
page reaches the pager. Requests refused while a part is down (5xx) are not accepted:
monitoring retries them.

Redis comes back from its last snapshot (``save 60 1``, no append-only file): what it wrote
since is lost, as in a crash of a Redis run without persistence.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from imas_testing import eventually
from tests.chaos.conftest import SCALE, ChaosMesh
from tests.chaos.scenario import new_scenario
from tests.chaos.verdict import STEADY, UNDER_FAULT, check

pytestmark = pytest.mark.chaos

DOWNTIME = 2.0  # seconds the server stays down


async def fault(mesh: ChaosMesh, kill: Callable[[], None], start: Callable[[], Any]) -> float:
    await asyncio.sleep(SCALE.alerts / SCALE.rate / 3)
    killed = time.monotonic()
    kill()
    await asyncio.sleep(DOWNTIME)
    await asyncio.to_thread(start)
    return time.monotonic() - killed


async def killed_under_load(
    mesh: ChaosMesh, name: str, kill: Callable[[], None], start: Callable[[], Any], dups: int
) -> None:
    scenario = await new_scenario(mesh, f"kill-{name}")
    sent = await scenario.send(SCALE.alerts, rate=SCALE.rate, during=fault(mesh, kill, start))
    assert sent.total_accepted > 0, sent
    outcome = await check(scenario, sent, duplicates=dups, alerts=SCALE.alerts)
    assert mesh.all_running()
    await eventually(lambda: recovered(mesh), timeout=60, interval=0.5)
    print(f"kill -9 {name}: {outcome}")


async def recovered(mesh: ChaosMesh) -> None:
    """Every service says, on its internal port, that all is well again: its database, bus and
    Redis, its consumers, relay and loops. A stalled event loop is left out: on a machine busy
    with other work, a loop that waited for the CPU for 2 s fails readiness for 30 s, whatever
    the fault."""
    async with httpx.AsyncClient(timeout=10) as client:
        wrong = {}
        for name, process in mesh.processes.items():
            checks = (await client.get(f"{process.internal_url}/readyz")).json()["checks"]
            failing = {k: v for k, v in checks.items() if v != "ok" and k != "event loop"}
            if failing:
                wrong[name] = failing
    assert wrong == {}, wrong


async def test_nats_killed_under_load_recovers_and_loses_nothing(mesh: ChaosMesh) -> None:
    await killed_under_load(mesh, "nats", mesh.nats.kill, mesh.nats.start, dups=STEADY)


async def test_redis_killed_under_load_recovers_and_loses_nothing(mesh: ChaosMesh) -> None:
    await killed_under_load(mesh, "redis", mesh.redis.kill, mesh.redis.start, dups=STEADY)


async def test_postgres_killed_under_load_recovers_and_loses_nothing(mesh: ChaosMesh) -> None:
    # A page sent while the database was away cannot be marked sent: its lease lapses and it
    # goes again once PostgreSQL is back.
    await killed_under_load(
        mesh, "postgres", mesh.postgres.kill, mesh.postgres.start, dups=UNDER_FAULT
    )
