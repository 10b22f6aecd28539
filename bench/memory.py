"""Resident memory of each service process, idle, under load and, for the gateway, while 200
wrong passwords are tried in parallel.

Idle: after start-up and a few quiet seconds. Under load: the peak while single-alert POSTs
arrive at ``--rate`` per second (90% duplicates of a few open incidents, 10% new ones). Sign-in
flood: the gateway's high-water mark (the kernel's, so no peak between samples is missed) once
200 sign-ins with wrong passwords, each from an address and for a username of its own (a botnet
spraying passwords: no throttle slows it), have all been answered.

    uv run python -m bench.memory [--rate 200] [--seconds 15]

Exits 1 when a service is over the budget (DESIGN §7), naming it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import uuid

import httpx

from bench.common import print_table, running_mesh, write_results
from bench.load import constant_rate
from imas_testing.sign_ins import wrong_sign_in

MB = 1024 * 1024
IDLE_BUDGET_MB = 120
LOAD_BUDGET_MB = 200
GUESSES = 200


def alert(run: str, i: int) -> dict[str, object]:
    """Nine in ten repeat one of five open incidents; one in ten opens a new one."""
    key = f"{run}-new-{i}" if i % 10 == 0 else f"{run}-hot-{i % 5}"
    return {
        "title": f"Redis latency {key}",
        "service_name": "redis-prod",
        "severity": "SEV3_MEDIUM",
        "dedup_key": key,
    }


async def sign_in_flood(gateway: str) -> dict[int, int]:
    """``GUESSES`` wrong passwords at once; how many answers of each status."""
    limits = httpx.Limits(max_connections=GUESSES + 10, max_keepalive_connections=GUESSES + 10)
    async with httpx.AsyncClient(base_url=gateway, timeout=120, limits=limits) as http:
        statuses = await asyncio.gather(*(wrong_sign_in(http, i) for i in range(GUESSES)))
    return {status: statuses.count(status) for status in sorted(set(statuses))}


async def main(rate: float, seconds: float) -> int:
    run = uuid.uuid4().hex[:6]
    async with running_mesh() as mesh:
        await asyncio.sleep(3)  # let start-up garbage settle before the idle reading
        idle = {name: p.rss_bytes() for name, p in mesh.processes.items()}
        peak = dict(idle)
        sampling = True

        async def sample() -> None:
            while sampling:
                for name, process in mesh.processes.items():
                    peak[name] = max(peak[name], process.rss_bytes())
                await asyncio.sleep(0.25)

        sampler = asyncio.create_task(sample())
        result = await constant_rate(
            f"{mesh.gateway}/api/v1/incidents/",
            mesh.auth,
            lambda i: alert(run, i),
            rate=rate,
            seconds=seconds,
            keep_body=False,
        )
        sampling = False
        with contextlib.suppress(asyncio.CancelledError):
            await sampler
        gateway = mesh.processes["gateway"]
        sign_ins = await sign_in_flood(mesh.gateway)
        flood_peak = gateway.peak_rss_bytes()
    rows = [
        {
            "service": name,
            "idle_mb": round(idle[name] / MB, 1),
            "under_load_mb": round(peak[name] / MB, 1),
            "sign_in_flood_mb": round(flood_peak / MB, 1) if name == "gateway" else None,
            "idle_target_mb": IDLE_BUDGET_MB,
            "load_target_mb": LOAD_BUDGET_MB,
        }
        for name in idle
    ]
    print_table(
        f"RSS per service, idle and peak at {rate:.0f} POST/s for {seconds:.0f}s "
        f"(statuses {result.status_counts()}); gateway's high-water mark after {GUESSES} "
        f"wrong passwords in parallel (answers {sign_ins})",
        rows,
    )
    write_results(
        "memory",
        {
            "rate_per_s": rate,
            "seconds": seconds,
            "statuses": {str(k): v for k, v in result.status_counts().items()},
            "sign_in_guesses": GUESSES,
            "sign_in_statuses": {str(k): v for k, v in sign_ins.items()},
            "services": rows,
        },
    )
    over = [
        row["service"]
        for row in rows
        if row["idle_mb"] > IDLE_BUDGET_MB
        or row["under_load_mb"] > LOAD_BUDGET_MB
        or (row["sign_in_flood_mb"] or 0) > LOAD_BUDGET_MB
    ]
    if over:
        print(f"over the memory budget: {', '.join(over)}")
    return 1 if over else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.rate, args.seconds)))
