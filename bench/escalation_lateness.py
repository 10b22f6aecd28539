"""Escalation step lateness: how long after its due time each timer fires.

Seeds N step timers (default 10,000) due uniformly over a window (default 60 s) in a scratch
database, runs R scheduler replicas (default 2, each with its own connection pool, as two
processes would) against it with the real clock, and measures, per timer, the time from its
due instant to the commit of the transaction that fired it (pages written to the outbox).
Prints a table and writes bench/results/escalation_lateness.json.

    uv run python -m bench escalation_lateness
    uv run python -m bench.escalation_lateness [--timers 10000] [--window 60] [--replicas 2]

PostgreSQL from IMAS_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import uuid
from datetime import UTC, datetime, timedelta

import msgspec

from bench.common import print_table, summary_ms, write_results
from imas_contracts.escalation import PolicySpec, PolicyStep, StepTarget
from imas_escalation import store
from imas_escalation.app import MIGRATIONS
from imas_escalation.firing import Firer
from imas_escalation.scheduler import Scheduler
from imas_runtime.db import drop_database, ensure_database, make_engine, with_database
from imas_runtime.migrations import upgrade_async

STEPS = 10


async def seed(url: str, timers: int, window: float, lead: float) -> datetime:
    engine = make_engine(url)
    policy = PolicySpec(
        team_id="team-1",
        name="Ten steps",
        steps=[
            PolicyStep(delay_minutes=i, targets=[StepTarget(kind="team")]) for i in range(STEPS)
        ],
    )
    start = datetime.now(UTC) + timedelta(seconds=lead)
    async with engine.begin() as conn:
        for _ in range(timers // STEPS):
            run_id = uuid.uuid4()
            await store.create_run(
                conn,
                {
                    "id": run_id,
                    "incident_id": uuid.uuid4(),
                    "team_id": "team-1",
                    "policy_id": "bench",
                    "policy": msgspec.to_builtins(policy),
                    "incident": {"title": "Bench", "severity": "SEV2_HIGH"},
                    "started_at": start,
                },
            )
            await store.add_timers(
                conn,
                [
                    {
                        "kind": "step",
                        "run_id": run_id,
                        "step": step,
                        "due_at": start + timedelta(seconds=random.uniform(0, window)),
                    }
                    for step in range(STEPS)
                ],
            )
    await engine.dispose()
    return start


async def run(timers: int, window: float, replicas: int) -> dict[str, object]:
    server = os.environ.get("IMAS_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"bench_escalation_{uuid.uuid4().hex[:6]}"
    await ensure_database(server, name)
    url = with_database(server, name)
    try:
        await upgrade_async(MIGRATIONS, url)
        # Seeding 10,000 timers takes a few seconds: the window starts after it.
        await seed(url, timers, window, lead=3.0 + timers / 2000)
        lateness: list[float] = []
        all_fired = asyncio.Event()

        def on_fired(due: list[datetime], fired_at: datetime) -> None:
            lateness.extend((fired_at - d).total_seconds() for d in due)
            if len(lateness) >= timers:
                all_fired.set()

        engines = [make_engine(url) for _ in range(replicas)]
        schedulers = [
            Scheduler(e, Firer(e, public_url="http://bench"), replica=f"r{i}", on_fired=on_fired)
            for i, e in enumerate(engines)
        ]
        stopping = asyncio.Event()
        tasks = [asyncio.create_task(s.run(stopping)) for s in schedulers]
        await all_fired.wait()
        stopping.set()
        await asyncio.gather(*tasks)
        for engine in engines:
            await engine.dispose()
    finally:
        await drop_database(server, name)
    return {
        "timers": timers,
        "window_seconds": window,
        "replicas": replicas,
        "poll_seconds": schedulers[0].poll,
        "lateness": summary_ms(lateness),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timers", type=int, default=10_000)
    parser.add_argument("--window", type=float, default=60.0)
    parser.add_argument("--replicas", type=int, default=2)
    args = parser.parse_args()
    result = asyncio.run(run(args.timers, args.window, args.replicas))
    print_table(
        f"escalation lateness: {args.timers} timers due over {args.window:g} s, "
        f"{args.replicas} scheduler replicas (due -> firing transaction committed)",
        [result["lateness"]],
    )
    write_results("escalation_lateness", result)


if __name__ == "__main__":
    main()
