"""Open-loop HTTP load: requests start on schedule whatever the answers, as monitoring does."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Outcome:
    started: float
    answered_wall: float
    latency: float
    status: int
    body: dict[str, Any] | None


@dataclass
class LoadResult:
    outcomes: list[Outcome] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0

    def status_counts(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for o in self.outcomes:
            counts[o.status] = counts.get(o.status, 0) + 1
        return counts


async def constant_rate(
    url: str,
    headers: dict[str, str],
    body_for: Callable[[int], dict[str, Any]],
    *,
    rate: float,
    seconds: float,
    max_in_flight: int = 500,
    keep_body: bool = True,
) -> LoadResult:
    """POST ``body_for(i)`` to ``url`` at ``rate`` per second for ``seconds``."""
    result = LoadResult()
    limits = httpx.Limits(max_connections=max_in_flight, max_keepalive_connections=max_in_flight)
    in_flight = asyncio.Semaphore(max_in_flight)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as client:

        async def one(i: int) -> None:
            async with in_flight:
                started = time.perf_counter()
                try:
                    response = await client.post(url, json=body_for(i))
                except httpx.HTTPError:
                    result.errors += 1
                    return
                result.outcomes.append(
                    Outcome(
                        started=started,
                        answered_wall=time.time(),
                        latency=time.perf_counter() - started,
                        status=response.status_code,
                        body=response.json() if keep_body and response.content else None,
                    )
                )

        total = int(rate * seconds)
        begin = time.perf_counter()
        tasks = []
        for i in range(total):
            due = begin + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i)))
        await asyncio.gather(*tasks)
        result.elapsed = time.perf_counter() - begin
    return result
