"""Heartbeat lateness: how long after its deadline (last ping + interval + grace) a missed
heartbeat is raised, measured as escalation's step lateness is.

Seeds N heartbeat integrations (default 2,000) in a scratch ingest database, each pinged once
so that its deadline falls uniformly over a window (default 30 s), and runs R heartbeat watches
(default 2, each with its own connection pool, as two ingest processes would) against it with
the real clock. Meanwhile a pinger keeps half of them alive (each pinged again before its
deadline, through the same store call as the gateway's ping: the row lock a claim skips), so
the watches claim around pings as they do in production. Lateness, per missed heartbeat: from
its deadline to the commit of the transaction that marked it down and wrote its alert to the
outbox. The table also says how many were raised more than once (never, with any number of
replicas) and how many kept alive were raised all the same (their ping came late: a loaded
machine).
Prints a table and writes bench/results/heartbeat_lateness.json.

    uv run python -m bench heartbeat_lateness
    uv run python -m bench.heartbeat_lateness [--heartbeats 2000] [--window 30] [--replicas 2]

PostgreSQL from IMAS_TEST_DATABASE_URL or IMAS_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import print_table, summary_ms, write_results
from bench.escalation_lateness import default_server
from imas_ingest import store
from imas_ingest.app import MIGRATIONS
from imas_ingest.heartbeats import HeartbeatWatch
from imas_ingest.settings import IngestSettings
from imas_runtime.db import drop_database, ensure_database, make_engine, with_database
from imas_runtime.migrations import upgrade_async

# The service's default: the longest wait before a replica sees a deadline another one set.
POLL = IngestSettings(service="ingest").heartbeat_poll
INTERVAL = 3600.0  # seconds; the deadlines are placed in the window by the seeded last ping


async def seed(url: str, count: int, window: float, lead: float) -> dict[uuid.UUID, datetime]:
    """``count`` heartbeats, up, due uniformly over ``window`` seconds from ``lead`` on."""
    engine = make_engine(url)
    start = datetime.now(UTC) + timedelta(seconds=lead)
    due: dict[uuid.UUID, datetime] = {}
    async with engine.begin() as conn:
        for i in range(count):
            integration_id = uuid.uuid4()
            await store.insert_integration(
                conn,
                {
                    "id": integration_id,
                    "name": f"bench-{i}",
                    "type": "heartbeat",
                    "secret_hash": uuid.uuid4().hex,
                    "secret_encrypted": b"-",
                },
            )
            await store.add_heartbeat(conn, integration_id, INTERVAL, 0.0)
            deadline = start + timedelta(seconds=random.uniform(0, window))
            await store.ping_heartbeat(conn, integration_id, deadline - timedelta(seconds=INTERVAL))
            due[integration_id] = deadline
    await engine.dispose()
    return due


async def keep_alive(url: str, due: dict[uuid.UUID, datetime], stopping: asyncio.Event) -> int:
    """Ping each heartbeat of ``due`` again a moment before its deadline; answers how many
    pings were sent."""
    engine = make_engine(url)
    sent = 0
    try:
        for integration_id, deadline in sorted(due.items(), key=lambda item: item[1]):
            wait = (deadline - timedelta(seconds=0.5) - datetime.now(UTC)).total_seconds()
            if wait > 0:
                await asyncio.sleep(wait)
            if stopping.is_set():
                break
            async with engine.begin() as conn:
                await store.ping_heartbeat(conn, integration_id, datetime.now(UTC))
            sent += 1
    finally:
        await engine.dispose()
    return sent


async def measure(count: int, window: float, replicas: int) -> dict[str, Any]:
    server = default_server()
    name = f"bench_heartbeats_{uuid.uuid4().hex[:6]}"
    await ensure_database(server, name)
    url = with_database(server, name)
    try:
        await upgrade_async(MIGRATIONS, url)
        due = await seed(url, count, window, lead=3.0 + count / 1000)
        kept = dict(list(due.items())[: count // 2])
        missed = count - len(kept)
        late: list[float] = []
        raised: Counter[str] = Counter()
        all_raised = asyncio.Event()

        def on_missed(deadlines: list[tuple[str, datetime]], raised_at: datetime) -> None:
            late.extend((raised_at - d).total_seconds() for _, d in deadlines)
            raised.update(i for i, _ in deadlines)
            if len(late) >= missed:
                all_raised.set()

        engines = [make_engine(url) for _ in range(replicas)]
        watches = [HeartbeatWatch(e, poll=POLL, on_missed=on_missed) for e in engines]
        stopping = asyncio.Event()
        tasks = [asyncio.create_task(w.run(stopping)) for w in watches]
        pinger = asyncio.create_task(keep_alive(url, kept, stopping))
        await all_raised.wait()
        # The last kept deadline may come after the last missed one: let its ping land.
        await asyncio.sleep(max(0.0, (max(due.values()) - datetime.now(UTC)).total_seconds()))
        await asyncio.sleep(2 * POLL)
        stopping.set()
        pings = await pinger
        await asyncio.gather(*tasks)
        async with engines[0].connect() as conn:
            statuses = Counter(r.heartbeat_status for r in await store.list_integrations(conn))
        for engine in engines:
            await engine.dispose()
    finally:
        await drop_database(server, name)
    return {
        "heartbeats": count,
        "kept_alive": pings,
        "missed": missed,
        "raised": len(late),
        "raised_twice": sum(1 for n in raised.values() if n > 1),
        "kept_but_raised": sum(1 for i in kept if str(i) in raised),
        "down_at_end": statuses["down"],
        **summary_ms(late),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--heartbeats", type=int, default=2_000)
    parser.add_argument("--window", type=float, default=30.0)
    parser.add_argument("--replicas", type=int, default=2)
    args = parser.parse_args()
    row = asyncio.run(measure(args.heartbeats, args.window, args.replicas))
    result = {
        "heartbeats": args.heartbeats,
        "window_seconds": args.window,
        "replicas": args.replicas,
        "poll_seconds": POLL,
        "rows": [row],
    }
    print_table(
        f"heartbeat lateness: {args.heartbeats} deadlines over {args.window:g} s, half kept "
        f"alive, {args.replicas} watch replicas (deadline -> miss committed)",
        result["rows"],
    )
    write_results("heartbeat_lateness", result)


if __name__ == "__main__":
    main()
