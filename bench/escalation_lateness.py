"""Escalation step lateness: how long after its due time each timer fires, with and without
ingest load.

Seeds N step timers (default 10,000) due uniformly over a window (default 60 s) in a scratch
database, runs R scheduler replicas (default 2, each with its own connection pool, as two
processes would) against it with the real clock, and measures, per timer, the time from its
due instant to the commit of the transaction that fired it (pages written to the outbox).

Two rows: the schedulers alone, then again while the mesh (gateway, ingest, incidents,
notifier, escalation as processes) takes single-alert webhook POSTs at a steady rate (default
100/s, 90% duplicates, so one alert in ten opens an incident that pages and escalates), sent
by a generator process of its own; the scratch database then lives on the mesh's PostgreSQL.
Prints a table and writes bench/results/escalation_lateness.json.

    uv run python -m bench escalation_lateness
    uv run python -m bench.escalation_lateness [--timers 10000] [--window 60] [--replicas 2]
        [--load-rate 100] [--only quiet|loaded]

PostgreSQL from IMAS_TEST_DATABASE_URL or IMAS_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/postgres); the loaded row uses it too when
IMAS_TEST_DATABASE_URL is set (else an embedded one, see bench/common.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from bench._ingest import create_integration
from bench.common import print_table, running_mesh, summary_ms, write_results
from bench.load import constant_rate
from imas_contracts.escalation import PolicySpec, PolicyStep, StepTarget
from imas_escalation import store
from imas_escalation.app import MIGRATIONS
from imas_escalation.settings import EscalationSettings
from imas_escalation.timers.firing import Firer
from imas_escalation.timers.scheduler import Scheduler
from imas_runtime.db import drop_database, ensure_database, make_engine, with_database
from imas_runtime.migrations import upgrade_async

STEPS = 10
MESH = ("incidents", "ingest", "notifier", "escalation", "gateway")
WARM_UP = 5.0  # seconds of load before the timers are seeded
ACCEPTED = (200, 201, 202)
LOAD_COLUMNS = ("load_offered_per_s", "load_accepted", "load_5xx", "load_errors")
# The service's default: the longest wait before a replica sees timers another one committed.
POLL = EscalationSettings(service="escalation").poll_interval


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


def seeding_lead(timers: int) -> float:
    """Seconds from the start of seeding to the window's: seeding 10,000 timers takes a few."""
    return 3.0 + timers / 2000


async def lateness(server: str, timers: int, window: float, replicas: int) -> list[float]:
    """Seed a scratch database on ``server``, fire every timer with ``replicas`` schedulers
    (the service's default poll interval), return each timer's lateness in seconds."""
    name = f"bench_escalation_{uuid.uuid4().hex[:6]}"
    await ensure_database(server, name)
    url = with_database(server, name)
    try:
        await upgrade_async(MIGRATIONS, url)
        await seed(url, timers, window, lead=seeding_lead(timers))
        late: list[float] = []
        all_fired = asyncio.Event()

        def on_fired(due: list[datetime], fired_at: datetime) -> None:
            late.extend((fired_at - d).total_seconds() for d in due)
            if len(late) >= timers:
                all_fired.set()

        engines = [make_engine(url) for _ in range(replicas)]
        schedulers = [
            Scheduler(
                e,
                Firer(e, public_url="http://bench"),
                poll=POLL,
                replica=f"r{i}",
                on_fired=on_fired,
            )
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
    return late


def default_server() -> str:
    return os.environ.get("IMAS_TEST_DATABASE_URL") or os.environ.get(
        "IMAS_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )


async def quiet(timers: int, window: float, replicas: int) -> dict[str, Any]:
    late = await lateness(default_server(), timers, window, replicas)
    return {"ingest_load": "none", **summary_ms(late), **dict.fromkeys(LOAD_COLUMNS, "-")}


async def loaded(timers: int, window: float, replicas: int, rate: float) -> dict[str, Any]:
    """The same measure while the mesh takes webhooks at ``rate``/s from another process."""
    async with running_mesh(MESH) as mesh:
        integration = await create_integration(mesh, "custom", "postgres-prod")
        token = integration["webhook_url"].split("token=")[1]
        url = f"{mesh.gateway}/api/v1/webhooks/custom/?token={token}"
        seconds = WARM_UP + seeding_lead(timers) + window + 5
        generator = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.escalation_lateness",
            "--generate",
            url,
            "--load-rate",
            str(rate),
            "--seconds",
            str(seconds),
            stdout=asyncio.subprocess.PIPE,
        )
        await asyncio.sleep(WARM_UP)
        server = with_database(mesh.databases["escalation"], "postgres")
        late = await lateness(server, timers, window, replicas)
        out, _ = await generator.communicate()
    load = json.loads(out.decode().strip().splitlines()[-1])
    return {
        "ingest_load": f"{rate:g} webhooks/s",
        **summary_ms(late),
        **{f"load_{k}": load[k] for k in ("offered_per_s", "accepted", "5xx", "errors")},
    }


async def generate(url: str, rate: float, seconds: float) -> None:
    """The load generator process: POST alerts at ``rate`` for ``seconds``, print a summary."""
    run = uuid.uuid4().hex[:6]

    def alert(i: int) -> dict[str, object]:
        # One alert in ten is new; the others repeat one of a hundred open problems.
        key = f"{run}-new-{i}" if i % 10 == 0 else f"{run}-dup-{i % 100}"
        return {"title": f"Disk almost full ({key})", "severity": "warning", "dedup_key": key}

    result = await constant_rate(url, {}, alert, rate=rate, seconds=seconds, keep_body=False)
    statuses = result.status_counts()
    summary = {
        "offered_per_s": round(int(rate * seconds) / result.elapsed, 1),
        "accepted": sum(n for s, n in statuses.items() if s in ACCEPTED),
        "5xx": sum(n for s, n in statuses.items() if s >= 500),
        "errors": result.errors,
    }
    print(json.dumps(summary), flush=True)


async def run(
    timers: int, window: float, replicas: int, rate: float, only: str | None
) -> dict[str, Any]:
    rows = []
    if only in (None, "quiet"):
        rows.append(await quiet(timers, window, replicas))
    if only in (None, "loaded"):
        rows.append(await loaded(timers, window, replicas, rate))
    return {
        "timers": timers,
        "window_seconds": window,
        "replicas": replicas,
        "poll_seconds": POLL,
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--timers", type=int, default=10_000)
    parser.add_argument("--window", type=float, default=60.0)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--load-rate", type=float, default=100.0, help="webhooks per second")
    parser.add_argument("--only", choices=("quiet", "loaded"), help="measure one row only")
    parser.add_argument("--generate", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=60.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        asyncio.run(generate(args.generate, args.load_rate, args.seconds))
        return
    result = asyncio.run(run(args.timers, args.window, args.replicas, args.load_rate, args.only))
    print_table(
        f"escalation lateness: {args.timers} timers due over {args.window:g} s, "
        f"{args.replicas} scheduler replicas (due -> firing transaction committed)",
        result["rows"],
    )
    write_results("escalation_lateness", result)


if __name__ == "__main__":
    main()
