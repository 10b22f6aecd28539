"""Resident memory of each service process, idle and under load.

Idle: after start-up and a few quiet seconds. Under load: the peak while single-alert POSTs
arrive at ``--rate`` per second (90% duplicates of a few open incidents, 10% new ones).

    uv run python -m bench.memory [--rate 200] [--seconds 15]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import uuid

from bench.common import print_table, running_mesh, write_results
from bench.load import constant_rate

MB = 1024 * 1024


def alert(run: str, i: int) -> dict[str, object]:
    """Nine in ten repeat one of five open incidents; one in ten opens a new one."""
    key = f"{run}-new-{i}" if i % 10 == 0 else f"{run}-hot-{i % 5}"
    return {
        "title": f"Redis latency {key}",
        "service_name": "redis-prod",
        "severity": "SEV3_MEDIUM",
        "dedup_key": key,
    }


async def main(rate: float, seconds: float) -> None:
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
    rows = [
        {
            "service": name,
            "idle_mb": round(idle[name] / MB, 1),
            "under_load_mb": round(peak[name] / MB, 1),
            "idle_target_mb": 120,
            "load_target_mb": 200,
        }
        for name in idle
    ]
    print_table(
        f"RSS per service, idle and peak at {rate:.0f} POST/s for {seconds:.0f}s "
        f"(statuses {result.status_counts()})",
        rows,
    )
    write_results(
        "memory",
        {
            "rate_per_s": rate,
            "seconds": seconds,
            "statuses": {str(k): v for k, v in result.status_counts().items()},
            "services": rows,
        },
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    asyncio.run(main(args.rate, args.seconds))
