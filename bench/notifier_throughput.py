"""Pages per second to a local webhook receiver, and incidents.triggered → provider call.

The notifier runs as its own process (incidents beside it only to apply the demo catalog);
``IncidentTriggered`` events are published straight onto JetStream, which isolates the
notifier from the API and from incident handling. Each is a SEV4 incident with no team, so
the default routing sends exactly one ticket (the outbound webhook provider configured through
``notifier.provider.put.v1``); a stored rule silences the team log line. Latency is the
receiver's clock when the request arrived minus the event's ``occurred_at`` (same machine).

Two phases: a paced one (latency when the notifier keeps up) and a burst of ``--burst``
events published as fast as JetStream takes them (deliveries per second).

    uv run python -m bench.notifier_throughput [--burst 2000] [--rate 100] [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from typing import Any

from bench.common import print_table, running_mesh, summary_ms, write_results
from imas_contracts.incidents import IncidentTriggered
from imas_runtime.bus import Bus
from imas_runtime.fake_providers import WebhookReceiver
from tests.e2e.notifier_pages import page_tickets_to, sev4_triggered


class TimedReceiver(WebhookReceiver):
    """Notes when each page arrived (before answering), by ``X-Webhook-Id``."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: dict[str, float] = {}
        self.incident_of: dict[str, str] = {}

    async def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
        delivery = headers.get("x-webhook-id", "")
        self.arrived.setdefault(delivery, time.time())
        self.incident_of[delivery] = str((body or {}).get("incident", {}).get("incident_id", ""))
        return await super().handle(method, path, headers, body)


async def publish_paced(bus: Bus, run: str, rate: float, seconds: float) -> dict[str, float]:
    """Publish ``rate`` events a second for ``seconds``; incident id → occurred_at."""
    sent: dict[str, float] = {}
    loop = asyncio.get_running_loop()
    start = loop.time()
    for i in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, start + i / rate - loop.time()))
        event = sev4_triggered(run, i)
        await bus.publish(event)
        sent[event.incident.id] = event.occurred_at.timestamp()
    return sent


async def publish_burst(bus: Bus, run: str, count: int) -> dict[str, float]:
    """Publish ``count`` events at once (64 awaiting JetStream at a time)."""
    events = [sev4_triggered(run, i) for i in range(count)]
    gate = asyncio.Semaphore(64)

    async def one(event: IncidentTriggered) -> None:
        async with gate:
            await bus.publish(event)

    await asyncio.gather(*(one(e) for e in events))
    return {e.incident.id: e.occurred_at.timestamp() for e in events}


async def received(receiver: TimedReceiver, sent: dict[str, float], timeout: float) -> list[float]:
    """Wait until every incident of ``sent`` was paged (or ``timeout``); arrival times."""
    deadline = time.monotonic() + timeout
    while True:
        arrival = {receiver.incident_of[d]: t for d, t in receiver.arrived.items()}
        got = [arrival[i] for i in sent if i in arrival]
        if len(got) == len(sent) or time.monotonic() > deadline:
            return got
        await asyncio.sleep(0.2)


def latencies(receiver: TimedReceiver, sent: dict[str, float]) -> list[float]:
    arrival = {receiver.incident_of[d]: t for d, t in receiver.arrived.items()}
    return [max(arrival[i] - t, 0.0) for i, t in sent.items() if i in arrival]


async def main(burst: int, rate: float, seconds: float) -> None:
    run = uuid.uuid4().hex[:6]
    async with running_mesh(("incidents", "notifier")) as mesh, TimedReceiver() as receiver:
        bus = Bus("bench", mesh.nats_url)
        await bus.connect()
        try:
            await page_tickets_to(bus, mesh.database_urls["notifier"], f"{receiver.url}/hook")
            paced = await publish_paced(bus, f"{run}p", rate, seconds)
            await received(receiver, paced, timeout=60)
            start = time.time()
            bursted = await publish_burst(bus, f"{run}b", burst)
            published = time.time() - start
            arrivals = await received(receiver, bursted, timeout=300)
        finally:
            await bus.close()
    elapsed = (max(arrivals) - start) if arrivals else 0.0
    per_second = len(arrivals) / elapsed if elapsed else 0.0
    paced_latency = summary_ms(latencies(receiver, paced))
    burst_latency = summary_ms(latencies(receiver, bursted))
    duplicates = len(receiver.requests) - len(receiver.arrived)
    print_table(
        f"notifier → webhook: paced {rate:.0f}/s for {seconds:.0f}s, then a burst of {burst} "
        f"(published in {published:.2f}s; {len(arrivals)}/{burst} paged in {elapsed:.2f}s = "
        f"{per_second:.0f} deliveries/s; duplicate requests {duplicates})",
        [
            {"phase": f"paced {rate:.0f}/s", **paced_latency},
            {"phase": f"burst {burst}", **burst_latency},
        ],
    )
    write_results(
        "notifier_throughput",
        {
            "burst": burst,
            "paced_rate_per_s": rate,
            "paced_seconds": seconds,
            "burst_publish_seconds": round(published, 3),
            "burst_paged": len(arrivals),
            "burst_seconds": round(elapsed, 3),
            "deliveries_per_s": round(per_second, 1),
            "duplicate_requests": duplicates,
            "paced_triggered_to_provider": paced_latency,
            "burst_triggered_to_provider": burst_latency,
        },
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.burst, args.rate, args.seconds))
