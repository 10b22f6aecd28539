"""Open-loop HTTP load: requests start on schedule whatever the answers, as monitoring does."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from imas_testing.rawhttp import Client, HttpError


@dataclass
class Outcome:
    index: int
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
    client = Client(url, headers, max_connections=max_in_flight)

    async def one(i: int) -> None:
        started = time.perf_counter()
        try:
            status, body = await asyncio.wait_for(client.post(body_for(i)), timeout=30)
        except (HttpError, TimeoutError):
            result.errors += 1
            return
        result.outcomes.append(
            Outcome(
                index=i,
                started=started,
                answered_wall=time.time(),
                latency=time.perf_counter() - started,
                status=status,
                # Failures keep their answer: it says what went wrong.
                body=msgspec.json.decode(body) if (keep_body or status >= 500) and body else None,
            )
        )

    total = int(rate * seconds)
    begin = time.perf_counter()
    tasks = []
    # Start requests in small batches on a fine schedule: one timer per request costs the
    # generator more CPU than the request itself at high rates.
    for i in range(total):
        delay = begin + i / rate - time.perf_counter()
        if delay > 0.002:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    result.elapsed = time.perf_counter() - begin
    client.close()
    return result
