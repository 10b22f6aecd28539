"""The supervisor and the readiness registry, on their own (no servers needed)."""

from __future__ import annotations

import asyncio

from imas_runtime.supervision import Health, Supervisor
from imas_testing import eventually


def test_a_problem_reported_for_a_while_lapses_and_one_without_ttl_stays() -> None:
    health = Health()
    health.watch("relay")
    health.report("consumer a", "dead letters", "dead letters cannot be published", ttl=-1)
    health.report("consumer a", "behind", "behind: 300s")
    assert health.status() == {"relay": "ok", "consumer a": "behind: 300s"}
    health.clear("consumer a", "behind")
    assert health.status()["consumer a"] == "ok"


async def test_a_loop_that_returns_early_is_restarted_with_backoff_until_stopped() -> None:
    health = Health()
    stopping = asyncio.Event()
    supervisor = Supervisor(health, stopping, backoff=(0.01, 0.05), up_after=0.5)
    calls: list[int] = []

    async def returns_at_once(event: asyncio.Event) -> None:
        calls.append(1)

    supervisor.start("sweeper", returns_at_once)

    async def restarted() -> None:
        assert len(calls) >= 3
        assert health.status()["sweeper"].startswith("down: returned while the service runs")

    await eventually(restarted)
    stopping.set()
    await supervisor.wait(supervisor.names(), timeout=1)
    count = len(calls)
    await asyncio.sleep(0.1)
    assert len(calls) == count  # nothing restarts a stopped service's loops


async def test_a_loop_that_ignores_stopping_is_cancelled_after_its_time() -> None:
    stopping = asyncio.Event()
    supervisor = Supervisor(Health(), stopping)
    cancelled = asyncio.Event()

    async def stubborn(event: asyncio.Event) -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            cancelled.set()

    supervisor.start("stubborn", stubborn)
    await asyncio.sleep(0)
    stopping.set()
    await supervisor.wait(["stubborn"], timeout=0.1)
    assert cancelled.is_set()
