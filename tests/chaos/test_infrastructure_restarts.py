"""NATS or PostgreSQL restarted under load: the services recover by themselves (nobody restarts
them) and nothing that was accepted is lost. Requests refused while a part is down (5xx) are
not accepted: monitoring retries them."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from imas_runtime.testing import eventually
from tests.chaos.conftest import FULL, SCALE, ChaosMesh, Load

pytestmark = pytest.mark.chaos

DOWNTIME = 2.0  # seconds the server stays down


async def accepts_again(mesh: ChaosMesh, key: str, load: Load) -> None:
    """Wait until the gateway accepts an alert again, counting every attempt into ``load``."""

    async def accepted() -> None:
        attempt = await mesh.load([key], 1)
        for k, n in attempt.unknown.items():
            load.unknown[k] = load.unknown.get(k, 0) + n
        for k, n in attempt.accepted.items():
            load.accepted[k] = load.accepted.get(k, 0) + n
        assert attempt.total_accepted == 1, attempt

    await eventually(accepted, timeout=60, interval=0.5)


async def test_nats_restart_under_load_recovers_and_loses_nothing(
    mesh: ChaosMesh, keys: list[str]
) -> None:
    async def restart_nats() -> None:
        await asyncio.sleep(SCALE.alerts_per_kill / SCALE.rate / 3)
        mesh.nats.kill()  # SIGKILL: same port, same store directory when it comes back
        await asyncio.sleep(DOWNTIME)
        await asyncio.to_thread(mesh.nats.start)

    load = await mesh.load(keys, SCALE.alerts_per_kill, during=restart_nats())
    await accepts_again(mesh, keys[0], load)
    await mesh.assert_nothing_lost(keys, load)
    assert all(p.proc is not None and p.proc.poll() is None for p in mesh.processes.values())


@pytest.mark.skipif(
    not FULL,
    reason="full suite only (make chaos): recovery waits out the consumers' retry backoff, ~60 s",
)
async def test_postgres_restart_under_load_recovers_and_loses_nothing(
    mesh: ChaosMesh, keys: list[str]
) -> None:
    async def restart_postgres() -> None:
        await asyncio.sleep(SCALE.alerts_per_kill / SCALE.rate / 3)
        await asyncio.to_thread(mesh.postgres.stop)
        await asyncio.sleep(DOWNTIME)
        await asyncio.to_thread(mesh.postgres.start)

    load = await mesh.load(keys, SCALE.alerts_per_kill, during=restart_postgres())
    await accepts_again(mesh, keys[0], load)
    await mesh.assert_nothing_lost(keys, load)
    assert all(p.proc is not None and p.proc.poll() is None for p in mesh.processes.values())
    async with httpx.AsyncClient() as client:
        for process in mesh.processes.values():
            assert (await client.get(f"{process.url}/readyz")).status_code == 200
