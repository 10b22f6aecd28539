from __future__ import annotations

import asyncio
import random
import signal
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest

from imas_contracts.escalation import PolicySpec, PolicyStep, StepTarget
from imas_escalation import store
from imas_escalation.timers.firing import Firer
from imas_escalation.timers.scheduler import Scheduler
from imas_testing import eventually
from services.escalation.tests.conftest import Harness

pytestmark = pytest.mark.integration

TIMERS = 10_000
STEPS = 10


async def seed(h: Harness, count: int, window: float) -> None:
    """``count`` step timers of ``count / STEPS`` runs, due at random over ``window`` s
    starting once they are all written (seeding 10,000 takes a second or two)."""
    policy = PolicySpec(
        team_id="team-1",
        name="Ten steps",
        steps=[
            PolicyStep(delay_minutes=i, targets=[StepTarget(kind="team")]) for i in range(STEPS)
        ],
    )
    start = datetime.now(UTC) + timedelta(seconds=0.5 + count / 5000)
    runs, timers = [], []
    for _ in range(count // STEPS):
        run_id = uuid.uuid4()
        runs.append(
            {
                "id": run_id,
                "incident_id": uuid.uuid4(),
                "team_id": "team-1",
                "policy_id": "p",
                "policy": msgspec.to_builtins(policy),
                "incident": {"title": "Disk full", "severity": "SEV2_HIGH"},
                "started_at": start,
            }
        )
        timers += [
            {
                "kind": "step",
                "run_id": run_id,
                "step": step,
                "due_at": start + timedelta(seconds=random.uniform(0, window)),
            }
            for step in range(STEPS)
        ]
    async with h.engine.begin() as conn:
        for run in runs:
            await store.create_run(conn, run)
        await store.add_timers(conn, timers)


async def test_two_replicas_fire_each_step_once_when_one_is_killed(h: Harness) -> None:
    """10,000 timers due over 5 s, two replicas; one is SIGKILLed once a third has fired:
    every step fires exactly once (one event, one page each) and none is skipped."""
    await seed(h, TIMERS, window=5.0)
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__).with_name("replica_worker.py")),
        h.url,
        "replica-a",
        stdout=asyncio.subprocess.PIPE,
    )
    assert worker.stdout is not None
    assert (await worker.stdout.readline()).strip() == b"ready"
    # Replica B uses the real clock, like A, and small batches so both take turns.
    firer = Firer(h.engine, public_url="http://imas.test")
    replica_b = Scheduler(h.engine, firer, poll=0.05, batch=100, replica="replica-b")
    stopping = asyncio.Event()
    loop = asyncio.create_task(replica_b.run(stopping))
    fired = "SELECT count(*) FROM timers WHERE status = 'fired'"
    try:

        async def a_third_fired() -> None:
            assert int(await h.scalar(fired)) >= TIMERS // 3  # type: ignore[call-overload]

        await eventually(a_third_fired, timeout=30, interval=0.01)
        worker.send_signal(signal.SIGKILL)  # mid-cycle: its open transaction rolls back
        await worker.wait()
        assert int(await h.scalar(fired)) < TIMERS  # type: ignore[call-overload]

        async def all_fired() -> None:
            assert await h.scalar(fired) == TIMERS

        await eventually(all_fired, timeout=60)
    finally:
        stopping.set()
        await loop
        if worker.returncode is None:
            worker.kill()
            await worker.wait()
    events = await h.scalar(
        "SELECT count(*) FROM outbox WHERE subject = 'escalation.step_fired.v1'"
    )
    distinct = await h.scalar(
        "SELECT count(DISTINCT (p->>'run_id', p->>'step', p->>'repeat')) FROM "
        "(SELECT convert_from(payload, 'UTF8')::jsonb AS p FROM outbox "
        " WHERE subject = 'escalation.step_fired.v1') s"
    )
    pages = await h.scalar(
        "SELECT count(DISTINCT convert_from(payload, 'UTF8')::jsonb->>'idempotency_key') "
        "FROM outbox WHERE subject = 'notifications.requested.v1'"
    )
    assert (events, distinct, pages) == (TIMERS, TIMERS, TIMERS)
    # Both replicas did part of the work (A before it was killed).
    replicas = await h.scalar("SELECT count(*) FROM heartbeats")
    assert replicas == 2
